"""What `check PATHS` scans: the root and, when files were named, which ones.

Paths written below the working directory are scanned with it as the root
(what pre-commit passes). Paths written elsewhere on disk are scanned in
their repository: the root is the first one's git checkout (the nearest
folder up holding `.git`), else its own folder, and every path named must lie
below that root. Naming both kinds at once is refused.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from platform_lint.errors import PlatformLintError


class TargetError(PlatformLintError, ValueError):
    """A path that does not exist, or paths that share no root."""


def scan_target(paths: Sequence[str]) -> tuple[Path, list[str] | None]:
    if not paths:
        return Path.cwd(), None
    if "" in paths:  # Path("") is the working directory: most often an unset shell variable
        raise TargetError("an empty path was given (an unset variable?); name '.' to scan this directory")
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0]), None
    for p in paths:
        if not Path(p).exists():
            raise TargetError(f"{p}: no such file or directory")
    cwd = Path.cwd()
    # Where a path is written decides, not where a symlink leads: a name below
    # the working directory that resolves out of it is refused, never followed.
    written = [Path(os.path.abspath(p)).is_relative_to(os.path.abspath(cwd)) for p in paths]
    if all(written):
        return cwd, _relative(paths, cwd.resolve(), "outside the current directory")
    if any(written):
        first = next(p for p, inside in zip(paths, written, strict=True) if not inside)
        raise TargetError(f"{first}: outside the current directory")
    root = repository_root(Path(paths[0]).resolve())
    return root, _relative(paths, root, f"not in {root}, the repository of {paths[0]}")


def _relative(paths: Sequence[str], root: Path, problem: str) -> list[str]:
    only: list[str] = []
    for p in paths:
        full = Path(p).resolve()
        if not full.is_relative_to(root):
            raise TargetError(f"{p}: {problem}")
        rel = full.relative_to(root)
        if full.is_dir():
            from platform_lint.discovery import list_paths

            prefix = f"{rel.as_posix()}/" if rel.parts else ""
            only.extend(n for n in list_paths(root) if n.startswith(prefix))
        else:
            only.append(rel.as_posix())
    return only


def repository_root(path: Path) -> Path:
    """The git checkout holding `path`, else the folder it is in (or is)."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def display_base(root: Path) -> str:
    """Where `root` is, as findings show it: relative to the working directory
    when below it ("" for the directory itself), else absolute."""
    full = root.resolve()
    try:
        rel = full.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return full.as_posix()
    return "" if rel == "." else rel


def shown(base: str, path: str) -> str:
    """A root-relative `path` as findings show it, below `display_base`'s `base`."""
    import posixpath

    from platform_lint.discovery import printable

    return printable(posixpath.join(base, path))
