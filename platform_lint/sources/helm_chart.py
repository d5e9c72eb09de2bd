"""Helm charts: a chart's `Chart.yaml` stands for the chart, which is rendered and judged.

The chart is rendered once per values set: its defaults, then each
`ci/*values.yaml` (the chart's own test cases), then the sets the config's `helm:`
section gives it (`helm.settings`), with its release settings. Every rendered Kubernetes object
becomes a Document at its template file, whose `Rendered` model relocates a
finding to the template line that wrote the key, or to the values line the
value came from. An object rendered the same by several sets is judged once,
with the sets named. Template errors, `required`/`fail` and output that is not
YAML become problems at the template file and line; a dependency not vendored under
`charts/`, a note at its entry. A chart vendored under another chart's `charts/` is
rendered by its parent, not on its own.
"""

from __future__ import annotations

import bisect
import json
import posixpath
from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from platform_lint.budget import OverBudget
from platform_lint.collector import building
from platform_lint.helm.settings import DEFAULT_SET, ChartSettings, ValuesSet, chart_settings, ci_sets
from platform_lint.model import Document, Obj, Path, Span
from platform_lint.sources import FileReader, Parsed, TreeReader

if TYPE_CHECKING:
    from platform_lint.validation import SchemaError, SchemaMemo

MAX_CHART_FILES = 2000


def _chart_files(root: str, files: FileReader) -> dict[str, bytes]:
    """The chart's files by path inside it; a `charts/*.tgz` subchart by its bytes."""
    if not isinstance(files, TreeReader):
        return {}
    out: dict[str, bytes] = {}
    prefix = f"{root}/" if root else ""
    for path in sorted(files.paths):
        if not path.startswith(prefix):
            continue
        if len(out) >= MAX_CHART_FILES:
            raise _TooManyFiles
        rel = path[len(prefix):]
        if _is_archive(rel):
            data = files.raw(path)
            if data is not None:
                out[rel] = data
            continue
        text = files(path)
        if text is not None:
            out[rel] = text.encode("utf-8")
    return out


class _TooManyFiles(Exception):
    pass


def _is_archive(rel: str) -> bool:
    return rel.startswith("charts/") and rel.count("/") == 1 and rel.endswith((".tgz", ".tar.gz"))


def _vendored(root: str, files: FileReader) -> bool:
    parent = posixpath.dirname(root)
    return posixpath.basename(parent) == "charts" and files(
        posixpath.join(posixpath.dirname(parent), "Chart.yaml")) is not None


def load(path: str, text: str, files: FileReader) -> Parsed:
    from platform_lint.helm.chart import load_files
    from platform_lint.helm.errors import TemplateError

    root = posixpath.dirname(path)
    if _vendored(root, files):
        return Parsed(skipped="helm subchart (rendered with its parent chart)")
    try:
        chart_files = _chart_files(root, files)
    except _TooManyFiles:
        return Parsed(documents=[_problem_doc(path, 1, f"Helm: the chart has more than {MAX_CHART_FILES} "
                                              "files; not rendered")])
    chart_files["Chart.yaml"] = text.encode("utf-8")
    try:
        chart = load_files(root or ".", chart_files)
    except TemplateError as exc:
        return Parsed(documents=[_problem_doc(exc.file or path, exc.line, exc.message)])
    section = files.settings.get("helm") if isinstance(files, TreeReader) else None
    settings = chart_settings(section, root)
    # Rendering and reading a chart leaves no reference cycle behind (`render` breaks its
    # executor's), but the objects it makes would run the cycle collector over everything
    # alive again and again (a sixth of the time on open-telemetry's charts): it is held
    # off (`collector.building`). A cycle a template itself builds is bounded by the
    # rendering's budget and collected afterwards.
    with building():
        documents = list(_judged_documents(chart, chart_files, root, settings, files))
    documents.extend(missing_dependencies(chart, chart_files))
    return Parsed(documents=documents)


def charts_first(paths: Sequence[str], scanned: Collection[str]) -> list[int]:
    """The indices of the paths that render a chart (a `Chart.yaml` not vendored in
    another chart), the chart with the most files first: a pool of processes starts
    these before the other files, so that none is left for last on one core."""
    listed = sorted(scanned)
    sizes: dict[int, int] = {}
    for index, path in enumerate(paths):
        if posixpath.basename(path) != "Chart.yaml":
            continue
        root = posixpath.dirname(path)
        parent = posixpath.dirname(root)
        if posixpath.basename(parent) == "charts" and posixpath.join(posixpath.dirname(parent),
                                                                      "Chart.yaml") in scanned:
            continue  # rendered by its parent
        prefix = f"{root}/" if root else ""
        sizes[index] = bisect.bisect_left(listed, prefix + "\U0010ffff") - bisect.bisect_left(listed, prefix)
    return sorted(sizes, key=lambda index: -sizes[index])


def import_renderer(schemas: bool) -> None:
    """Import what rendering and reading a chart needs (with `schemas`, the JSON Schema
    validator too), ahead of forking the processes that render."""
    import platform_lint.helm.dedupe
    import platform_lint.helm.locate
    import platform_lint.helm.render
    import platform_lint.helm.stored
    import platform_lint.helm.yaml_pieces  # noqa: F401

    if schemas:
        from platform_lint.safe_regex import validator_class

        validator_class()


def _value_sets(root: str, chart_files: dict[str, bytes], settings: ChartSettings) -> list[ValuesSet]:
    sets = [ValuesSet(DEFAULT_SET)] if settings.defaults else []
    if settings.ci_values:
        sets += ci_sets(root, list(chart_files))
    return [*sets, *settings.values_sets]


def _judged_documents(chart: Any, chart_files: dict[str, bytes], root: str, settings: ChartSettings,
                      read: FileReader) -> Iterator[Document]:
    from platform_lint.helm.locate import ValuesFile, documents
    from platform_lint.helm.render import Options, render
    from platform_lint.helm.trace import Tracer
    from platform_lint.helm.yaml_pieces import ParseCache

    def full(rel: str) -> str:
        return f"{root}/{rel}" if root else rel

    def text_of(path: str) -> str | None:
        prefix = f"{root}/" if root else ""
        rel = path[len(prefix):] if path.startswith(prefix) else None
        if rel is not None and rel in chart_files:
            return chart_files[rel].decode("utf-8", "replace")
        return read(path)

    template_lines = {
        full(rel): chart_files[rel].decode("utf-8", "replace").split("\n")
        for rel in chart_files if rel.startswith(("templates/", "charts/"))
    }
    parsed_defaults: dict[tuple[str, tuple[str, ...]], ValuesFile] = {}

    def defaults_of(result: Any) -> list[ValuesFile]:
        """Each rendered chart's values.yaml, a subchart's under its alias (least precedence last)."""
        out = []
        for vpath, scope, vtext in result.defaults:
            if (vpath, scope) not in parsed_defaults:
                parsed_defaults[(vpath, scope)] = ValuesFile.parse(vpath, vtext, scope)
            out.append(parsed_defaults[(vpath, scope)])
        return out

    seen: dict[tuple[str, int, str], Document] = {}
    as_json = _AsJson()

    problems: dict[tuple[str, int, str], list[str]] = {}
    schema = _Schema(chart.schema) if chart.schema else None
    parses = ParseCache()
    tracer = Tracer()
    for vset in _value_sets(root, chart_files, settings):
        set_name = vset.name
        texts = [(f, text_of(f)) for f in vset.files]
        for f, t in texts:
            if t is None:
                problems.setdefault((full("Chart.yaml"), 1, f"values file {f} ({vset.where} in the "
                                     "configuration) is not in the repository"), []).append(set_name)
        files = [(f, t) for f, t in texts if t is not None]
        result = render(chart, Options(
            release_name=settings.release_name, namespace=settings.namespace,
            kube_version=settings.kube_version, api_versions=settings.api_versions,
            values_files=files, set_values=list(vset.set_values),
            set_string_values=list(vset.set_strings), trace=True, tracer=tracer))
        # the last file given wins, then the earlier ones, then the charts' own defaults
        vfiles = [*(ValuesFile.parse(f, t) for f, t in reversed(files)), *defaults_of(result)]
        for err in result.errors:
            at = (err.file or full("Chart.yaml"), err.line)
            problems.setdefault((*at, _redacted(err.message, result.values)), []).append(set_name)
        if schema is not None:
            top = [vf for vf in vfiles if not vf.prefix]  # the schema is of the top chart's values
            for (vfile, vline), message in _schema_problems(schema, result.values, top):
                problems.setdefault((vfile, vline, message), []).append(set_name)
        for manifest in result.manifests:
            keys: dict[int, tuple[str, int, str]] = {}

            def fresh(index: int, data: Any, path: str = manifest.path, keys: dict[int, Any] = keys,
                      set_name: str = set_name) -> bool:
                """An object not rendered so by an earlier values set (which then names this one too)."""
                if not _is_object(data):
                    return False
                key = (path, index, as_json(data))
                if key in seen:
                    seen[key].model.sets.append(set_name)
                    return False
                keys[index] = key
                return True

            docs, bad = documents(manifest, result.origins, [set_name], vfiles, template_lines, parses, fresh)
            for origin, problem in bad:
                file, line = (origin.file, origin.line) if origin else (manifest.path, 1)
                problems.setdefault((file, line, f"rendered output is not YAML: {problem.message}"),
                                    []).append(set_name)
            for doc, _model in docs:
                seen[keys[doc.index]] = doc
                yield doc
    for (pfile, pline, message), sets in problems.items():
        where = "" if sets == [DEFAULT_SET] else f" [values: {', '.join(dict.fromkeys(sets))}]"
        yield _problem_doc(pfile, pline, f"Helm: {message}{where}")


def _redacted(message: str, values: dict[str, Any]) -> str:
    """A template error's `message` with the secrets of the values set redacted: `fail`
    may print a value, and values.yaml's own secrets are found by another file's judging."""
    from platform_lint.secrets.identity import scrub_quoting

    return scrub_quoting(message, values, whole=False)


class _AsJson:
    """An object as JSON text, written once per object the parse cache hands out (an
    unchanged document in several values sets is the same object)."""

    def __init__(self) -> None:
        self._written: dict[int, tuple[Any, str]] = {}

    def __call__(self, data: Any) -> str:
        held = self._written.get(id(data))
        if held is None:  # the object is kept, so its id names no other
            held = self._written[id(data)] = (data, json.dumps(data, sort_keys=True, default=str))
        return held[1]


class _Schema:
    """A chart's values.schema.json, read once for all its values sets, each validated
    through one `SchemaMemo` (the sets repeat most of their values)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._memo: SchemaMemo | None = None

    def errors(self, values: dict[str, Any]) -> list[SchemaError]:
        """The first 50 errors of `values`, messages cut to 200 characters; what reading
        the schema raises, each time."""
        from platform_lint.validation import SchemaMemo

        if self._memo is None:
            schema = json.loads(self._text)
            if not isinstance(schema, dict):
                raise ValueError("not a JSON object")
            self._memo = SchemaMemo(schema, first=50, width=200)
        return self._memo.errors(values)


def _schema_problems(schema: _Schema, values: dict[str, Any], vfiles: list[Any]) -> Iterator[
        tuple[tuple[str, int], str]]:
    # The chart's schema is the scanned repository's: validated like a rule file's
    # (`$ref` never fetched or read, patterns on RE2), and a schema that cannot be
    # used is one finding, never the exception's text.
    schema_file = vfiles[-1].path.rsplit("/", 1)[0] + "/values.schema.json"
    try:
        errors = schema.errors(values)
    except json.JSONDecodeError as exc:
        yield (schema_file, exc.lineno), f"values.schema.json: invalid JSON ({exc.msg})"
        return
    except (KeyboardInterrupt, SystemExit, OverBudget):
        raise
    except BaseException as exc:  # an unresolvable $ref, a pattern RE2 refuses, a cycle (in rpds: a panic)
        yield (schema_file, 1), f"values.schema.json cannot be used ({_unusable(exc)})"
        return
    for err in errors:
        path = err.path
        where = (vfiles[-1].path, 1)
        for vf in vfiles:
            probe = path
            while probe and probe not in vf.key_spans:
                probe = probe[:-1]
            if probe:
                where = (vf.path, vf.key_spans[probe].line)
                break
        dotted = ".".join(map(str, path)) or "(root)"
        yield where, f"values do not match values.schema.json at {dotted}: {err.message}"


def _unusable(exc: BaseException) -> str:
    """Why a schema cannot be used, the same however deep the stack was when recursion
    ran out (rpds turns a RecursionError inside its `__eq__` into a panic)."""
    name = type(exc).__name__
    return "RecursionError" if name == "PanicException" else name


def missing_dependencies(chart: Any, chart_files: dict[str, bytes], top: str | None = None) -> Iterator[
        Document]:
    """A notice per dependency (Chart.yaml `dependencies:`) not vendored under `charts/`, at its
    entry: the chart is rendered and judged without it. Vendored subcharts' own, too (`top`:
    the folder of the chart whose files `chart_files` are)."""
    top = chart.root if top is None else top
    vendored = {sub.name for sub in chart.subcharts}
    missing = [(i, dep) for i, dep in enumerate(chart.dependencies()) if str(dep.get("name")) not in vendored]
    if missing:
        rel = posixpath.relpath(chart.root, top)
        listing, spans = _listing(chart_files, rel, "Chart.yaml")
        if ("dependencies",) not in spans:  # Helm 2 lists them in requirements.yaml
            listing, spans = _listing(chart_files, rel, "requirements.yaml")
        items: list[dict[str, Any]] = []
        at: dict[Path, Span] = {}
        for i, dep in missing:
            name = str(dep.get("name"))
            version = f" {dep['version']}" if dep.get("version") else ""
            origin = f" from {dep['repository']}" if dep.get("repository") else ""
            at[(len(items),)] = spans.get(("dependencies", i), Span.point(1))
            items.append({"name": name, "message": (
                f"Helm: dependency {name!r}{version}{origin} is not vendored under "
                f"{_in_chart(chart.root, 'charts')}/: the chart is rendered and judged without it "
                "(`helm dependency build` vendors it)")})
        yield Document(path=_in_chart(chart.root, posixpath.basename(listing)), kind="helm", data=items,
                       spans=at)
    for sub in chart.subcharts:
        yield from missing_dependencies(sub, chart_files, top)


def _listing(chart_files: dict[str, bytes], folder: str, name: str) -> tuple[str, dict[Path, Span]]:
    from platform_lint.sources.yaml_tree import parse_yaml

    rel = posixpath.normpath(posixpath.join(folder, name))
    docs, _problems = parse_yaml(chart_files.get(rel, b"").decode("utf-8", "replace"))
    return rel, dict(docs[0].spans) if docs else {}


def _in_chart(chart_root: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(chart_root, name))


def _is_object(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(
        data.get("kind"), str)


def _problem_doc(path: str, line: int, message: str) -> Document:
    return Document(path=path, kind="problem", data=[{"message": message}],
                    spans={(0,): Span.point(max(line, 1))})


def objects(doc: Document) -> Iterator[Obj]:
    if doc.kind in ("problem", "helm"):
        yield Obj(doc=doc, kind=doc.kind, name=doc.path, value=doc.data)
        return
    from platform_lint.sources import kubernetes

    yield from kubernetes.objects(doc)
