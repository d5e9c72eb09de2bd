"""Terraform module calls: a local child judged with each caller's values, within bounds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixture_harness import FIXTURES, all_rules, scan_fixture
from platform_lint.model import Obj
from platform_lint.report import ReportContext, render
from platform_lint.scan_memo import scan_memo
from platform_lint.sources.terraform import load, objects
from platform_lint.sources.terraform_values import MAX_CALL_DEPTH, MAX_CONTEXTS, call_of, contexts

RULES = all_rules()
RDS = """resource "aws_db_instance" "this" {
  backup_retention_period = var.days
}

variable "days" {
  type = number
}
"""


def objs_of(files: dict[str, str]) -> list[Obj]:
    out: list[Obj] = []
    for path, text in files.items():
        parsed = load(path, text, lambda _: None)
        assert parsed.problems == []
        out.extend(objects(parsed.documents[0]))
    return out


def call(name: str, source: str, args: str = "") -> str:
    return f'module "{name}" {{\n  source = "{source}"\n{args}}}\n'


def test_a_finding_on_a_callers_value_is_at_its_line_with_the_child_as_related_location() -> None:
    result = scan_fixture(FIXTURES / "rules" / "rds-backups-disabled" / "bad",
                          [RULES["rds-backups-disabled"]], frozenset(RULES))
    at_caller = [f for f in result.findings if f.path == "live/main.tf" and f.span.line == 4]
    assert len(at_caller) == 1
    finding = at_caller[0]
    assert finding.span.col == 29  # the value 0, not the module block
    assert "aws_db_instance.this (modules/rds/main.tf) through module.orders_db" in finding.message
    run = json.loads(render("sarif", result, ReportContext(rules=RULES)))["runs"][0]
    (sarif_result,) = [r for r in run["results"]
                       if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
                       and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                       == "live/main.tf"]
    (related,) = sarif_result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "modules/rds/main.tf"
    assert related["physicalLocation"]["region"]["startLine"] == 2 + 4  # after the comment line


def test_a_module_nobody_calls_is_judged_alone_with_its_defaults() -> None:
    files = {"modules/rds/main.tf": RDS.replace("type = number", "type = number\n  default = 0")}
    found, refused = contexts(objs_of(files))
    assert [m.arguments for m in found["modules/rds"]] == [{}] and refused == []
    (module,) = found["modules/rds"]
    assert module.resolve("${var.days}") == 0 and module.origin("${var.days}") is None


def test_each_call_is_a_context_and_arguments_win_over_defaults() -> None:
    files = {"modules/rds/main.tf": RDS.replace("type = number", "type = number\n  default = 0"),
             "live/main.tf": call("a", "../modules/rds", "  days = 7\n")
             + call("b", "../modules/rds") + call("c", "../modules/rds", "  days = aws_x.y.z\n")}
    found, _ = contexts(objs_of(files))
    values = sorted(repr(m.resolve("${var.days}")) for m in found["modules/rds"])
    assert values == ["0", "7", "UNKNOWN"]  # b passes nothing: the default; c: unknown, not guessed


def test_calls_deeper_than_the_bound_are_refused_and_said() -> None:
    depth = MAX_CALL_DEPTH + 3
    files = {f"m{i}/main.tf": call("next", f"../m{i + 1}") for i in range(depth)}
    files[f"m{depth}/main.tf"] = RDS
    found, refused = contexts(objs_of(files))
    assert [c.obj.doc.path for c in refused] == [f"m{MAX_CALL_DEPTH}/main.tf"]  # the 9th call
    assert "more than 8 module calls deep" in str(refused[0].refused)
    assert all(len(v) == 1 for v in found.values())  # every directory still judged once


def test_contexts_per_directory_are_bounded() -> None:
    """A diamond of calls doubles the paths at each level: 2**8 chains to the leaf."""
    files = {f"l{i}/main.tf": call("x", f"../l{i + 1}") + call("y", f"../l{i + 1}") for i in range(8)}
    files["l8/main.tf"] = RDS
    found, _ = contexts(objs_of(files))
    assert len(found["l8"]) == MAX_CONTEXTS


@pytest.mark.parametrize(("source", "why"), [
    ("terraform-aws-modules/rds/aws", "registry module"),
    ("app.terraform.io/acme/rds/aws", "registry module"),
    ("terraform-google-modules/project-factory/google//modules/project_services", "registry module"),
    ("git::https://example.com/m.git//rds?ref=v1", "remote module"),
    ("github.com/acme/modules//rds", "remote module"),
    ("s3::https://bucket.s3.amazonaws.com/rds.zip", "remote module"),
    ("../../elsewhere", "outside the repository"),
    ("/opt/modules/rds", "outside the repository"),
])
def test_sources_that_are_not_evaluated(source: str, why: str) -> None:
    (obj,) = [o for o in objs_of({"infra/main.tf": call("m", source)}) if o.kind == "module"]
    found = call_of(obj)
    assert found is not None and found.child is None and why in str(found.refused)


def test_a_local_source_is_followed() -> None:
    (obj,) = [o for o in objs_of({"infra/main.tf": call("m", "./modules/rds")}) if o.kind == "module"]
    found = call_of(obj)
    assert found is not None and (found.child, found.refused) == ("infra/modules/rds", None)


def test_corpus_module_calls_scan_without_errors() -> None:
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    repo = corpus / "Azure-Samples+private-aks-cluster-terraform-devops"
    if not repo.is_dir():
        pytest.skip("../shared/corpus is not present")
    terraform = [r for r in RULES.values() if "terraform" in r.scope.documents]
    result = scan_fixture(repo, terraform, frozenset(RULES))
    assert not result.errors


def test_rules_over_the_same_modules_share_one_answer_within_a_scan_only() -> None:
    live = call("db", "../modules/rds", "  days = 7\n") + 'resource "aws_s3_bucket" "b" {}\n'
    files = {"live/main.tf": live, "modules/rds/main.tf": RDS}
    objs = objs_of(files)
    fewer = [o for o in objs if o.kind != "aws_s3_bucket"]  # another rule's scope, same modules
    with scan_memo():
        assert contexts(objs) is contexts(fewer)
        other = [o for o in objs if o.kind != "module"]  # without the call: computed anew
        assert contexts(other) is not contexts(objs)
        assert [dict(m.arguments) for m in contexts(other)[0]["modules/rds"]] == [{}]
        assert [list(m.arguments) for m in contexts(objs)[0]["modules/rds"]] == [["days"]]
    assert contexts(objs) is not contexts(objs)  # no memo outlives the scan
    assert contexts(objs) == contexts(fewer)


def test_a_root_module_takes_auto_loaded_var_files_in_terraforms_order() -> None:
    files = {"live/main.tf": RDS + 'variable "size" {\n  default = 1\n}\n',
             "live/b.auto.tfvars": "days = 3\n", "live/a.auto.tfvars": "days = 2\nsize = 9\n",
             "live/terraform.tfvars": "days = 1\n", "live/terraform.tfvars.json": '{"days": 4}'}
    (module,) = contexts(objs_of(files))[0]["live"]
    assert module.resolve("${var.days}") == 3 and module.resolve("${var.size}") == 9
    argument = module.origin("${var.days}")
    assert argument is not None and argument.call.doc.path == "live/b.auto.tfvars"


def test_each_var_file_of_a_root_module_is_a_context_and_others_are_not_its_own() -> None:
    files = {"live/main.tf": RDS, "live/terraform.tfvars": "days = 1\n",
             "env/prod.tfvars": "days = 30\n", "env/dev.tfvars.json": '{"days": 0}',
             "env/other.tfvars": "days = 5\nregion = \"x\"\n"}  # sets a variable live lacks
    values = sorted(m.resolve("${var.days}") for m in contexts(objs_of(files))[0]["live"])
    assert values == [0, 30]  # -var-file wins over terraform.tfvars; never terraform.tfvars alone


def test_var_files_do_not_reach_a_called_module() -> None:
    files = {"modules/rds/main.tf": RDS, "modules/rds/terraform.tfvars": "days = 0\n",
             "live/main.tf": call("a", "../modules/rds", "  days = 7\n")}
    (module,) = contexts(objs_of(files))[0]["modules/rds"]
    assert module.resolve("${var.days}") == 7
