"""`platform-lint audit run` on real git repositories: file:// remotes fetched shallowly into a cache,
local clones read from their commit, a real SQLite store, incremental reuse, finding states."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from audit_helpers import SECRET, deployment, dump, make_bare, make_work_repo, many_repos, push
from platform_lint.cli import main
from repo_helpers import commit, write


def run(*args: str) -> int:
    return main(["audit", "run", *args])


@pytest.fixture
def remote(tmp_path: Path) -> tuple[Path, Path, str]:
    work = make_work_repo(tmp_path / "work" / "api", {
        "k8s/api.yaml": deployment("api"),
        ".github/CODEOWNERS": "* @acme/payments\n/k8s/ @acme/platform\n",
        "docs/charters/platform.md": "---\nteam: Platform Engineering\nowner: lead\n"
                                     "github_team: \"@acme/platform\"\n---\n# Charter\n",
        "src/settings.py": f'TOKEN = "{SECRET}"\n',
    })
    bare = tmp_path / "remotes" / "api.git"
    return work, bare, make_bare(work, bare)


def test_file_url_is_fetched_shallowly_and_read_from_the_commit(
        remote: tuple[Path, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work, bare, url = remote
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(f"- url: {url}\n  name: api\n  team: Payments\n")
    store, cache = tmp_path / "audit.db", tmp_path / "cache"
    assert run(str(inventory), "--store", str(store), "--cache", str(cache), "--jobs", "1") == 0
    (mirror,) = cache.iterdir()
    assert (mirror / "shallow").is_file() and not (mirror / "k8s").exists()  # shallow, bare: no work tree
    first = dump(store)
    (scan,) = first["scans"]
    head = (work / ".git" / "refs" / "heads" / "main").read_text().strip()
    assert scan[3] == head and scan[4] == "ok"
    rules = {f[1] for f in first["findings"]}
    assert {"recreate-deploy-strategy", "hardcoded-provider-token"} <= rules
    teams = {(f[1], f[10]) for f in first["findings"]}
    # The repository's own CODEOWNERS and charter decide the team; the charter names it.
    assert ("recreate-deploy-strategy", "Platform Engineering") in teams
    assert ("hardcoded-provider-token", "@acme/payments") in teams

    # A new commit on the remote is fetched into the same mirror; the fixed finding is gone.
    write(work, {"k8s/api.yaml": deployment("api", strategy="RollingUpdate")})
    commit(work, "rolling update").check_returncode()
    push(work, bare)
    assert run(str(inventory), "--store", str(store), "--cache", str(cache), "--jobs", "1") == 0
    capsys.readouterr()
    second = dump(store)
    assert [m.name for m in cache.iterdir()] == [mirror.name]
    assert second["scans"][0][3] != head
    states = {f[1]: f[11] for f in second["findings"]}
    assert "recreate-deploy-strategy" not in states and states["hardcoded-provider-token"] == "open"
    main(["audit", "report", "--store", str(store), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["fixed"]] == ["recreate-deploy-strategy"]
    assert report["summary"]["fixed"] == 1 and report["audit"]["previous"] == 1


def test_no_secret_text_anywhere_in_the_store(remote: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, _, url = remote
    store = tmp_path / "audit.db"
    inventory = tmp_path / "inv.txt"
    inventory.write_text(url + "\n")
    assert run(str(inventory), "--store", str(store), "--cache", str(tmp_path / "c")) == 0
    con = sqlite3.connect(store)
    rows = con.execute("SELECT message, fingerprint FROM findings WHERE rule = 'hardcoded-provider-token'")
    assert rows.fetchall()
    con.close()
    for path in tmp_path.glob("audit.db*"):  # the database and its WAL
        assert SECRET.encode() not in path.read_bytes()
        assert SECRET[4:20].encode() not in path.read_bytes()


def test_unchanged_repositories_are_reused_and_failures_recorded(tmp_path: Path) -> None:
    repos = many_repos(tmp_path / "clones", 3)
    inventory = tmp_path / "inv.txt"
    missing = tmp_path / "remotes" / "gone.git"
    inventory.write_text("\n".join([*map(str, repos), missing.as_uri()]) + "\n")
    store = tmp_path / "audit.db"
    args = (str(inventory), "--store", str(store), "--cache", str(tmp_path / "cache"))
    assert run(*args) == 1  # one repository failed
    first = dump(store)
    failed = [s for s in first["scans"] if s[4] == "failed"]
    assert len(failed) == 1 and failed[0][0] == missing.as_uri() and "git fetch" in failed[0][5]
    assert run(*args) == 1
    second = dump(store)
    reused = [s for s in second["scans"] if s[6]]
    assert len(reused) == 3
    assert sorted(f[:11] for f in second["findings"]) == sorted(f[:11] for f in first["findings"])
    assert {f[11] for f in second["findings"]} == {"open"}

    # Only the repository whose commit moved is scanned again.
    write(repos[1], {"k8s/extra.yaml": deployment("extra")})
    commit(repos[1], "more").check_returncode()
    assert run(*args) == 1
    third = dump(store)
    assert [s[0] for s in third["scans"] if s[4] == "ok" and not s[6]] == [str(repos[1])]
    new = {(f[0], f[3]) for f in third["findings"] if f[11] == "new"}
    assert new and all(path == "k8s/extra.yaml" for _, path in new)


def test_a_dirty_work_tree_is_read_as_it_is(tmp_path: Path) -> None:
    (repo,) = many_repos(tmp_path / "clones", 1)
    write(repo, {"k8s/uncommitted.yaml": deployment("draft")})
    store = tmp_path / "audit.db"
    assert run("--discover", str(tmp_path / "clones"), "--store", str(store)) == 0
    (scan,) = dump(store)["scans"]
    assert scan[3].startswith("worktree:")
    assert any(f[3] == "k8s/uncommitted.yaml" for f in dump(store)["findings"])


def test_a_hanging_repository_is_killed_and_recorded_as_timed_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (fine,) = many_repos(tmp_path / "clones", 1)
    hanging = make_bare(fine, tmp_path / "remotes" / "hangs.git")
    # The server side of this fetch never answers: its pack-objects hook sleeps.
    pid_file = tmp_path / "hook.pid"
    hook = tmp_path / "hang.sh"
    hook.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 120\n")
    hook.chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(f"[uploadpack]\n\tpackObjectsHook = {hook}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    inventory = tmp_path / "inv.txt"
    inventory.write_text(f"{fine}\n{hanging}\n")
    store = tmp_path / "audit.db"
    assert run(str(inventory), "--store", str(store), "--cache", str(tmp_path / "c"), "--timeout", "3") == 1
    scans = {s[1]: (s[4], s[5]) for s in dump(store)["scans"]}
    assert scans == {"repo00": ("ok", None), "remotes/hangs": ("timeout", "timed out after 3 s")}
    sleeper = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # the whole process group went with the unit
        for _ in range(50):
            os.kill(sleeper, 0)
            time.sleep(0.1)


def test_results_do_not_depend_on_jobs(tmp_path: Path) -> None:
    many_repos(tmp_path / "clones", 4)
    dumps = []
    for jobs in ("1", "2"):
        store = tmp_path / f"jobs{jobs}.db"
        assert run("--discover", str(tmp_path / "clones"), "--store", str(store), "--jobs", jobs) == 0
        dumps.append(dump(store))
    assert dumps[0] == dumps[1] and dumps[0]["findings"]


def test_urls_on_stdin(tmp_path: Path, remote: tuple[Path, Path, str]) -> None:
    from audit_helpers import audit

    _, _, url = remote
    store = tmp_path / "audit.db"
    done = audit("run", "-", "--store", str(store), "--cache", str(tmp_path / "c"), stdin=f"{url}\n{url}\n")
    assert done.returncode == 0, done.stderr
    assert len(dump(store)["scans"]) == 1
    assert "[1/1] ok" in done.stderr and "Audit 1 (finished" in done.stdout


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios

    from repo_helpers import PROJECT

    many_repos(tmp_path / "clones", 2)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # a 120-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "platform_lint", "audit", "run", "--discover",
                             str(tmp_path / "clones"), "--store", str(tmp_path / "audit.db")],
                            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    screen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        exited = proc.poll() is not None
        if select.select([controller], [], [], 0.05)[0]:
            try:
                screen += os.read(controller, 4096)
                continue
            except OSError:  # every writer has closed the terminal
                break
        if exited:
            break
    os.close(controller)
    assert proc.wait(timeout=10) == 0
    text = screen.decode("utf-8", "replace")
    assert "audit" in text and "2/2" in text and "failed 0" in text and "\r" in text
    assert "[1/2]" not in text  # the plain lines are for logs, not terminals
