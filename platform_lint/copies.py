"""Identical findings in copies of one file, told apart for the text report.

Repositories copy files (an example per folder, a chart vendored twice): the
same rule with the same message at the same line of files with identical bytes
is one problem to fix in several places, and the text report prints it once,
naming the copies. Machine formats (JSON, SARIF, GitHub) keep every finding.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from platform_lint.finding import Finding

_Key = tuple[str, str, int, int, str]


def _shape(f: Finding) -> _Key:
    return (f.rule_id, f.message, f.span.line, f.span.col, str(f.severity))


def file_digests(root: Path, findings: Sequence[Finding]) -> dict[str, str]:
    """A digest of each file holding a finding that another file repeats; only
    those files are read again, so a scan without repeats reads none."""
    counts = Counter(_shape(f) for f in findings)
    candidates = sorted({f.path for f in findings if counts[_shape(f)] > 1})
    out: dict[str, str] = {}
    for path in candidates:
        try:
            out[path] = hashlib.sha256((root / path).read_bytes()).hexdigest()
        except (OSError, ValueError):  # gone since the scan, a directory, an unencodable name
            continue
    return out


def group_copies(
    findings: Sequence[Finding], digests: Mapping[str, str]
) -> list[tuple[Finding, list[str]]]:
    """Each finding with the paths of the copies that repeat it (in order),
    the repeats themselves left out."""
    seen: dict[tuple[str, _Key], list[str]] = {}
    out: list[tuple[Finding, list[str]]] = []
    for f in findings:
        digest = digests.get(f.path)
        if digest is None:
            out.append((f, []))
            continue
        key = (digest, _shape(f))
        if key in seen:
            if f.path not in seen[key]:
                seen[key].append(f.path)
            continue
        seen[key] = []
        out.append((f, seen[key]))
    return out
