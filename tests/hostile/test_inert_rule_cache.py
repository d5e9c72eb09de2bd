"""The cache of validated rule files holds no text of a user's rule: a rule may
match a token, and its schema and message would otherwise be kept verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli, private_cache, rule_file

from repo_helpers import write

TOKEN = "ghp_" + "Zr8Kq2Lm9Xv4Tn7Pw1Jc6Hb3Yd5Fs0Ge8Ua2"
BODY = (
    "schema:\n  properties:\n    metadata:\n      properties:\n"
    f"        name: {{not: {{const: {TOKEN}}}}}\n"
    f"message: 'the token {TOKEN} must not be a name: {{error}}'\n"
)
MANIFEST = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {TOKEN}\n"


def test_the_rule_cache_holds_no_secret_of_a_user_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = private_cache(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    write(repo, {".platform-lint.yaml": "rule_dirs: [policies]\n",
                 "policies/token-as-name.yaml": rule_file("token-as-name", BODY)})
    write(repo, {"k8s/cm.yaml": MANIFEST})
    runs = [cli(capsys, "check", str(repo), "--select", "token-as-name") for _ in range(2)]
    for code, out, err in runs:  # the second run validates from the cache
        assert code == 1, err
        assert "k8s/cm.yaml:4:3: error [token-as-name] the token [github-pat ghp_… (40 chars)]" in out
        assert TOKEN not in out + err
        assert_no_exception_text(out, err)
    stored = [p for p in cache.rglob("*") if p.is_file()]
    assert stored, "the cache was written"
    for path in stored:
        text = path.read_bytes()
        assert TOKEN[4:20].encode() not in text, path
        assert b"must not be a name" not in text, path


def test_a_changed_user_rule_is_validated_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keys on the file's bytes: an edit that breaks the rule is caught."""
    private_cache(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    write(repo, {".platform-lint.yaml": "rule_dirs: [policies]\n",
                 "policies/token-as-name.yaml": rule_file("token-as-name", BODY),
                 "k8s/cm.yaml": MANIFEST})
    assert cli(capsys, "check", str(repo))[0] == 1
    broken = BODY.replace("not:", "type: 5, not:")
    write(repo, {"policies/token-as-name.yaml": rule_file("token-as-name", broken)})
    code, out, err = cli(capsys, "check", str(repo))
    assert code == 2
    assert "policies/token-as-name.yaml:11:16: schema.properties.metadata.properties.name.type" in err
    assert_no_exception_text(out, err)
