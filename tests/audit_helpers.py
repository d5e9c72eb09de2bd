"""Real git repositories (work trees, bare ones behind file:// URLs) and store dumps for audit tests."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from repo_helpers import PROJECT, commit, make_repo, write

SECRET = "ghp_" + "Oj1ecESHOfWXRyzE0MFySbJZQE5RY0RkbU2C"
"""A GitHub token's shape, built here so no test file holds it whole."""


def deployment(name: str, strategy: str = "Recreate", tag: str = "latest") -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: {name}\n  labels: {{app: {name}}}\nspec:\n  replicas: 2\n"
        f"  strategy:\n    type: {strategy}\n  selector:\n    matchLabels: {{app: {name}}}\n"
        f"  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n"
        f"        - name: app\n          image: registry.example.com/{name}:{tag}\n"
    )


def make_work_repo(path: Path, files: dict[str, str]) -> Path:
    make_repo(path)
    write(path, files)
    commit(path, "first").check_returncode()
    return path


def make_bare(work: Path, bare: Path) -> str:
    """A bare clone of `work`; its file:// URL."""
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True, capture_output=True)
    return bare.as_uri()


def push(work: Path, bare: Path) -> None:
    subprocess.run(["git", "-C", str(work), "push", "-q", str(bare), "HEAD:main"], check=True,
                   capture_output=True)


def many_repos(base: Path, n: int) -> list[Path]:
    """`n` small work-tree repositories with a few findings each, different per repository."""
    repos = []
    for i in range(n):
        files = {f"k8s/app{i}.yaml": deployment(f"app{i}", tag="latest" if i % 2 else "1.0")}
        if i % 3 == 0:
            files[".github/CODEOWNERS"] = "* @acme/team-a\n/k8s/ @acme/platform\n"
        repos.append(make_work_repo(base / f"repo{i:02d}", files))
    return repos


def audit(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process."""
    return subprocess.run([sys.executable, "-m", "platform_lint", "audit", *args], cwd=cwd or PROJECT,
                          capture_output=True, text=True, input=stdin, timeout=600, check=False)


def dump(db: Path, audit_id: int | None = None) -> dict[str, Any]:
    """An audit's store contents without ids, times or durations: equal for equal audits."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    if audit_id is None:
        audit_id = con.execute("SELECT max(id) FROM audits").fetchone()[0]
    scans = sorted(tuple(r) for r in con.execute(
        "SELECT r.url, r.name, r.team, s.commit_id, s.status, s.error, s.reused_from IS NOT NULL, "
        "s.files_scanned, s.files_skipped, s.errors, s.warnings, s.notes FROM scans s "
        "JOIN repositories r ON r.id = s.repository_id WHERE s.audit_id = ?", (audit_id,)))
    findings = sorted(tuple(r) for r in con.execute(
        "SELECT r.url, f.rule, f.severity, f.path, f.line, f.col, f.end_line, f.end_col, f.message, "
        "f.fingerprint, f.team, f.state FROM findings f JOIN scans s ON s.id = f.scan_id "
        "JOIN repositories r ON r.id = s.repository_id WHERE s.audit_id = ?", (audit_id,)))
    status = con.execute("SELECT status FROM audits WHERE id = ?", (audit_id,)).fetchone()[0]
    con.close()
    return {"status": status, "scans": scans, "findings": findings}
