"""File discovery outside git agrees with git's own reading of `.gitignore` files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from platform_lint.discovery import discover, list_paths

TREE = {
    ".gitignore": "*.log\n/build/\nsecrets/\n!keep.log\n",
    "app.yaml": "kind: ConfigMap\n",
    "debug.log": "",
    "keep.log": "",
    "build/out.yaml": "",
    "src/build/generated.yaml": "",  # `/build/` is anchored to the root: kept
    "src/.gitignore": "*.tmp\n!important.log\nnested/only-here.yaml\n",
    "src/a.tmp": "",
    "src/important.log": "",  # re-included by the deeper file
    "src/trace.log": "",
    "src/nested/only-here.yaml": "",
    "src/nested/other.yaml": "",
    "src/nested/.gitignore": "!*.tmp\n",
    "src/nested/b.tmp": "",  # re-included again, deeper still
    "deploy/secrets/token.txt": "",  # a directory pattern at any depth
    "deploy/service.yaml": "",
}


def _make(root: Path) -> None:
    for name, text in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_walk_outside_git_honours_every_gitignore_as_git_does(tmp_path: Path) -> None:
    plain, repo = tmp_path / "plain", tmp_path / "repo"
    _make(plain)
    _make(repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert list_paths(plain) == sorted(listed)
    assert "src/important.log" in listed and "src/nested/b.tmp" in listed  # the cases that matter
    assert "src/trace.log" not in listed and "deploy/secrets/token.txt" not in listed


def test_discover_reads_only_what_the_walk_keeps(tmp_path: Path) -> None:
    _make(tmp_path)
    files, skipped = discover(tmp_path, None, max_size=1 << 20)
    assert {f.path for f in files} == set(list_paths(tmp_path))
    assert skipped == []


def test_utf16_text_is_read_not_skipped_as_binary(tmp_path: Path) -> None:
    (tmp_path / "deploy.ps1").write_bytes("$env:DB_PASSWORD = 'Xk9#mP2v!Lq7zR'\r\n".encode("utf-16"))
    (tmp_path / "image.bin").write_bytes(b"\x00\x01\x02")
    files, skipped = discover(tmp_path, None, max_size=1 << 20)
    assert [(f.path, f.content.decode()) for f in files] == [
        ("deploy.ps1", "$env:DB_PASSWORD = 'Xk9#mP2v!Lq7zR'\r\n")
    ]
    assert [(s.path, s.reason) for s in skipped] == [("image.bin", "binary")]


def test_a_bracket_in_a_class_of_an_ignore_pattern_prints_no_python_warning(tmp_path: Path) -> None:
    """`[[x]` (a class of `[` and `x`, as git reads it) made Python's `re` warn of a
    nested set on stderr, from a .gitignore or an `exclude` of the scanned repository."""
    import warnings

    from platform_lint.discovery import path_matcher, pattern_problem

    (tmp_path / ".gitignore").write_text("a[[x]\n")
    for name in ("a[", "ax", "ab"):
        (tmp_path / name).write_text("k: v\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sorted(list_paths(tmp_path)) == [".gitignore", "ab"]
        matcher = path_matcher(["c[[z]"])  # (another pattern: `re` caches what it compiled)
        assert matcher is not None and matcher("cz") and not matcher("cb")
        assert pattern_problem("b[[y]") is None
