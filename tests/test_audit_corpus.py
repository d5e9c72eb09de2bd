"""An audit of every repository of ../shared/corpus (as local git repositories): no failure, and a
re-run with nothing changed reuses every result. (Times are compared in bench/audit, not here.)"""

from __future__ import annotations

import runpy
from pathlib import Path

from audit_helpers import dump
from conftest import ROOT
from platform_lint.cli import main


def test_corpus_audit_has_no_failure_and_a_rerun_reuses_everything(corpus: Path, tmp_path: Path) -> None:
    build = runpy.run_path(str(ROOT / "bench" / "audit" / "corpus_repos.py"))["build"]
    repos = build(tmp_path / "repos", corpus)
    assert len(repos) >= 10
    store = tmp_path / "audit.db"
    args = ["audit", "run", "--discover", str(tmp_path / "repos"), "--store", str(store)]
    assert main(args) == 0
    first = dump(store)
    assert len(first["scans"]) == len(repos) and {s[4] for s in first["scans"]} == {"ok"}
    assert main(args) == 0
    second = dump(store)
    assert all(s[6] for s in second["scans"]), "every result is reused"
    assert [f[:11] for f in second["findings"]] == [f[:11] for f in first["findings"]]
