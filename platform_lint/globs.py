"""Simple path globs for rule scopes and charter locations.

`*` and `?` as in fnmatch (they may cross `/`), a pattern without `/` matches
the file name at any depth, a leading `**/` may match nothing. Config
excludes and exemptions use full gitignore syntax through pathspec instead.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence


def matches(path: str, pattern: str) -> bool:
    pattern = pattern.strip()
    if "/" not in pattern.rstrip("/"):
        name = pattern.rstrip("/")
        if pattern.endswith("/"):  # a directory name at any depth
            return any(fnmatch.fnmatchcase(part, name) for part in path.split("/")[:-1])
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], name)
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "*"
    if pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]):
        return True
    return fnmatch.fnmatchcase(path, pattern)


def matcher(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    """A predicate true when any of `patterns` matches, or None for no patterns."""
    kept = tuple(p for p in patterns if p.strip())
    if not kept:
        return None
    return lambda path: any(matches(path, p) for p in kept)
