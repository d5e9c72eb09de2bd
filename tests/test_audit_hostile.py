"""`platform-lint audit` on repositories written by an attacker: what the audit reads of them
runs no command of theirs, and nothing in them takes more than its share of the machine."""

from __future__ import annotations

import os
from pathlib import Path

from audit_helpers import deployment, dump, make_work_repo
from platform_lint.cli import main
from repo_helpers import git


def test_a_local_repository_config_runs_no_command(tmp_path: Path) -> None:
    """A folder of clones is data: its `.git/config` may name an fsmonitor hook and filter
    drivers, and `git status` (is the work tree clean?) ran both, and a submodule's too."""
    ran = tmp_path / "ran"
    repo = make_work_repo(tmp_path / "clones" / "evil", {
        "k8s/web.yaml": deployment("web"), ".gitattributes": "* filter=evil\n"})
    make_work_repo(tmp_path / "other", {".gitattributes": "* filter=sub\n", "a.yaml": "a: 1\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(tmp_path / "other"),
        "sub").check_returncode()
    git(repo, "commit", "-q", "-m", "a submodule").check_returncode()
    for key in ("filter.evil.clean", "filter.evil.smudge", "filter.evil.process"):
        git(repo, "config", key, f"sh -c 'echo {key} >> {ran}; cat'").check_returncode()
    git(repo, "config", "filter.evil.required", "true").check_returncode()
    git(repo, "config", "core.fsmonitor", f"echo fsmonitor >> {ran}; true").check_returncode()
    git(repo / "sub", "config", "filter.sub.clean", f"sh -c 'echo sub >> {ran}; cat'").check_returncode()
    for touched in (repo / "k8s" / "web.yaml", repo / "sub" / "a.yaml"):
        later = touched.stat().st_mtime + 5
        os.utime(touched, (later, later))  # the index's stat data no longer matches
    store = tmp_path / "audit.db"
    assert main(["audit", "run", "--discover", str(tmp_path / "clones"), "--store", str(store),
                 "--jobs", "1"]) == 0
    assert not ran.exists(), ran.read_text()
    (scan,) = dump(store)["scans"]
    assert scan[4] == "ok" and not scan[3].startswith("worktree:")  # unchanged content: read from HEAD
    assert any(f[1] == "recreate-deploy-strategy" for f in dump(store)["findings"])


def test_a_dirty_work_tree_is_listed_without_its_fsmonitor(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    repo = make_work_repo(tmp_path / "clones" / "evil", {"k8s/web.yaml": deployment("web")})
    git(repo, "config", "core.fsmonitor", f"echo fsmonitor >> {ran}; true").check_returncode()
    (repo / "k8s" / "draft.yaml").write_text(deployment("draft"))  # untracked: read as it is
    store = tmp_path / "audit.db"
    assert main(["audit", "run", "--discover", str(tmp_path / "clones"), "--store", str(store),
                 "--jobs", "1"]) == 0
    assert not ran.exists(), ran.read_text()
    (scan,) = dump(store)["scans"]
    assert scan[3].startswith("worktree:")
    assert any(f[3] == "k8s/draft.yaml" for f in dump(store)["findings"])
