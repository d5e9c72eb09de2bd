"""File names that are not valid UTF-8, or hold control characters, are reported
(escaped) like any other, in every format: they made every format fail with exit 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from platform_lint.cli import main
from repo_helpers import make_repo

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
POD = (b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n"
       b"    - name: app\n      image: nginx:latest\n")
LATIN1 = b"caf\xe9.yaml"
SHOWN = "caf\\xe9.yaml"


def _write(root: Path, name: bytes, content: bytes) -> None:
    path = os.path.join(os.fsencode(root), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Error" not in err and "Traceback" not in err and "surrogate" not in out + err
    return code, out


@pytest.fixture(params=["walk", "git"])
def tree(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo") if request.param == "git" else tmp_path / "repo"
    _write(root, LATIN1, POD)
    _write(root, b"k8s/\xff\xfe/app.env", b"DB_PASSWORD=Xk9#mP2v!Lq7zR\n")
    _write(root, b"bin/\xe9.dat", b"\x00" * 16)  # skipped as binary, listed escaped
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return root


def test_text(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", "--format", "text", "--show-skipped")
    assert code == 1
    assert f"{SHOWN}:7:14: warning [image-tag-latest]" in out
    assert "k8s/\\xff\\xfe/app.env:1:" in out
    assert "skipped bin/\\xe9.dat: binary" in out


def test_json(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", "--format", "json")
    assert code == 1
    report = json.loads(out)
    jsonschema.Draft202012Validator(json.loads((SCHEMAS / "report.schema.json").read_text())).validate(report)
    paths = {f["path"] for f in report["findings"]}
    assert {SHOWN, "k8s/\\xff\\xfe/app.env"} <= paths
    assert [s["path"] for s in report["skipped"]] == ["bin/\\xe9.dat"]


def test_sarif(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    official = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.Draft4Validator(official, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(log)] == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert "caf%5Cxe9.yaml" in uris


def test_github(tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tree.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = run(capsys, "check", "--format", "github")
    assert code == 1
    assert f"::warning file={SHOWN},line=7," in out
    assert SHOWN in summary.read_text(encoding="utf-8")


def test_baseline(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tree.parent / "baseline.json"
    assert run(capsys, "baseline", "create", "-o", str(baseline))[0] == 0
    assert SHOWN in {f["path"] for f in json.loads(baseline.read_text(encoding="utf-8"))["findings"]}
    assert run(capsys, "check", "--baseline", str(baseline))[0] == 0


def test_named_on_the_command_line(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As pre-commit passes staged files: the name arrives as bytes on the command line."""
    code, out = run(capsys, "check", os.fsdecode(LATIN1), "--select", "image-tag-latest")
    assert code == 1
    assert f"{SHOWN}:7:14: warning [image-tag-latest]" in out


def test_control_characters_cannot_forge_output_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newline in a name would start a line of its own in text output."""
    _write(tmp_path, b"a\nb.yaml:1:1: error [fake] forged.yaml", POD)
    code, out = run(capsys, "check", str(tmp_path), "--select", "image-tag-latest")
    assert code == 1
    assert [line for line in out.splitlines() if "[image-tag-latest]" in line] == [
        f"{tmp_path}/a\\x0ab.yaml:1:1: error [fake] forged.yaml:7:14: warning [image-tag-latest] "
        "container 'app' image 'nginx:latest' uses the moving tag 'latest'; "
        "write nginx:<version>@sha256:<digest>"
    ]
    assert not any(line.startswith("b.yaml") for line in out.splitlines())


def test_a_root_whose_name_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"r\xe9po"))
    _write(Path(root), b"pod.yaml", POD)
    code, out = run(capsys, "check", root, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["root"].endswith("r\\xe9po")
    assert [f["path"] for f in report["findings"] if f["rule"] == "image-tag-latest"] == ["pod.yaml"]
