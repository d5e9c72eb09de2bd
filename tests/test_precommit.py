"""The real pre-commit, installing this project as a hook from its git HEAD."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from repo_helpers import commit, install_precommit, make_repo, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is required")

BAD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  strategy:
    type: Recreate
"""
GOOD = """apiVersion: v1
kind: ConfigMap
metadata: {name: web-settings}
data: {mode: fast}
"""


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def test_commit_with_violation_is_refused_and_clean_commit_passes(
    tmp_path: Path, precommit_home: str
) -> None:
    env = {"PRE_COMMIT_HOME": precommit_home, "PATH": os.environ["PATH"]}
    repo = make_repo(tmp_path / "repo")
    install_precommit(repo, args=("--select", "recreate-deploy-strategy"))
    write(repo, {"k8s/web.yaml": BAD})
    refused = commit(repo, "add web deployment", env=env)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "k8s/web.yaml:6:5: error [recreate-deploy-strategy]" in output

    (repo / "k8s/web.yaml").unlink()
    write(repo, {"k8s/settings.yaml": GOOD})
    accepted = commit(repo, "add settings", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
