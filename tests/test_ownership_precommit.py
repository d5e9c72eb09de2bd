"""The real `platform-lint-ownership` pre-commit hook on real commits.

A member of one team editing another team's surface is refused with a message
naming the owning team and its escalation contact; the owning team's own
commit of the same edit passes. The acting team comes from the committer's
`git config user.email`, listed under `members:` in a charter.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_ownership_git import OWNERSHIP

from repo_helpers import PROJECT, commit, git, install_precommit, make_repo, write

HOOKS = PROJECT / ".pre-commit-hooks.yaml"
pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is required"),
    pytest.mark.skipif(not HOOKS.is_file() or "platform-lint-ownership" not in HOOKS.read_text(),
                       reason="the platform-lint-ownership hook is not defined yet"),
]


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def _repo(path: Path, email: str) -> Path:
    repo = make_repo(path, email=email)
    write(repo, OWNERSHIP)
    install_precommit(repo, hook_id="platform-lint-ownership")
    git(repo, "add", "-A").check_returncode()
    git(repo, "commit", "-q", "--no-verify", "-m", "initial").check_returncode()
    return repo


def test_cross_team_commit_is_refused_and_owning_team_commit_passes(
    tmp_path: Path, precommit_home: str
) -> None:
    env = {"PRE_COMMIT_HOME": precommit_home, "PATH": os.environ["PATH"]}
    edit = {"services/billing/invoice.py": "TOTAL = 42\n"}

    platform = _repo(tmp_path / "platform", "plat@acme.example")
    write(platform, edit)
    refused = commit(platform, "platform edits billing", env=env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "services/billing/invoice.py" in output and "[cross-team-edit]" in output
    assert "Payments" in output and "payments-oncall" in output

    payments = _repo(tmp_path / "payments", "pay@acme.example")
    write(payments, edit)
    accepted = commit(payments, "payments edits billing", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
