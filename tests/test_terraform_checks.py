"""Terraform checks on real repositories and on cases the fixtures do not show."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from fixture_harness import all_rules, scan_fixture
from platform_lint.checks.terraform import CHECKS
from platform_lint.model import Obj
from platform_lint.sources.terraform import load, objects

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
RULES = all_rules()


def objs_of(files: Mapping[str, str]) -> list[Obj]:
    out: list[Obj] = []
    for path, text in files.items():
        parsed = load(path, text, lambda _: None)
        assert parsed.problems == []
        out.extend(objects(parsed.documents[0]))
    return out


def lines(check: str, files: Mapping[str, str], params: Mapping[str, Any]) -> list[tuple[str, int]]:
    objs = objs_of(files)
    hits = CHECKS[check].fn(objs, params)
    return sorted(
        (h.obj.doc.path, h.obj.doc.locate((*h.obj.path, *h.path), key=h.key).line) for h in hits
    )


def test_terragoat_rds_backups_deletion_protection_and_s3_versioning() -> None:
    repo = CORPUS / "bridgecrewio+terragoat"
    if not repo.is_dir():
        pytest.skip("../shared/corpus is not present")
    ids = ("rds-backups-disabled", "rds-deletion-protection-disabled", "s3-versioning-disabled")
    result = scan_fixture(repo, [RULES[i] for i in ids], frozenset(RULES))
    assert not result.errors
    found = {(f.rule_id, f.path, f.span.line) for f in result.findings}
    # backup_retention_period = 0, at the key's line
    assert ("rds-backups-disabled", "terraform/aws/db-app.tf", 18) in found
    assert ("rds-backups-disabled", "terraform/aws/rds.tf", 4) in found
    # no deletion_protection: the resource block header
    assert ("rds-deletion-protection-disabled", "terraform/aws/db-app.tf", 1) in found
    for header in (1, 17, 33, 49, 65, 81, 97, 113, 130):
        assert ("rds-deletion-protection-disabled", "terraform/aws/rds.tf", header) in found
    # buckets without versioning; operations, data_science and logs have it enabled
    s3 = {(p, n) for r, p, n in found if r == "s3-versioning-disabled"}
    assert s3 == {("terraform/aws/s3.tf", 1), ("terraform/aws/s3.tf", 42), ("terraform/aws/ec2.tf", 271)}
    backups = {(p, n) for r, p, n in found if r == "rds-backups-disabled"}
    assert backups == {("terraform/aws/db-app.tf", 18), ("terraform/aws/rds.tf", 4)}


def test_every_terraform_rule_runs_on_the_corpus_without_errors() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    mine = [r for r in RULES.values() if r.check and r.check.startswith("terraform.")]
    assert len(mine) >= 22
    for repo in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        result = scan_fixture(repo, mine, frozenset(RULES))
        assert not result.errors, repo.name


def test_variable_defaults_resolve_across_files_of_a_module_only() -> None:
    params = {"conditions": [{"path": ["backup_retention_period"], "forbid": [0]}]}
    files = {
        "db/main.tf": 'resource "aws_db_instance" "a" {\n  backup_retention_period = var.days\n}\n',
        "db/variables.tf": 'variable "days" {\n  default = 0\n}\n',
        "other/main.tf": 'resource "aws_db_instance" "b" {\n  backup_retention_period = var.days\n}\n',
    }
    assert lines("settings", files, params) == [("db/main.tf", 2)]


def test_unknown_values_are_never_reported() -> None:
    params = {"conditions": [{"path": ["deletion_protection"], "allow": [True], "missing": "m"}]}
    files = {
        "db/main.tf": (
            'resource "aws_db_instance" "a" {\n  deletion_protection = var.protect\n}\n'
            'resource "aws_db_instance" "b" {\n  deletion_protection = local.p\n}\n'
            'resource "aws_db_instance" "c" {\n  deletion_protection = var.env == "prod"\n}\n'
            'resource "aws_db_instance" "d" {\n  dynamic "deletion_protection" {\n'
            "    for_each = []\n    content {}\n  }\n}\n"
            'variable "protect" {}\nlocals {\n  p = var.protect\n}\n'
        )
    }
    assert lines("settings", files, params) == []


def test_null_counts_as_missing() -> None:
    params = {"conditions": [{"path": ["deletion_protection"], "allow": [True], "missing": "m"}]}
    files = {"db/main.tf": 'resource "aws_db_instance" "a" {\n  deletion_protection = null\n}\n'}
    assert lines("settings", files, params) == [("db/main.tf", 2)]


def test_tf_json_resources_are_checked() -> None:
    text = (
        '{\n  "resource": {\n    "aws_db_instance": {\n      "db": {\n'
        '        "backup_retention_period": 0\n      }\n    }\n  }\n}\n'
    )
    params = {"conditions": [{"path": ["backup_retention_period"], "forbid": [0]}]}
    assert lines("settings", {"db/main.tf.json": text}, params) == [("db/main.tf.json", 5)]


def test_s3_versioning_with_unknown_bucket_target_is_not_guessed() -> None:
    files = {
        "s3/main.tf": (
            'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n'
            'resource "aws_s3_bucket_versioning" "v" {\n  bucket = var.bucket\n'
            '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n'
            'variable "bucket" {}\n'
        )
    }
    assert lines("s3-versioning", files, {}) == []
