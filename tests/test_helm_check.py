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
    # at what the item holds, after its `- `, as in a plain manifest (it was column 1)
    assert next(f["column"] for f in found if f["rule"] == "missing-liveness-probe") == 11
    assert not any(f["rule"] == "parse-error" for f in found)


def test_a_template_without_actions_is_judged_once_as_the_charts_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\nspec:\n  containers:\n"
           "  - name: a\n    image: nginx\n")
    found = findings(tmp_path, capsys, {"chart/Chart.yaml": CHART["chart/Chart.yaml"],
                                        "chart/templates/pod.yaml": pod,
                                        "chart/crds/pod.yaml": pod.replace("plain", "crd")})
    # it was judged twice, as a plain manifest too, each finding twice at two columns
    assert at(found, "image-without-tag") == [("chart/crds/pod.yaml", 8), ("chart/templates/pod.yaml", 8)]
    rendered = [f for f in found if f["path"] == "chart/templates/pod.yaml"]
    assert rendered and all(f["properties"].get("valuesSets") for f in rendered)


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


def test_values_violating_the_schema_are_a_finding_at_the_values_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = json.dumps({"type": "object", "properties": {"replicaCount": {"type": "string"}}})
    found = findings(tmp_path, capsys, {**CHART, "chart/values.schema.json": schema})
    errors = [(f["path"], f["line"]) for f in found
              if f["rule"] == "parse-error" and "values.schema.json at replicaCount" in f["message"]]
    assert errors == [("chart/values.yaml", 1)]


@pytest.mark.parametrize(("schema", "message", "line"), [
    ('{"type": "object",\n "properties": }', "values.schema.json: invalid JSON (Expecting value)", 2),
    ("[]", "values.schema.json cannot be used (ValueError)", 1),
    ('{"properties": {"replicaCount": {"$ref": "https://example.com/s.json"}}}',
     "values.schema.json cannot be used (_WrappedReferencingError)", 1),
])
def test_a_schema_that_cannot_be_used_is_one_finding_naming_every_values_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: str, message: str, line: int
) -> None:
    files = {**CHART, "chart/values.schema.json": schema, "chart/ci/a-values.yaml": "replicaCount: 2\n",
             "chart/ci/b-values.yaml": "replicaCount: 3\n"}
    found = [(f["path"], f["line"], f["message"]) for f in findings(tmp_path, capsys, files)
             if "values.schema.json" in f["message"]]
    assert found == [("chart/values.schema.json", line, f"Helm: {message} "
                      "[values: values.yaml, ci/a-values.yaml, ci/b-values.yaml]")]


SELF_REFERRING = {"d": {"allOf": [{"if": {"$ref": "#/$defs/d"}}]}}


@pytest.mark.parametrize("top", [{"properties": {"replicaCount": {"$ref": "#/$defs/d"}}},  # memo
                                 {"allOf": [{"$ref": "#/$defs/d"}]}])  # whole validation
@pytest.mark.parametrize("depth", range(14))
def test_a_schema_that_recurses_without_end_is_one_finding_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], top: dict[str, Any], depth: int
) -> None:
    """It ends in a RecursionError or, when that is raised inside rpds, in pyo3's
    PanicException (a BaseException): which one depends on where the stack ends, so the
    test starts from 14 depths, two whole turns of the recursion's frames; the finding
    reads the same for both."""
    files = {**CHART, "chart/values.schema.json": json.dumps({"$defs": SELF_REFERRING, **top})}

    def deeper(n: int) -> list[dict[str, Any]]:
        return deeper(n - 1) if n else findings(tmp_path, capsys, files)

    found = [f["message"] for f in deeper(depth) if "values.schema.json" in f["message"]]
    assert len(found) == 1
    assert found[0] == "Helm: values.schema.json cannot be used (RecursionError)"


def test_sarif_carries_the_template_line_as_a_related_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, CHART)
    main(["check", str(tmp_path), "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    tag = next(r for r in results if r["ruleId"] == "image-tag-latest")
    assert tag["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    related = tag["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"].endswith("chart/templates/deployment.yaml")
    assert related["region"]["startLine"] == 17


def test_render_prints_multi_document_yaml_with_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, CHART)
    values = tmp_path / "prod.yaml"
    values.write_text("replicaCount: 4\n")
    code = main(["render", str(tmp_path / "chart"), "-f", str(values), "--set", "image.tag=1.2",
                 "--release-name", "prod", "--namespace", "web"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\n")
    assert "  name: prod-web\n" in out and "  replicas: 4\n" in out and 'image: "nginx:1.2"' in out
    code = main(["render", str(tmp_path / "chart"), "--set", "image.tag=1.2", "--set", "x={{"])
    assert code == 0  # a --set value is data, never template text


def test_values_read_through_with_and_range_are_located_in_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = CHART["chart/templates/deployment.yaml"].replace(
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n',
        '          {{- with .Values.image }}\n          image: "{{ .repository }}:{{ .tag }}"\n'
        "          {{- end }}\n")
    found = findings(tmp_path, capsys, {**CHART, "chart/templates/deployment.yaml": deployment})
    assert at(found, "image-tag-latest") == [("chart/values.yaml", 4)]
    assert "written by chart/templates/deployment.yaml:18" in next(
        f["message"] for f in found if f["rule"] == "image-tag-latest")


def test_inline_suppressions_in_templates_and_values_files_silence_chart_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = CHART["chart/templates/deployment.yaml"].replace(
        "    type: Recreate\n",
        "    type: Recreate  # platform-lint: ignore[recreate-deploy-strategy] one pod at a time\n",
    ).replace(
        "        - name: web\n",
        "        {{- /* platform-lint: ignore[missing-liveness-probe] the mesh probes it */}}\n"
        "        - name: web\n",
    )
    values = CHART["chart/values.yaml"].replace(
        "  tag: latest\n", "  # platform-lint: ignore[image-tag-latest] a demo chart\n  tag: latest\n")
    files = {**CHART, "chart/templates/deployment.yaml": deployment, "chart/values.yaml": values}
    write(tmp_path, files)
    for args in (["check", str(tmp_path)], ["check", "chart/values.yaml"]):  # whole tree, then pre-commit
        monkeypatch.chdir(tmp_path)
        main([*args, "--format", "json"])
        report = json.loads(capsys.readouterr().out)
        silenced = {(f["rule"], f["path"], f["line"], f["suppressed_by"]) for f in report["suppressed"]}
        assert silenced == {
            ("recreate-deploy-strategy", "chart/templates/deployment.yaml", 8, "inline"),
            ("missing-liveness-probe", "chart/templates/deployment.yaml", 17, "inline"),
            ("image-tag-latest", "chart/values.yaml", 5, "inline"),
        }, args
        rules = {f["rule"] for f in report["findings"]}
        assert "single-replica-workload" in rules  # not suppressed: no directive names it
        assert not rules & {"recreate-deploy-strategy", "missing-liveness-probe", "image-tag-latest",
                            "invalid-suppression"}


def test_an_ignore_annotation_in_a_template_covers_the_rendered_objects_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = CHART["chart/templates/deployment.yaml"].replace(
        '  name: {{ include "web.name" . }}\n',
        '  name: {{ include "web.name" . }}\n  annotations:\n'
        '    platform-lint.io/ignore: "image-tag-latest=a demo chart, single-replica-workload"\n')
    write(tmp_path, {**CHART, "chart/templates/deployment.yaml": deployment})
    main(["check", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    # the finding at the values line is silenced by the template's annotation
    assert [(f["rule"], f["path"], f["line"]) for f in report["suppressed"]] == [
        ("image-tag-latest", "chart/values.yaml", 4)]
    # a directive without a reason suppresses nothing and is itself reported, at the template line
    invalid = [(f["path"], f["line"]) for f in report["findings"] if f["rule"] == "invalid-suppression"]
    assert invalid == [("chart/templates/deployment.yaml", 6)]
    assert at(report["findings"], "single-replica-workload") == [("chart/values.yaml", 1)]


def test_a_pool_starts_the_charts_first_the_largest_first() -> None:
    from platform_lint.sources.helm_chart import charts_first

    scanned = ["Chart.yaml", "templates/a.yaml", "small/Chart.yaml", "big/Chart.yaml", "big/values.yaml",
               "big/templates/a.yaml", "big/charts/sub/Chart.yaml", "big/charts/sub/values.yaml",
               "bigger/x.yaml", "small/templates/a.yaml"]
    units = ["README.md", "big/Chart.yaml", "big/charts/sub/Chart.yaml", "small/Chart.yaml", "Chart.yaml"]
    # the chart at the root holds every file; a vendored subchart is rendered by its parent
    assert charts_first(units, frozenset(scanned)) == [4, 1, 3]
