"""The command line end to end: exit codes, config errors, suppression, baseline, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint.cli import main
from repo_helpers import DEPLOYMENT, write


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_repository_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    code, out, _ = run(capsys, "check", str(tmp_path), "--select", "recreate-deploy-strategy")
    assert code == 0
    assert "0 errors, 0 warnings, 0 notes" in out


def test_findings_exit_one_with_exact_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"k8s/web.yaml": DEPLOYMENT})
    code, out, _ = run(capsys, "check", str(tmp_path), "--select", "recreate-deploy-strategy")
    assert code == 1
    assert "web.yaml:7:5: error [recreate-deploy-strategy]" in out


def test_exit_zero_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"k8s/web.yaml": DEPLOYMENT})
    code, _, _ = run(capsys, "check", str(tmp_path), "--select", "recreate-deploy-strategy",
                     "--exit-zero")
    assert code == 0


def test_invalid_config_names_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".platform-lint.yaml": "select: [secrets]\nfail_on: sometimes\n"})
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert ".platform-lint.yaml:2:1: fail_on:" in err
    assert "Traceback" not in out + err


def test_unknown_rule_in_select_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", str(tmp_path), "--select", "no-such-rule")
    assert code == 2
    assert "no-such-rule" in err


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "does/not/exist.yaml", "other.yaml")
    assert code == 2
    assert "no such file" in err


def test_inline_and_annotation_suppressions_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {
        "k8s/a.yaml": DEPLOYMENT.replace(
            "type: Recreate", "type: Recreate  # platform-lint: ignore[recreate-deploy-strategy] "
            "singleton by design"),
        "k8s/b.yaml": DEPLOYMENT.replace(
            "  name: web\n", "  name: web\n  annotations:\n    platform-lint.io/ignore: "
            "\"recreate-deploy-strategy=holds an exclusive lock\"\n"),
        "k8s/c.yaml": DEPLOYMENT.replace(
            "    type: Recreate", "    # platform-lint: ignore[recreate-deploy-strategy]\n"
            "    type: Recreate"),
    })
    code, out, _ = run(capsys, "check", str(tmp_path), "--format", "json",
                       "--select", "recreate-deploy-strategy,invalid-suppression")
    report = json.loads(out)
    assert report["summary"]["suppressed"] == 2
    assert sorted((f["path"], f["rule"]) for f in report["findings"]) == [
        ("k8s/c.yaml", "invalid-suppression"),
        ("k8s/c.yaml", "recreate-deploy-strategy"),  # no reason given: not suppressed
    ]
    assert code == 1


def test_config_exemption_with_future_expiry_suppresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {
        "k8s/web.yaml": DEPLOYMENT,
        ".platform-lint.yaml": "exemptions:\n  - rule: recreate-deploy-strategy\n"
                               "    paths: [k8s/]\n    reason: migration in progress\n"
                               "    expires: 2999-01-01\n",
    })
    code, out, _ = run(capsys, "check", str(tmp_path), "--select", "recreate-deploy-strategy")
    assert code == 0
    assert "1 suppressed" in out


def test_baseline_accepts_existing_findings_and_survives_line_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, baseline = tmp_path / "repo", tmp_path / "baseline.json"
    write(repo, {"k8s/web.yaml": DEPLOYMENT})
    code, _, _ = run(capsys, "baseline", "create", str(repo), "-o", str(baseline),
                     )
    assert code == 0
    text = baseline.read_text()
    assert '"line"' not in text
    write(repo, {"k8s/web.yaml": "# moved down\n\n" + DEPLOYMENT})
    code, out, _ = run(capsys, "check", str(repo), "--baseline", str(baseline),
                       "--select", "recreate-deploy-strategy")
    assert code == 0, out
    write(repo, {"k8s/copy.yaml": DEPLOYMENT})
    code, out, _ = run(capsys, "check", str(repo), "--baseline", str(baseline),
                       "--select", "recreate-deploy-strategy")
    assert code == 1
    assert "copy.yaml:7:5" in out


def test_same_input_gives_byte_identical_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"k8s/web.yaml": DEPLOYMENT, "k8s/bad.yaml": "a: [1\n"})
    outputs = {run(capsys, "check", str(tmp_path), "--format", fmt)[1]
               for fmt in ("json", "json")}
    assert len(outputs) == 1


def test_rules_lists_every_rule_and_explain_shows_docs(capsys: pytest.CaptureFixture[str]) -> None:
    from platform_lint.rules import load_rules

    code, out, _ = run(capsys, "rules")
    assert code == 0
    listed = {line.split()[0] for line in out.splitlines()}
    assert listed == set(load_rules())
    code, out, _ = run(capsys, "explain", "parse-error")
    assert code == 0
    assert "## Why it matters" in out


def test_helm_templates_and_kustomize_files_are_skipped_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                           "metadata:\n  name: {{ .Release.Name }}\n",
        "overlay/kustomization.yaml": "resources: [../base]\npatches:\n  - path: replicas.yaml\n",
        "overlay/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                                 "spec: {replicas: 5}\n",
        "logo.png": "\x89PNG\r\n\x1a\n\x00\x00",
    })
    _, out, _ = run(capsys, "check", str(tmp_path), "--show-skipped")
    assert f"skipped {tmp_path.resolve()}/chart/templates/deployment.yaml: helm-template" in out
    assert "kustomize patch" in out
    assert "binary" in out
    assert "Traceback" not in out


def test_step_summary_lists_other_teams_a_change_touches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures/rules/cross-team-edit/bad"
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, _ = run(capsys, "check", str(fixture), "--format", "github",
                     "--changed-files", str(fixture / "CHANGE"), "--team", "Platform Engineering Team",
                     "--select", "cross-team-edit")
    assert code == 1
    text = summary.read_text()
    assert "Other teams whose surfaces this change touches:" in text
    assert "Payments" in text


def test_skipped_helm_template_is_still_scanned_for_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "ghp_" + "4ZbQx9Lm2Vt7Kp1Rw8Ys3Hn6Jd0Fc5Ga2Ue9"
    write(tmp_path, {"chart/templates/secret.yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\n"
        f"stringData:\n  token: {token}\n")})
    code, out, _ = run(capsys, "check", str(tmp_path), "--select", "secrets")
    assert code == 1
    assert "secret.yaml:6:10: error [hardcoded-provider-token]" in out
    assert "1 skipped" in out
    assert token[4:] not in out


USER_SCHEMA_RULE = """id: container-without-security-context
title: Container without runAsNonRoot
severity: warning
category: resilience
scope:
  documents: [kubernetes]
  kinds: [Deployment]
schema:
  properties:
    spec:
      properties:
        template:
          properties:
            spec:
              properties:
                containers:
                  items:
                    required: [securityContext]
                    properties:
                      securityContext:
                        required: [runAsNonRoot]
                        properties:
                          runAsNonRoot: {const: true}
message: "{path}: {error}"
docs:
  summary: Containers must run as non-root.
  why: Root in a container is root on a kernel shared with other tenants.
  fix: Set securityContext.runAsNonRoot to true.
  bad: "securityContext: {runAsNonRoot: false}"
  good: "securityContext: {runAsNonRoot: true}"
"""


def test_user_json_schema_rule_reports_the_deepest_failing_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {
        "policies/container-without-security-context.yaml": USER_SCHEMA_RULE,
        ".platform-lint.yaml": "rule_dirs: [policies]\nselect: [container-without-security-context]\n",
        "k8s/web.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: ok\n          securityContext:\n"
            "            runAsNonRoot: true\n        - name: wrong\n          securityContext:\n"
            "            runAsNonRoot: false\n        - name: missing\n          image: web:1\n"),
    })
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 1
    lines = [line for line in out.splitlines() if "[container-without-security-context]" in line]
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path.resolve()}/k8s/web.yaml:13:13: warning")
    assert "spec.template.spec.containers.1.securityContext.runAsNonRoot" in lines[0]
    assert lines[1].startswith(f"{tmp_path.resolve()}/k8s/web.yaml:14:11: warning")


def test_rule_file_naming_code_outside_the_package_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = USER_SCHEMA_RULE.replace("schema:\n", "check: os.system\nparams: {}\nunused:\n", 1)
    rule = rule.split("unused:\n")[0] + "message" + rule.split("message", 1)[1]
    write(tmp_path, {"policies/evil.yaml": rule,
                     ".platform-lint.yaml": "rule_dirs: [policies]\n"})
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert "policies/evil.yaml" in err


def test_hostile_files_become_findings_or_skips_never_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nesting past the parsers' limits (ruamel's C composer used to crash the
    process on 50,000 '['), and symlinks that loop or lead nowhere."""
    write(
        tmp_path,
        {
            "flow.yaml": "a: " + "[" * 500 + "]" * 500 + "\n",
            "crash.yaml": "[" * 50_000 + "\n",
            "block.yaml": "".join("  " * i + f"k{i}:\n" for i in range(600)),
            "deep.tf": "locals {\n  a = " + "[" * 250 + "]" * 250 + "\n}\n",
            "app.env": "DB_PASSWORD=Xk9#mP2v!Lq7zR\n",
        },
    )
    (tmp_path / "loop-a").symlink_to("loop-b")
    (tmp_path / "loop-b").symlink_to("loop-a")
    (tmp_path / "dangling").symlink_to("nowhere")
    code, out, err = run(capsys, "check", str(tmp_path), "--show-skipped")
    assert code == 1 and "Traceback" not in err + out
    parse_errors = sorted(
        line.split(":")[0].rsplit("/", 1)[-1] for line in out.splitlines() if "[parse-error]" in line
    )
    assert parse_errors == ["block.yaml", "crash.yaml", "deep.tf", "flow.yaml"]
    assert "[hardcoded-secret-assignment]" in out  # the rest of the scan still reports
    assert out.count("broken or looping symlink") == 3


def test_an_organisation_key_rekeys_secret_fingerprints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PLATFORM_LINT_FINGERPRINT_KEY set, a baseline made with the key holds
    under the key and under no other; without the key a weak password could be
    guessed from the baseline's fingerprint."""
    write(tmp_path / "repo", {"app.env": "DB_PASSWORD=Summer2024!x\n"})
    repo, baseline = tmp_path / "repo", tmp_path / "baseline.json"
    monkeypatch.setenv("PLATFORM_LINT_FINGERPRINT_KEY", "acme-ci-secret")
    assert run(capsys, "baseline", "create", str(repo), "-o", str(baseline))[0] == 0
    keyed = json.loads(baseline.read_text())
    assert run(capsys, "check", str(repo), "--baseline", str(baseline))[0] == 0
    monkeypatch.delenv("PLATFORM_LINT_FINGERPRINT_KEY")
    assert run(capsys, "check", str(repo), "--baseline", str(baseline))[0] == 1
    assert run(capsys, "baseline", "create", str(repo), "-o", str(baseline))[0] == 0
    assert json.loads(baseline.read_text()) != keyed
