"""The repository as a whole, as one document (kind "repository").

Rules about what a repository lacks (a required folder, a restore drill
record) have no file to point at: they read this document, one per
whole-repository scan, and their findings land on it (path ".", line 1),
as the change document's do. It lists every path of the scan, read or
skipped, and the day the scan judges ages against. Scans of some files
only (pre-commit, --diff) have none: absence cannot be judged from a part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from platform_lint.model import Document, Span

KIND = "repository"


def repository_document(paths: Iterable[str], today: dt.date) -> Document:
    data = {"tree": sorted(set(paths)), "today": today.isoformat()}
    return Document(path=".", kind=KIND, data=data,
                    spans={(): Span.point(1)})


RECORD_FOLDERS = frozenset({"disaster-recovery", "dr", "drills", "restore-drills", "recovery"})
"""Folders whose files are records (restore drills) that set rules read the head of."""
RECORD_HEAD = 200


def record_head(path: str, lines: tuple[str, ...]) -> tuple[str, ...]:
    """The first lines of a record file, kept for cross-file rules; nothing for other files
    (their text is read by per-file rules only, and not carried to the end of the scan)."""
    if RECORD_FOLDERS.isdisjoint(path.split("/")[:-1]):
        return ()
    return lines[:RECORD_HEAD]
