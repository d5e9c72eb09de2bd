"""YAML read as kubectl reads it (issue 14): flow collections with `:` inside
plain scalars are strings (YAML 1.2, go-yaml), and a templated YAML file outside
a chart's `templates/` is a counted, listed skip, never a parse error."""

from __future__ import annotations

from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli

from platform_lint.sources.yaml_tree import parse_yaml
from repo_helpers import write


@pytest.mark.parametrize("text, data", [
    ("ports: [frontend:80]\n", {"ports": ["frontend:80"]}),
    ("args: [--listen=:8080, --upstream=http://backend:80/x]\n",
     {"args": ["--listen=:8080", "--upstream=http://backend:80/x"]}),
    ("c: [{name: web, image: nginx:1.25}]\n", {"c": [{"name": "web", "image": "nginx:1.25"}]}),
    ("m: {a:b}\n", {"m": {"a:b": None}}),  # go-yaml: one key, no value
])
def test_a_colon_inside_a_flow_scalar_is_part_of_the_string(text: str, data: object) -> None:
    docs, problems = parse_yaml(text)
    assert problems == []
    assert [d.data for d in docs] == [data]


def test_flow_scalars_keep_their_spans_and_later_documents() -> None:
    docs, problems = parse_yaml("a: 1\n---\nports: [frontend:80, admin:9090]\n---\nb: [x\n")
    assert [d.data for d in docs] == [{"a": 1}, {"ports": ["frontend:80", "admin:9090"]}]
    span = docs[1].spans[("ports", 1)]
    assert (span.line, span.col, span.end_col) == (3, 22, 32)
    assert [(p.span.line, p.message.split(":")[0]) for p in problems] == [(5, "YAML syntax error")]


TEMPLATED = {
    # A CRD under conf/ that the deploy tooling renders.
    "conf/crd.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
                     "  name: {{ .Values.plural }}.example.com\nspec:\n  group: example.com\n",
    # Control actions on lines of their own.
    "deploy/web.yaml": "apiVersion: apps/v1\nkind: Deployment\n{{- if .Values.x }}\nmetadata: {name: web}\n"
                       "{{- end }}\n",
    # A Jinja (Ansible) values snippet.
    "ops/values.yml": "{% for s in services %}\n{{ s.name }}:\n  port: {{ s.port }}\n{% endfor %}\n",
    # Parses as YAML (a flow mapping whose key is a mapping, which kubectl refuses).
    "conf/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
                          "spec:\n  replicas: {{ .Values.replicas }}\n",
}


def test_templated_files_outside_templates_are_counted_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, TEMPLATED)
    code, out, err = cli(capsys, "check", str(tmp_path), "--select", "parse-error,resilience",
                         "--show-skipped")
    assert code == 0, out
    assert "[parse-error]" not in out
    listed = sorted(line.rsplit("/", 2)[-2] + "/" + line.rsplit("/", 1)[-1]
                    for line in out.splitlines() if line.startswith("skipped "))
    assert listed == sorted(f"{p}: template" for p in TEMPLATED)
    assert "4 skipped" in out
    assert_no_exception_text(out, err)


def test_template_text_that_yaml_reads_is_judged_and_real_errors_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {
        "k8s/alerting.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                             "  annotations: {summary: \"{{ $labels.pod }} down\"}\n"
                             "spec:\n  replicas: 1\n",
        "k8s/broken.yaml": "a: \"{{ quoted }}\"\nb: [1, 2\n",
    })
    code, out, err = cli(capsys, "check", str(tmp_path), "--select", "parse-error,single-replica-workload")
    assert code == 1
    assert "k8s/alerting.yaml:7:13: warning [single-replica-workload]" in out
    assert "k8s/broken.yaml:2:9: error [parse-error]" in out
    assert "0 skipped" in out
    assert_no_exception_text(out, err)
