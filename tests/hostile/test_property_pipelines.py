"""Pipelines of every CI system, wrongly typed anywhere: a finding or nothing, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from property_support import ANY, NAMES, assert_scans_cleanly, vocabulary, yaml_files

WORDS = vocabulary("sources/pipelines.py", "sources/deploys.py", "sources/artifacts.py",
                   "sources/step_commands.py", "checks/pipelines.py",
                   "checks/secrets.py")

_GH_STEP = {"name": ANY, "id": ANY, "run": ANY, "uses": ANY, "with": ANY, "env": ANY, "if": ANY,
            "continue-on-error": ANY, "shell": ANY}
_GH_JOB = {"runs-on": ANY, "name": ANY, "needs": ANY, "if": ANY, "environment": {"name": ANY},
           "env": ANY, "permissions": ANY, "continue-on-error": ANY, "container": {"image": ANY},
           "services": {NAMES: {"image": ANY}}, "steps": [_GH_STEP], "uses": ANY, "with": ANY,
           "secrets": ANY, "strategy": ANY}
GITHUB = {"name": ANY, "on": {"push": {"branches": ANY}, "pull_request_target": ANY,
                              "workflow_dispatch": ANY},
          "permissions": ANY, "env": ANY, "jobs": {NAMES: _GH_JOB}}
ACTION = {"name": ANY, "runs": {"using": ANY, "image": ANY, "env": ANY, "steps": [_GH_STEP]}}

_GL_JOB = {"stage": ANY, "script": ANY, "before_script": ANY, "after_script": ANY,
           "rules": [{"if": ANY, "when": ANY, "changes": ANY, "exists": ANY}], "only": ANY,
           "except": ANY, "when": ANY,
           "environment": {"name": ANY, "deployment_tier": ANY, "action": ANY, "url": ANY},
           "needs": [(ANY, {"job": ANY})], "dependencies": ANY, "extends": ANY,
           "image": {"name": ANY}, "services": [(ANY, {"name": ANY})], "variables": ANY,
           "allow_failure": ANY, "trigger": ANY, "id_tokens": ANY, "artifacts": ANY}
GITLAB = {"stages": ANY, "variables": ANY, "image": ANY, "workflow": ANY,
          "default": {"image": ANY, "before_script": ANY, "services": ANY},
          "include": (st.just("ci/jobs.yml"),
                      [(ANY, st.just("/ci/jobs.yml"),
                        {"local": ANY, "project": ANY, "ref": ANY, "remote": ANY, "template": ANY,
                         "component": ANY})]),
          NAMES: _GL_JOB}

_AZ_STEP = {"script": ANY, "bash": ANY, "pwsh": ANY, "powershell": ANY, "task": ANY,
            "inputs": ANY, "displayName": ANY, "condition": ANY, "continueOnError": ANY, "env": ANY}
_AZ_HOOK = {"steps": [_AZ_STEP]}
_AZ_STRATEGY = {name: {"preDeploy": _AZ_HOOK, "deploy": _AZ_HOOK, "routeTraffic": _AZ_HOOK,
                       "postRouteTraffic": _AZ_HOOK,
                       "on": {"failure": _AZ_HOOK, "success": _AZ_HOOK}}
                for name in ("runOnce", "rolling", "canary")}
_AZ_JOB = {"job": ANY, "deployment": ANY, "displayName": ANY, "dependsOn": ANY, "condition": ANY,
           "environment": (ANY, {"name": ANY}), "continueOnError": ANY,
           "container": (ANY, {"image": ANY}), "variables": ANY, "strategy": _AZ_STRATEGY,
           "steps": [_AZ_STEP], "pool": ANY}
AZURE = {"trigger": (ANY, {"branches": {"include": ANY}}), "pr": ANY, "variables": ANY,
         "stages": [{"stage": ANY, "dependsOn": ANY, "condition": ANY, "jobs": [_AZ_JOB]}],
         "jobs": [_AZ_JOB], "steps": [_AZ_STEP]}

_CIRCLE_STEP = (ANY, {"run": (ANY, {"command": ANY, "name": ANY, "when": ANY, "environment": ANY})},
                {"when": {"condition": ANY, "steps": [ANY]}}, {NAMES: ANY})
CIRCLECI = {"version": ANY, "orbs": ANY,
            "executors": {NAMES: {"docker": [{"image": ANY}]}},
            "jobs": {NAMES: {"docker": [{"image": ANY}], "executor": ANY, "environment": ANY,
                             "steps": [_CIRCLE_STEP]}},
            "workflows": {NAMES: {"jobs": [(ANY, {NAMES: {
                "requires": ANY, "type": ANY, "context": ANY, "name": ANY,
                "filters": {"branches": {"only": ANY, "ignore": ANY}}}})]}}}

_BB_STEP = {"name": ANY, "script": [(ANY, {"pipe": ANY, "variables": ANY})],
            "after-script": ANY, "deployment": ANY, "trigger": ANY, "image": ANY}
_BB_ITEM = ({"step": _BB_STEP}, {"parallel": ([{"step": _BB_STEP}], {"steps": [{"step": _BB_STEP}]})},
            {"stage": {"deployment": ANY, "steps": [{"step": _BB_STEP}]}}, ANY)
BITBUCKET = {"image": ANY, "pipelines": {"default": [_BB_ITEM], "branches": {NAMES: [_BB_ITEM]},
                                         "tags": {NAMES: [_BB_ITEM]}, "custom": {NAMES: [_BB_ITEM]},
                                         "pull-requests": {NAMES: [_BB_ITEM]}}}


@given(yaml_files(GITHUB, WORDS))
def test_github_workflows(text: str) -> None:
    assert_scans_cleanly({".github/workflows/ci.yml": text})


@given(yaml_files(ACTION, WORDS))
def test_github_actions(text: str) -> None:
    assert_scans_cleanly({"action.yml": text})


@given(yaml_files(GITLAB, WORDS), yaml_files(GITLAB, WORDS))
def test_gitlab_ci_with_a_local_include(text: str, included: str) -> None:
    assert_scans_cleanly({".gitlab-ci.yml": text, "ci/jobs.yml": included})


@given(yaml_files(AZURE, WORDS))
def test_azure_pipelines(text: str) -> None:
    assert_scans_cleanly({"azure-pipelines.yml": text})


@given(yaml_files(CIRCLECI, WORDS))
def test_circleci(text: str) -> None:
    assert_scans_cleanly({".circleci/config.yml": text})


@given(yaml_files(BITBUCKET, WORDS))
def test_bitbucket_pipelines(text: str) -> None:
    assert_scans_cleanly({"bitbucket-pipelines.yml": text})


@given(st.sampled_from([".github/workflows/ci.yml", ".gitlab-ci.yml", "azure-pipelines.yml",
                        ".circleci/config.yml", "bitbucket-pipelines.yml"]),
       st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#%@`,?\\\x00\x85\u2028")),
               max_size=80))
def test_pipeline_files_of_arbitrary_text(path: str, text: str) -> None:
    assert_scans_cleanly({path: text})
