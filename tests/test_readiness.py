"""`platform-lint readiness`: the scorecard on a fixture repository at each maturity level."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from platform_lint.cli import main
from platform_lint.resources import schema
from platform_lint.validation import schema_errors

LEVELS = Path(__file__).resolve().parents[1] / "fixtures" / "readiness"


def _card(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["readiness", *args, "--format", "json"])
    out = capsys.readouterr().out
    card = json.loads(out)
    assert list(schema_errors(card, schema("readiness"))) == []
    return code, card


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_each_fixture_repository_is_at_its_level(level: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, card = _card(capsys, str(LEVELS / f"level-{level}"))
    assert card["level"] == level
    assert code == (0 if level >= 3 else 1)  # the default target is level 3
    levels = {lv["level"]: lv for lv in card["levels"]}
    assert all(levels[n]["met"] for n in range(1, level + 1))
    if level < 4:
        unmet = [c for c in levels[level + 1]["criteria"] if c["status"] != "pass"]
        assert unmet and all(c["reasons"] for c in unmet)  # why the next level is not reached


def test_the_text_scorecard_names_the_level_and_the_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["readiness", str(LEVELS / "level-2")]) == 1
    text = capsys.readouterr().out
    assert "level 2 (Automated)" in text.splitlines()[0]
    assert "  FAIL     Rollbacks verified: no rollback found" in text
    assert "- progressive delivery: no progressive-delivery found" in text
    assert "[missing-readiness-probe]" in text  # the findings behind a failed item


def test_checklist_items_pass_fail_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    _code, card = _card(capsys, str(LEVELS / "level-1"))
    status = {i["id"]: i["status"] for i in card["checklist"]}
    assert status["pipelines-tested"] == "unknown" and status["iac-reviewed"] == "fail"
    _code, card = _card(capsys, str(LEVELS / "level-4"))
    status = {i["id"]: i["status"] for i in card["checklist"]}
    assert status["alerts-with-runbooks"] == "pass" and status["rollbacks-verified"] == "pass"
    assert status["dr-drills"] == "unknown"


def test_a_finding_behind_a_failed_item_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(LEVELS / "level-3", repo)
    rules = repo / "monitoring" / "api.yaml"
    down = "            runbook_url: https://runbooks.example.com/api/down\n"
    rules.write_text(rules.read_text().replace(down, ""))
    _code, card = _card(capsys, str(repo))
    assert card["level"] == 2
    item = next(i for i in card["checklist"] if i["id"] == "alerts-with-runbooks")
    assert item["status"] == "fail"
    assert [(f["rule"], f["line"]) for f in item["findings"]] == [("alert-without-runbook", 21)]


def test_criteria_are_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    criteria = tmp_path / "levels.yaml"
    criteria.write_text(
        "target: 2\n"
        "evidence:\n  alerts: [{documents: [kubernetes], kinds: [PrometheusRule]}]\n"
        "checklist:\n  - {id: alerting, title: Alerting, requires: [alerts]}\n"
        "levels:\n  - {level: 1, name: Start}\n"
        "  - {level: 2, name: Alerted, criteria: [{item: alerting}]}\n")
    code, card = _card(capsys, str(LEVELS / "level-3"), "--criteria", str(criteria))
    assert (code, card["level"], card["level_name"]) == (0, 2, "Alerted")
    code, card = _card(capsys, str(LEVELS / "level-2"), "--criteria", str(criteria))
    assert (code, card["level"]) == (1, 1)


def test_an_invalid_criteria_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    criteria = tmp_path / "levels.yaml"
    criteria.write_text(
        "evidence: {}\nchecklist: []\nlevels:\n  - {level: 1, name: A, criteria: [{item: nope}]}\n")
    assert main(["readiness", str(LEVELS / "level-1"), "--criteria", str(criteria)]) == 2
    err = capsys.readouterr().err
    assert "item 'nope' is named but not defined" in err and "Traceback" not in err
