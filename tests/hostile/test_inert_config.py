"""A scanned repository's config cannot point a run outside the repository, and
a broken pattern in it is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli, private_cache, rule_file

from repo_helpers import write

RULE = rule_file("outside-rule", "schema: {properties: {spec: {properties: {replicas: {minimum: 2}}}}}\n")
ONE_REPLICA = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"


def test_rule_dirs_outside_the_repository_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".platform-lint.yaml": "select: [secrets]\nrule_dirs: [policies, /etc]\n"})
    (tmp_path / "policies").mkdir()
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert ".platform-lint.yaml:2:23: rule_dirs.1: /etc is outside the repository" in err
    assert "--rule-dir" in err
    assert_no_exception_text(out, err)


@pytest.mark.parametrize("link", ["policies", "policies/rule.yaml"])
def test_a_rule_dir_or_file_symlinked_out_of_the_repository_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    write(outside, {"rule.yaml": RULE})
    write(repo, {".platform-lint.yaml": "rule_dirs: [policies]\n", "k8s/web.yaml": ONE_REPLICA})
    (repo / "policies").mkdir(exist_ok=link != "policies")
    if link == "policies":
        (repo / "policies").rmdir()
    (repo / link).symlink_to(outside if link == "policies" else outside / "rule.yaml")
    code, out, err = cli(capsys, "check", str(repo))
    assert code == 2
    assert ".platform-lint.yaml:1:13: rule_dirs.0:" in err and "is outside the repository" in err
    assert "outside-rule" not in out
    assert_no_exception_text(out, err)


def test_a_rule_dir_given_on_the_command_line_may_lie_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    private_cache(monkeypatch, tmp_path)
    outside, repo = tmp_path / "org-policies", tmp_path / "repo"
    write(outside, {"rule.yaml": RULE})
    write(repo, {"k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(repo), "--rule-dir", str(outside), "--select", "outside-rule")
    assert code == 1, err
    assert "k8s/web.yaml:5:3: error [outside-rule] spec.replicas: 1 is less than the minimum of 2" in out


def test_a_config_symlinked_out_of_the_repository_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "outside", {"creds.yaml": "fail_on: hunter2-Xk9mP2vLq7zR\n"})
    repo = tmp_path / "repo"
    write(repo, {"k8s/web.yaml": ONE_REPLICA})
    (repo / ".platform-lint.yaml").symlink_to(tmp_path / "outside" / "creds.yaml")
    code, out, err = cli(capsys, "check", str(repo))
    assert code == 2
    assert ".platform-lint.yaml: a symlink to a file outside the repository" in err
    assert "hunter2" not in out + err
    assert_no_exception_text(out, err)


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ("exclude: ['!']\n", "1:11: exclude.0: '!' is not a valid gitignore pattern"),
        ("exclude: [vendor/, '[z-a]']\n", "1:20: exclude.1: bad character range z-a"),
        ("exemptions:\n  - rule: image-tag-latest\n    paths: [demo/, '!']\n    reason: demo\n",
         "3:20: exemptions.0.paths.1: '!' is not a valid gitignore pattern"),
    ],
)
def test_a_broken_path_pattern_names_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, where: str
) -> None:
    write(tmp_path, {".platform-lint.yaml": config, "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert f".platform-lint.yaml:{where}" in err
    assert_no_exception_text(out, err)


def test_a_gitignore_pattern_git_cannot_read_is_passed_over_as_git_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside a git checkout the walk reads .gitignore files itself."""
    write(tmp_path, {".gitignore": "!\n[z-a]\nignored/\n", "ignored/web.yaml": ONE_REPLICA,
                     "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path), "--select", "single-replica-workload")
    assert code == 1, err
    flagged = [line.split(":")[0] for line in out.splitlines() if "[single-replica-workload]" in line]
    assert [p.rsplit("/", 2)[-2] for p in flagged] == ["k8s"]
    assert_no_exception_text(out, err)


def test_a_rule_dir_that_is_a_looping_symlink_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".platform-lint.yaml": "rule_dirs: [loop]\n"})
    (tmp_path / "loop").symlink_to("loop")
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert ".platform-lint.yaml:1:13: rule_dirs.0: loop is a symlink that loops or leads nowhere" in err
    assert_no_exception_text(out, err)
