"""The one place that knows what a pipeline job does to the world.

Every delivery rule asks these questions of the normalised model
(`pipeline_model`): does this job deploy, is it production, what comes
before it (staging, gates, tests, scans), what comes after it (verification,
rollback), does it publish an artifact, is the artifact signed. Each answer
that is "yes" comes with `Evidence`: where in which file it was seen, so a
rule can point at it.

Pure functions over the model: no I/O.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from platform_lint.model import Path
from platform_lint.safe_regex import AnyOf
from platform_lint.sources.pipeline_model import Job, Pipeline, Step


@dataclass(frozen=True, slots=True)
class Policy:
    """What the organisation calls its environments and its default branch."""

    production: tuple[str, ...] = ("prod", "production", "live")
    pre_production: tuple[str, ...] = (
        "staging", "stage", "stg", "canary", "preprod", "pre-prod", "uat", "qa", "preview",
        "test", "testing", "dev", "development", "sandbox", "review",
    )
    default_branches: tuple[str, ...] = ("main", "master")
    gate_environments: tuple[str, ...] = ("github-actions", "azure-pipelines")
    """Systems where an environment carries its approvals in settings, so naming one is a gate."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Policy:
        names = {"production_environments": "production",
                 "pre_production_environments": "pre_production",
                 "default_branches": "default_branches",
                 "environment_gate_systems": "gate_environments"}
        return cls(**{attr: tuple(params[key]) for key, attr in names.items() if key in params})


PARAMS_SCHEMA: dict[str, Any] = {
    "production_environments": {"type": "array", "items": {"type": "string"}},
    "pre_production_environments": {"type": "array", "items": {"type": "string"}},
    "default_branches": {"type": "array", "items": {"type": "string"}},
    "environment_gate_systems": {"type": "array", "items": {"type": "string"}},
}
"""JSON Schema properties for the `Policy` params every delivery check accepts."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why an answer is yes: a label, and where it was seen (`path` in `file`).

    `line` is the command inside `step.run` that matched, when a command did, and
    `anchor` the text of its first source line (a command may continue over several).
    """

    what: str
    path: Path
    file: str
    step: Step | None = None
    line: str | None = None
    anchor: str | None = None


# ---------------------------------------------------------------- commands


_COMMENT = re.compile(r"(?:^|(?<!\s)\s+)#")


def _uncommented(text: str) -> str:
    """`text` without a trailing comment: from a `#` at the start or after
    whitespace with no quote after it (one after it puts the `#` in a string).
    Found from the last quote on, in one pass: `(^|\\s+)#[^'"`]*$` searched from
    every `#` again to the line's end."""
    after = max(text.rfind(quote) for quote in "'\"`") + 1
    found = _COMMENT.search(text, after)
    return text if found is None else text[: found.start()]


def command_lines(step: Step) -> list[tuple[str, str]]:
    """The step's shell commands as (command, its first source line): `\\`
    continuations joined, comments dropped."""
    return list(_command_lines(step.run or ""))


@lru_cache(maxsize=32)
def _command_lines(run: str) -> tuple[tuple[str, str], ...]:
    """Memoised: each recogniser asks for the same step's commands."""
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for raw in run.splitlines():
        text = raw.strip()
        if text.endswith("\\"):
            pending.append(text[:-1].strip())
            continue
        parts = [*pending, _uncommented(text).strip()]
        pending = []
        command = " ".join(p for p in parts if p)
        if command:
            out.append((command, parts[0] or command))
    if pending:
        out.append((" ".join(pending), pending[0]))
    return tuple(out)


def commands(step: Step) -> list[str]:
    """The step's shell commands, one per logical line."""
    return [command for command, _first in command_lines(step)]


def _rx(*parts: str) -> AnyOf:
    """Alternatives matched in one linear pass (RE2): commands can be megabytes long."""
    return AnyOf(parts, ignore_case=True)


_DEPLOY_CMD = _rx(
    r"\bkubectl\b.*\s(apply|replace|set\s+image|rollout\s+restart)\b",
    r"\bhelm[0-9]?\s+(-\S+\s+([^-\s]\S*\s+)?)*(upgrade|install)\b",
    r"\b(terraform|tofu|terragrunt)\s+(-chdir=\S+\s+)?(apply|run-all\s+apply)\b",
    r"\baws\s+ecs\s+update-service\b", r"\baws\s+deploy\s+create-deployment\b",
    r"\baws\s+cloudformation\s+deploy\b", r"\bsam\s+deploy\b",
    r"\bgcloud\s+(alpha\s+|beta\s+)?(run|app|functions)\s+(services\s+update|deploy)\b",
    r"\bgcloud\s+deploy\s+releases\s+create\b",
    r"\bargocd\s+app\s+sync\b", r"\b(serverless|sls)\s+deploy\b", r"\bcdk\s+deploy\b",
    r"\bpulumi\s+up\b", r"\bskaffold\s+(run|deploy)\b", r"\baz\s+webapp\s+deploy\b",
    r"\baz\s+deployment\s+(group|sub)\s+create\b", r"\bflyctl\s+deploy\b",
)
_DEPLOY_TASK = _rx(
    r"^(KubernetesManifest|HelmDeploy|AzureWebApp|AzureRmWebAppDeployment|AzureFunctionApp|"
    r"AzureResourceManagerTemplateDeployment|AzureContainerApps)@",
)
_DEPLOY_USES = _rx(r"deploy(?!ments?\b)", r"^azure/k8s-", r"helm-?(upgrade|install)",
                   r"kubernetes/create-or-update", r"/kubectl-run")
_TEARDOWN_CMD = _rx(r"\bkubectl\b.*\sdelete\b", r"\bhelm\s+(uninstall|delete)\b",
                    r"\b(terraform|tofu)\s+destroy\b", r"\bpulumi\s+destroy\b")

_PROGRESSIVE_CMD = _rx(
    r"\bargo\s+rollouts\b", r"\bkubectl[- ]argo[- ]rollouts\b", r"\bflagger\b", r"--canary\b",
    r"--blue-?green\b", r"\bupdate-traffic\b", r"--no-traffic\b", r"--to-revisions\b",
    r"\bslot\s+swap\b", r"CodeDeployDefault\.\w*(Canary|Linear)", r"\btraffic[-_ ]?split\b",
    r"\b(launchdarkly|ldcli|unleash|flagsmith|configcat|growthbook)\b",
)
_PROGRESSIVE_USES = _rx(r"launchdarkly", r"unleash", r"flagsmith", r"argo-?rollouts", r"flagger")
_PROGRESSIVE_INPUT = _rx(r"^(canary|blue-?green|bluegreen)$")

_ROLLBACK_CMD = _rx(
    r"\bkubectl\b.*\srollout\s+undo\b", r"\bhelm[0-9]?\s+(-\S+\s+)*rollback\b",
    r"\bargo\s+rollouts\s+(abort|undo)\b", r"\bkubectl[- ]argo[- ]rollouts\s+(abort|undo)\b",
    r"\bargocd\s+app\s+rollback\b", r"\baws\s+deploy\s+stop-deployment\b",
    r"\bslot\s+swap\b", r"--to-revisions\b", r"\brollback\b",
)
_AUTO_ROLLBACK = _rx(
    r"\bhelm[0-9]?\s+.*--(atomic|rollback-on-failure)\b",
    r"--auto-rollback-configuration\s+\S*enabled=true",
    r"deploymentCircuitBreaker=\{?\S*rollback=true",
)

_VERIFY_CMD = _rx(
    r"\bkubectl\b.*\srollout\s+status\b", r"\bkubectl\b.*\swait\b",
    r"\b(kubectl[- ]argo[- ]rollouts|argo\s+rollouts)\s+status\b", r"\bargocd\s+app\s+wait\b",
    r"\bhelm[0-9]?\s+test\b", r"\bhelm[0-9]?\s+.*--(wait|atomic|rollback-on-failure)\b",
    r"\baws\s+ecs\s+wait\s+services-stable\b", r"\baws\s+deploy\s+wait\b",
    r"\bcurl\b.*\s(-[a-zA-Z]*f[a-zA-Z]*|--fail(-with-body)?)\b", r"\bcurl\b.*health",
    r"\bwget\b.*--spider\b", r"\bsmoke", r"\bhealth-?check", r"\bsynthetic",
)
_VERIFY_NAME = _rx(r"smoke", r"health", r"verif", r"synthetic", r"sanity", r"post-?deploy",
                   r"\be2e\b", r"end-to-end", r"uptime", r"probe")

_PUBLISH_CMD = _rx(
    r"\b(docker|podman|buildah)\s+(image\s+)?push\b", r"\bdocker\s+buildx\s+build\b.*--push\b",
    r"\bko\s+(build|publish|resolve|apply)\b", r"\bjib(:build)?\b", r"\bcrane\s+(push|copy|cp)\b",
    r"\bskopeo\s+copy\b", r"\bgcloud\s+builds\s+submit\b", r"\btwine\s+upload\b",
    r"\b(npm|yarn|pnpm)\s+publish\b", r"\bgh\s+release\s+upload\b", r"\bmvn\b.*\sdeploy\b",
    r"\bgradlew?\b.*\spublish\b", r"\bpoetry\s+publish\b",
    r"(?:^|(?<=\n))(?>.*\bgoreleaser\b)(?!.*--snapshot)",  # the last goreleaser on the line
    r"\bcargo\s+publish\b", r"\bgem\s+push\b", r"\bnuget\s+push\b", r"\b(uv|flit)\s+publish\b",
    r"\bhelm\s+push\b", r"\bdocker[- ]compose\b.*\spush\b",
)
_PUBLISH_USES = _rx(
    r"^docker/build-push-action@", r"^pypa/gh-action-pypi-publish@",
    r"^goreleaser/goreleaser-action@", r"^JS-DevTools/npm-publish@",
    r"^redhat-actions/push-to-registry@", r"push-?image", r"build-and-push", r"^docker/publish",
    r"ecr-push",
)
_SIGN_CMD = _rx(
    r"\bcosign\s+(sign|attest)", r"\bsigstore\s+sign\b", r"\bnotation\s+sign\b",
    r"\b(npm|pnpm|yarn)\s+publish\b.*--provenance\b", r"\bgpg\b.*--(detach-sign|sign|clearsign)\b",
    r"\bdocker\s+trust\s+sign\b",
)
_SIGN_USES = _rx(
    r"^actions/attest(-build-provenance|-sbom)?@", r"^sigstore/gh-action-sigstore-python@",
    r"^slsa-framework/slsa-github-generator/", r"^sigstore/cosign-installer@",
)
_COSIGN = _rx(r"\bcosign\s+(sign|attest)")
_KEYLESS_USES = _rx(r"^actions/attest", r"^sigstore/gh-action-sigstore-python@",
                    r"^slsa-framework/slsa-github-generator/", r"^pypa/gh-action-pypi-publish@")

_TEST_CMD = _rx(
    r"\b(pytest|tox|nox|jest|mocha|vitest|rspec|phpunit|ctest|bats)\b", r"\bgo\s+test\b",
    r"\b(npm|yarn|pnpm)\s+(run\s+)?test", r"\bmvn\b.*\s(test|verify)\b",
    r"\bgradlew?\b.*\s(test|check)\b", r"\bcargo\s+test\b", r"\bdotnet\s+test\b",
    r"\bmake\s+(test|check)\b", r"\bpython[0-9.]*\s+-m\s+(pytest|unittest)\b",
)
_TEST_USES = _rx(r"^(VSTest|DotNetCoreCLI|PublishTestResults)@")
_TEST_NAME = _rx(r"(^|[^a-z])(unit-?)?tests?([^a-z]|$)", r"integration")
_SCAN_CMD = _rx(
    r"\b(trivy|grype|snyk|semgrep|bandit|gosec|checkov|tfsec|terrascan|kics|osv-scanner|"
    r"dependency-check|sonar-scanner|gitleaks|trufflehog|govulncheck|brakeman|codeql|"
    r"pip-audit|zap-baseline|zap-full-scan)\b",
    r"\b(npm|yarn|pnpm)\s+audit\b", r"\bsafety\s+check\b", r"\bdocker\s+scout\b",
)
_SCAN_USES = _rx(
    r"^github/codeql-action/", r"trivy", r"^snyk/", r"anchore", r"semgrep", r"gosec", r"checkov",
    r"gitleaks", r"trufflehog", r"dependency-review", r"sonar", r"zaproxy", r"scorecard",
    r"^(SnykSecurityScan|WhiteSource|CredScan|AdvancedSecurity-\w+|SonarQube\w*|trivy)@",
)
_SCAN_NAME = _rx(r"scan", r"sast", r"dast", r"security", r"codeql", r"vulnerab", r"audit",
                 r"secret[-_ ]detection")
_SCAN_INCLUDE = _rx(r"Security/", r"SAST", r"Dependency-Scanning", r"Container-Scanning",
                    r"Secret-Detection", r"Auto-DevOps")


def _matching(step: Step, pattern: AnyOf) -> tuple[str, str] | None:
    return next((found for found in command_lines(step) if pattern.search(found[0])), None)


def command_evidence(what: str, step: Step, found: tuple[str, str]) -> Evidence:
    """Evidence for the command `found` (as given by `command_lines`) in `step`."""
    return Evidence(what, step.at("run"), step.file, step, found[0], found[1])


def _evidence(what: str, step: Step) -> Evidence:
    return Evidence(what, step.at("uses" if step.uses else "run"), step.file, step)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() not in ("", "false"))


# ---------------------------------------------------------------- deploys


def deploy_step(step: Step) -> Evidence | None:
    """The step runs a deploy command or a deploy action/task/orb/pipe."""
    found = _matching(step, _DEPLOY_CMD)
    if found is not None:
        return command_evidence(f"`{found[0]}`", step, found)
    uses = step.uses or ""
    if _DEPLOY_TASK.search(uses) or (uses and _DEPLOY_USES.search(uses.split("@")[0])):
        return _evidence(f"`{uses}`", step)
    command = str(step.with_.get("command", step.with_.get("action", ""))).lower()
    if re.match(r"^(Kubernetes|TerraformTask\w*|TerraformCLI)@", uses) and command in (
            "apply", "deploy", "upgrade", "install"):
        return _evidence(f"`{uses}` {command}", step)
    return None


def deploy(job: Job) -> Evidence | None:
    """Why `job` deploys: its first deploy step, else its environment (or deployment job).

    A job that names an environment only to stop or tear it down, or only to
    publish a package, is not a deploy.
    """
    for step in job.steps:
        found = deploy_step(step)
        if found is not None:
            return found
    if job.uses and _DEPLOY_USES.search(job.uses.split("@")[0]):
        return Evidence(f"`{job.uses}`", job.at("uses"), job.file)
    env = job.environment
    if env is None or env.action in ("stop", "prepare", "access", "verify"):
        return None
    if any(_matching(s, _TEARDOWN_CMD) for s in job.steps) or any(map(publish, job.steps)):
        return None
    what = f"deployment job to environment `{env.name}`" if job.deployment else \
        f"environment `{env.name}`"
    return Evidence(what, env.path, job.file)


def _env_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]


def _names_match(name: str, names: tuple[str, ...]) -> bool:
    lowered = name.lower()
    tokens = _env_tokens(name)
    return any(n.lower() == lowered or n.lower() in tokens for n in names)


def _target(job: Job) -> str:
    """The name that says where a job deploys: its environment, else its own id and name
    (CircleCI has no environments, so `deploy-production` is all there is)."""
    return job.environment.name if job.environment else f"{job.id} {job.name}"


def is_production(job: Job, policy: Policy = Policy()) -> bool:
    """The job deploys to production: by environment name (or GitLab tier; the job's
    name when it names no environment), or, when that is not a known pre-production
    name, by a condition that limits it to the default branch."""
    env = job.environment
    if env is not None and env.tier is not None:
        return env.tier == "production"
    if _names_match(_target(job), policy.production):
        return True
    if _names_match(_target(job), policy.pre_production):
        return False
    return on_default_branch(job, policy)


def is_pre_production(job: Job, policy: Policy = Policy()) -> bool:
    env = job.environment
    if env is not None and env.tier is not None:
        return env.tier in ("staging", "testing", "development")
    return _names_match(_target(job), policy.pre_production) and not is_production(job, policy)


def on_default_branch(job: Job, policy: Policy = Policy()) -> bool:
    """The job's condition limits it to the default branch (however the system writes it)."""
    if not job.condition:
        return False
    branches = "|".join(re.escape(b) for b in policy.default_branches)
    pattern = re.compile(
        rf"(refs/heads/({branches})\b|CI_DEFAULT_BRANCH|(^|[\s:'\",=])({branches})(['\"\s,;]|$))"
    )
    return bool(pattern.search(job.condition))


# ---------------------------------------------------------------- around a deploy


def progressive(job: Job) -> Evidence | None:
    """A canary, blue/green, rolling or feature-flag mechanism in the deploy job."""
    if job.strategy in ("canary", "rolling"):
        return Evidence(f"Azure `{job.strategy}` strategy", job.at("strategy"), job.file)
    for step in job.steps:
        found = _matching(step, _PROGRESSIVE_CMD)
        if found is not None:
            return command_evidence(f"`{found[0]}`", step, found)
        if step.uses and _PROGRESSIVE_USES.search(step.uses):
            return _evidence(f"`{step.uses}`", step)
        for key in ("strategy", "deployment-strategy", "traffic-split", "no_traffic", "tag"):
            value = step.with_.get(key)
            if (key == "no_traffic" and _truthy(value)) or (
                    isinstance(value, str) and _PROGRESSIVE_INPUT.match(value.strip())):
                return _evidence(f"`{key}: {value}`", step)
    return None


def gate(pipeline: Pipeline, job: Job, policy: Policy = Policy()) -> Evidence | None:
    """A person must approve before `job` runs: a manual job/approval on its path, or an
    environment on a system whose environments carry approvals."""
    for candidate in (job, *pipeline.before(job)):
        if candidate.manual:
            return Evidence(f"manual job `{candidate.id}`", candidate.at("manual"), candidate.file)
    if job.environment is not None and pipeline.system in policy.gate_environments:
        return Evidence(f"environment `{job.environment.name}`", job.environment.path, job.file)
    return None


def _later_steps(pipeline: Pipeline, job: Job, after: Step | None) -> Iterator[tuple[Job, Step]]:
    """Steps of `job` from `after` on (all of them when None), then those of later jobs.

    `after` itself is included: a deploy step may verify its own result (`helm --wait`,
    a deploy action that waits for the rollout, a script that applies then checks)."""
    started = after is None
    for step in job.steps:
        started = started or step is after
        if started:
            yield job, step
    for later in pipeline.after(job):
        for step in later.steps:
            yield later, step


def rollback(pipeline: Pipeline, job: Job) -> Evidence | None:
    """A rollback path: an atomic/auto-rolling-back deploy, or a rollback command in a step
    or job that runs on failure (or that a person can start after the deploy)."""
    for step in job.steps:
        found = _matching(step, _AUTO_ROLLBACK)
        if found is not None:
            return command_evidence(f"`{found[0]}`", step, found)
    for owner, step in _later_steps(pipeline, job, None):
        runs_after_failure = step.on_failure if owner is job else (owner.on_failure or owner.manual)
        if not runs_after_failure:
            continue
        found = _matching(step, _ROLLBACK_CMD)
        if found is not None:
            return command_evidence(f"rollback in `{owner.id}`", step, found)
        if "rollback" in step.name.lower() or "rollback" in owner.id.lower():
            return _evidence(f"rollback in `{owner.id}`", step)
    return None


def verification(pipeline: Pipeline, job: Job) -> Evidence | None:
    """A health check after the deploy: rollout status, a smoke test, `curl --fail`..."""
    deployed = deploy(job)
    for owner, step in _later_steps(pipeline, job, deployed.step if deployed else None):
        if step.on_failure:
            continue
        found = _matching(step, _VERIFY_CMD)
        if found is not None:
            return command_evidence(f"`{found[0]}`", step, found)
        if ("name" in step.fields and _VERIFY_NAME.search(step.name)) or (
                owner is not job and _VERIFY_NAME.search(owner.id + " " + owner.name)):
            return _evidence(f"`{step.name}`", step)
        if step.uses and (_VERIFY_NAME.search(step.uses) or _KUBE_DEPLOY_WAITS.search(step.uses)):
            return _evidence(f"`{step.uses}`", step)
        if _truthy(step.with_.get("wait-for-service-stability")):
            return _evidence("`wait-for-service-stability`", step)
    return None


_KUBE_DEPLOY_WAITS = _rx(r"^azure/k8s-deploy@", r"^KubernetesManifest@")
"""Deploy actions that wait for the rollout to finish by default."""


# ---------------------------------------------------------------- artifacts


def publish(step: Step) -> Evidence | None:
    """The step pushes a container image or publishes a package or release."""
    found = _matching(step, _PUBLISH_CMD) or next(
        (c for c in command_lines(step) if _gh_release_with_assets(c[0])), None)
    if found is not None:
        return command_evidence(f"`{found[0]}`", step, found)
    uses = step.uses or ""
    if uses.startswith("docker/build-push-action@"):
        return _evidence(f"`{uses}` with push", step) if _truthy(step.with_.get("push")) else None
    if uses.startswith(("softprops/action-gh-release@", "ncipollo/release-action@")):
        assets = step.with_.get("files") or step.with_.get("artifacts")
        return _evidence(f"`{uses}` with assets", step) if assets else None
    if re.match(r"^(Docker|NuGetCommand|Npm|DotNetCoreCLI)@", uses):
        command = str(step.with_.get("command", "")).lower()
        if command in ("push", "buildandpush", "publish") and not uses.startswith("DotNet"):
            return _evidence(f"`{uses}` {command}", step)
        return None
    if uses and _PUBLISH_USES.search(uses):
        return _evidence(f"`{uses}`", step)
    for key, value in step.with_.items():
        if (_PUSH_INPUT.match(key) and _truthy(value)) or (
                key in ("action", "command") and _PUSH_VALUE.search(str(value))):
            return _evidence(f"`{uses}` with `{key}: {value}`", step)
    return None


_PUSH_INPUT = re.compile(r"^push([-_]images?)?$", re.I)
_PUSH_VALUE = re.compile(r"(image|package)[-_]?(publish|push)|^(publish|push)$", re.I)


_GH_FLAGS_WITH_VALUE = {"-t", "--title", "-n", "--notes", "-F", "--notes-file", "--target",
                        "-R", "--repo", "--discussion-category", "--notes-start-tag"}


def _gh_release_with_assets(line: str) -> bool:
    """`gh release create TAG FILE...`: a release that uploads assets."""
    if not re.search(r"\bgh\s+release\s+create\b", line):
        return False
    found = positional_arguments(line[re.search(r"\bcreate\b", line).end():],  # type: ignore[union-attr]
                                 _GH_FLAGS_WITH_VALUE)
    return found is not None and len(found) >= 2


def positional_arguments(args: str, flags_with_value: Collection[str]) -> list[str] | None:
    """The arguments of one shell command that are not flags (nor a flag's value), up to
    the next `&&`, `||`, `;` or `|`; None when the text does not split as shell words."""
    try:
        words = shlex.split(args)
    except ValueError:
        return None
    positional: list[str] = []
    skip = False
    for word in words:
        if word in ("&&", "||", ";", "|"):
            break
        if skip:
            skip = False
        elif word in flags_with_value:
            skip = True
        elif not word.startswith("-"):
            positional.append(word)
    return positional


def signing(step: Step) -> Evidence | None:
    """The step signs or attests an artifact (or publishes with provenance)."""
    found = _matching(step, _SIGN_CMD)
    if found is not None:
        return command_evidence(f"`{found[0]}`", step, found)
    uses = step.uses or ""
    if _SIGN_USES.search(uses):
        return _evidence(f"`{uses}`", step)
    if uses.startswith("pypa/gh-action-pypi-publish@") and not step.with_.get("password"):
        return _evidence("PyPI trusted publishing", step)
    if _truthy(step.env.get("NPM_CONFIG_PROVENANCE")):
        return _evidence("NPM_CONFIG_PROVENANCE", step)
    if _truthy(step.env.get("DOCKER_CONTENT_TRUST")):
        return _evidence("DOCKER_CONTENT_TRUST", step)
    return None


def keyless(step: Step) -> bool:
    """The step signs with an OIDC identity (Sigstore keyless), which needs `id-token: write`."""
    found = _matching(step, _COSIGN)
    if found is not None:
        return not re.search(r"--key\b", found[0])
    return bool(step.uses and _KEYLESS_USES.search(step.uses)) and not step.with_.get("password")


# ---------------------------------------------------------------- kinds of jobs


def does_test(step: Step) -> bool:
    return bool(_matching(step, _TEST_CMD) or (step.uses and _TEST_USES.search(step.uses)))


def does_scan(step: Step) -> bool:
    return bool(_matching(step, _SCAN_CMD) or (step.uses and _SCAN_USES.search(step.uses)))


def job_kinds(pipeline: Pipeline, job: Job) -> frozenset[str]:
    """What a job is for: test, security-scan, deploy (by its name, steps or commands)."""
    kinds: set[str] = set()
    label = f"{job.id} {job.name}"
    if _TEST_NAME.search(label.lower()) or any(map(does_test, job.steps)):
        kinds.add("test")
    if _SCAN_NAME.search(label) or any(map(does_scan, job.steps)):
        kinds.add("security-scan")
    if deploy(job) is not None:
        kinds.add("deploy")
    return frozenset(kinds)


def included_kinds(pipeline: Pipeline) -> frozenset[str]:
    """Kinds of work a pipeline pulls in by template (GitLab security templates)."""
    if any(_SCAN_INCLUDE.search(i.location) for i in pipeline.includes if i.kind != "local"):
        return frozenset({"security-scan"})
    return frozenset()
