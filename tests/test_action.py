"""The composite action (`action.yml`), run step by step as a runner would, in a
temporary git repository with a base and a head commit; and the project's own
workflows, which platform-lint's rules must pass."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from action_runner import ActionRun, run_action
from platform_lint.cli import main
from platform_lint.sources.yaml_tree import parse_yaml
from repo_helpers import DEPLOYMENT, PROJECT, commit, git, make_repo, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="git and bash are required")

INSTALLED = Path(sys.executable).parent / "platform-lint"
SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
installed = pytest.mark.skipif(not INSTALLED.exists(),
                               reason="platform-lint is not installed beside this Python")
WORKFLOWS = sorted((PROJECT / ".github/workflows").glob("*.yml"))

NEW_SERVICE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  strategy:
    type: Recreate
"""


@pytest.fixture()
def pull_request(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository whose base has one finding and whose head adds another."""
    repo = make_repo(tmp_path / "workspace")
    write(repo, {"k8s/web.yaml": DEPLOYMENT})
    commit(repo, "base").check_returncode()
    base = git(repo, "rev-parse", "HEAD").stdout.strip()
    git(repo, "checkout", "-q", "-b", "feature").check_returncode()
    write(repo, {"k8s/web.yaml": "# the web tier\n" + DEPLOYMENT, "k8s/api.yaml": NEW_SERVICE})
    commit(repo, "add the api").check_returncode()
    return repo, base, git(repo, "rev-parse", "HEAD").stdout.strip()


def _run(tmp_path: Path, repo: Path, head: str, inputs: dict[str, str], event_name: str,
         event: Mapping[str, Any]) -> ActionRun:
    temp = tmp_path / "runner-temp"
    venv_bin = temp / "platform-lint-venv/bin"
    venv_bin.mkdir(parents=True)
    # What actions/cache restores on a hit: the virtualenv the install step built before, of
    # this checkout (the installed command may import another checkout, installed editable).
    (venv_bin / "platform-lint").symlink_to(INSTALLED)
    (venv_bin / "python").symlink_to(sys.executable)
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path), "PYTHONPATH": str(PROJECT),
           "GITHUB_SHA": head, "GITHUB_ACTOR": "octocat", "GITHUB_REPOSITORY": "acme/shop",
           "PLATFORM_LINT_TEAM": "platform"}
    return run_action(PROJECT, repo, temp, inputs, event_name, event, env)


@installed
def test_the_action_on_a_pull_request_reports_only_the_new_finding(
    tmp_path: Path, pull_request: tuple[Path, str, str]
) -> None:
    repo, base, head = pull_request
    event = {"pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}}
    result = _run(tmp_path, repo, head, {}, "pull_request", event)

    check = result.step("Run platform-lint")
    assert check.exit_code == 0, check.stderr
    log = check.stdout.split("::stop-commands::")[0].splitlines()
    assert log == [
        "::error file=k8s/api.yaml,line=7,endLine=7,col=5,endColumn=8,"
        "title=recreate-deploy-strategy%3A Deployment replaces all pods at once::strategy.type: "
        "Recreate stops every old pod before any new one starts, a big-bang rollout with downtime; "
        "use strategy.type: RollingUpdate with maxUnavailable: 25%25",
        "::warning file=k8s/api.yaml,line=5,endLine=5,col=1,endColumn=4,"
        "title=single-replica-workload%3A Workload fixed at one replica::no replicas and no "
        "HorizontalPodAutoscaler means a single pod; set spec.replicas: 2 or more",
    ]  # the base's Recreate in k8s/web.yaml moved a line down: old, not annotated

    assert "## platform-lint" in result.summary
    assert "k8s/api.yaml:7" in result.summary and "k8s/web.yaml" not in result.summary

    sarif = json.loads((repo / "platform-lint.sarif").read_text())
    official = json.loads((PROJECT / "schemas/sarif-schema-2.1.0.json").read_text())
    assert [e.message for e in jsonschema.Draft4Validator(official).iter_errors(sarif)] == []
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
               for r in sarif["runs"][0]["results"]}
    assert located and all(uri == "k8s/api.yaml" for _, uri in located)
    assert ("recreate-deploy-strategy", "k8s/api.yaml") in located

    counts = sarif["runs"][0]["invocations"][0]["properties"]
    assert check.outputs == {"exit-code": "1", "sarif-file": "platform-lint.sarif",
                             "errors": str(counts["error"]), "warnings": str(counts["warning"]),
                             "notes": str(counts["note"])}
    assert counts["error"] == 1
    assert result.outputs["errors"] == "1" and result.outputs["sarif-file"] == "platform-lint.sarif"

    upload = result.step("Upload SARIF to code scanning")
    assert upload.ran and upload.uses is not None and SHA_PIN.match(upload.uses)
    assert upload.uses.startswith("github/codeql-action/upload-sarif@")
    assert upload.with_ == {"sarif_file": "platform-lint.sarif", "category": "platform-lint"}
    assert result.step("Fail on findings").exit_code == 1
    assert result.failed


@installed
def test_the_action_on_a_push_checks_everything_and_can_skip_the_upload(
    tmp_path: Path, pull_request: tuple[Path, str, str]
) -> None:
    repo, _, head = pull_request
    inputs = {"upload-sarif": "false", "fail-on": "error", "paths": "k8s/web.yaml\nk8s/api.yaml",
              "sarif-file": "out/lint.sarif"}
    (repo / "out").mkdir()
    result = _run(tmp_path, repo, head, inputs, "push", {"after": head})

    check = result.step("Run platform-lint")
    assert check.exit_code == 0, check.stderr
    annotated = {line.split(",", 1)[0] for line in check.stdout.splitlines() if line.startswith("::error ")}
    assert annotated == {"::error file=k8s/web.yaml", "::error file=k8s/api.yaml"}
    assert check.outputs["errors"] == "2" and check.outputs["sarif-file"] == "out/lint.sarif"
    assert (repo / "out/lint.sarif").is_file()
    assert not result.step("Upload SARIF to code scanning").ran
    assert result.failed


@installed
def test_the_action_refuses_a_base_that_looks_like_an_option(
    tmp_path: Path, pull_request: tuple[Path, str, str]
) -> None:
    repo, _, head = pull_request
    result = _run(tmp_path, repo, head, {"new-only": "true", "base": "--output=/tmp/pwned"},
                  "workflow_dispatch", {})
    check = result.step("Run platform-lint")
    assert "::error title=platform-lint::new-only needs a base commit" in check.stdout
    assert check.outputs["exit-code"] == "2"
    assert result.failed and not Path("/tmp/pwned").exists()


def test_a_base_that_cannot_be_fetched_is_an_error_annotation_not_gits_message(
    tmp_path: Path, pull_request: tuple[Path, str, str]
) -> None:
    repo, _, head = pull_request  # no remote: what a fetch with no network or no credentials meets
    missing = "0123456789abcdef0123456789abcdef01234567"
    result = _run(tmp_path, repo, head, {"new-only": "true", "base": missing}, "workflow_dispatch", {})
    check = result.step("Run platform-lint")
    assert f"::error title=platform-lint::could not fetch the base {missing}" in check.stdout
    assert check.outputs["exit-code"] == "2"
    assert result.failed

def _uses(data: object) -> list[str]:
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == "uses" and isinstance(v, str)] + [
            u for v in data.values() for u in _uses(v)]
    if isinstance(data, list):
        return [u for v in data for u in _uses(v)]
    return []


def _load(path: Path) -> dict[str, object]:
    docs, problems = parse_yaml(path.read_text(encoding="utf-8"))
    assert not problems
    data: dict[str, object] = docs[0].data
    return data


def test_every_action_the_action_and_workflows_use_is_pinned_by_commit_sha() -> None:
    for path in [PROJECT / "action.yml", *WORKFLOWS]:
        for uses in _uses(_load(path)):
            assert uses.startswith("./") or SHA_PIN.match(uses), f"{path.name}: {uses}"


def test_workflows_grant_least_privilege() -> None:
    assert WORKFLOWS, "the project has no workflows"
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow.get("permissions") in ({}, {"contents": "read"}), path.name
        jobs = workflow["jobs"]
        assert isinstance(jobs, dict)
        for job in jobs.values():
            granted = job.get("permissions", {})
            assert set(granted.values()) <= {"read", "write", "none"}
            writes = {k for k, v in granted.items() if v == "write"}
            assert writes <= {"security-events"}, f"{path.name}: {writes}"
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_the_workflows_run_ci_and_the_action_on_the_project() -> None:
    texts = {p.name: p.read_text() for p in WORKFLOWS}
    assert any("bash .ci/run" in t for t in texts.values())
    assert any("uses: ./\n" in t for t in texts.values())


def test_platform_lint_passes_its_own_action_and_workflows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT)
    code = main(["check", "--fail-on", "note", "action.yml", ".github", ".pre-commit-hooks.yaml",
                 ".platform-lint.yaml"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 errors, 0 warnings, 0 notes" in out


def test_the_readme_workflow_is_valid_and_passes_the_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (PROJECT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    workflow = next(b for b in blocks if "security-events: write" in b)
    assert "uses: platform-lint/platform-lint@<release commit sha>" in workflow
    write(tmp_path, {".github/workflows/platform-lint.yml": workflow.replace(
        "<release commit sha>", "0123456789abcdef0123456789abcdef01234567")})
    data = _load(tmp_path / ".github/workflows/platform-lint.yml")
    assert data["permissions"] == {}
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--fail-on", "note"]) == 0
    capsys.readouterr()
