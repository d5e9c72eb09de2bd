"""Credentials given to command-line options (`docker login -p X`, `sshpass -p X`,
`--token X`, `mysql -pX`, `--password X`) wherever a command line is a value:
Kubernetes container `command`/`args` (words of one command), probes' `exec`,
Terraform provisioners' `command` and `inline`, scripts in plain YAML (Helm
values, Compose, Ansible), Dockerfiles and shell scripts. Each is reported at the
credential itself, and its text never reaches any output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from untrusted_repo import assert_no_exception_text, cli, private_cache

from repo_helpers import write

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: migrate}
spec:
  template:
    spec:
      containers:
        - name: login
          image: registry.example.com/tools:1.2
          command: [sh, -c, "docker login -u bot -p Hunter2pass registry.example.com"]
        - name: db
          image: registry.example.com/mysql:8.0
          command: [mysql]
          args: [-u, root, -pRootPw1x, shop]
        - name: app
          image: registry.example.com/app:1.0
          args: [--listen, ":8080", --password, Pw9x-app]
          livenessProbe:
            exec:
              command: [sshpass, -p, s3cr3t-ssh, ssh, db, "true"]
"""
TERRAFORM = """resource "null_resource" "deploy" {
  provisioner "local-exec" {
    command = "kubectl --token kT0k3n-prod99 apply -f prod.yaml"
  }
  provisioner "remote-exec" {
    inline = ["echo start", "mysql -u admin -pTfPass77 prod < seed.sql"]
  }
}
"""
VALUES = """# Helm values: a job's container, written as a command line
migrations:
  command: ["/bin/migrate"]
  args: ["--db-password", "Vals3cret9"]
"""
DOCKERFILE = """FROM alpine:3.20
RUN apk add --no-cache docker-cli \\
 && docker login -u ci -p DockPw42x registry.example.com
"""
SCRIPT = "#!/bin/sh\nset -e\nsshpass -p ShPass55 ssh prod uptime\n"

SECRETS = {  # the credential: where it is (its first character)
    "Hunter2pass": "k8s/migrate.yaml:10:53",
    "RootPw1x": "k8s/migrate.yaml:14:30",
    "Pw9x-app": "k8s/migrate.yaml:17:49",
    "s3cr3t-ssh": "k8s/migrate.yaml:20:38",
    "kT0k3n-prod99": "infra/main.tf:3:32",
    "TfPass77": "infra/main.tf:6:47",
    "Vals3cret9": "chart-values/values.yaml:4:28",
    "DockPw42x": "Dockerfile:3:27",
    "ShPass55": "scripts/deploy.sh:3:12",
}
SAFE = """apiVersion: v1
kind: Pod
metadata: {name: safe}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      command: [sh, -c, "docker login -u bot -p \\"$REGISTRY_PASSWORD\\" registry.example.com"]
      args: [--token, $(TOKEN), --password-file, /run/secrets/db, --no-password, -p, "8080"]
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    private_cache(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    write(repo, {"k8s/migrate.yaml": DEPLOYMENT, "infra/main.tf": TERRAFORM,
                 "chart-values/values.yaml": VALUES, "Dockerfile": DOCKERFILE,
                 "scripts/deploy.sh": SCRIPT, "k8s/safe.yaml": SAFE})
    return repo


def test_each_credential_option_is_found_at_the_credential(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "check", str(repo), "--select", "secrets", "--format", "json")
    assert code == 1, err
    findings = json.loads(out)["findings"]
    where = sorted(f"{f['path']}:{f['line']}:{f['column']}" for f in findings)
    assert where == sorted(SECRETS.values())
    assert all(f["path"] != "k8s/safe.yaml" for f in findings)
    assert_no_exception_text(out, err)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_output_quotes_a_credential(repo: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = cli(capsys, "check", str(repo), "--format", fmt)
    assert code == 1, err
    for secret in SECRETS:
        assert secret not in out + err, (secret, fmt)


QUOTING_RULE = """id: args-must-be-flags
title: Container arguments are plain flags
severity: note
category: resilience
scope: {documents: [kubernetes], kinds: [Deployment]}
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
                    properties:
                      args: {items: {pattern: '^--[a-z]+$'}}
message: '{error}'
docs: {summary: s, why: w, fix: f, bad: b, good: g}
"""


def test_a_rule_quoting_the_arguments_is_scrubbed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """jsonschema's message quotes the argument (`'-pRootPw1x' does not match ...`):
    the credentials the secret rules found in the file are scrubbed from it."""
    write(repo, {"policies/args.yaml": QUOTING_RULE, ".platform-lint.yaml": "rule_dirs: [policies]\n"})
    code, out, err = cli(capsys, "check", str(repo), "--format", "json")
    assert code == 1, err
    quoted = [f["message"] for f in json.loads(out)["findings"] if f["rule"] == "args-must-be-flags"]
    assert "'-p[redacted]' does not match" in " ".join(quoted), quoted
    for secret in SECRETS:
        assert secret not in out + err
