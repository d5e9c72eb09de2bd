"""Docs kept honest: every hook and every rule is documented where users look."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_docs_rules_is_complete_and_in_sync_with_rules() -> None:
    """docs/rules/ holds exactly one generated page per built-in rule plus the index."""
    from platform_lint.rule_docs import REGENERATE, pages

    expected = pages(load_rules().values())
    directory = ROOT / "docs/rules"
    present = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.md")}
    missing = sorted(set(expected) - set(present))
    stale = sorted(set(present) - set(expected))
    changed = sorted(n for n in set(expected) & set(present) if expected[n] != present[n])
    assert not (missing or stale or changed), (
        f"docs/rules/ is out of date with rules/ (missing {missing}, stale {stale}, changed "
        f"{changed}); regenerate it with: {REGENERATE}")
    assert len(expected) == len(list((ROOT / "rules").glob("*.yaml"))) + 1


def test_every_rule_page_is_linked_from_the_index_by_category() -> None:
    index = (ROOT / "docs/rules/README.md").read_text(encoding="utf-8")
    for rule in load_rules().values():
        assert f"| [{rule.id}]({rule.id}.md) | {rule.severity} |" in index
        assert f"## {rule.category}\n" in index


def test_sarif_help_uri_is_the_rule_page(tmp_path: Path) -> None:
    from platform_lint.rule_docs import DOCS_URL, help_uri

    for rule in load_rules().values():
        uri = help_uri(rule)
        assert uri == f"{DOCS_URL}/{rule.id}.md"
        assert (ROOT / "docs/rules" / f"{rule.id}.md").is_file()
    (tmp_path / "mine.yaml").write_text((ROOT / "rules/image-tag-latest.yaml").read_text().replace(
        "id: image-tag-latest", "id: my-image-tag-latest"))
    mine = load_rules([tmp_path])["my-image-tag-latest"]
    assert help_uri(mine) is None  # a user's rule has no published page


def test_rules_command_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from platform_lint.cli import main

    assert main(["rules", "--format", "json"]) == 0
    catalogue = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in catalogue} == set(load_rules())
    assert all(r["docs"]["fix"] and r["help_uri"] and r["scope"]["documents"] for r in catalogue)
    assert main(["rules", "--format", "markdown"]) == 0
    assert "## supply-chain\n" in capsys.readouterr().out
    assert main(["rules", "--output-dir", str(tmp_path)]) == 2
    assert "--format markdown" in capsys.readouterr().err
    assert main(["rules", "--format", "markdown", "--output-dir", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site/README.md").is_file()
