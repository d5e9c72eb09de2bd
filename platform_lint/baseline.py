"""Baseline files: the findings a repository accepted when adopting platform-lint."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from platform_lint import __version__
from platform_lint.errors import PlatformLintError
from platform_lint.finding import Finding


class BaselineError(PlatformLintError, ValueError):
    pass


def baseline_text(findings: Iterable[Finding]) -> str:
    keys = sorted({(f.path, f.rule_id, f.fingerprint) for f in findings})
    payload = {
        "version": 1,
        "tool": f"platform-lint {__version__}",
        "findings": [{"path": p, "rule": r, "fingerprint": fp} for p, r, fp in keys],
    }
    return json.dumps(payload, indent=2) + "\n"


def read_baseline(path: Path) -> frozenset[tuple[str, str, str]]:
    from platform_lint.resources import schema
    from platform_lint.validation import schema_errors

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: not a readable baseline: {exc}") from None
    for error in schema_errors(data, schema("baseline")):
        where = ".".join(map(str, error.path)) or "(top level)"
        raise BaselineError(f"{path}: {where}: {error.message}")
    return frozenset((e["path"], e["rule"], e["fingerprint"]) for e in data["findings"])
