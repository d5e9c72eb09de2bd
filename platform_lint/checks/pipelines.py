"""Delivery-pipeline checks (issue 6), one model for every CI system.

Each check reads `obj.doc.model`, the normalised `Pipeline`, and asks the
deploy recogniser (`platform_lint.sources.deploys`) what jobs do. Where a
finding points:

- something present and wrong (a command, an action, a flag) points at it;
  a command inside a multi-line `run:` block points at its own line;
- something missing around a deploy (gate, rollback, verification, staging,
  tests) points at the deploy job's key.

A GitLab pipeline's model includes jobs from local `include:` files; each
file is its own Obj, and a check reports a thing only through the Obj of the
file it is written in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path
from platform_lint.sources import artifacts, deploys, step_commands
from platform_lint.sources.delivery_policy import PARAMS_SCHEMA, Policy
from platform_lint.sources.pipeline_model import Job, Pipeline, Step
from platform_lint.sources.step_commands import Evidence

CHECKS = Registry()


def _params(**extra: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {**PARAMS_SCHEMA, **extra}}


def _pipeline(obj: Obj) -> Pipeline | None:
    model = obj.doc.model
    return model if isinstance(model, Pipeline) else None


def _at(obj: Obj, file: str, path: Path, message: str, *, key: bool = False) -> Iterator[Hit]:
    """A hit at `path`, when `file` is the document `obj` stands for."""
    if file == obj.doc.path:
        yield Hit(obj, message, path=path, key=key)


def _job_hit(obj: Obj, job: Job, message: str) -> Iterator[Hit]:
    """A hit on the job's key (for something the job lacks)."""
    yield from _at(obj, job.file, job.path, message, key=True)


def _evidence_hit(obj: Obj, found: Evidence, message: str) -> Iterator[Hit]:
    """A hit on the step field (or the very command line) that the evidence names."""
    if found.file != obj.doc.path:
        return
    span = obj.doc.text_span(found.path, found.anchor) if found.anchor else None
    yield Hit(obj, message, path=found.path, span=span)


def _production_deploys(pipeline: Pipeline, policy: Policy) -> Iterator[tuple[Job, Evidence]]:
    for job in pipeline.jobs:
        found = deploys.deploy(job)
        if found is not None and deploys.is_production(job, policy):
            yield job, found


# ---------------------------------------------------------------- deploy strategy


@CHECKS.check("big-bang-production-deploy", params=_params())
def big_bang_production_deploy(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline, policy = _pipeline(obj), Policy.from_params(params)
    if pipeline is None:
        return
    for job, found in _production_deploys(pipeline, policy):
        if deploys.progressive(job) is not None:
            continue
        earlier = {id(j) for j in pipeline.before(job)}  # or from another branch (promotion by branch)
        if any((id(j) in earlier or deploys.promoted_from(j, job)) and deploys.deploy(j)
               and deploys.is_pre_production(j, policy) for j in pipeline.jobs if j is not job):
            continue
        yield from _job_hit(obj, job, (
            f"job `{job.id}` deploys to production ({found.what}) all at once: make a job that "
            "deploys to a staging or canary environment run before it (needs/stage order), "
            "or use a progressive mechanism (Argo Rollouts, Flagger, a canary/blue-green "
            "strategy, traffic splitting, feature flags)"))


@CHECKS.check("ungated-production-deploy", params=_params())
def ungated_production_deploy(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline, policy = _pipeline(obj), Policy.from_params(params)
    if pipeline is None:
        return
    for job, found in _production_deploys(pipeline, policy):
        if deploys.gate(pipeline, job, policy) is None:
            yield from _job_hit(obj, job, (
                f"job `{job.id}` deploys to production ({found.what}) with no approval gate: "
                f"{_GATE_HINT.get(pipeline.system, 'add a manual approval before it')}"))


_GATE_HINT = {
    "github-actions": "set `environment:` to a protected environment with required reviewers",
    "gitlab-ci": "add `when: manual` (or a manual job it needs) and protect the environment",
    "azure-pipelines": "make it a `deployment:` job with an `environment:` that has approvals, "
                       "or add a ManualValidation job before it",
    "circleci": "add a `type: approval` job to the workflow and `requires:` it",
    "bitbucket-pipelines": "add `trigger: manual` to the step",
}


# ---------------------------------------------------------------- rollback and verification


@CHECKS.check("production-deploy-without-rollback", params=_params())
def production_deploy_without_rollback(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline, policy = _pipeline(obj), Policy.from_params(params)
    if pipeline is None:
        return
    for job, found in _production_deploys(pipeline, policy):
        if deploys.rollback(pipeline, job) is None:
            yield from _job_hit(obj, job, (
                f"job `{job.id}` deploys to production ({found.what}) with no rollback path: use "
                "`helm upgrade --atomic`, or add a step or job that runs only on failure "
                "(`if: failure()`, `when: on_failure`, `condition: failed()`) and runs "
                "`kubectl rollout undo`/`helm rollback`/`kubectl argo rollouts abort`, or enable "
                "CodeDeploy/ECS automatic rollback"))


@CHECKS.check("deploy-without-verification", params=_params())
def deploy_without_verification(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    for job in pipeline.jobs:
        found = deploys.deploy(job)
        if found is not None and deploys.verification(pipeline, job) is None:
            yield from _job_hit(obj, job, (
                f"job `{job.id}` deploys ({found.what}) and nothing checks the result: add a "
                "step or later job that verifies it (`kubectl rollout status`, `curl --fail` "
                "to a health endpoint, a smoke-test job)"))


# ---------------------------------------------------------------- signing


@CHECKS.check("unsigned-artifact-publish", params=_params())
def unsigned_artifact_publish(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    for job in pipeline.jobs:
        if _signed(pipeline, job):
            continue
        for step in job.steps:
            found = artifacts.publish(step)
            if found is None:
                continue
            yield from _evidence_hit(obj, found, (
                f"{found.what} publishes an artifact that nothing signs: add `cosign sign` "
                "(or `cosign attest`, `actions/attest-build-provenance`, "
                "`npm publish --provenance`, PyPI trusted publishing, `helm package --sign`, "
                "`gpg --detach-sign`) in this job or in a job before or after it"))


def _signed(pipeline: Pipeline, job: Job) -> bool:
    """Something signs in the job (a chart or file is signed before it is uploaded, an
    image after it is pushed), in a job it needs or in one that needs it, or the job's
    or pipeline's settings make the publishing tool sign."""
    related = [*pipeline.before(job), job, *pipeline.after(job)]
    if any(artifacts.signing(s) for j in related for s in j.steps):
        return True
    if artifacts.signing_setting(job.env) or artifacts.signing_setting(pipeline.env):
        return True
    return any((j.uses or "").startswith("slsa-framework/slsa-github-generator/")
               for j in pipeline.after(job))


@CHECKS.check("keyless-signing-without-id-token", params=_params())
def keyless_signing_without_id_token(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None or pipeline.system not in ("github-actions", "gitlab-ci"):
        return
    for job in pipeline.jobs:
        if _has_id_token(pipeline, job):
            continue
        need = ("`permissions: id-token: write` on the job" if pipeline.system == "github-actions"
                else "`id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore` on the job")
        for step in job.steps:
            if artifacts.keyless(step):
                found = artifacts.signing(step) or artifacts.publish(step)
                if found is not None:
                    yield from _evidence_hit(obj, found, (
                        f"{found.what} signs keylessly with an OIDC identity the job cannot "
                        f"get: add {need}"))


def _has_id_token(pipeline: Pipeline, job: Job) -> bool:
    if pipeline.system == "gitlab-ci":
        return "id_tokens" in job.fields
    granted = job.permissions if job.permissions is not None else pipeline.permissions
    if granted == "write-all":
        return True
    return isinstance(granted, dict) and granted.get("id-token") == "write"


# ---------------------------------------------------------------- required stages

_KINDS = ["test", "security-scan"]


@CHECKS.check("deploy-without-required-stages", params=_params(
    required={"type": "array", "items": {"enum": _KINDS}, "uniqueItems": True}))
def deploy_without_required_stages(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    required = list(params.get("required", _KINDS))
    included = deploys.included_kinds(pipeline)
    for job in pipeline.jobs:
        found = deploys.deploy(job)
        if found is None:
            continue
        done = set(included)
        for earlier in (job, *pipeline.before(job)):
            done |= deploys.job_kinds(pipeline, earlier)
        missing = [k for k in required if k not in done]
        if missing:
            names = " and ".join(f"a {k} job" for k in missing)
            yield from _job_hit(obj, job, (
                f"job `{job.id}` deploys ({found.what}) with no {' or '.join(missing)} before "
                f"it: add {names} that it needs (or that runs in an earlier stage)"))


# ---------------------------------------------------------------- hygiene

_SWALLOW = re.compile(r"\|\|\s*(true|:|exit\s+0)\s*(;|$)|;\s*exit\s+0\s*$|\|\|\s*echo\b")


@CHECKS.check("silent-failure", params=_params())
def silent_failure(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    for job in pipeline.jobs:
        kinds = deploys.job_kinds(pipeline, job)
        if job.continue_on_error and kinds:
            key = job.at("continue_on_error")
            yield from _at(obj, job.file, key, (
                f"job `{job.id}` ({', '.join(sorted(kinds))}) may fail without failing the "
                f"pipeline: remove `{key[-1]}` so a failure stops the release"), key=True)
        for step in job.steps:
            what = _step_kind(step)
            if what is None:
                continue
            if step.continue_on_error:
                key = step.at("continue_on_error")
                yield from _at(obj, step.file, key, (
                    f"{what} step `{step.name}` may fail without failing the job: remove "
                    f"`{key[-1]}`"), key=True)
            for line, anchor in step_commands.command_lines(step):
                if _SWALLOW.search(line) and _command_kind(line):
                    yield from _evidence_hit(obj, step_commands.command_evidence(
                        what, step, (line, anchor)), (
                        f"`{line}` hides the {_command_kind(line)} command's failure: remove the "
                        "`|| true`/`exit 0` so a failure stops the pipeline"))


def _command_kind(line: str) -> str | None:
    command = re.split(r"\|\||;\s*exit\b", line, maxsplit=1)[0]
    probe = Step(name="", path=(), file="", run=command)
    return _step_kind(probe)


def _step_kind(step: Step) -> str | None:
    if deploys.does_test(step):
        return "test"
    if deploys.does_scan(step):
        return "security scan"
    if deploys.deploy_step(step):
        return "deploy"
    return None


_SHA = re.compile(r"^[0-9a-f]{40}$")


@CHECKS.check("unpinned-action", params=_params(
    trusted_owners={"type": "array", "items": {"type": "string"}}))
def unpinned_action(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    trusted = {o.lower() for o in params.get("trusted_owners", ["actions", "github"])}
    if pipeline.system == "github-actions":
        for job in pipeline.jobs:
            refs = [(job.uses, job.at("uses"), job.file)] if job.uses else []
            refs += [(s.uses, s.at("uses"), s.file) for s in job.steps if s.uses]
            for uses, path, file in refs:
                if uses and _unpinned_github(uses, trusted):
                    yield from _at(obj, file, path, (
                        f"`{uses}` is not pinned: a tag or branch can be moved to other code; "
                        f"pin the full commit SHA (`{uses.split('@')[0]}@<40-hex sha> # "
                        f"{uses.partition('@')[2] or 'version'}`)"))
    for include in pipeline.includes:
        if include.kind in ("local", "template") or (include.ref and _SHA.match(include.ref)):
            continue
        if include.kind == "remote" and re.search(r"[0-9a-f]{40}", include.location):
            continue
        yield from _at(obj, include.file, include.path, (
            f"{include.kind} include `{include.location}` "
            f"{'at `' + include.ref + '`' if include.ref else 'without a ref'} is not pinned: "
            "set `ref:` (or `@` for a component) to a full commit SHA"))


def _unpinned_github(uses: str, trusted: set[str]) -> bool:
    if uses.startswith(("./", "docker://")):
        return False
    name, _, ref = uses.partition("@")
    return name.split("/")[0].lower() not in trusted and not _SHA.match(ref)


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


@CHECKS.check("mutable-image-tag", params=_params())
def mutable_image_tag(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    seen: set[Path] = set()
    for job in pipeline.jobs:
        for image, path in job.images:
            if path in seen or "$" in image or _DIGEST.search(image):
                continue
            seen.add(path)
            last = image.rsplit("/", 1)[-1]
            tag = last.split(":", 1)[1] if ":" in last else "latest (implicit)"
            yield from _at(obj, job.file, path, (
                f"image `{image}` is used by mutable tag `{tag}`: pin it by digest "
                f"(`{image}@sha256:<digest>`)"))


_CURL_SH = re.compile(
    # The first curl of each `|;&`-separated part: a later one in the part reaches the same `|`.
    r"(?:^|(?<=[|;&]))(?>[^|;&]*?\b(curl|wget)\b)[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(env\s+\S+\s+)?(ba|z|da|k)?sh\b"
    r"|\b(ba|z)?sh\s+(-c\s+)?[\"']?\$\((curl|wget)\b|\b(ba|z)?sh\s+<\(\s*(curl|wget)\b"
)


@CHECKS.check("curl-pipe-shell", params=_params())
def curl_pipe_shell(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None:
        return
    for _job, step in pipeline.steps():
        for line, anchor in step_commands.command_lines(step):
            if _CURL_SH.search(line):
                yield from _evidence_hit(obj, step_commands.command_evidence("", step, (line, anchor)), (
                    f"`{line}` runs a script straight from the network: download it, check its "
                    "checksum or signature, then run it (or use a pinned package or action)"))


_PR_HEAD = re.compile(
    r"github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs/pull/|"
    r"github\.event\.number|gh\s+pr\s+checkout")


@CHECKS.check("pull-request-target-head-checkout", params=_params())
def pull_request_target_head_checkout(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    pipeline = _pipeline(obj)
    if pipeline is None or "pull_request_target" not in pipeline.triggers:
        return
    for _job, step in pipeline.steps():
        uses = step.uses or ""
        if uses.startswith("actions/checkout@"):
            ref = str(step.with_.get("ref", ""))
            if _PR_HEAD.search(ref):
                yield from _at(obj, step.file, (*step.at("with"), "ref"), _PRT_MESSAGE)
        else:
            for line, anchor in step_commands.command_lines(step):
                if _CHECKOUT.search(line) and _PR_HEAD.search(line):
                    yield from _evidence_hit(
                        obj, step_commands.command_evidence("", step, (line, anchor)), _PRT_MESSAGE)


_CHECKOUT = re.compile(r"\bgit\s+(checkout|fetch|switch)\b|\bgh\s+pr\s+checkout\b")
_PRT_MESSAGE = (
    "a `pull_request_target` workflow checks out the pull request's head: its code runs with "
    "the base repository's secrets and write token; use `pull_request` for untrusted code, or "
    "check out the base and treat the head only as data")
