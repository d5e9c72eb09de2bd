"""The audit stores each repository's readiness level and checklist (migration 2)."""

from __future__ import annotations

import json
import runpy
import sqlite3
from pathlib import Path

import pytest

from platform_lint.audit.store import Store
from platform_lint.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "audit"


def test_each_repository_has_a_level_and_a_checklist_even_when_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = runpy.run_path(str(EXAMPLES / "make_repos.py"))["make"](tmp_path / "repos")
    db = tmp_path / "audit.db"
    for _ in range(2):  # the second audit reuses every scan: their readiness is copied
        assert main(["audit", "run", str(inventory), "--store", str(db), "--cache",
                     str(tmp_path / "cache")]) == 0
    store = Store(db)
    try:
        assert store.schema_version() >= 2
        first, second = ([(r["name"], r["level"], json.loads(r["checklist"])) for r in store.readiness(a)]
                         for a in (1, 2))
    finally:
        store.close()
    assert first == second and {name for name, _, _ in first} == {
        "payments-api", "checkout-web", "platform-infra"}
    by_name = {name: (level, checklist) for name, level, checklist in first}
    assert by_name["platform-infra"][1]["dr-drills"] == "fail"  # an RDS instance, no drill record
    assert all(level == 1 for level, _ in by_name.values())  # none has a tested pipeline
    assert set(by_name["checkout-web"][1]) >= {"iac-reviewed", "pipelines-tested", "security-scans"}
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM readiness").fetchone()[0] == 6
    capsys.readouterr()
    assert main(["audit", "report", "--store", str(db), "--format", "json"]) == 0
    ranked = json.loads(capsys.readouterr().out)["readiness"]
    assert [(r["name"], r["level"]) for r in ranked] == [(n, lv) for n, lv, _ in sorted(
        first, key=lambda r: (-r[1], r[0]))]
