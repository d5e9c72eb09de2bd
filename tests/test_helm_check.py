"""`check` on Helm charts: rendered objects judged, findings at the template or values line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from platform_lint.cli import main
from repo_helpers import write

CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: '2.0'\n",
    "chart/values.yaml": (
        "replicaCount: 1\n"            # line 1: single-replica-workload, from values
        "image:\n"
        "  repository: nginx\n"
        "  tag: latest\n"              # line 4: image-tag-latest, from values
        "resources:\n"
        "  requests: {cpu: 10m, memory: 16Mi}\n"
        "  limits: {cpu: 100m, memory: 64Mi}\n"
    ),
    "chart/templates/_helpers.tpl": '{{- define "web.name" -}}{{ .Release.Name }}-web{{- end }}\n',
    "chart/templates/deployment.yaml": (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        '  name: {{ include "web.name" . }}\n'
        "spec:\n"
        "  replicas: {{ .Values.replicaCount }}\n"
        "  strategy:\n"
        "    type: Recreate\n"         # line 8: recreate-deploy-strategy, written in the template
        "  selector:\n"
        "    matchLabels: {app: web}\n"
        "  template:\n"
        "    metadata:\n"
        "      labels: {app: web}\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: web\n"        # line 16: the container; its probes are missing
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
        "          resources:\n"
        "            {{- toYaml .Values.resources | nindent 12 }}\n"
    ),
}


def findings(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str],
             *args: str) -> list[dict[str, Any]]:
    write(tmp_path, files)
    main(["check", str(tmp_path), "--format", "json", *args])
    out, _err = capsys.readouterr()
    report = json.loads(out)
    return [f for f in report["findings"] if f["path"].startswith("chart/")]


def at(found: list[dict[str, Any]], rule: str) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in found if f["rule"] == rule]


def test_findings_land_on_the_values_line_or_the_template_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = findings(tmp_path, capsys, CHART)
    # a value from values.yaml: reported at the values line, the template line related
    assert at(found, "image-tag-latest") == [("chart/values.yaml", 4)]
    tag = next(f for f in found if f["rule"] == "image-tag-latest")
    assert "chart/templates/deployment.yaml:17" in tag["message"]
    assert tag["properties"]["relatedLocations"][0]["path"] == "chart/templates/deployment.yaml"
    assert at(found, "single-replica-workload") == [("chart/values.yaml", 1)]
    # a value written in the template: the template line
    assert at(found, "recreate-deploy-strategy") == [("chart/templates/deployment.yaml", 8)]
    # a key missing from the template: where it belongs, the container's line
    assert at(found, "missing-liveness-probe") == [("chart/templates/deployment.yaml", 16)]
    assert not any(f["rule"] == "parse-error" for f in found)


def test_ci_values_sets_are_judged_and_one_finding_names_every_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**CHART, "chart/ci/ha-values.yaml": "replicaCount: 3\n"}
    found = findings(tmp_path, capsys, files)
    probes = [f for f in found if f["rule"] == "missing-liveness-probe"]
    assert len(probes) == 1
    assert probes[0]["properties"]["valuesSets"] == ["values.yaml", "ci/ha-values.yaml"]
    assert "[values: values.yaml, ci/ha-values.yaml]" in probes[0]["message"]
    # the ci set fixes the replica count: only the defaults set has that finding
    replicas = [f for f in found if f["rule"] == "single-replica-workload"]
    assert [f["properties"]["valuesSets"] for f in replicas] == [["values.yaml"]]


def test_template_errors_are_findings_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**CHART,
             "chart/templates/broken.yaml": "a: 1\n{{ required \"set .Values.host\" .Values.host }}\n",
             "chart/templates/bad-yaml.yaml": "kind: [unclosed\n"}
    found = findings(tmp_path, capsys, files)
    errors = [(f["path"], f["line"], f["message"]) for f in found if f["rule"] == "parse-error"]
    assert ("chart/templates/broken.yaml", 2, "Helm: set .Values.host") in errors
    assert any(p == "chart/templates/bad-yaml.yaml" and "not YAML" in m for p, _l, m in errors)
    # the rest of the chart is still judged
    assert at(found, "recreate-deploy-strategy") == [("chart/templates/deployment.yaml", 8)]


def test_a_change_to_one_template_renders_its_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, CHART)
    monkeypatch.chdir(tmp_path)
    main(["check", "chart/templates/deployment.yaml", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert at(report["findings"], "recreate-deploy-strategy") == [("chart/templates/deployment.yaml", 8)]
    assert at(report["findings"], "image-tag-latest") == [("chart/values.yaml", 4)]


CORPUS_CHARTS = (Path(__file__).resolve().parents[2]
                 / "shared/corpus/helm/open-telemetry+opentelemetry-helm-charts")


@pytest.mark.skipif(not CORPUS_CHARTS.is_dir(), reason="../shared/corpus not present")
def test_corpus_charts_are_judged_and_no_template_is_a_parse_error(
    capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", str(CORPUS_CHARTS), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    found = report["findings"]
    assert not [f for f in found if f["rule"] == "parse-error"]
    rendered = [f for f in found if "valuesSets" in f.get("properties", {})]
    at_values = {f["path"] for f in rendered if f["path"].endswith("values.yaml")}
    at_templates = {f["path"] for f in rendered if "/templates/" in f["path"]}
    assert "charts/opentelemetry-collector/values.yaml" in at_values
    assert "charts/opentelemetry-collector/templates/_pod.tpl" in at_templates  # the included pod spec
    assert len(rendered) > 50  # (the examples/*/rendered/ files are plain manifests, judged as such)
