"""The github, json and sarif reporters, through the real CLI on small repositories."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import CORPUS
from platform_lint.cli import main
from platform_lint.finding import Finding, Severity
from platform_lint.model import Span
from platform_lint.report import ReportContext, render
from platform_lint.report.github_report import (
    MAX_PER_LEVEL,
    SUMMARY_LIMIT,
    annotation,
    escape_data,
    escape_property,
    step_summary,
)
from platform_lint.run import Run
from platform_lint.scan_result import ScanResult
from repo_helpers import DEPLOYMENT, write

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
# Rules whose behaviour is settled; other rule packs may still be in progress.
STABLE = "parse-error,invalid-suppression,recreate-deploy-strategy"
WEIRD = "k8s/we,ird:50%.yaml"

SUPPRESSED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
spec:
  strategy:
    # platform-lint: ignore[recreate-deploy-strategy] the batch job tolerates downtime
    type: Recreate
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast  # platform-lint: ignore[recreate-deploy-strategy]
"""

FILES = {
    "k8s/web.yaml": DEPLOYMENT,
    "k8s/batch.yaml": SUPPRESSED,
    "k8s/settings.yaml": CONFIGMAP,
    WEIRD: "items: [1, 2\nnext: 3\n",
}


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", ".", "--select", STABLE, *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, FILES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


def unescape(text: str) -> str:
    """What the Actions runner does to a command's message and properties."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


_COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def parse_annotations(out: str) -> list[tuple[str, dict[str, str], str]]:
    """Parse the workflow commands as the runner does: split on `,` then on `=`."""
    found = []
    for line in out.splitlines():
        if line.startswith("::stop-commands::"):
            break
        match = _COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in (match["props"] or "").split(",") if p)
        found.append((match["level"], {k: unescape(v) for k, v in props.items()},
                      unescape(match["message"])))
    return found


# --- JSON ---------------------------------------------------------------------------------------


def test_json_output_validates_against_report_schema(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(capsys, "--format", "json")
    assert code == 1
    report = json.loads(out)
    validator = jsonschema.Draft202012Validator(schema("report.schema.json"))
    assert list(validator.iter_errors(report)) == []
    assert report["summary"]["suppressed"] == 1 and report["suppressed"][0]["suppressed_by"] == "inline"
    assert report["summary"]["files_unparseable"] == 1
    assert {f["rule"] for f in report["findings"]} == set(STABLE.split(","))
    report["findings"][0]["undocumented"] = True
    assert list(validator.iter_errors(report)), "the schema must reject fields it does not document"


# --- SARIF --------------------------------------------------------------------------------------


def test_sarif_validates_against_official_schema(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    official = schema("sarif-schema-2.1.0.json")
    assert official["$schema"] == "http://json-schema.org/draft-04/schema#"
    validator = jsonschema.Draft4Validator(official, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(log)] == []


def test_sarif_rules_results_and_suppressions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = check(capsys, "--format", "sarif")
    run = json.loads(out)["runs"][0]
    _, plain = check(capsys, "--format", "json")
    report = json.loads(plain)

    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == report["rules"]
    for rule in rules:
        assert rule["helpUri"] == f"https://platform-lint.dev/docs/rules/{rule['id']}.md"
        assert rule["help"]["markdown"].startswith(f"# {rule['id']}: ")
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert rule["properties"]["tags"] == [rule["properties"]["category"]]

    results = run["results"]
    assert len(results) == len(report["findings"]) + len(report["suppressed"])
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"

    def region(result: dict[str, Any]) -> tuple[str, int, int, int, int]:
        loc = result["locations"][0]["physicalLocation"]
        r = loc["region"]
        return loc["artifactLocation"]["uri"], r["startLine"], r["startColumn"], r["endLine"], r["endColumn"]

    by_rule = {r["ruleId"]: r for r in results if "suppressions" not in r}
    recreate = report["findings"][[f["rule"] for f in report["findings"]].index("recreate-deploy-strategy")]
    assert region(by_rule["recreate-deploy-strategy"]) == (
        "k8s/web.yaml", recreate["line"], recreate["column"], recreate["end_line"], recreate["end_column"]
    )
    assert region(by_rule["parse-error"])[0] == "k8s/we%2Cird%3A50%25.yaml"
    assert by_rule["parse-error"]["level"] == "error"

    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert region(suppressed[0])[:2] == ("k8s/batch.yaml", 8)
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["properties"]["filesUnparseable"] == 1


def test_partial_fingerprints_survive_inserted_lines(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def fingerprints() -> dict[tuple[str, str], tuple[int, str]]:
        _, out = check(capsys, "--format", "sarif")
        return {
            (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["partialFingerprints"]["platformLint/v1"],
            )
            for r in json.loads(out)["runs"][0]["results"]
        }

    before = fingerprints()
    for name in ("k8s/web.yaml", WEIRD, "k8s/settings.yaml"):
        path = repo / name
        path.write_text("# a header\n# added later\n\n" + path.read_text())
    after = fingerprints()
    assert before.keys() == after.keys() and len(before) >= 4
    for key, (line, fingerprint) in before.items():
        moved_line, moved_fingerprint = after[key]
        assert moved_fingerprint == fingerprint, key
        if key[1] != "k8s/batch.yaml":
            assert moved_line == line + 3, key


# --- GitHub -------------------------------------------------------------------------------------


def test_escaping_of_messages_and_properties() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("we,ird:50%.yaml\n") == "we%2Cird%3A50%25.yaml%0A"
    for text in ("a%0Ab", "%25", "x:y,z\r\n%"):
        assert unescape(escape_property(text)) == text


def test_github_annotations_escape_file_names_and_messages(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(capsys, "--format", "github")
    assert code == 1
    assert "file=k8s/we%2Cird%3A50%25.yaml," in out
    found = parse_annotations(out)
    files = {props["file"] for _, props, _ in found}
    assert files == {"k8s/web.yaml", WEIRD, "k8s/settings.yaml"}
    level, props, message = next(a for a in found if a[1]["file"] == "k8s/web.yaml")
    assert level == "error" and props["title"].startswith("recreate-deploy-strategy: ")
    assert "maxUnavailable: 25%" in message and "25%25" in out  # `%` escaped on the wire
    # Recreate's `type` key is columns 5-8 (our end column 9 is exclusive; GitHub's is inclusive).
    assert (props["line"], props["endLine"], props["col"], props["endColumn"]) == ("7", "7", "5", "8")
    # After the annotations, the text report for the log, with commands switched off.
    token = out.split("::stop-commands::", 1)[1].split("\n", 1)[0]
    assert out.endswith(f"::{token}::\n")
    assert "k8s/web.yaml:7:5: error [recreate-deploy-strategy]" in out


def _finding(span: Span) -> Finding:
    return Finding("parse-error", Severity.ERROR, "a.yaml", span, "boom", "f" * 32)


def test_github_columns_only_on_one_line() -> None:
    ctx = ReportContext(rules={})
    one_char = annotation(_finding(Span(3, 4, 3, 5)), ctx)
    assert "line=3,endLine=3,col=4,endColumn=4," in one_char
    to_end_of_line = annotation(_finding(Span(3, 4, 4, 1)), ctx)  # ends before line 4 starts
    assert "line=3,endLine=3,col=4,title" in to_end_of_line
    several_lines = annotation(_finding(Span(3, 4, 6, 2)), ctx)
    assert "line=3,endLine=6,title" in several_lines


def test_github_caps_annotations_per_level(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tmp_path = tmp_path_factory.mktemp("many")
    summary = tmp_path_factory.mktemp("step") / "summary.md"
    files = {f"broken/b{i:02}.yaml": "key: [unclosed\n" for i in range(12)}  # 12 errors
    files.update({f"cm/c{i:02}.yaml": CONFIGMAP for i in range(13)})  # 13 warnings
    files.update({f"deploy/d{i:02}.yaml": DEPLOYMENT for i in range(14)})  # 14 notes, by config
    files[".platform-lint.yaml"] = "rules:\n  recreate-deploy-strategy: {severity: note}\n"
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _, out = check(capsys, "--format", "github")

    found = parse_annotations(out)
    levels = [level for level, _, _ in found]
    assert levels == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 10
    _, props, message = found[-1]
    # 2 errors, 3 warnings and 5 notes (9 notice slots are left for findings) are not annotated.
    assert props == {"title": "platform-lint"}
    assert message.startswith("10 more findings are not annotated") and "step summary" in message
    assert MAX_PER_LEVEL == 10
    # The log still has every finding.
    assert len(re.findall(r"^\S+:\d+:\d+: (?:error|warning|note) \[", out, re.M)) == 12 + 13 + 14
    assert len(re.findall(r"^\| `", summary.read_text(), re.M)) == 12 + 13 + 14


def test_step_summary_is_appended(
    repo: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path_factory.mktemp("step") / "summary.md"
    summary.write_text("# earlier step output\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    check(capsys, "--format", "github")
    check(capsys, "--format", "github")
    text = summary.read_text()
    assert text.startswith("# earlier step output\n\n## platform-lint\n")
    assert text.count("## platform-lint") == 2
    first = text.split("## platform-lint")[1]
    assert "| 2 | 1 | 0 | 1 | 0 | 4 | 1 | 0 |" in first  # errors warnings notes suppressed hidden files ...
    assert "| `k8s/web.yaml:7` | `recreate-deploy-strategy` | error |" in first
    assert f"| `{WEIRD}:2` | `parse-error` | error |" in first
    # `<why this is safe>` would vanish as an HTML tag if it were not inside code or escaped.
    assert "`platform-lint: ignore[recreate-deploy-strategy] <why this is safe>`" in first


def test_step_summary_stays_under_its_budget() -> None:
    findings = [
        Finding("parse-error", Severity.ERROR, f"dir/file{i:05}.yaml", Span(i + 1, 1, i + 1, 2),
                "x" * 300 + " | <tag> `code`", f"{i:032}")
        for i in range(5000)
    ]
    result = ScanResult(root=".", findings=findings, files_scanned=5000)
    text = step_summary(result, ReportContext(rules={}))
    assert len(text.encode()) <= SUMMARY_LIMIT
    rows = len(re.findall(r"^\| `dir/", text, re.M))
    assert 1000 < rows < 5000
    left = 5000 - rows
    assert text.endswith(f"\n{left} more finding(s) did not fit in the 1 MiB summary; the log lists all.\n")
    assert step_summary(result, ReportContext(rules={}), budget=100) == ""


def test_internal_errors_are_reported_in_github_and_sarif() -> None:
    result = ScanResult(root=".", errors=["rule x failed: KeyError: 'spec'"], rules=["x"])
    ctx = ReportContext(rules={})
    github = render("github", result, ctx)
    assert github.startswith("::error::internal error: rule x failed: KeyError: 'spec'\n")
    log = json.loads(render("sarif", result, ctx))
    run = log["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"
    assert run["tool"]["driver"]["rules"] == [
        {"id": "x", "name": "X"}  # no page is published for a rule the context does not know
    ]
    validator = jsonschema.Draft4Validator(schema("sarif-schema-2.1.0.json"))
    assert list(validator.iter_errors(log)) == []


# --- every format ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
def test_same_input_gives_byte_identical_output(
    repo: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    _, first = check(capsys, "--format", fmt)
    _, second = check(capsys, "--format", fmt)
    assert first == second and first


# --- real repositories ----------------------------------------------------------------------------

CORPUS_REPOS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("name", CORPUS_REPOS)
def test_every_format_is_valid_on_corpus(
    name: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One scan of each real repository, rendered in every format and validated."""
    monkeypatch.chdir(corpus / name)
    run = Run.prepare((Path("."), None), None, (), (), None)
    result = run.scan()
    ctx = ReportContext(rules=run.all_rules, display=run.display)
    sarif = json.loads(render("sarif", result, ctx))
    official = jsonschema.Draft4Validator(schema("sarif-schema-2.1.0.json"))
    assert [e.message for e in official.iter_errors(sarif)] == []
    assert len(sarif["runs"][0]["results"]) == len(result.findings) + len(result.suppressed)
    report = json.loads(render("json", result, ctx))
    assert list(jsonschema.Draft202012Validator(schema("report.schema.json")).iter_errors(report)) == []
    found = parse_annotations(render("github", result, ctx))
    assert len(found) <= 3 * MAX_PER_LEVEL
