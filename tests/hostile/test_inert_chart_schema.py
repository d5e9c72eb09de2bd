"""A chart's values.schema.json is the scanned repository's: it can neither reach out
nor hang the scan, and one that cannot be used is a finding, never an exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bounded import cpu_seconds
from untrusted_repo import assert_no_exception_text, cli, listener

from repo_helpers import write

CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "chart/values.yaml": "name: " + "a" * 40 + "!\n",
    "chart/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name | quote }}\n"),
}


def _scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: object) -> tuple[int, str, str]:
    write(tmp_path, {**CHART, "chart/values.schema.json": json.dumps(schema)})
    return cli(capsys, "check", str(tmp_path), "--format", "json")


def test_a_remote_ref_in_a_chart_schema_connects_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with listener() as (address, seen):
        code, out, err = _scan(tmp_path, capsys, {"$ref": f"http://{address}/schema.json"})
    assert seen == []
    assert code == 1
    messages = [f["message"] for f in json.loads(out)["findings"]]
    assert any("values.schema.json cannot be used" in m for m in messages), messages
    assert_no_exception_text(out, err)


def test_a_backtracking_pattern_in_a_chart_schema_runs_in_linear_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    (code, out, err), seconds = cpu_seconds(lambda: _scan(tmp_path, capsys, schema))
    assert seconds < 5.0
    assert code == 1
    found = [(f["path"], f["line"]) for f in json.loads(out)["findings"]
             if "values.schema.json at name" in f["message"]]
    assert found == [("chart/values.yaml", 1)]
    assert_no_exception_text(out, err)
