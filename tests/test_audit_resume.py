"""`kill -9` half-way through a real audit, then `--resume`: the same store as an uninterrupted audit."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from audit_helpers import audit, dump, many_repos
from repo_helpers import PROJECT

REPOS = 8


def scans_stored(store: Path) -> int:
    try:
        con = sqlite3.connect(store, timeout=5)
        try:
            return int(con.execute("SELECT count(*) FROM scans").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_sigkill_half_way_then_resume_equals_an_uninterrupted_audit(tmp_path: Path) -> None:
    clones = tmp_path / "clones"
    many_repos(clones, REPOS)
    whole = tmp_path / "whole.db"
    done = audit("run", "--discover", str(clones), "--store", str(whole), "--jobs", "1")
    assert done.returncode == 0, done.stderr

    store = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, "-m", "platform_lint", "audit", "run", "--discover", str(clones),
                             "--store", str(store), "--jobs", "1"], cwd=PROJECT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while scans_stored(store) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = scans_stored(store)
    assert 2 <= stored < REPOS, f"the kill came too late to test anything ({stored} stored)"
    assert dump(store)["status"] == "running"

    resumed = audit("run", "--resume", "--store", str(store), "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {stored} of {REPOS} repositories already stored" in resumed.stderr
    con = sqlite3.connect(store)
    assert con.execute("SELECT count(*) FROM audits").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM scans").fetchone()[0] == REPOS
    con.close()
    assert dump(store) == dump(whole)
