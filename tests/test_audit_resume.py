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


def test_two_audits_opening_a_new_store_at_once_both_migrate_it(tmp_path: Path) -> None:
    """The second of two `audit run`s on a new store failed with 'table audits already exists':
    it read which migrations were applied before waiting for the first one's transaction."""
    import threading

    from platform_lint.audit.store import MIGRATIONS, Store, StoreError

    path = tmp_path / "audit.db"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
    first.execute("BEGIN IMMEDIATE")  # the first audit, migrating
    opened: list[int | StoreError] = []

    def open_second() -> None:
        try:
            store = Store(path)
        except StoreError as exc:
            opened.append(exc)
        else:
            opened.append(store.schema_version())
            store.close()

    second = threading.Thread(target=open_second)
    second.start()
    time.sleep(1.0)  # the second audit reads the applied versions, then waits for the lock
    for version, script in enumerate(MIGRATIONS, 1):
        for statement in script.split(";"):
            if statement.strip():
                first.execute(statement)
        first.execute("INSERT INTO schema_migrations VALUES (?, 'now')", (version,))
    first.execute("COMMIT")
    first.close()
    second.join(60)
    assert opened == [len(MIGRATIONS)]
