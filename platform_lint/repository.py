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
    return Document(path=".", kind=KIND, data={"tree": sorted(set(paths)), "today": today.isoformat()},
                    spans={(): Span.point(1)})
