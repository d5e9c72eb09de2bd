"""Every rule's severity follows the severity policy (README, "Severity policy"):
`error` blocks the commit, `warning` is a missing safeguard, `note` is advice."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

RULES = sorted((Path(__file__).resolve().parents[1] / "rules").glob("*.yaml"))

POLICY = {
    "exposes-secret": "error",
    "ungated-production-change": "error",
    "takes-service-down": "error",
    "broken-as-written": "error",
    "breaks-ownership": "error",
    "exploitable-pipeline": "error",
    "risk": "warning",
    "advice": "note",
}


def _rule(path: Path) -> dict[str, str]:
    data: dict[str, str] = YAML(typ="safe").load(path.read_text())
    return data


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_rule_severity_follows_its_policy_class(path: Path) -> None:
    rule = _rule(path)
    assert "policy" in rule, f"{path.name}: every built-in rule names its policy class"
    assert rule["policy"] in POLICY, f"{path.name}: unknown policy class {rule['policy']!r}"
    assert rule["severity"] == POLICY[rule["policy"]], (
        f"{path.name}: policy {rule['policy']} means severity {POLICY[rule['policy']]}, "
        f"not {rule['severity']}")


def test_the_schema_and_the_readme_name_the_same_classes() -> None:
    import json

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "schemas" / "rule.schema.json").read_text())
    assert set(schema["properties"]["policy"]["enum"]) == set(POLICY)
    readme = (root / "README.md").read_text()
    section = readme.split("### Severity policy", 1)[1].split("\n## ", 1)[0]
    for name, severity in POLICY.items():
        assert f"`{name}`" in section and severity in section, name


def test_a_missing_digest_or_a_moving_tag_does_not_block_a_commit() -> None:
    by_id = {p.stem: _rule(p) for p in RULES}
    for rule_id in ("image-not-pinned-by-digest", "image-tag-latest", "image-without-tag"):
        assert by_id[rule_id]["severity"] != "error", rule_id
    for rule_id in ("hardcoded-provider-token", "ungated-production-deploy"):
        assert by_id[rule_id]["severity"] == "error", rule_id
