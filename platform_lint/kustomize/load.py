"""Finding and reading kustomizations safely: paths stay inside the repository, remote
bases are named, never fetched.

Every path is relative to the scan root. A reference that climbs out of the
root, or is absolute, is refused; one that is a URL (`https://`, `git@`,
`github.com/...`, `?ref=`) is remote and left alone. Both are reported.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from platform_lint.sources import is_kustomization
from platform_lint.sources.yaml_tree import YamlDocument, parse_yaml

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


@dataclass(frozen=True, slots=True)
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
