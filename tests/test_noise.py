"""Noise: test/example/docs contexts hidden and counted, --group-by, copies grouped,
terminal layout. Fixtures in fixtures/noise/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from platform_lint.cli import main
from platform_lint.finding import Finding, Severity
from platform_lint.model import Span
from platform_lint.report import ReportContext
from platform_lint.report.text_report import fit, render
from platform_lint.resources import schema
from platform_lint.rules import load_rules
from platform_lint.scan_result import ScanResult
from platform_lint.validation import schema_errors
from repo_helpers import write

NOISE = Path(__file__).resolve().parents[1] / "fixtures" / "noise"
RECREATE = ("--select", "recreate-deploy-strategy")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    _, out = run(capsys, "check", *args, "--format", "json", "--no-cache")
    data: dict[str, Any] = json.loads(out)
    assert list(schema_errors(data, schema("report"))) == []
    return data


def _paths(entries: object) -> list[str]:
    assert isinstance(entries, list)
    return sorted(e["path"] for e in entries)


def test_findings_in_tests_examples_and_docs_are_hidden_and_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = report(capsys, str(NOISE / "contexts"), *RECREATE)
    assert _paths(data["findings"]) == ["k8s/web.yaml"]
    assert data["summary"]["hidden"] == 3
    hidden = data["hidden"]
    assert isinstance(hidden, list)
    assert sorted((h["path"], h["context"]) for h in hidden) == [
        ("docs/guide/web.yaml", "docs"), ("examples/minimal/web.yaml", "examples"),
        ("tests/e2e/web.yaml", "tests")]


def test_include_examples_reports_them_all(capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, str(NOISE / "contexts"), *RECREATE, "--include-examples")
    assert _paths(data["findings"]) == ["docs/guide/web.yaml", "examples/minimal/web.yaml",
                                        "k8s/web.yaml", "tests/e2e/web.yaml"]
    assert data["summary"]["hidden"] == 0


def test_text_summary_counts_what_was_hidden(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", str(NOISE / "contexts"), *RECREATE, "--no-cache")
    assert code == 1
    assert "3 hidden in test/example contexts (1 docs, 1 examples, 1 tests; --include-examples" in out
    assert "tests/e2e/web.yaml" not in out


def test_config_contexts_replace_a_class_and_add_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(NOISE / "contexts", tmp_path / "repo")
    shutil.copy(NOISE / "contexts" / "k8s" / "web.yaml", tmp_path / "repo" / "k8s" / "demo.yaml")
    write(tmp_path / "repo", {".platform-lint.yaml": "contexts:\n  docs: []\n  demo: ['k8s/demo.yaml']\n"})
    data = report(capsys, str(tmp_path / "repo"), *RECREATE)
    assert _paths(data["findings"]) == ["docs/guide/web.yaml", "k8s/web.yaml"]
    assert sorted(h["context"] for h in data["hidden"]) == ["demo", "examples", "tests"]


def test_charters_under_docs_are_never_hidden(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"docs/charters/platform.md": "# Platform charter\n\nWe run things.\n"})
    data = report(capsys, str(tmp_path), "--select", "charter-missing-owner")
    assert _paths(data["findings"]) == ["docs/charters/platform.md"]


def test_a_bad_context_pattern_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {".platform-lint.yaml": "contexts:\n  tests: ['!']\n", "a.yaml": "a: 1\n"})
    code = main(["check", str(tmp_path)])
    assert code == 2
    assert "contexts.tests.0" in capsys.readouterr().err


def test_group_by_rule_and_by_file_with_counts(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "check", str(NOISE / "contexts"), "--include-examples", "--group-by", "rule",
                 "--select", "recreate-deploy-strategy,image-without-tag", "--no-cache")
    lines = out.splitlines()
    assert lines[0].startswith("[recreate-deploy-strategy] ")
    assert lines[0].endswith(": 4 errors in 4 files")
    entries = [ln for ln in lines if ln.startswith("  ") and ":7:5: strategy.type" in ln]
    assert len(entries) == 1 and "and 3 more copies" in entries[0]  # the four files are identical
    _, out = run(capsys, "check", str(NOISE / "contexts"), "--group-by", "file", *RECREATE, "--no-cache")
    lines = out.splitlines()
    assert lines[0].endswith("k8s/web.yaml: 1 error")
    assert lines[1].startswith("  7:5: error [recreate-deploy-strategy] ")


def test_identical_findings_in_copies_of_a_file_are_printed_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out = run(capsys, "check", str(NOISE / "copies"), *RECREATE, "--no-cache")
    lines = [ln for ln in out.splitlines() if "[recreate-deploy-strategy]" in ln]
    # team-a, team-b and team-c hold the same web.yaml; team-c/api.yaml differs
    assert len(lines) == 2
    web = next(ln for ln in lines if "team-a/web.yaml" in ln)
    assert web.endswith("(and 2 more copies: fixtures/noise/copies/team-b/web.yaml, "
                        "fixtures/noise/copies/team-c/web.yaml)")
    assert "2 errors" not in out and "4 errors" in out  # the summary still counts every finding
    data = report(capsys, str(NOISE / "copies"), *RECREATE)
    assert len(data["findings"]) == 4


def _finding(message: str, path: str = "k8s/web.yaml") -> Finding:
    return Finding("recreate-deploy-strategy", Severity.ERROR, path, Span(7, 5, 7, 13), message, "f")


def test_on_a_terminal_the_message_fits_and_the_fix_follows() -> None:
    rules = load_rules()
    message = ("strategy.type: Recreate stops every old pod before any new one starts, a big-bang "
               "rollout with downtime; use strategy.type: RollingUpdate with maxUnavailable: 25%")
    result = ScanResult(root=".", findings=[_finding(message)])
    lines = render(result, ReportContext(rules=rules, width=80)).splitlines()
    assert len(lines[0]) <= 80 and lines[0].endswith("…")
    assert lines[0].startswith("k8s/web.yaml:7:5: error [recreate-deploy-strategy] strategy.type: Recreate")
    assert lines[1].startswith("    fix: ") and len(lines[1]) <= 80
    piped = render(result, ReportContext(rules=rules)).splitlines()
    assert piped[0].endswith(message) and piped[1].startswith("1 error")


def test_fit_cuts_at_a_clause() -> None:
    assert fit("short", 20) == "short"
    assert fit("first part; second part that is long", 20) == "first part…"
    assert fit("a: b then many more words follow here", 20) == "a: b then many more…"
    assert len(fit("x" * 50, 20)) == 20


def test_a_helm_test_hook_is_a_test_where_its_values_are_set(capsys: pytest.CaptureFixture[str]) -> None:
    """The finding is moved to the values line; the template that wrote the object is under tests/."""
    chart = str(NOISE / "helm-test-hook")
    data = report(capsys, chart, "--select", "image-tag-latest")
    assert [(f["path"], f["line"]) for f in data["findings"]] == [("values.yaml", 1)]
    assert [(h["path"], h["line"], h["context"]) for h in data["hidden"]] == [("values.yaml", 2, "tests")]
    data = report(capsys, chart, "--select", "image-tag-latest", "--include-examples")
    assert [(f["path"], f["line"]) for f in data["findings"]] == [("values.yaml", 1), ("values.yaml", 2)]


def _base_built_by(repo: Path, overlays: list[str]) -> None:
    web = (NOISE / "contexts" / "k8s" / "web.yaml").read_text()
    files = {"base/web.yaml": web, "base/kustomization.yaml": "resources:\n- web.yaml\n"}
    for overlay in overlays:
        up = "../" * overlay.count("/") + "../base"
        files[f"{overlay}/kustomization.yaml"] = f"resources:\n- {up}\n"
    write(repo, files)


def test_a_base_built_by_a_real_and_a_test_overlay_is_shown_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    _base_built_by(tmp_path, ["deploy", "tests/smoke"])
    data = report(capsys, str(tmp_path), *RECREATE)
    assert [(f["path"], f["line"]) for f in data["findings"]] == [("base/web.yaml", 7)]
    related = data["findings"][0]["properties"]["relatedLocations"]
    assert sorted(r["path"] for r in related) == ["deploy/kustomization.yaml",
                                                  "tests/smoke/kustomization.yaml"]
    assert data["summary"]["hidden"] == 0


def test_a_base_only_test_overlays_build_is_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    _base_built_by(tmp_path, ["tests/smoke", "tests/e2e"])
    data = report(capsys, str(tmp_path), *RECREATE)
    assert data["findings"] == []
    assert [(h["path"], h["context"]) for h in data["hidden"]] == [("base/web.yaml", "tests")]
