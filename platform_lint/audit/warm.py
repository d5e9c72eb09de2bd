"""Imported once by the audit's fork server, before it forks any unit: it does work at import
time on purpose. A scan of a tiny made-up repository loads every parser, rule, regex and
automaton that scans build lazily, so that each repository's process, forked from the server,
starts with them built instead of paying that again (about half a second a repository)."""

from __future__ import annotations

import contextlib


def warm_up() -> None:
    from platform_lint.audit.unit import rule_pack
    from platform_lint.config import Config
    from platform_lint.discovery import SourceFile
    from platform_lint.engine import ScanOptions, scan_repository

    files = [
        SourceFile("main.tf", b'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'),
        SourceFile("k8s/app.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n"),
        SourceFile(".github/workflows/ci.yml", b"on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
                                               b"      - run: make test\n"),
        SourceFile(".gitlab-ci.yml", b"test:\n  script: [make test]\n"),
        SourceFile("CODEOWNERS", b"* @acme/team\n"),
        SourceFile("settings.env", b"API_TOKEN=changeme\n"),
    ]
    rules = rule_pack(())
    scan_repository("warm-up", files, [], Config(), list(rules.values()), ScanOptions())


with contextlib.suppress(Exception):  # only a head start: each unit builds what it needs anyway
    warm_up()
