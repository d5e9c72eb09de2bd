"""The audit on a real Dask LocalCluster on 127.0.0.1: the same store as the process pool, and a
worker killed mid-audit still leaves every repository stored exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audit_helpers import dump, many_repos
from platform_lint.cli import main

distributed = pytest.importorskip("distributed")

REPOS = 6


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as running:
        yield running


@pytest.fixture(scope="module")
def clones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("clones")
    many_repos(base, REPOS)
    return base


@pytest.fixture(scope="module")
def reference(clones: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same audit through the local process pool."""
    local = tmp_path_factory.mktemp("local") / "audit.db"
    assert main(["audit", "run", "--discover", str(clones), "--store", str(local), "--jobs", "2"]) == 0
    return dump(local)


def test_dask_gives_the_same_store_as_the_process_pool(
        cluster: Any, clones: Path, reference: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "dask.db"
    assert main(["audit", "run", "--discover", str(clones), "--store", str(store),
                 "--scheduler", cluster.scheduler_address]) == 0
    assert dump(store) == reference
    assert len(reference["scans"]) == REPOS and reference["findings"]


def test_a_worker_killed_mid_audit_loses_and_doubles_nothing(
        cluster: Any, clones: Path, reference: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "audit.db"
    with distributed.Client(cluster.scheduler_address) as client:
        pids: dict[str, int] = client.run(os.getpid)
        codes: list[int] = []
        audit = threading.Thread(target=lambda: codes.append(main([
            "audit", "run", "--discover", str(clones), "--store", str(store),
            "--scheduler", cluster.scheduler_address])))
        audit.start()
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and audit.is_alive() and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            if busy:
                victim = busy[0]
                os.kill(pids[victim], signal.SIGKILL)
            time.sleep(0.01)
        audit.join(timeout=300)
    assert victim is not None, "no worker was ever busy"
    assert codes == [0]
    con = sqlite3.connect(store)
    rows = con.execute("SELECT repository_id, count(*), min(status) FROM scans "
                       "GROUP BY repository_id").fetchall()
    con.close()
    assert len(rows) == REPOS and all(n == 1 and status == "ok" for _, n, status in rows)
    assert dump(store) == reference
