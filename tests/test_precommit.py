"""The real pre-commit, installing this project as a hook from its git HEAD."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from repo_helpers import commit, git, install_precommit, make_repo, write

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


def test_new_only_hook_refuses_only_what_the_commit_introduces(
    tmp_path: Path, precommit_home: str
) -> None:
    env = {"PRE_COMMIT_HOME": precommit_home, "PATH": os.environ["PATH"]}
    repo = make_repo(tmp_path / "repo")
    write(repo, {"k8s/web.yaml": BAD})
    commit(repo, "before the hook: an old finding").check_returncode()
    install_precommit(repo, hook_id="platform-lint-new-only",
                      args=("--select", "recreate-deploy-strategy", "--select", "image-tag-latest"))

    write(repo, {"k8s/web.yaml": "# the web tier\n" + BAD})
    moved = commit(repo, "a comment moves the old finding down", env=env)
    assert moved.returncode == 0, moved.stdout + moved.stderr

    write(repo, {"k8s/web.yaml": "# the web tier\n" + BAD + (
        "  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n")})
    refused = commit(repo, "a new finding", env=env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "k8s/web.yaml:12:18: warning [image-tag-latest]" in output
    assert "recreate-deploy-strategy" not in output


REPLICATED = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
"""
BUDGET = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
"""


def test_cross_object_rules_see_the_unchanged_files_and_every_batch_of_a_long_commit(
    tmp_path: Path, precommit_home: str
) -> None:
    """The PodDisruptionBudget a staged Deployment relies on is in a file the commit does
    not touch, or in another of the batches pre-commit splits a long file list into."""
    env = {"PRE_COMMIT_HOME": precommit_home, "PATH": os.environ["PATH"]}
    repo = make_repo(tmp_path / "repo")
    write(repo, {"k8s/a-web.yaml": REPLICATED, "k8s/z-budget.yaml": BUDGET})
    commit(repo, "a deployment and its budget").check_returncode()
    install_precommit(repo, args=("--select", "missing-pod-disruption-budget"))

    write(repo, {"k8s/a-web.yaml": REPLICATED.replace("replicas: 3", "replicas: 4")})
    alone = commit(repo, "scale the deployment", env=env)
    assert alone.returncode == 0, alone.stdout + alone.stderr

    padding = "x" * 150  # pre-commit passes at most 128 KiB of names per call
    write(repo, {f"k8s/m-{i:04d}-{padding}.txt": "notes\n" for i in range(1000)})
    write(repo, {"k8s/a-web.yaml": REPLICATED.replace("replicas: 3", "replicas: 5"),
                 "k8s/z-budget.yaml": "# the web tier's budget\n" + BUDGET})
    batched = commit(repo, "a long commit", env=env)
    assert batched.returncode == 0, batched.stdout + batched.stderr



def test_each_finding_is_one_whole_line_when_pre_commit_gives_the_hook_a_terminal(
    tmp_path: Path, precommit_home: str
) -> None:
    """With colour on (a commit from a terminal), pre-commit runs the hook in a pseudo-terminal
    with no size: colours are welcome there, a message cut to fit 80 columns is not."""
    env = {**os.environ, "PRE_COMMIT_HOME": precommit_home}
    repo = make_repo(tmp_path / "repo")
    install_precommit(repo, args=("--select", "recreate-deploy-strategy"))
    write(repo, {"k8s/web.yaml": BAD})
    git(repo, "add", "-A").check_returncode()
    whole = ("k8s/web.yaml:6:5: error [recreate-deploy-strategy] strategy.type: Recreate stops every "
             "old pod before any new one starts, a big-bang rollout with downtime; use strategy.type: "
             "RollingUpdate with maxUnavailable: 25%")
    for color in ("always", "never"):
        done = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color", color], cwd=repo,
                              env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        hook = done.stdout.split("- exit code: 1", 1)[1]
        plain = re.sub(r"\x1b\[[0-9;]*m", "", hook)
        assert whole in plain.splitlines(), hook
        assert "fix:" not in plain
        assert ("\x1b[" in hook) == (color == "always")
