"""The repository as a whole, as one document (kind "repository").

Rules about what a repository lacks (a required folder, a restore drill
record) have no file to point at: they read this document, one per
whole-repository scan, and their findings land on it (path ".", line 1),
as the change document's do. It lists every path of the scan, read or
skipped, the day the scan judges ages against, and the head of each record
file (a file in a folder such as `disaster-recovery/` or `drills/`), so
rules can read the dates drills were run. Scans of some files only
(pre-commit, --diff) have none: absence cannot be judged from a part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from platform_lint.model import Document, Span

KIND = "repository"
RECORD_FOLDERS = frozenset({"disaster-recovery", "dr", "drills", "restore-drills", "recovery"})
_HEAD_BYTES = 16384
_MAX_RECORDS = 500


def is_record(path: str) -> bool:
    return not RECORD_FOLDERS.isdisjoint(path.split("/")[:-1])


def repository_document(paths: Iterable[str], today: dt.date,
                        read: Callable[[str], bytes | None]) -> Document:
    tree = sorted(set(paths))
    records: dict[str, str] = {}
    for path in (p for p in tree if is_record(p)):
        if len(records) >= _MAX_RECORDS:
            break
        content = read(path)
        if content is not None:
            records[path] = content[:_HEAD_BYTES].decode("utf-8", errors="replace")
    data = {"tree": tree, "today": today.isoformat(), "records": records}
    return Document(path=".", kind=KIND, data=data, spans={(): Span.point(1)})
