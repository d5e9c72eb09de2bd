"""Docs kept honest: every hook and every rule is documented where users look."""

from __future__ import annotations

from pathlib import Path

from platform_lint.rules import load_rules
from platform_lint.sources.yaml_tree import parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def test_every_pre_commit_hook_is_in_the_readme() -> None:
    docs, problems = parse_yaml((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert not problems
    readme = (ROOT / "README.md").read_text()
    for hook in docs[0].data:
        assert f"id: {hook['id']}" in readme, f"hook {hook['id']} is not in the README"


def test_every_rule_has_complete_docs() -> None:
    for rule in load_rules().values():
        for key in ("summary", "why", "fix", "bad", "good"):
            assert str(rule.docs.get(key, "")).strip(), f"{rule.id}: docs.{key} is empty"
