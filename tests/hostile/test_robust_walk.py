"""Outside a git checkout, symlinked directories and FIFOs were dropped silently:
they are skipped with a reason, counted and listable, and a FIFO is never opened
(opening one with no writer blocks for ever)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_lint.cli import main
from repo_helpers import write

POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n"
       "    - name: app\n      image: nginx:latest\n")


def check(root: Path, *args: str) -> tuple[int, str]:
    """The CLI in its own process: a scan that opened a FIFO would hang, and the
    timeout (far above the second or so a scan takes) turns that into a failure."""
    done = subprocess.run([sys.executable, "-m", "platform_lint", "check", str(root), *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in done.stderr + done.stdout
    return done.returncode, done.stdout


def check_here(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    """The same in this process, once the FIFOs are known not to block."""
    code = main(["check", str(root), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root, {"k8s/pod.yaml": POD, "vendor/lib/pod.yaml": POD})
    (root / "k8s-copy").symlink_to("k8s")                  # inside the root
    (root / "system").symlink_to("/usr", target_is_directory=True)  # outside it
    os.mkfifo(root / "k8s" / "events.yaml")
    os.mkfifo(root / "pipe")
    return root


def test_symlinked_directories_and_fifos_are_skipped_and_listed(tree: Path) -> None:
    code, out = check(tree, "--show-skipped", "--select", "image-tag-latest")
    assert code == 1
    # the two files are identical: their one finding is printed once, naming the copy
    lines = [line.replace(f"{tree}/", "") for line in out.splitlines() if "[image-tag-latest]" in line]
    assert [line.split(":")[0] for line in lines] == ["k8s/pod.yaml"]
    assert lines[0].endswith("(and 1 more copy: vendor/lib/pod.yaml)")
    skipped = sorted(line.removeprefix("skipped ").replace(f"{tree}/", "")
                     for line in out.splitlines() if line.startswith("skipped "))
    assert skipped == [
        "k8s-copy: symlinked directory (not followed)",
        "k8s/events.yaml: not a regular file (FIFO)",
        "pipe: not a regular file (FIFO)",
        "system: symlink outside the scanned root",
    ]
    assert "2 files scanned, 0 unparseable, 4 skipped" in out


def test_they_are_counted_in_json(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check_here(capsys, tree, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["files_skipped"] == 4
    assert {s["reason"] for s in report["skipped"]} == {
        "symlinked directory (not followed)", "not a regular file (FIFO)",
        "symlink outside the scanned root"}


def test_a_gitignored_symlinked_directory_is_not_listed(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / ".gitignore").write_text("k8s-copy/\npipe\n")
    code, out = check_here(capsys, tree, "--show-skipped")
    assert code == 1
    assert "k8s-copy" not in out and "skipped pipe" not in out
    assert "k8s/events.yaml: not a regular file (FIFO)" in out
