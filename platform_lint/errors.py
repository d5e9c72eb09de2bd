"""The base of every error that is the user's to fix (exit code 2, no traceback)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class PlatformLintError(Exception):
    """Bad configuration, rule file, baseline or change description."""


@contextlib.contextmanager
def writing(what: str) -> Iterator[None]:
    """Around writing what the user asked for (`-o FILE`, `--output-dir`, the starter
    files): a path that cannot be written (no such folder, a folder in the way, no
    permission) is theirs to fix, said in one line, not an internal error."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        named = str(exc.filename) if exc.filename is not None else ""
        where = f" ({named})" if named and not what.endswith(named) else ""
        raise PlatformLintError(f"cannot write {what}: {reason}{where}") from None
