"""Manual production changes made through a pipeline (issue 16).

A pipeline that applies Terraform to production with `-auto-approve` and no
saved plan applies whatever the code means at that moment, reviewed by
nobody; `kubectl edit/patch/scale` changes production behind Git's back; a
`workflow_dispatch` input run as a shell command lets whoever starts the
workflow type any command into production. A job is about production when
the deploy recogniser says so (`sources.deploys.is_production`) or the
command itself names a production environment (`-chdir=envs/prod`,
`--context prod`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj
from platform_lint.safe_regex import compile_pattern
from platform_lint.sources import deploys, step_commands
from platform_lint.sources.delivery_policy import PARAMS_SCHEMA, Policy
from platform_lint.sources.pipeline_model import Job, Pipeline, Step

CHECKS = Registry()

# Searched with RE2 (linear in the line): under `re`, `.*?` rescans the rest of
# the line from every `kubectl` or `terraform` in it, quadratic on a long one.
_TERRAFORM = (r"\b(terraform|tofu|terragrunt)\b(?P<args>.*?)\s(?:run-all\s+)?"
              r"(?P<verb>apply|destroy)\b(?P<rest>.*)")
_KUBECTL = r"\bkubectl\b.*?\s(?P<verb>edit|patch|scale)\b"
_TAKES_VALUE = frozenset({"-var", "-var-file", "-target", "-replace", "-lock-timeout", "-parallelism",
                          "-state", "-state-out", "-backup"})
_INPUT = r"\$\{\{\s*(?:github\.event\.)?inputs\.[A-Za-z0-9_-]+\s*\}\}"
_INPUT_AS_COMMAND = re.compile(
    rf"(?:^|[;&|]\s*|\$\(\s*|`|\b(?:eval|exec|bash\s+-c|sh\s+-c)\s+[\"']?){_INPUT}")


def _names_production(command: str, policy: Policy) -> bool:
    tokens = set(re.split(r"[^a-z0-9]+", command.lower()))
    return any(name.lower() in tokens for name in policy.production)


def _plan_file(rest: str) -> bool:
    """`terraform apply` names a saved plan (a positional argument)."""
    found = step_commands.positional_arguments(rest, _TAKES_VALUE)
    return bool(found if found is not None else [w for w in rest.split() if not w.startswith("-")])


def _terraform_problem(command: str) -> str | None:
    m = compile_pattern(_TERRAFORM).search(command)
    if m is None or "-auto-approve" not in m["args"] + m["rest"]:
        return None
    if m["verb"] == "destroy":
        return "runs terraform destroy -auto-approve against production"
    if _plan_file(m["rest"]):
        return None
    return ("runs terraform apply -auto-approve against production without a saved plan, so "
            "what is applied was reviewed by nobody; apply the plan file a reviewed plan job "
            "produced (terraform plan -out=tfplan, then terraform apply tfplan)")


def _hit(obj: Obj, step: Step, anchor: str, message: str) -> Hit:
    at = step.at("run")
    return Hit(obj, message, path=at, span=obj.doc.text_span(at, anchor))


def _step_problems(job: Job, step: Step, production_job: bool, dispatch: bool,
                   policy: Policy) -> Iterator[tuple[str, str]]:
    for command, anchor in step_commands.command_lines(step):
        production = production_job or _names_production(command, policy)
        problem = _terraform_problem(command) if production else None
        if problem:
            yield anchor, f"job {job.id} {problem}"
        kubectl = compile_pattern(_KUBECTL).search(command) if production else None
        if kubectl:
            yield anchor, (f"job {job.id} runs kubectl {kubectl['verb']} against production: a "
                           "change Git does not know about, undone by the next sync; change the "
                           "manifest and let the deploy apply it")
        if dispatch and production_job and _INPUT_AS_COMMAND.search(command):
            yield anchor, (f"job {job.id} runs a workflow_dispatch input as a shell command in "
                           "production: whoever starts the workflow can run anything there; offer "
                           "a choice of fixed actions instead")


@CHECKS.check("manual-production-change", params={
    "type": "object", "additionalProperties": False, "properties": PARAMS_SCHEMA,
})
def manual_production_change(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = obj.doc.model
    if not isinstance(pipeline, Pipeline):
        return
    policy = Policy.from_params(params)
    dispatch = "workflow_dispatch" in pipeline.triggers
    for job in pipeline.jobs:
        if job.file != obj.doc.path:
            continue
        production = deploys.is_production(job, policy)
        for step in job.steps:
            if step.file != obj.doc.path or not step.run:
                continue
            for anchor, message in _step_problems(job, step, production, dispatch, policy):
                yield _hit(obj, step, anchor, message)
