"""A value the user gives is never an option to git: `--diff=--output=FILE` once
made git write FILE."""

from __future__ import annotations

from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli

from repo_helpers import DEPLOYMENT, commit, make_repo, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    write(repo, {"README.md": "hello\n"})
    commit(repo, "first").check_returncode()
    write(repo, {"k8s/web.yaml": DEPLOYMENT})
    commit(repo, "second").check_returncode()
    return repo


@pytest.mark.parametrize("value", ["--output={target}", "--output {target}", "-o{target}",
                                   "--ext-diff", "HEAD~1 --output={target}"])
def test_a_diff_base_that_looks_like_an_option_is_not_a_revision(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    target = tmp_path / "written-by-git"
    base = value.format(target=target)
    code, out, err = cli(capsys, "check", str(repo), f"--diff={base}")
    assert code == 2
    assert f"--diff: {base!r} is not a commit in this repository" in err
    assert not target.exists() and not Path(f"{target}...HEAD").exists()
    assert_no_exception_text(out, err)


def test_a_real_base_still_names_the_change(repo: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    code, out, err = cli(capsys, "check", "--diff", "HEAD~1", "--select", "recreate-deploy-strategy")
    assert code == 1, err
    assert "k8s/web.yaml:7:5: error [recreate-deploy-strategy]" in out
