"""gitignore-style patterns are compiled by pathspec into one RE2 set, which RE2
refuses past its memory bound: a `.gitignore` of 5,000 lines like `**/a1/**/b/**/*.x`
(100 KB) made a scan outside a git checkout an internal error (exit 2). They are
compiled a chunk of lines at a time, the last chunk with a matching pattern
deciding as the last matching pattern does; a single pattern too large for RE2 is
passed over as one that cannot be read is."""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import assert_no_exception_text, check

from platform_lint.discovery import gitignore_spec, list_paths, path_matcher, pattern_problem
from repo_helpers import write

POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
       "spec:\n  containers: [{name: web, image: 'nginx:latest'}]\n")
MANY = [f"**/a{i}/**/b/**/*.x" for i in range(6000)]
HUGE = "/".join(["**", "a"] * 50000) + "/b"


def test_thousands_of_patterns_read_as_one_list() -> None:
    spec = gitignore_spec(["*.log", *MANY, "!keep.log", "/a7/**/b/z.x", "!/a8/c/b/z.x"])
    assert [spec.match_file(p) for p in ("x.log", "keep.log", "a7/q/b/z.x", "d/a5999/b/y.x",
                                          "a8/c/b/z.x", "a8/c/b/z.y")] == [
        True, False, True, True, False, False]
    assert spec.check_file("d/a5999/b/y.x").include is True and spec.check_file("z.y").include is None
    excluded = path_matcher(["*.log", *MANY, "!keep.log"])
    assert excluded is not None and excluded("x.log") and not excluded("keep.log")


def test_a_pattern_too_large_for_re2_is_one_that_cannot_be_read() -> None:
    assert pattern_problem(HUGE) is not None
    with pytest.raises(ValueError):
        gitignore_spec(["*.log", HUGE])


def test_a_walk_honours_a_gitignore_of_thousands_of_patterns(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "\n".join(["*.log", *MANY, HUGE, "!keep.log"]) + "\n",
                     "x.log": "x\n", "keep.log": "x\n", "k8s/pod.yaml": POD, "d/a3/b/q.x": "x\n"})
    assert list_paths(tmp_path) == [".gitignore", "k8s/pod.yaml", "keep.log"]


def test_a_scan_under_such_a_gitignore_judges_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".gitignore": "\n".join(["*.log", *MANY]) + "\n", "k8s/pod.yaml": POD})
    code, out, _cost = check(capsys, tmp_path, "--no-cache", "--jobs", "1", memory="none")
    assert code == 1, out
    assert "[image-tag-latest]" in out
    assert_no_exception_text(out)
