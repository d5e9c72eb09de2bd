"""What to audit: an inventory file, a folder of clones, or URLs on stdin.

An inventory is one git URL or local path a line (`#` starts a comment), or a
YAML/JSON list of entries with `url` and optional `ref`, `name`, `team`,
`tags` (a top-level `repositories:` key may hold the list).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_lint.errors import PlatformLintError


class InventoryError(PlatformLintError, ValueError):
    """An inventory that cannot be read; the message names the file and entry."""


@dataclass(frozen=True, slots=True)
class Entry:
    url: str
    """A git URL, or an absolute local path."""
    name: str
    ref: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_local(self) -> bool:
        return is_local(self.url)


_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")


def is_local(url: str) -> bool:
    return "://" not in url and not _SCP_LIKE.match(url)


def default_name(url: str) -> str:
    """`https://host/org/repo.git` -> `org/repo`; a local path -> its folder name."""
    if is_local(url):
        return Path(url).name.removesuffix(".git") or url
    parts = [p for p in re.split(r"[:/]", url.split("://", 1)[-1]) if p]
    return "/".join(parts[-2:]).removesuffix(".git")


def entry(url: str, name: str | None = None, ref: str | None = None, team: str | None = None,
          tags: Iterable[str] = (), base: Path | None = None) -> Entry:
    """An entry, local paths made absolute (relative to `base`, the inventory's folder)."""
    url = url.strip()
    if is_local(url):
        path = Path(os.path.expanduser(url))
        url = str(((base or Path.cwd()) / path).resolve())
    return Entry(url, name or default_name(url), ref or None, team or None, tuple(tags))


def parse(text: str, source: str, base: Path | None = None) -> list[Entry]:
    """Entries from an inventory's text: YAML/JSON when it looks structured, else lines."""
    stripped = text.lstrip()
    if stripped.startswith(("[", "{", "-", "repositories:")):
        return _structured(text, source, base)
    return list(_lines(text, base))


def _lines(text: str, base: Path | None) -> Iterator[Entry]:
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            yield entry(line, base=base)


def _structured(text: str, source: str, base: Path | None) -> list[Entry]:
    data: Any
    try:
        data = json.loads(text)
    except ValueError:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            data = YAML(typ="safe", pure=True).load(text)
        except YAMLError as exc:
            raise InventoryError(f"{source}: not valid YAML or JSON: {exc.__class__.__name__}") from None
    if isinstance(data, dict):
        data = data.get("repositories")
    if not isinstance(data, list):
        raise InventoryError(f"{source}: expected a list of repositories")
    out: list[Entry] = []
    for index, item in enumerate(data, 1):
        if isinstance(item, str):
            out.append(entry(item, base=base))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise InventoryError(f"{source}: entry {index}: needs a `url`")
        tags = item.get("tags") or ()
        if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
            raise InventoryError(f"{source}: entry {index}: `tags` must be a list of strings")
        extra = {k: item.get(k) for k in ("name", "ref", "team")}
        bad = [k for k, v in extra.items() if v is not None and not isinstance(v, str)]
        if bad:
            raise InventoryError(f"{source}: entry {index}: `{bad[0]}` must be a string")
        out.append(entry(item["url"], extra["name"], extra["ref"], extra["team"], tags, base))
    return out


def read_inventory(path: str, stdin_text: str | None = None) -> list[Entry]:
    """Entries from a file, or from `stdin_text` when `path` is `-`."""
    if path == "-":
        return _unique(parse(stdin_text or "", "<stdin>"), "<stdin>")
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"{path}: cannot read the inventory: {exc}") from None
    return _unique(parse(text, path, file.resolve().parent), path)


def discover_repositories(folder: Path) -> list[Entry]:
    """Every git repository under `folder` (work trees and bare ones), not descending into them."""
    found: list[Entry] = []
    for directory, dirnames, _ in os.walk(folder):
        here = Path(directory)
        if (here / ".git").exists() or _is_bare(here):
            found.append(entry(str(here), name=here.relative_to(folder).as_posix()
                               if here != folder else here.name))
            dirnames[:] = []
        else:
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    return _unique(found, str(folder))


def _is_bare(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def _unique(entries: list[Entry], source: str) -> list[Entry]:
    """One entry per URL (the first wins): a repository listed twice is audited once.
    Listed with two refs, it is refused: an audit reads one ref of each repository,
    and silently dropping the other would report it as audited."""
    seen: dict[str, Entry] = {}
    for e in entries:
        first = seen.setdefault(e.url, e)
        if first.ref != e.ref:
            from platform_lint.audit.fetch import redact_url

            refs = ", ".join(r or "its default branch" for r in (first.ref, e.ref))
            raise InventoryError(f"{source}: {redact_url(e.url)} is listed with two refs ({refs}); an "
                                 "audit reads one ref of each repository: audit the other in an inventory "
                                 "of its own")
    return list(seen.values())
