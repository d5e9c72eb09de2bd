"""Loading a chart: Chart.yaml, values, templates, other files and subcharts (folders and .tgz)."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from platform_lint.helm.errors import TemplateError
from platform_lint.helm.values import load_values, parse_yaml
from platform_lint.records import field, record

MAX_TGZ_BYTES = 32 * 1024 * 1024
MAX_TGZ_MEMBERS = 10_000


@record()
class Chart:
    name: str
    root: str
    """Where the chart lives, as findings and `# Source:` comments name it."""
    metadata: dict[str, Any]
    values: dict[str, Any]
    values_text: str = ""
    schema: str | None = None
    templates: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    subcharts: list[Chart] = field(default_factory=list)
    problems: list[TemplateError] = field(default_factory=list)

    def dependencies(self) -> list[dict[str, Any]]:
        deps = self.metadata.get("dependencies")
        return [d for d in deps if isinstance(d, dict)] if isinstance(deps, list) else []


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def load_files(root: str, files: dict[str, bytes]) -> Chart:
    """A chart from its files, keyed by path relative to the chart folder."""
    meta_raw = files.get("Chart.yaml")
    if meta_raw is None:
        raise TemplateError("Chart.yaml file is missing", f"{root}/Chart.yaml", 1)
    meta = parse_yaml(_text(meta_raw), f"{root}/Chart.yaml")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise TemplateError("Chart.yaml: chart name is required", f"{root}/Chart.yaml", 1)
    problems: list[TemplateError] = []
    values_text = _text(files.get("values.yaml", b""))
    try:
        values = load_values(values_text, f"{root}/values.yaml")
    except TemplateError as exc:
        problems.append(exc)
        values = {}
    chart = Chart(str(meta["name"]), root, meta, values, values_text, problems=problems)
    if "values.schema.json" in files:
        chart.schema = _text(files["values.schema.json"])
    if "requirements.yaml" in files and not chart.dependencies():
        req = parse_yaml(_text(files["requirements.yaml"]), f"{root}/requirements.yaml")
        if isinstance(req, dict) and isinstance(req.get("dependencies"), list):
            meta["dependencies"] = req["dependencies"]
    sub_files: dict[str, dict[str, bytes]] = {}
    for name, data in sorted(files.items()):
        if name in ("Chart.yaml", "values.yaml", "values.schema.json", "Chart.lock",
                    "requirements.yaml", "requirements.lock"):
            continue
        if name.startswith("templates/"):
            chart.templates[name] = _text(data)
        elif name.startswith("charts/") and not name.endswith(".prov"):
            rest = name[len("charts/"):]
            if "/" not in rest and rest.endswith((".tgz", ".tar.gz")):
                _add_archive(chart, f"{root}/charts/{rest}", data)
                continue
            sub, _, inner = rest.partition("/")
            if inner:
                sub_files.setdefault(sub, {})[inner] = data
        else:
            chart.files[name] = _text(data)
    for sub, sfiles in sorted(sub_files.items()):
        if "Chart.yaml" in sfiles:
            try:
                chart.subcharts.append(load_files(f"{root}/charts/{sub}", sfiles))
            except TemplateError as exc:
                chart.problems.append(exc)
    return chart


def _add_archive(chart: Chart, where: str, data: bytes) -> None:
    """The subcharts of an archive added to `chart`, or why it cannot be read to its problems."""
    import lzma  # with tarfile: only for a chart that vendors an archive
    import tarfile
    import zlib

    try:
        chart.subcharts.extend(load_tgz(where, data))
    except TemplateError as exc:
        chart.problems.append(exc)
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        chart.problems.append(TemplateError(f"cannot read subchart archive ({type(exc).__name__})", where, 1))


def load_tgz(where: str, data: bytes) -> list[Chart]:
    """The charts packed in a subchart archive (`charts/NAME-VERSION.tgz`), read in memory:
    nothing is extracted, links are not followed, and size, member count and the
    decompressed stream are bounded (the archive may come from an untrusted repository)."""
    if len(data) > MAX_TGZ_BYTES:
        raise TemplateError("subchart archive too large", where, 1)
    members: dict[str, dict[str, bytes]] = {}
    total = 0
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for count, info in enumerate(tar, start=1):
            if count > MAX_TGZ_MEMBERS or tar.offset > MAX_TGZ_BYTES:
                raise TemplateError("subchart archive expands too large", where, 1)
            if not info.isfile():
                continue  # folders; links and devices are never followed
            name = _member_name(info.name, where)
            total += info.size
            if total > MAX_TGZ_BYTES:
                raise TemplateError("subchart archive expands too large", where, 1)
            top, _, inner = name.partition("/")
            fh = tar.extractfile(info)
            if fh is not None and inner:
                members.setdefault(top, {})[inner] = fh.read()
    charts = []
    for top, files in sorted(members.items()):
        if "Chart.yaml" in files:
            charts.append(load_files(f"{where}/{top}", files))
    return charts


def _member_name(name: str, where: str) -> str:
    """An archive member's path inside the chart folder; one that leaves it is refused, as Helm does."""
    clean = posixpath.normpath(name.replace("\\", "/"))
    if clean.startswith(("/", "../")) or clean in ("..", ".") or "\0" in clean:
        raise TemplateError(f"subchart archive member {name[:200]!r} leaves the chart folder", where, 1)
    return clean


def _ignored(rel: str, spec: Any) -> bool:
    return spec is not None and bool(spec.match_file(rel))


def _helmignore(lines: list[str]) -> Any:
    """The patterns of a `.helmignore`; one that cannot be read stops the chart, as in Helm
    (`syntax error in pattern`), at its line."""
    import re

    import re2

    from platform_lint.discovery import gitignore_spec

    try:
        return gitignore_spec(lines, helm=True)
    except re2.error:  # pathspec's one RE2 set of them all is past RE2's memory bound
        raise TemplateError(f"too many patterns to read ({len(lines)} lines)",
                            ".helmignore", 1) from None
    except (ValueError, re.error):
        for number, line in enumerate(lines, 1):
            try:
                gitignore_spec([line], helm=True)
            except (ValueError, re.error):
                raise TemplateError(f"syntax error in pattern {line[:80]!r}", ".helmignore",
                                    number) from None
        raise TemplateError("syntax error in a pattern", ".helmignore", 1) from None


def load_dir(path: str | os.PathLike[str], root_name: str | None = None) -> Chart:
    """A chart from a folder on disk, honouring its `.helmignore`."""
    base = Path(path)
    spec = None
    ignore = base / ".helmignore"
    if ignore.is_file():
        spec = _helmignore(ignore.read_text(errors="replace").splitlines())
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(base):
        rel_dir = os.path.relpath(dirpath, base)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        dirnames[:] = [d for d in dirnames
                       if not _ignored(rel_dir + d + "/", spec) or rel_dir + d == "templates"]
        for fn in filenames:
            rel = rel_dir + fn
            if _ignored(rel, spec) and rel not in ("Chart.yaml", "values.yaml"):
                continue
            full = Path(dirpath) / fn
            if full.is_symlink() or not full.is_file():
                continue
            files[rel] = full.read_bytes()
    return load_files(root_name or base.name, files)
