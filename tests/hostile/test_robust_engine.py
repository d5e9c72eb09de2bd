"""One bad file never takes the scan down: wrongly typed values are data, and a
bug in a source or a check becomes an `internal-error` finding where it struck,
while the rest of the scan goes on.

The bugs here are injected (a check or a source made to raise), since the ones
found are fixed; the exception's text carries a marker that must never be shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from platform_lint.checks import CheckSpec
from platform_lint.checks import kubernetes as kubernetes_checks
from platform_lint.cli import main
from platform_lint.finding import Hit
from platform_lint.model import Obj
from platform_lint.sources import pipelines
from repo_helpers import write

MARKER = "ghp_ExceptionTextMustNeverBeShown0123456"
EXCEPTION_TEXT = ("Traceback", "TypeError", "KeyError", "RuntimeError", MARKER, "object is not")

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: app
      image: nginx:latest
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    for text in EXCEPTION_TEXT:
        assert text not in out + err
    return code, out


def lines_of(out: str, rule: str) -> list[str]:
    """`file:line` of each finding of `rule` in text output."""
    return [line.split(": ", 1)[0].rsplit(":", 1)[0].rsplit("/", 1)[-1]
            for line in out.splitlines() if f"[{rule}]" in line]


@pytest.mark.parametrize("value", ["5", "true", "1.5", "'text'", "{if: x}", "null"])
def test_wrongly_typed_gitlab_rules_are_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """`rules: 5` raised a TypeError and the scan exited 2 with no findings at all."""
    write(tmp_path, {
        ".gitlab-ci.yml": (
            "deploy:\n"
            "  stage: deploy\n"
            f"  rules: {value}\n"
            "  environment: production\n"
            "  script:\n"
            "    - kubectl apply -f k8s/\n"
        ),
        "k8s/pod.yaml": POD.format(name="web"),
    })
    code, out = run(capsys, "check", str(tmp_path))
    assert code == 1
    assert lines_of(out, "image-tag-latest") == ["pod.yaml:8"]
    assert lines_of(out, "internal-error") == []
    assert ".gitlab-ci.yml:" in out  # the job itself is still judged (its deploy is ungated, say)


@pytest.mark.parametrize("kind, value", [
    ("bitbucket-pipelines.yml", "pipelines:\n  default: 1\n"),
    ("bitbucket-pipelines.yml", "pipelines:\n  default:\n    - parallel: 3\n"),
    (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    steps: 7\n"),
    ("azure-pipelines.yml", "jobs:\n  - job: a\n    steps: yes\n"),
    (".circleci/config.yml", "jobs:\n  a:\n    docker: 1\n    steps: 2\n"),
    ("k8s/kustomization.yaml", "patchesStrategicMerge: true\n"),
    # Found by the long property run (bench/hostile/README.md):
    ("infra/main.tf.json", '{"terraform": true}\n'),
    ("k8s/secret.yaml", 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  a.jks: "\\x80"\n'),
    ("k8s/pdb.yaml", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n"
                     "  selector:\n    matchExpressions:\n      - {key: app, operator: In, values: 5}\n"),
    ("monitoring/alertmanager.yaml", "route:\n  receiver: a\n  matchers: 5\nreceivers: [{name: a}]\n"),
])
def test_wrongly_typed_values_are_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, value: str
) -> None:
    write(tmp_path, {kind: value, "k8s/pod.yaml": POD.format(name="web")})
    code, out = run(capsys, "check", str(tmp_path))
    assert code == 1
    assert lines_of(out, "image-tag-latest") == ["pod.yaml:8"]
    assert lines_of(out, "internal-error") == []


def _raising_on(name: str, check: CheckSpec) -> CheckSpec:
    def fn(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
        if obj.name == name:
            yield Hit(obj, "a hit made before the failure is dropped with it")
            raise RuntimeError(f"boom {MARKER}")
        yield from check.fn(obj, params)

    return CheckSpec(check.name, fn, check.over, check.params_schema)


def test_a_check_failing_on_one_object_is_a_finding_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kubernetes_checks.CHECKS["image-tag-latest"]
    monkeypatch.setitem(kubernetes_checks.CHECKS, "image-tag-latest", _raising_on("bad", real))
    write(tmp_path, {"k8s/pods.yaml": POD.format(name="good") + "---\n" + POD.format(name="bad")})
    code, out = run(capsys, "check", str(tmp_path))
    assert code == 1
    # The object it failed on: its first line (the second document starts at line 10).
    assert lines_of(out, "internal-error") == ["pods.yaml:10"]
    assert "rule image-tag-latest failed on Pod bad" in out
    assert lines_of(out, "image-tag-latest") == ["pods.yaml:8"]  # the other object
    # other rules still judge the object (its `:latest` image is image-tag-latest's alone)
    assert "pods.yaml:16" in " ".join(lines_of(out, "missing-liveness-probe"))


def test_without_the_internal_error_rule_a_failure_is_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switched off (`--ignore internal-error`), the failure is still not silent: exit code 2."""
    real = kubernetes_checks.CHECKS["image-tag-latest"]
    monkeypatch.setitem(kubernetes_checks.CHECKS, "image-tag-latest", _raising_on("bad", real))
    write(tmp_path, {"k8s/pods.yaml": POD.format(name="bad")})
    code, out = run(capsys, "check", str(tmp_path), "--ignore", "internal-error")
    assert code == 2
    assert "internal error: k8s/pods.yaml: internal error in platform-lint: rule image-tag-latest" in out
    assert lines_of(out, "missing-liveness-probe") == ["pods.yaml:7"]


def test_a_source_failing_on_one_file_is_a_finding_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: str, data: dict[str, Any]) -> Any:
        raise KeyError(MARKER)

    monkeypatch.setitem(pipelines._BUILDERS, "github-actions", broken)
    write(tmp_path, {
        ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    env:\n      DB_PASSWORD: Xk9#mP2v!Lq7zR\n",
        "k8s/pod.yaml": POD.format(name="web"),
    })
    code, out = run(capsys, "check", str(tmp_path), "--format", "text")
    assert code == 1
    assert lines_of(out, "internal-error") == ["ci.yml:1"]
    assert "reading this file failed" in out
    assert lines_of(out, "image-tag-latest") == ["pod.yaml:8"]
    # Its text is still read: the secret rules that read lines find the password.
    assert any(line.startswith("ci.yml:5") for rule in ("hardcoded-secret-assignment",
                                                        "hardcoded-secret-in-pipeline")
               for line in lines_of(out, rule))
    assert "Xk9#mP2v" not in out


def test_a_failure_outside_any_file_exits_two_without_its_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last guard, around the whole command (here a reporter that fails)."""
    from platform_lint.report import text_report

    def broken(*args: Any) -> str:
        raise RuntimeError(f"boom {MARKER}")

    monkeypatch.setattr(text_report, "render", broken)
    write(tmp_path, {"k8s/pod.yaml": POD.format(name="web")})
    code = main(["check", str(tmp_path), "--format", "text"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err == "platform-lint: internal error (RuntimeError), a bug in platform-lint: please report it\n"
    assert MARKER not in out + err
