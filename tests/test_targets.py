"""`check /abs/path/file.yaml` from anywhere: the root is the file's checkout, else its folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint.cli import main
from repo_helpers import DEPLOYMENT, make_repo


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["check", "--format", "json", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith("{") else {}, err


def test_a_file_in_another_checkout_is_checked_with_that_checkout_as_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "k8s").mkdir()
    (repo / "k8s" / "web.yaml").write_text(DEPLOYMENT)
    (repo / ".platform-lint.yaml").write_text("ignore: [missing-liveness-probe]\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, report, err = _check(capsys, str(repo / "k8s" / "web.yaml"))
    assert code == 1, err
    assert Path(str(report["root"])).resolve() == repo.resolve()
    findings = report["findings"]
    assert isinstance(findings, list)
    rules = {(f["path"], f["rule"]) for f in findings}
    assert ("k8s/web.yaml", "recreate-deploy-strategy") in rules
    assert all(f["rule"] != "missing-liveness-probe" for f in findings)  # the checkout's config


def test_a_file_outside_any_checkout_has_its_folder_as_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "web.yaml").write_text(DEPLOYMENT)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    code, report, err = _check(capsys, str(folder / "web.yaml"), "../loose/web.yaml")
    assert code == 1, err
    assert Path(str(report["root"])).resolve() == folder.resolve()
    findings = report["findings"]
    assert isinstance(findings, list)
    assert {f["path"] for f in findings} == {"web.yaml"}


def test_files_of_two_repositories_at_once_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a", "b"):
        make_repo(tmp_path / name)
        (tmp_path / name / "web.yaml").write_text(DEPLOYMENT)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    code, _, err = _check(capsys, str(tmp_path / "a" / "web.yaml"), str(tmp_path / "b" / "web.yaml"))
    assert code == 2
    assert "not in" in err and "Traceback" not in err


@pytest.mark.parametrize("paths", [[""], [".", ""]])
def test_an_empty_path_is_refused_not_read_as_the_working_directory(
    paths: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "web.yaml").write_text(DEPLOYMENT)
    monkeypatch.chdir(repo)
    code, report, err = _check(capsys, *paths)  # `check "$FILES"` with FILES unset
    assert (code, report) == (2, {})
    assert "an empty path" in err and "Traceback" not in err
