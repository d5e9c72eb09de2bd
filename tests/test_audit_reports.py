"""Audit reports (text, Markdown, JSON, CSV) and the SARIF export, on the example repositories."""

from __future__ import annotations

import csv
import io
import json
import runpy
from pathlib import Path

import jsonschema
import pytest

from platform_lint.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "audit"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's example: the fixture folders as git repositories behind file:// URLs, audited twice."""
    base = tmp_path_factory.mktemp("audit")
    inventory = runpy.run_path(str(EXAMPLES / "make_repos.py"))["make"](base / "repos")
    db = base / "audit.db"
    for _ in range(2):
        assert main(["audit", "run", str(inventory), "--store", str(db), "--cache", str(base / "cache")]) == 0
    return db


def report(store: Path, fmt: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert main(["audit", "report", "--store", str(store), "--format", fmt, *extra]) == 0
    return capsys.readouterr().out


def test_json_report_per_repository_rule_and_team(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(report(store, "json", capsys))
    assert data["summary"]["repositories"] == 3 and data["summary"]["reused"] == 3
    assert data["summary"]["new"] == 0 and data["audit"]["previous"] == 1
    repos = {r["name"]: r for r in data["repositories"]}
    assert set(repos) == {"payments-api", "checkout-web", "platform-infra"}
    # (its `:latest` image is a warning: a moving tag does not block a commit)
    assert repos["payments-api"]["error"] == 2 and repos["payments-api"]["status"] == "ok"
    teams = {t["team"]: t["total"] for t in data["teams"]}
    # payments-api's own CODEOWNERS and charter decide; checkout-web has neither: the inventory's team.
    # (payments-api's `:latest` image is one finding, image-tag-latest, not also a digest one)
    assert teams["Payments"] == 2 and teams["@acme/platform"] == 6 and teams["Checkout"] == 8
    assert {"Platform Engineering"} <= set(teams)
    rules = {r["rule"]: r for r in data["rules"]}
    assert rules["image-not-pinned-by-digest"]["repositories"] == 1
    assert data["trend"]["by_team"]["Checkout"] == [8, 8]


def test_text_markdown_and_csv(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = report(store, "text", capsys)
    assert text.startswith("Audit 2 (finished") and "Teams:" in text and "Trend by team" in text
    md = report(store, "markdown", capsys, "--audit", "1")
    assert md.startswith("# platform-lint audit 1") and "| payments-api | Payments | scanned |" in md
    rows = list(csv.DictReader(io.StringIO(report(store, "csv", capsys))))
    # 24, and platform-infra's two unbacked stores and its missing restore drill (issue 16)
    assert len(rows) == 27 and {r["state"] for r in rows} == {"open"}
    assert {r["repository"] for r in rows} == {"payments-api", "checkout-web", "platform-infra"}


def test_sarif_export_one_valid_file_per_repository(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "sarif"
    assert main(["audit", "export", "--store", str(store), "--sarif-dir", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["checkout-web.sarif", "payments-api.sarif", "platform-infra.sarif"]
    official = json.loads((EXAMPLES.parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.Draft4Validator(official)
    for name in files:
        log = json.loads((out / name).read_text())
        assert not list(validator.iter_errors(log))
        (run,) = log["runs"]
        assert run["results"] and run["versionControlProvenance"][0]["revisionId"]


def test_report_without_a_store_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "report", "--store", str(tmp_path / "none.db")]) == 2
    assert "no audit store here" in capsys.readouterr().err
