"""Only files inside the scanned root are read, whatever a change list or the
command line names: the rest are reported as skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli

from repo_helpers import make_repo, write

OUTSIDE_SECRET = "Qz7-outside-Lp4vX9mK2w"
INSIDE = "DB_PASSWORD=Xk9#mP2v!Lq7zR\n"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with one secret inside, a secret beside it, and a directory
    symlinked from inside the repository to outside it."""
    outside = tmp_path / "outside"
    write(outside, {"creds.env": f"API_TOKEN={OUTSIDE_SECRET}\n"})
    repo = make_repo(tmp_path / "repo")
    write(repo, {"config/app.env": f"# settings\n{INSIDE}"})
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    return repo, outside


def test_changed_files_outside_the_root_are_reported_not_read(
    layout: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, outside = layout
    names = ["config/app.env", "../outside/creds.env", str(outside / "creds.env"), "linked/creds.env",
             "config/../../outside/creds.env"]
    listing = tmp_path / "changed.txt"
    listing.write_text("".join(f"M\t{n}\n" for n in names))
    code, out, err = cli(capsys, "check", str(repo), "--changed-files", str(listing), "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("config/app.env", 2, "hardcoded-secret-assignment")]
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert skipped == {
        "../outside/creds.env": "outside the scanned root",
        str(outside / "creds.env"): "outside the scanned root",
        "config/../../outside/creds.env": "outside the scanned root",
        "linked/creds.env": "outside the scanned root (through a symlinked directory)",
    }
    assert report["summary"]["files_scanned"] == 1
    assert OUTSIDE_SECRET not in out + err
    assert_no_exception_text(err)


def test_etc_passwd_through_a_symlinked_directory_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd here")
    repo = make_repo(tmp_path / "repo")
    (repo / "etc").symlink_to("/etc", target_is_directory=True)
    listing = tmp_path / "changed.txt"
    listing.write_text("etc/passwd\n/etc/passwd\n")
    code, out, err = cli(capsys, "check", str(repo), "--changed-files", str(listing), "--show-skipped")
    assert code == 0, err
    assert "etc/passwd: outside the scanned root (through a symlinked directory)" in out
    assert "/etc/passwd: outside the scanned root" in out
    assert "root:" not in out + err
    assert_no_exception_text(out, err)


@pytest.mark.parametrize("name", ["../outside/creds.env", "linked/creds.env"])
def test_named_paths_outside_the_working_directory_are_refused(
    layout: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    repo, _ = layout
    monkeypatch.chdir(repo)
    code, out, err = cli(capsys, "check", "config/app.env", name)
    assert code == 2
    assert f"{name}: outside the current directory" in err
    assert OUTSIDE_SECRET not in out + err
    assert_no_exception_text(out, err)


def test_a_change_list_that_cannot_be_read_or_is_not_utf8_is_no_crash(
    layout: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = layout
    code, out, err = cli(capsys, "check", str(repo), "--changed-files", str(tmp_path / "missing.txt"))
    assert code == 2
    assert "missing.txt: cannot read: No such file or directory" in err
    assert_no_exception_text(out, err)
    listing = tmp_path / "changed.txt"
    listing.write_bytes(b"M\tconfig/app.env\nM\tcaf\xe9.yaml\n")
    code, out, err = cli(capsys, "check", str(repo), "--changed-files", str(listing))
    assert code == 1, err
    assert "config/app.env:2:13: error [hardcoded-secret-assignment]" in out
    assert_no_exception_text(out, err)
