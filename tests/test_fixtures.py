"""Every rule's bad fixtures produce exactly the expected findings; good ones none.

Fixtures live in fixtures/rules/<rule-id>/bad/ and .../good/, laid out like a
repository. A finding is expected on a line carrying `# expect: <rule-id>`
(or listed in a sidecar EXPECT file as `path:line rule-id`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_harness import FIXTURES, all_rules, expectations, found, scan_fixture

RULES = all_rules()
KNOWN = frozenset(RULES)
RULE_FIXTURES = FIXTURES / "rules"
# Rules no file can trigger once the bugs they report are fixed; tested by injecting a bug.
WITHOUT_FIXTURES = {"internal-error": "tests/hostile/test_robust_engine.py"}


def _cases(kind: str) -> list[Path]:
    return sorted(p / kind for p in RULE_FIXTURES.iterdir() if (p / kind).is_dir())


@pytest.mark.parametrize("rule_id", sorted(set(RULES) - set(WITHOUT_FIXTURES)))
def test_every_rule_has_bad_and_good_fixtures(rule_id: str) -> None:
    bad, good = RULE_FIXTURES / rule_id / "bad", RULE_FIXTURES / rule_id / "good"
    assert bad.is_dir() and good.is_dir(), f"fixtures/rules/{rule_id}/bad and good are required"
    assert any(rule == rule_id for _, _, rule in expectations(bad)), "bad/ expects no finding"
    assert any(p.is_file() for p in good.rglob("*")), "good/ has no files"


@pytest.mark.parametrize("case", _cases("bad"), ids=lambda p: p.parent.name)
def test_bad_fixture_findings_match_expectations(case: Path) -> None:
    rule_id = case.parent.name
    assert rule_id in RULES, f"fixtures for unknown rule {rule_id}"
    expected = expectations(case)
    strays = [e for e in expected if e[2] != rule_id]
    assert not strays, f"expectations for other rules in {rule_id}'s fixtures: {strays}"
    result = scan_fixture(case, [RULES[rule_id]], KNOWN)
    assert not result.errors
    assert found(result) == expected


@pytest.mark.parametrize("case", _cases("good"), ids=lambda p: p.parent.name)
def test_good_fixture_is_clean(case: Path) -> None:
    rule_id = case.parent.name
    result = scan_fixture(case, [RULES[rule_id]], KNOWN)
    assert not result.errors
    assert [f"{f.path}:{f.span.line} {f.message}" for f in result.findings] == []
