"""Real git repositories and real pre-commit runs in temporary directories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

# A Deployment with one known finding: recreate-deploy-strategy at 7:5.
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  strategy:
    type: Recreate
"""


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def make_repo(path: Path, email: str = "dev@example.com") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.email", email),
        ("config", "user.name", "Dev"),
        ("config", "commit.gpgsign", "false"),
    ):
        git(path, *args).check_returncode()
    return path


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def project_head() -> str:
    return git(PROJECT, "rev-parse", "HEAD").stdout.strip()


def install_precommit(repo: Path, hook_id: str = "platform-lint", args: tuple[str, ...] = ()) -> None:
    """Point the repo's pre-commit config at this project's committed HEAD and install it."""
    arg_text = f"\n        args: [{', '.join(args)}]" if args else ""
    write(repo, {".pre-commit-config.yaml": (
        "repos:\n"
        f"  - repo: {PROJECT}\n"
        f"    rev: {project_head()}\n"
        "    hooks:\n"
        f"      - id: {hook_id}{arg_text}\n"
    )})
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True,
                   capture_output=True)


def commit(repo: Path, message: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A").check_returncode()
    return git(repo, "commit", "-q", "-m", message, env=env)
