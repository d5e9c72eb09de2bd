"""The one place that knows what a pipeline job does to the world.

Every delivery rule asks these questions of the normalised model
(`pipeline_model`): does this job deploy, is it production, what comes
before it (staging, gates, tests, scans), what comes after it (verification,
rollback). Each answer that is "yes" comes with `Evidence`: where in which
file it was seen, so a rule can point at it. What a step does to artifacts
(publish, sign) is in `artifacts`; reading a step's commands in `step_commands`.

Pure functions over the model: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from platform_lint.sources.artifacts import publish
from platform_lint.sources.delivery_policy import Policy
from platform_lint.sources.pipeline_model import Job, Pipeline, Step
from platform_lint.sources.step_commands import (
    Evidence,
    command_evidence,
    commands,
    matching,
    rx,
    step_evidence,
    truthy,
)

_DEPLOY_CMD = rx(
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
_DEPLOY_TASK = rx(
    r"^(KubernetesManifest|HelmDeploy|AzureWebApp|AzureRmWebAppDeployment|AzureFunctionApp|"
    r"AzureResourceManagerTemplateDeployment|AzureContainerApps)@",
)
_DEPLOY_USES = rx(r"deploy(?!ments?\b)", r"^azure/k8s-", r"helm-?(upgrade|install)",
                   r"kubernetes/create-or-update", r"/kubectl-run")
_TEARDOWN_CMD = rx(r"\bkubectl\b.*\sdelete\b", r"\bhelm\s+(uninstall|delete)\b",
                    r"\b(terraform|tofu)\s+destroy\b", r"\bpulumi\s+destroy\b")

_PROGRESSIVE_CMD = rx(
    r"\bargo\s+rollouts\b", r"\bkubectl[- ]argo[- ]rollouts\b", r"\bflagger\b", r"--canary\b",
    r"--blue-?green\b", r"\bupdate-traffic\b", r"--no-traffic\b", r"--to-revisions\b",
    r"\bslot\s+swap\b", r"CodeDeployDefault\.\w*(Canary|Linear)", r"\btraffic[-_ ]?split\b",
    r"\b(launchdarkly|ldcli|unleash|flagsmith|configcat|growthbook)\b",
)
_PROGRESSIVE_USES = rx(r"launchdarkly", r"unleash", r"flagsmith", r"argo-?rollouts", r"flagger")
_PROGRESSIVE_INPUT = rx(r"^(canary|blue-?green|bluegreen)$")

_ROLLBACK_CMD = rx(
    r"\bkubectl\b.*\srollout\s+undo\b", r"\bhelm[0-9]?\s+(-\S+\s+)*rollback\b",
    r"\bargo\s+rollouts\s+(abort|undo)\b", r"\bkubectl[- ]argo[- ]rollouts\s+(abort|undo)\b",
    r"\bargocd\s+app\s+rollback\b", r"\baws\s+deploy\s+stop-deployment\b",
    r"\bslot\s+swap\b", r"--to-revisions\b", r"\brollback\b",
)
_AUTO_ROLLBACK = rx(
    r"\bhelm[0-9]?\s+.*--(atomic|rollback-on-failure)\b",
    r"--auto-rollback-configuration\s+\S*enabled=true",
    r"deploymentCircuitBreaker=\{?\S*rollback=true",
)

_VERIFY_CMD = rx(
    r"\bkubectl\b.*\srollout\s+status\b", r"\bkubectl\b.*\swait\b",
    r"\b(kubectl[- ]argo[- ]rollouts|argo\s+rollouts)\s+status\b", r"\bargocd\s+app\s+wait\b",
    r"\bhelm[0-9]?\s+test\b", r"\bhelm[0-9]?\s+.*--(wait|atomic|rollback-on-failure)\b",
    r"\baws\s+ecs\s+wait\s+services-stable\b", r"\baws\s+deploy\s+wait\b",
    r"\bcurl\b.*\s(-[a-zA-Z]*f[a-zA-Z]*|--fail(-with-body)?)\b", r"\bcurl\b.*health",
    r"\bwget\b.*--spider\b", r"\bsmoke", r"\bhealth-?check", r"\bsynthetic",
)
_VERIFY_NAME = rx(r"smoke", r"health", r"verif", r"synthetic", r"sanity", r"post-?deploy",
                   r"\be2e\b", r"end-to-end", r"uptime", r"probe")

_TEST_CMD = rx(
    r"\b(pytest|tox|nox|jest|mocha|vitest|rspec|phpunit|ctest|bats)\b", r"\bgo\s+test\b",
    r"\b(npm|yarn|pnpm)\s+(run\s+)?test", r"\bmvn\b.*\s(test|verify)\b",
    r"\bgradlew?\b.*\s(test|check)\b", r"\bcargo\s+test\b", r"\bdotnet\s+test\b",
    r"\bmake\s+(test|check)\b", r"\bpython[0-9.]*\s+-m\s+(pytest|unittest)\b",
)
_TEST_USES = rx(r"^(VSTest|DotNetCoreCLI|PublishTestResults)@")
_TEST_NAME = rx(r"(^|[^a-z])(unit-?)?tests?([^a-z]|$)", r"integration")
_SCAN_CMD = rx(
    r"\b(trivy|grype|snyk|semgrep|bandit|gosec|checkov|tfsec|terrascan|kics|osv-scanner|"
    r"dependency-check|sonar-scanner|gitleaks|trufflehog|govulncheck|brakeman|codeql|"
    r"pip-audit|zap-baseline|zap-full-scan)\b",
    r"\b(npm|yarn|pnpm)\s+audit\b", r"\bsafety\s+check\b", r"\bdocker\s+scout\b",
)
_SCAN_USES = rx(
    r"^github/codeql-action/", r"trivy", r"^snyk/", r"anchore", r"semgrep", r"gosec", r"checkov",
    r"gitleaks", r"trufflehog", r"dependency-review", r"sonar", r"zaproxy", r"scorecard",
    r"^(SnykSecurityScan|WhiteSource|CredScan|AdvancedSecurity-\w+|SonarQube\w*|trivy)@",
)
_SCAN_NAME = rx(r"scan", r"sast", r"dast", r"security", r"codeql", r"vulnerab", r"audit",
                 r"secret[-_ ]detection")
_SCAN_INCLUDE = rx(r"Security/", r"SAST", r"Dependency-Scanning", r"Container-Scanning",
                    r"Secret-Detection", r"Auto-DevOps")

_DEFAULT = Policy()
"""The policy of a check given no params."""


# ---------------------------------------------------------------- deploys


def deploy_step(step: Step) -> Evidence | None:
    """The step runs a deploy command or a deploy action/task/orb/pipe."""
    found = matching(step, _DEPLOY_CMD)
    if found is not None:
        return command_evidence(f"`{found[0]}`", step, found)
    uses = step.uses or ""
    if _DEPLOY_TASK.search(uses) or (uses and _DEPLOY_USES.search(uses.split("@")[0])):
        return step_evidence(f"`{uses}`", step)
    command = str(step.with_.get("command", step.with_.get("action", ""))).lower()
    if re.match(r"^(Kubernetes|TerraformTask\w*|TerraformCLI)@", uses) and command in (
            "apply", "deploy", "upgrade", "install"):
        return step_evidence(f"`{uses}` {command}", step)
    return None


def deploy(job: Job) -> Evidence | None:
    """Why `job` deploys: its first deploy step, else its environment (or deployment job).

    Not a deploy: applying to a cluster the job itself created (kind, minikube,
    k3d: it lives and dies with the runner, so the job tests), a job that names
    an environment only to stop or tear it down, only to publish a package, or
    only to get its secrets (nothing in the job says it deploys).
    """
    disposable = False
    for step in job.steps:
        if throwaway_cluster(step):
            disposable = True
            continue
        found = deploy_step(step)
        if found is not None and not (disposable and _to_current_cluster(step, found)):
            return found
    if job.uses and _DEPLOY_USES.search(job.uses.split("@")[0]):
        return Evidence(f"`{job.uses}`", job.at("uses"), job.file)
    env = job.environment
    if env is None or env.action in ("stop", "prepare", "access", "verify"):
        return None
    if any(matching(s, _TEARDOWN_CMD) for s in job.steps) or any(map(publish, job.steps)):
        return None
    if not job.deployment and (disposable or not _says_it_deploys(job)):
        return None
    what = f"deployment job to environment `{env.name}`" if job.deployment else \
        f"environment `{env.name}`"
    return Evidence(what, env.path, job.file)


_THROWAWAY_CMD = rx(r"\bkind\s+create\s+cluster\b", r"\bminikube\s+start\b",
                    r"\bk3d\s+cluster\s+create\b", r"\bctlptl\s+create\s+cluster\b")
_THROWAWAY_USES = rx(r"^helm/kind-action@", r"^engineerd/setup-kind@", r"^container-tools/kind-action@",
                     r"^medyagh/setup-minikube@", r"^manusa/actions-setup-minikube@",
                     r"^AbsaOSS/k3d-action@", r"^nolar/setup-k3d-k3s@")
_CLUSTER_TOOL = rx(r"\bkubectl\b", r"\bhelm[0-9]?\b", r"\bskaffold\b", r"\bkustomize\b",
                   r"k8s", r"kube")
"""Deploys that land on the job's current Kubernetes context."""
_DEPLOY_WORD = rx(r"deploy", r"roll[- ]?out", r"promot", r"\bship", r"provision", r"release",
                  r"\bapply\b", r"\bupgrade\b")


def throwaway_cluster(step: Step) -> bool:
    """The step creates a Kubernetes cluster on the runner (kind, minikube, k3d)."""
    return matching(step, _THROWAWAY_CMD) is not None or bool(
        step.uses and _THROWAWAY_USES.search(step.uses))


def _to_current_cluster(step: Step, found: Evidence) -> bool:
    return bool(_CLUSTER_TOOL.search(found.line or step.uses or ""))


def _says_it_deploys(job: Job) -> bool:
    """The job's name, a step's name, command or action speaks of deploying (a script such
    as `./ship.sh` that the recogniser cannot see into)."""
    texts = [job.id, job.name, *(s.name for s in job.steps), *(s.uses or "" for s in job.steps),
             *(command for s in job.steps for command in commands(s))]
    return any(_DEPLOY_WORD.search(text) for text in texts)


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


def is_production(job: Job, policy: Policy = _DEFAULT) -> bool:
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


def is_pre_production(job: Job, policy: Policy = _DEFAULT) -> bool:
    env = job.environment
    if env is not None and env.tier is not None:
        return env.tier in ("staging", "testing", "development")
    return _names_match(_target(job), policy.pre_production) and not is_production(job, policy)


def on_default_branch(job: Job, policy: Policy = _DEFAULT) -> bool:
    """The job's condition limits it to the default branch (however the system writes it)."""
    if not job.condition:
        return False
    branches = "|".join(re.escape(b) for b in policy.default_branches)
    pattern = re.compile(
        rf"(refs/heads/({branches})\b|CI_DEFAULT_BRANCH|(^|[\s:'\",=])({branches})(['\"\s,;]|$))"
    )
    return bool(pattern.search(job.condition))


_BRANCH_NAMED = re.compile(
    r"""(?:CI_COMMIT_BRANCH|CI_COMMIT_REF_NAME)\s*==\s*["']([^"']+)["']"""
    r"""|refs/heads/([\w./*-]+)"""
    r"""|^(?:only|branch):\s*(.+)"""
)
_NEGATED = re.compile(r"!=|!~|!\s*(?:startsWith|contains)\b|\b(?:ne|not)\(")


def branches(job: Job) -> frozenset[str]:
    """The branches the job's condition limits it to (`$CI_COMMIT_BRANCH == "x"`,
    `refs/heads/x`, GitLab `only:`, a Bitbucket branch pipeline); empty when any way
    it may run names none or names a branch only to exclude it (`!=`, a `when: never`
    rule's branch, a catch-all rule after it)."""
    found: set[str] = set()
    for clause in (job.condition or "").split("; "):
        if "when: never" in clause:
            continue  # where the job does not run
        for alternative in clause.split("||"):
            named: set[str] = set()
            for match in _BRANCH_NAMED.finditer(alternative.strip()):
                named.update([match[1] or match[2]] if match[1] or match[2]
                             else (b.strip() for b in match[3].split(",") if b.strip()))
            if not named or _NEGATED.search(alternative):
                return frozenset()
            found |= named
    return frozenset(found)


def promoted_from(earlier: Job, job: Job) -> bool:
    """`earlier` deploys from other branches than `job` does: what a pipeline that promotes
    by branch (staging's branch merged into production's) deploys first, though the two
    jobs never run in one pipeline, so neither needs the other."""
    before, after = branches(earlier), branches(job)
    return bool(before) and bool(after) and before.isdisjoint(after)


# ---------------------------------------------------------------- around a deploy


def progressive(job: Job) -> Evidence | None:
    """A canary, blue/green, rolling or feature-flag mechanism in the deploy job."""
    if job.strategy in ("canary", "rolling"):
        return Evidence(f"Azure `{job.strategy}` strategy", job.at("strategy"), job.file)
    for step in job.steps:
        found = matching(step, _PROGRESSIVE_CMD)
        if found is not None:
            return command_evidence(f"`{found[0]}`", step, found)
        if step.uses and _PROGRESSIVE_USES.search(step.uses):
            return step_evidence(f"`{step.uses}`", step)
        for key in ("strategy", "deployment-strategy", "traffic-split", "no_traffic", "tag"):
            value = step.with_.get(key)
            if (key == "no_traffic" and truthy(value)) or (
                    isinstance(value, str) and _PROGRESSIVE_INPUT.match(value.strip())):
                return step_evidence(f"`{key}: {value}`", step)
    return None


def gate(pipeline: Pipeline, job: Job, policy: Policy = _DEFAULT) -> Evidence | None:
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
        found = matching(step, _AUTO_ROLLBACK)
        if found is not None:
            return command_evidence(f"`{found[0]}`", step, found)
    for owner, step in _later_steps(pipeline, job, None):
        runs_after_failure = step.on_failure if owner is job else (owner.on_failure or owner.manual)
        if not runs_after_failure:
            continue
        found = matching(step, _ROLLBACK_CMD)
        if found is not None:
            return command_evidence(f"rollback in `{owner.id}`", step, found)
        if "rollback" in step.name.lower() or "rollback" in owner.id.lower():
            return step_evidence(f"rollback in `{owner.id}`", step)
    return None


def verification(pipeline: Pipeline, job: Job) -> Evidence | None:
    """A health check after the deploy: rollout status, a smoke test, `curl --fail`..."""
    deployed = deploy(job)
    for owner, step in _later_steps(pipeline, job, deployed.step if deployed else None):
        if step.on_failure:
            continue
        found = matching(step, _VERIFY_CMD)
        if found is not None:
            return command_evidence(f"`{found[0]}`", step, found)
        if ("name" in step.fields and _VERIFY_NAME.search(step.name)) or (
                owner is not job and _VERIFY_NAME.search(owner.id + " " + owner.name)):
            return step_evidence(f"`{step.name}`", step)
        if step.uses and (_VERIFY_NAME.search(step.uses) or _KUBE_DEPLOY_WAITS.search(step.uses)):
            return step_evidence(f"`{step.uses}`", step)
        if truthy(step.with_.get("wait-for-service-stability")):
            return step_evidence("`wait-for-service-stability`", step)
    return None


_KUBE_DEPLOY_WAITS = rx(r"^azure/k8s-deploy@", r"^KubernetesManifest@")
"""Deploy actions that wait for the rollout to finish by default."""


# ---------------------------------------------------------------- kinds of jobs


def does_test(step: Step) -> bool:
    return bool(matching(step, _TEST_CMD) or (step.uses and _TEST_USES.search(step.uses)))


def does_scan(step: Step) -> bool:
    return bool(matching(step, _SCAN_CMD) or (step.uses and _SCAN_USES.search(step.uses)))


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
