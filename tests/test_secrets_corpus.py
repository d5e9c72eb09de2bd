"""Secrets found at their exact lines in real repositories of ../shared/corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_harness import all_rules, scan_fixture

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TERRAGOAT = CORPUS / "bridgecrewio+terragoat"

# (path, line, rule): the AWS keys and database passwords hardcoded in terragoat's Terraform
TERRAGOAT_SECRETS = {
    ("terraform/aws/ec2.tf", 15, "hardcoded-provider-token"),  # AWS access key id in user_data
    ("terraform/aws/ec2.tf", 16, "hardcoded-provider-token"),  # AWS secret access key in user_data
    ("terraform/aws/lambda.tf", 45, "hardcoded-secret-in-terraform"),
    ("terraform/aws/lambda.tf", 46, "hardcoded-secret-in-terraform"),
    ("terraform/aws/providers.tf", 10, "hardcoded-secret-in-terraform"),
    ("terraform/aws/providers.tf", 11, "hardcoded-secret-in-terraform"),
    ("terraform/aws/consts.tf", 42, "hardcoded-secret-in-terraform"),  # variable "password" default
    ("terraform/azure/sql.tf", 15, "hardcoded-secret-in-terraform"),
    ("terraform/azure/sql.tf", 83, "hardcoded-secret-in-terraform"),
    *(
        ("terraform/azure/mssql.tf", line, "hardcoded-secret-in-terraform")
        for line in (26, 45, 64, 83, 102, 121, 140)
    ),
}


@pytest.mark.skipif(not TERRAGOAT.is_dir(), reason="corpus not present")
def test_terragoat_keys_and_passwords_at_their_lines() -> None:
    rules = all_rules()
    secret_rules = [r for r in rules.values() if r.category == "secrets"]
    result = scan_fixture(TERRAGOAT, secret_rules, frozenset(rules))
    got = {(f.path, f.span.line, f.rule_id) for f in result.findings}
    assert got == TERRAGOAT_SECRETS
