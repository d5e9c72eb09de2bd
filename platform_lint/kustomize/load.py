"""Finding and reading kustomizations safely: paths stay inside the repository, remote
bases are named, never fetched.

Every path is relative to the scan root. A reference that climbs out of the
root, or is absolute, is refused; one that is a URL (`https://`, `git@`,
`github.com/...`, `?ref=`) is remote and left alone. Both are reported.
"""

from __future__ import annotations

import posixpath
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from platform_lint import budget
from platform_lint.records import record
from platform_lint.sources import is_kustomization
from platform_lint.sources.yaml_tree import Problem, YamlDocument, parse_yaml

__all__ = ["is_kustomization"]

Reader = Callable[[str], str | None]

FILENAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_REMOTE = re.compile(r"^(\w+://|git@|git::|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|\.git(//|$)")


def is_remote(ref: str) -> bool:
    return _REMOTE.search(ref) is not None


def resolve(folder: str, ref: str) -> str | None:
    """`ref` (written in `folder`) relative to the root; None when it leaves the root."""
    if ref.startswith("/") or "\\" in ref or "\0" in ref:
        return None
    joined = posixpath.normpath(posixpath.join(folder, ref)) if folder else posixpath.normpath(ref)
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def kustomization_in(folder: str, read: Reader) -> tuple[str, str] | None:
    """(path, text) of the kustomization file in `folder`, if there is one."""
    for name in FILENAMES:
        path = posixpath.join(folder, name) if folder else name
        text = read(path)
        if text is not None:
            return path, text
    return None


def parse(text: str) -> YamlDocument | None:
    """The kustomization's one document, if it is a mapping."""
    docs, problems = parse_yaml(text)
    if problems or not docs or not isinstance(docs[0].data, dict):
        return None
    return docs[0]


MEMO_ENTRIES = 64
MEMO_TEXT = 32 * 1024
"""The memo of `parsed` keeps the last `MEMO_ENTRIES` texts of at most `MEMO_TEXT` characters."""
_MEMO: OrderedDict[str, tuple[list[YamlDocument], list[Problem], int, int]] = OrderedDict()


def parsed(text: str) -> tuple[list[YamlDocument], list[Problem]]:
    """`parse_yaml(text)` for a file a build reads. Overlays build the same bases,
    components and patches, so a text is parsed once while it is among the last
    few (a memo: the builds only read the documents, `nodes.from_yaml` copies them).
    A text met again is charged to the file's budget as its parse was, or parsed
    afresh when that could cross the budget (which then stops at the node, as it would)."""
    meter = budget.current()
    known = _MEMO.get(text)
    if known is not None:
        docs, problems, nodes, scalar_bytes = known
        if meter is None:
            return docs, problems
        limits = meter.budgets
        if meter.nodes + nodes <= limits.nodes and meter.scalar_bytes + scalar_bytes <= limits.scalar_bytes:
            meter.nodes += nodes
            meter.scalar_bytes += scalar_bytes
            _MEMO.move_to_end(text)
            return docs, problems
    if meter is None:  # outside a file's judging: no charge to remember
        return parse_yaml(text)
    nodes, scalar_bytes = meter.nodes, meter.scalar_bytes
    docs, problems = parse_yaml(text)
    if len(text) <= MEMO_TEXT:
        _MEMO[text] = (docs, problems, meter.nodes - nodes, meter.scalar_bytes - scalar_bytes)
        _MEMO.move_to_end(text)
        while len(_MEMO) > MEMO_ENTRIES:
            _MEMO.popitem(last=False)
    return docs, problems


@record(frozen=True)
class Reference:
    field: str
    """`resources`, `bases` or `components`."""
    index: int
    ref: str


def references(data: dict[str, Any]) -> Iterator[Reference]:
    """The resources, bases and components a kustomization names, in order."""
    for field in ("resources", "bases", "components"):
        listed = data.get(field)
        for i, ref in enumerate(listed if isinstance(listed, list) else ()):
            if isinstance(ref, str) and ref.strip():
                yield Reference(field, i, ref.strip())


def patch_files(data: dict[str, Any]) -> Iterator[str]:
    """The patch files (not inline patches) a kustomization names."""
    for field in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        listed = data.get(field)
        for item in listed if isinstance(listed, list) else ():
            ref = item.get("path") if isinstance(item, dict) else item
            if isinstance(ref, str) and "\n" not in ref and ref.strip():
                yield ref.strip()
