"""A config naming a rule that does not exist is an error at the key (as ruff and
kube-linter make it), and a NUL byte in a rule or config file is reported at its
line in our words: exit 2, never the parser's text."""

from __future__ import annotations

from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli, private_cache

from repo_helpers import write

ONE_REPLICA = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"


@pytest.mark.parametrize("config, message", [
    ("rules: {no-such-rule: false}\n",
     ".platform-lint.yaml:1:9: rules.no-such-rule: unknown rule 'no-such-rule'"),
    ("rules:\n  image-tag-latest: false\n  missing-livenes-probe: {severity: note}\n",
     ".platform-lint.yaml:3:3: rules.missing-livenes-probe: unknown rule 'missing-livenes-probe'"),
    ("select: [secrets, deploy-strategy, no-such-category]\n",
     ".platform-lint.yaml:1:36: select.2: unknown rule or category 'no-such-category'"),
    ("ignore:\n  - image-tag-latst\n",
     ".platform-lint.yaml:2:5: ignore.0: unknown rule or category 'image-tag-latst'"),
    ("exemptions:\n  - rule: image-tag-lates\n    paths: [demo/]\n    reason: demo\n",
     ".platform-lint.yaml:2:11: exemptions.0.rule: unknown rule 'image-tag-lates'"),
])
def test_a_config_naming_an_unknown_rule_is_an_error_at_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    write(tmp_path, {".platform-lint.yaml": config, "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert message in err
    assert "`platform-lint rules` lists them" in err
    assert out == ""
    assert_no_exception_text(out, err)


def test_rule_ids_of_the_repositorys_own_rules_and_categories_are_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    private_cache(monkeypatch, tmp_path)
    rule = ("id: two-replicas\ntitle: t\nseverity: error\ncategory: resilience\n"
            "scope: {documents: [kubernetes], kinds: [Deployment]}\n"
            "schema: {properties: {spec: {properties: {replicas: {minimum: 2}}}}}\n"
            "docs: {summary: s, why: w, fix: f, bad: b, good: g}\n")
    write(tmp_path, {".platform-lint.yaml": "rule_dirs: [policies]\nselect: [resilience]\n"
                                            "rules: {two-replicas: {severity: note}}\n",
                     "policies/two.yaml": rule, "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path), "--fail-on", "error")
    assert code == 0, err
    assert "note [two-replicas]" in out


def test_an_unknown_rule_in_pyproject_is_an_error_naming_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = "[project]\nname = 'x'\n\n[tool.platform-lint]\nrules = {nope = false}\n"
    write(tmp_path, {"pyproject.toml": pyproject, "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert "pyproject.toml:4:1: rules.nope: unknown rule 'nope'" in err
    assert_no_exception_text(out, err)


def test_a_nul_byte_in_a_rule_file_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the 8 KB a binary probe reads, too: the offset is turned into a line."""
    private_cache(monkeypatch, tmp_path)
    padding = "".join(f"# comment line {i}\n" for i in range(600))
    write(tmp_path, {".platform-lint.yaml": "rule_dirs: [policies]\n",
                     "policies/nul.yaml": f"id: nul-rule\n{padding}title: a\x00b\n",
                     "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert "policies/nul.yaml:602:9: YAML syntax error: character U+0000 is not allowed" in err
    for internal in ("<unicode string>", "position ", "ReaderError", "ruamel"):
        assert internal not in err
    assert_no_exception_text(out, err)


def test_a_nul_byte_in_the_config_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".platform-lint.yaml": "fail_on: warning\nselect: [sec\x00rets]\n",
                     "k8s/web.yaml": ONE_REPLICA})
    code, out, err = cli(capsys, "check", str(tmp_path))
    assert code == 2
    assert ".platform-lint.yaml:2:13: YAML syntax error: character U+0000 is not allowed" in err
    assert "<unicode string>" not in err and "position " not in err
    assert_no_exception_text(out, err)
