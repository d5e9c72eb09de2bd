"""Which values sets a chart is judged with, and its release settings, from `.platform-lint.yaml`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_helm_check import CHART

from platform_lint.cli import main
from repo_helpers import write

CONFIG = """\
helm:
  namespace: shop
  charts:
    chart:
      ci_values: false
      release_name: web
      values_sets:
        - name: prod
          values: [envs/prod/web.yaml]
          set: {image.tag: "1.4.2", strategy.enabled: true}
"""
PROD = "replicaCount: 3\n"
NAMED = CHART["chart/templates/deployment.yaml"].replace(
    '  name: {{ include "web.name" . }}\n',
    '  name: {{ include "web.name" . }}\n  namespace: {{ .Release.Namespace }}\n'
    "  labels: {team: {{ .Values.team | default \"none\" }}}\n")


def scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str],
         *args: str) -> dict[str, Any]:
    write(tmp_path, files)
    code = main(["check", *(args or (str(tmp_path),)), "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    report: dict[str, Any] = json.loads(out)
    return report


def sets_of(report: dict[str, Any], rule: str) -> list[list[str]]:
    return [f["properties"]["valuesSets"] for f in report["findings"] if f["rule"] == rule]


def test_configured_values_sets_replace_the_ci_cases_and_add_to_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**CHART, "chart/templates/deployment.yaml": NAMED,
             "chart/ci/ha-values.yaml": "replicaCount: 2\n",
             ".platform-lint.yaml": CONFIG, "envs/prod/web.yaml": PROD}
    report = scan(tmp_path, capsys, files)
    # prod sets three replicas and a pinned tag: only the defaults set has those findings
    assert sets_of(report, "single-replica-workload") == [["values.yaml"]]
    assert sets_of(report, "image-tag-latest") == [["values.yaml"]]
    # both sets render the same container without probes: one finding naming both
    assert sets_of(report, "missing-liveness-probe") == [["values.yaml", "prod"]]
    assert not [f for f in report["findings"] if f["rule"] == "parse-error"]


def test_release_settings_reach_the_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deployment = NAMED.replace("    type: Recreate\n",
                               "    type: {{ if eq .Release.Namespace \"shop\" }}Recreate{{ else }}"
                               "RollingUpdate{{ end }}\n")
    files = {**CHART, "chart/templates/deployment.yaml": deployment}
    assert not sets_of(scan(tmp_path, capsys, files), "recreate-deploy-strategy")
    report = scan(tmp_path, capsys, {".platform-lint.yaml": "helm: {namespace: shop}\n"})
    assert sets_of(report, "recreate-deploy-strategy") == [["values.yaml"]]


def test_defaults_false_judges_only_the_configured_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = CONFIG.replace("      ci_values: false\n", "      ci_values: false\n      defaults: false\n")
    files = {**CHART, ".platform-lint.yaml": config, "envs/prod/web.yaml": PROD}
    report = scan(tmp_path, capsys, files)
    assert sets_of(report, "missing-liveness-probe") == [["prod"]]
    assert not sets_of(report, "single-replica-workload")
    probe = next(f for f in report["findings"] if f["rule"] == "missing-liveness-probe")
    assert probe["message"].endswith("[values: prod]")


def test_a_configured_values_file_that_is_missing_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = scan(tmp_path, capsys, {**CHART, ".platform-lint.yaml": CONFIG})
    errors = [(f["path"], f["line"], f["message"]) for f in report["findings"] if f["rule"] == "parse-error"]
    assert errors == [("chart/Chart.yaml", 1, "Helm: values file envs/prod/web.yaml "
                       "(helm.charts.chart.values_sets.0 in the configuration) is not in the repository "
                       "[values: prod]")]


def test_changing_a_configured_values_file_outside_the_chart_renders_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {**CHART, ".platform-lint.yaml": CONFIG, "envs/prod/web.yaml": "replicaCount: 1\n"})
    monkeypatch.chdir(tmp_path)
    report = scan(tmp_path, capsys, {}, "envs/prod/web.yaml")  # what pre-commit passes
    replicas = [(f["path"], f["line"], f["properties"]["valuesSets"]) for f in report["findings"]
                if f["rule"] == "single-replica-workload"]
    assert ("envs/prod/web.yaml", 1, ["prod"]) in replicas


def test_an_unknown_chart_setting_is_a_config_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {**CHART, ".platform-lint.yaml": "helm:\n  charts:\n    chart:\n      valuesets: []\n"})
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert ".platform-lint.yaml:3:5: helm.charts.chart" in err and "valuesets" in err
