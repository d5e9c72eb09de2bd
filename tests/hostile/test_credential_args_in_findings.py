"""Credentials on command lines the token detectors cannot know (`docker login -p X`,
`sshpass -p X`, `--token X`, `mysql -pX`, `--password X`): reported as
hardcoded secrets in pipelines, and never quoted by any finding in any format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli, private_cache

from repo_helpers import write

SECRETS = {  # line in WORKFLOW: (the credential, the option that takes it, its column)
    7: ("Hunter2pass", "-p", 37),
    8: ("s3cr3t-ssh", "-p", 25),
    9: ("kT0k3n-prod99", "--token", 30),
    10: ("RootPw1x", "-p", 30),
    11: ("Pw9x-helm", "--password", 60),
}
WORKFLOW = """name: release
on: push
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: docker login -u bot -p Hunter2pass registry.example.com && docker push registry.example.com/app:1
      - run: sshpass -p s3cr3t-ssh ssh prod kubectl apply -f prod.yaml
      - run: kubectl --token kT0k3n-prod99 apply -f prod.yaml
      - run: mysql -u root -pRootPw1x prod < migrate.sql && helm upgrade app ./chart
      - run: helm upgrade --install app ./chart --password Pw9x-helm
"""
# A user rule whose message quotes every `run:` command in full (jsonschema's
# "'<command>' does not match ..."): the engine must scrub what it quotes.
QUOTING_RULE = """id: run-must-echo
title: Every step only echoes
severity: note
category: pipeline-hygiene
scope: {documents: [pipeline]}
schema:
  properties:
    jobs:
      additionalProperties:
        properties:
          steps:
            items:
              properties:
                run: {pattern: '^echo '}
message: '{error}'
docs: {summary: s, why: w, fix: f, bad: b, good: g}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    private_cache(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    write(repo, {".github/workflows/release.yml": WORKFLOW, "policies/run-must-echo.yaml": QUOTING_RULE,
                 ".platform-lint.yaml": "rule_dirs: [policies]\n"})
    return repo


def test_each_credential_is_a_pipeline_secret_at_its_line_and_column(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "check", str(repo), "--format", "json")
    assert code == 1, err
    findings = json.loads(out)["findings"]
    found = {(f["line"], f["column"]): f["message"] for f in findings
             if f["rule"] == "hardcoded-secret-in-pipeline"}
    assert sorted(found) == sorted((line, col) for line, (_, _, col) in SECRETS.items())
    for line, (secret, option, col) in SECRETS.items():
        assert f"given to `{option}` in a command [" in found[(line, col)]
        assert f"({len(secret)} chars)]" in found[(line, col)]
    quoting = [f for f in findings if f["rule"] == "run-must-echo"]
    assert sorted(f["line"] for f in quoting) == sorted(SECRETS)  # every command quoted...
    assert all("[password (" in f["message"] or "[secret (" in f["message"] for f in quoting)  # ...scrubbed


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_format_quotes_a_command_line_credential(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = cli(capsys, "check", str(repo), "--format", fmt)
    assert code == 1, err
    shown = out + err + (summary.read_text() if summary.exists() else "")
    assert "run-must-echo" in shown
    for secret, _, _ in SECRETS.values():
        assert secret not in shown, (fmt, secret)
    assert_no_exception_text(err)


def test_a_baseline_holds_no_command_line_credential(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, err = cli(capsys, "baseline", "create", str(repo), "-o", str(baseline))
    assert code == 0, err
    text = baseline.read_text()
    for secret, _, _ in SECRETS.values():
        assert secret not in text
