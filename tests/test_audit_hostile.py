"""`platform-lint audit` on repositories written by an attacker: what the audit reads of them
runs no command of theirs, and nothing in them takes more than its share of the machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit_helpers import deployment, dump, make_bare, make_work_repo, many_repos
from platform_lint.audit.fetch import MAX_FILES, MAX_READ_BYTES, local_commit, read_commit, read_folder
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


def _bomb(repo: Path, names: int, size: int) -> None:
    """`names` paths of one blob of `size` bytes: the commit holds `names * size` bytes of files,
    its objects a few kilobytes."""
    (repo / "blob.yaml").write_bytes(b"a: " + b"x" * (size - 4) + b"\n")
    git(repo, "add", "blob.yaml").check_returncode()
    sha = git(repo, "rev-parse", ":blob.yaml").stdout.strip()
    for i in range(names):
        entry = f"100644,{sha},copies/{i:03d}.yaml"
        git(repo, "update-index", "--add", "--cacheinfo", entry).check_returncode()
    git(repo, "commit", "-q", "-m", "copies").check_returncode()
    git(repo, "checkout", "-q", "--", ".").check_returncode()


def test_a_commit_is_read_up_to_a_budget_of_bytes(tmp_path: Path) -> None:
    """A commit's files were all read into memory at once: a few kilobytes of objects that name
    one blob a thousand times made a unit hold gigabytes."""
    repo = make_work_repo(tmp_path / "bomb", {"k8s/web.yaml": deployment("web")})
    _bomb(repo, 10, 1000)
    commit = local_commit(repo, None)
    assert commit is not None
    snap = read_commit(repo, commit, max_size=2000, budget=4500)
    # In path order, each file that still fits: the Deployment after the copies does.
    assert [f.path for f in snap.files] == ["blob.yaml", "copies/000.yaml", "copies/001.yaml",
                                            "copies/002.yaml", "k8s/web.yaml"]
    assert {s.reason for s in snap.skipped} == {"past the 4500 bytes an audit reads of one repository"}
    assert len(snap.skipped) == 7
    assert MAX_READ_BYTES <= 512 * 1024 * 1024


def test_a_work_tree_is_read_up_to_a_budget_of_bytes(tmp_path: Path) -> None:
    """Hard links (or a dirty clone's copies) are the same on disk: a few kilobytes, any number of
    files; the folder is read up to the budget, one file of at most `max_size` past it."""
    repo = make_work_repo(tmp_path / "links", {"k8s/web.yaml": deployment("web")})
    (repo / "one.yaml").write_bytes(b"a: " + b"x" * 996 + b"\n")
    for i in range(10):
        os.link(repo / "one.yaml", repo / f"link{i}.yaml")
    assert local_commit(repo, None) is None  # untracked files: read as it is
    snap = read_folder(repo, max_size=2000, budget=3500)
    assert sum(len(f.content) for f in snap.files) <= 3500
    assert [f.path for f in snap.files] == ["k8s/web.yaml", "link0.yaml", "link1.yaml", "link2.yaml"]
    assert {s.reason for s in snap.skipped} == {"past the 3500 bytes an audit reads of one repository"}
    assert len(snap.skipped) == 8


@pytest.mark.parametrize("read", ["commit", "folder"])
def test_the_budget_keeps_a_repository_whole_when_it_fits(tmp_path: Path, read: str) -> None:
    repo = make_work_repo(tmp_path / "fits", {"k8s/web.yaml": deployment("web"), "a.yaml": "a: 1\n"})
    commit = local_commit(repo, None)
    assert commit is not None
    snap = read_commit(repo, commit, 2000) if read == "commit" else read_folder(repo, 2000)
    assert [f.path for f in snap.files] == ["a.yaml", "k8s/web.yaml"] and snap.skipped == []


def _tree_bomb(work: Path) -> Path:
    """Ten names for one tree, nine levels deep, as `work`'s main branch: a billion files from a
    few kilobytes of objects."""
    make_work_repo(work, {"README.md": "a tree bomb\n"})

    def write_object(*args: str, text: str) -> str:
        return subprocess.run(["git", "-C", str(work), *args], input=text, capture_output=True, text=True,
                              check=True).stdout.strip()

    tree = write_object("mktree", text=f"100644 blob {write_object('hash-object', '-w', '--stdin', text='')}"
                                       "\tf.yaml\n")
    for _ in range(9):
        tree = write_object("mktree", text="".join(f"040000 tree {tree}\td{i}\n" for i in range(10)))
    bomb = git(work, "commit-tree", tree, "-m", "bomb").stdout.strip()
    git(work, "update-ref", "refs/heads/main", bomb).check_returncode()
    return work


def test_a_tree_bomb_fails_without_being_listed_whole(tmp_path: Path) -> None:
    """`git ls-tree -r` of a tree bomb was read whole into the unit's memory (10 MB a second,
    80 GB in all) until the time limit killed it; now the listing stops past the most files an
    audit lists."""
    work = _tree_bomb(tmp_path / "work")
    inventory = tmp_path / "inventory.txt"
    inventory.write_text(make_bare(work, tmp_path / "bomb.git") + "\n")
    store = tmp_path / "audit.db"
    started = time.monotonic()
    assert main(["audit", "run", str(inventory), "--store", str(store), "--cache", str(tmp_path / "c"),
                 "--jobs", "1", "--timeout", "120"]) == 1
    assert time.monotonic() - started < 60
    (scan,) = dump(store)["scans"]
    assert scan[4:6] == ("failed", f"the commit has more than {MAX_FILES} files, the most an audit lists")


def test_a_repository_that_hangs_git_status_costs_its_time_limit_only(tmp_path: Path) -> None:
    """A clone scanned once, whose `.git/index` is then a FIFO: `git status` waits forever. The
    parent's check that a local commit has not moved ran it with git's own 600 s limit, not
    `--timeout`, before any unit started: the whole audit stood still for ten minutes."""
    from repo_helpers import PROJECT

    (repo,) = many_repos(tmp_path / "clones", 1)
    args = ["audit", "run", "--discover", str(tmp_path / "clones"), "--store", str(tmp_path / "audit.db"),
            "--jobs", "1", "--timeout", "3"]
    assert main(args) == 0
    (repo / ".git" / "index").unlink()
    os.mkfifo(repo / ".git" / "index")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "platform_lint", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=90, check=False)
    assert done.returncode == 1, done.stderr
    assert time.monotonic() - started < 60
    assert "[1/1] timeout repo00: timed out after 3 s" in done.stderr


def test_a_local_tree_bomb_is_not_listed_whole_by_the_parent_either(tmp_path: Path) -> None:
    """Before any unit starts, the parent orders local repositories by the size of their commit
    (`tree_bytes`): on a tree bomb that listing ran for its 30 s limit, gathering 300 MB."""
    from platform_lint.audit.fetch import tree_bytes

    bare = tmp_path / "clones" / "bomb.git"  # bare: no work tree for `git status` to compare
    make_bare(_tree_bomb(tmp_path / "work"), bare)
    started = time.monotonic()
    assert tree_bytes(bare) == 0
    assert time.monotonic() - started < 20
    store = tmp_path / "audit.db"
    assert main(["audit", "run", "--discover", str(tmp_path / "clones"), "--store", str(store),
                 "--jobs", "1"]) == 1
    assert time.monotonic() - started < 40
    (scan,) = dump(store)["scans"]
    assert scan[4:6] == ("failed", f"the commit has more than {MAX_FILES} files, the most an audit lists")


def test_a_local_ref_that_names_no_commit_says_so(tmp_path: Path) -> None:
    from platform_lint.audit.fetch import FetchError

    repo = make_work_repo(tmp_path / "repo", {"k8s/web.yaml": deployment("web")})
    assert local_commit(repo, "HEAD")
    with pytest.raises(FetchError) as caught:  # it read 'git rev-parse: exit code 1'
        local_commit(repo, "no-such-branch")
    assert str(caught.value) == f"{repo}: the ref 'no-such-branch' names no commit"
