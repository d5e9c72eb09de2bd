"""Reading `# expect: rule-id` expectations from fixture files and scanning fixtures."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from platform_lint.changes import change_from_text, full_repository
from platform_lint.config import load_config
from platform_lint.config_files import find_config
from platform_lint.discovery import discover
from platform_lint.engine import ScanOptions, scan_files
from platform_lint.rules import Rule, load_rules
from platform_lint.scan_result import ScanResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
_EXPECT = re.compile(r"expect:\s*(?P<ids>[a-z0-9][a-z0-9, -]*)")
_SIDECAR = re.compile(r"^(?P<path>\S+):(?P<line>\d+)\s+(?P<rule>[a-z0-9-]+)\s*$")

Expectation = tuple[str, int, str]


def expectations(root: Path) -> Counter[Expectation]:
    found: Counter[Expectation] = Counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == "EXPECT":
            for line in path.read_text().splitlines():
                if line.strip() and not line.startswith("#"):
                    match = _SIDECAR.match(line.strip())
                    assert match, f"{path}: bad EXPECT line {line!r}"
                    found[(match["path"], int(match["line"]), match["rule"])] += 1
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _EXPECT.finditer(line):
                for rule in filter(None, (r.strip() for r in match["ids"].split(","))):
                    found[(rel, number, rule)] += 1
    return found


def scan_fixture(root: Path, rules: list[Rule], known: frozenset[str]) -> ScanResult:
    config = load_config(find_config(root))
    files, skipped = discover(root, None, exclude=config.exclude, max_size=config.max_file_size)
    files = [f for f in files if f.path not in ("EXPECT", "CHANGE")]
    # Ownership fixtures describe the change under check in a CHANGE sidecar;
    # without one the scan is of the whole repository.
    sidecar = root / "CHANGE"
    change = (change_from_text(sidecar.read_text()) if sidecar.is_file()
              else full_repository([f.path for f in files]))
    options = ScanOptions(known_rules=known, extra_documents=[change])
    return scan_files(str(root), files, skipped, config, rules, options)


def found(result: ScanResult) -> Counter[Expectation]:
    return Counter((f.path, f.span.line, f.rule_id) for f in result.findings)


def all_rules() -> dict[str, Rule]:
    return load_rules()
