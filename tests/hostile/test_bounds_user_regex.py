"""Regexes written by a rule's author run in linear time (RE2), and patterns RE2
cannot run are refused when the rule file is loaded.

Under Python's backtracking `re`, `^(a+)+$` against forty `a`s and a `!` took
longer than 90 seconds; each test here allows a few CPU seconds for a whole scan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import MB, assert_no_exception_text, check, cpu_seconds

from platform_lint.validation import schema_errors
from repo_helpers import write

EVIL = "^(a+)+$"
VICTIM = "a" * 40 + "!"

RULE = """id: {id}
title: Config values are plain
severity: warning
category: pipeline-hygiene
scope:
  documents: [kubernetes]
  kinds: [ConfigMap]
schema:
{schema}
message: "{{path}}: {{error}}"
docs:
  summary: s
  why: w
  fix: f
  bad: "a: b"
  good: "a: b"
"""

CONFIG_MAP = f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: web}}
data:
  mode: "{VICTIM}"
  {VICTIM}: x
"""


def scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], rule_id: str, schema: str) -> tuple[int, str]:
    write(tmp_path, {
        ".platform-lint.yaml": f"rule_dirs: [policies]\nselect: [{rule_id}]\n",
        f"policies/{rule_id}.yaml": RULE.format(id=rule_id, schema=schema),
        "k8s/cm.yaml": CONFIG_MAP,
    })
    code, out, cost = check(capsys, tmp_path)
    assert_no_exception_text(out)
    assert cost.cpu_seconds < 5 and cost.peak_bytes < 200 * MB
    return code, out


def test_an_exponential_pattern_runs_in_linear_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = f"  properties:\n    data:\n      properties:\n        mode: {{pattern: '{EVIL}'}}"
    code, out = scan(tmp_path, capsys, "plain-config-value", schema)
    assert code == 1
    assert "k8s/cm.yaml:5:3: warning [plain-config-value] data.mode:" in out


def test_an_exponential_pattern_property_runs_in_linear_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = (f"  properties:\n    data:\n      patternProperties:\n        '{EVIL}': {{const: y}}\n"
              "        '^mode$': {type: string}\n      additionalProperties: false")
    code, out = scan(tmp_path, capsys, "plain-config-key", schema)
    assert code == 1
    # The key does not match the evil pattern, so it is an additional property: reported on `data`.
    assert "k8s/cm.yaml:4:1: warning [plain-config-key] data:" in out
    assert "does not match any of the regexes" in out


@pytest.mark.parametrize("pattern", ["^(?=a)b$", "^(a)\\1$"])  # lookahead, backreference
def test_a_pattern_that_cannot_run_in_linear_time_is_refused_with_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pattern: str
) -> None:
    schema = f"  properties:\n    data:\n      properties:\n        mode: {{pattern: '{pattern}'}}"
    code, out = scan(tmp_path, capsys, "lookaround-config", schema)
    assert code == 2
    assert "policies/lookaround-config.yaml:12:" in out
    assert "schema.properties.data.properties.mode.pattern:" in out and "linear time" in out


def test_unevaluated_properties_beside_pattern_properties_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = ("  properties:\n    data:\n      patternProperties: {'^m': true}\n"
              "      unevaluatedProperties: false")
    code, out = scan(tmp_path, capsys, "unevaluated-config", schema)
    assert code == 2
    assert "data.unevaluatedProperties: not supported together with patternProperties" in out


def test_the_validator_itself_is_linear_on_long_inputs() -> None:
    schema = {"type": "object", "patternProperties": {EVIL: {"pattern": EVIL}}, "additionalProperties": False}
    instance = {"a" * 5000 + "!": "x", "a" * 5000: "a" * 100_000 + "!"}
    errors, seconds = cpu_seconds(lambda: list(schema_errors(instance, schema)))
    assert len(errors) == 2 and seconds < 2
