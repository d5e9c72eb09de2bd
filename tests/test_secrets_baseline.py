"""A baseline keyed on (path, rule, secret fingerprint): line moves stay accepted,
the same secret in another file is new."""

from __future__ import annotations

from pathlib import Path

from fixture_harness import all_rules
from platform_lint.config import load_config
from platform_lint.config_files import find_config
from platform_lint.discovery import discover
from platform_lint.engine import ScanOptions, scan_files
from platform_lint.scan_result import ScanResult

TOKEN = "ghp_" + "Wm4" * 12
RULES = all_rules()


def _scan(root: Path, baseline: frozenset[tuple[str, str, str]] = frozenset()) -> ScanResult:
    config = load_config(find_config(root))
    files, skipped = discover(root, None, exclude=config.exclude, max_size=config.max_file_size)
    rules = [RULES["hardcoded-provider-token"]]
    return scan_files(str(root), files, skipped, config, rules, ScanOptions(baseline=baseline))


def test_moved_secret_stays_baselined_and_copied_secret_is_new(tmp_path: Path) -> None:
    (tmp_path / "deploy.sh").write_text(f"export GH={TOKEN}\n")
    first = _scan(tmp_path)
    baseline = frozenset((f.path, f.rule_id, f.fingerprint) for f in first.findings)
    assert len(baseline) == 1

    (tmp_path / "deploy.sh").write_text(f"#!/bin/sh\nset -e\n\nexport GH={TOKEN}\n")
    moved = _scan(tmp_path, baseline)
    assert moved.findings == []

    (tmp_path / "other.sh").write_text(f"export GH={TOKEN}\n")
    copied = _scan(tmp_path, baseline)
    assert [(f.path, f.span.line) for f in copied.findings] == [("other.sh", 1)]
