"""The command line as a new user meets it, in real subprocess runs: odd values in
scanned files, output paths that cannot be written, git states `--diff` cannot compare."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from repo_helpers import PROJECT, commit, git, make_repo, write


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "PLATFORM_LINT_CACHE_DIR": str(cwd.parent / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "platform_lint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=120)


# The image reference is read from a double-quoted scalar: a line break and an escape
# character reach the check, which quotes the image in the fix it suggests.
ODD_IMAGE = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: "nginx:1\\nerror \\e[31m"
"""


def test_a_message_quoting_a_line_break_stays_one_line_in_every_format(tmp_path: Path) -> None:
    write(tmp_path / "repo", {"pod.yaml": ODD_IMAGE})
    repo = tmp_path / "repo"
    done = cli(repo, "check", "--no-cache", "--select", "image-not-pinned-by-digest", "pod.yaml")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout  # the finding and the summary
    assert lines[0].startswith("pod.yaml:8:14: warning [image-not-pinned-by-digest]")
    assert "\x1b" not in done.stdout
    assert "write nginx:1\\nerror \\x1b[31m@sha256:<digest>" in lines[0]
    report = json.loads(cli(repo, "check", "--no-cache", "--format", "json", "--select",
                            "image-not-pinned-by-digest", "pod.yaml").stdout)
    (finding,) = report["findings"]
    assert "\n" not in finding["message"] and "\x1b" not in finding["message"]


def test_an_output_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, {"pod.yaml": ODD_IMAGE, "taken": ""})
    missing = str(tmp_path / "no-such-dir" / "out")
    for args in (("baseline", "create", "-o", missing), ("readiness", "-o", missing),
                 ("rules", "--format", "markdown", "--output-dir", "taken/docs")):
        done = cli(repo, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "internal error" not in done.stderr, (args, done.stderr)
        assert done.stderr.startswith("platform-lint: cannot write"), (args, done.stderr)
        assert len(done.stderr.splitlines()) == 1, (args, done.stderr)
    (repo / ".pre-commit-config.yaml").mkdir()
    done = cli(repo, "init")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "internal error" not in done.stderr
    assert ".pre-commit-config.yaml" in done.stderr


def test_diff_against_a_base_with_no_common_commit_says_why(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin")
    write(origin, {"a.yaml": "a: 1\n"})
    commit(origin, "one")
    write(origin, {"a.yaml": "a: 2\n"})
    commit(origin, "two")
    git(origin, "checkout", "-q", "-b", "feature").check_returncode()
    write(origin, {"b.yaml": "b: 1\n"})
    commit(origin, "feature")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{origin}",
        str(shallow)).check_returncode()
    git(shallow, "checkout", "-q", "feature").check_returncode()
    done = cli(shallow, "check", "--diff", "origin/main", "--new-only")
    assert done.returncode == 2
    assert done.stderr == ("platform-lint: --diff: 'origin/main' and HEAD share no commit in this "
                           "shallow clone; fetch their history (git fetch --unshallow, or "
                           "actions/checkout with fetch-depth: 0)\n")

    git(origin, "checkout", "-q", "--orphan", "unrelated").check_returncode()
    write(origin, {"c.yaml": "c: 1\n"})
    commit(origin, "unrelated")
    done = cli(origin, "check", "--diff", "main")
    assert done.returncode == 2
    assert done.stderr == "platform-lint: --diff: 'main' and HEAD share no commit (unrelated histories)\n"


def test_two_descriptions_of_the_change_are_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo, {"a.yaml": "a: 1\n", "changes.txt": "a.yaml\n"})
    commit(repo, "one")
    for args in (("--staged", "--diff", "HEAD"), ("--diff", "HEAD", "--changed-files", "changes.txt"),
                 ("--changed-files", "changes.txt", "--staged", "--new-only")):
        done = cli(repo, "check", *args)
        assert done.returncode == 2, (args, done.stdout)
        assert done.stderr.endswith(
            "Error: --diff, --changed-files and --staged each describe the change: give one\n"), done.stderr


def test_a_line_separator_in_a_message_is_escaped_unambiguously(tmp_path: Path) -> None:
    # U+2028 as '\x2028' would read as a space followed by '28'
    write(tmp_path / "repo", {"pod.yaml": ODD_IMAGE.replace("\\nerror \\e[31m", "\\u2028x")})
    done = cli(tmp_path / "repo", "check", "--no-cache", "--select", "image-not-pinned-by-digest", "pod.yaml")
    assert done.returncode == 1, done.stderr
    assert "write nginx:1\\u2028x@sha256:<digest>" in done.stdout.splitlines()[0]
