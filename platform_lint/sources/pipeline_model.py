"""One model of a CI/CD pipeline for every CI system.

`platform_lint.sources.pipelines` turns GitHub Actions, GitLab CI, Azure
Pipelines, CircleCI and Bitbucket Pipelines files into these frozen
dataclasses, so a rule written once serves all five.

Locations: every `Job`, `Step` and `Environment` keeps `path`, its location
path into the data of the document that holds it, and `file`, that
document's path (the pipeline file itself, or a local file it includes, as
GitLab's `include:` allows). `fields` maps a normalised field name (`run`,
`uses`, `with`, `env`, `condition`, `continue_on_error`, `image`, `needs`,
`manual`, `permissions`...) to the path of the key it came from, so a rule can
point at the exact key: `step.at("run")`.

Order: `Job.needs` holds the ids of the jobs that must finish before a job
starts, whatever the CI system calls it (GitHub `needs`, GitLab stage order,
`needs` and `dependencies`, Azure `dependsOn` and stage order, CircleCI
workflow `requires`, Bitbucket step order). `Pipeline.before(job)` is the
transitive closure.

Commands: a `Step` is one unit of work. GitLab, Bitbucket and CircleCI put
several commands in one job; each script line is its own `Step`, so a
finding can point at the line that runs `kubectl apply`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from platform_lint.budget import checkpoint
from platform_lint.model import Path
from platform_lint.records import field, record


@record(frozen=True)
class Environment:
    """A deployment target a job names (GitHub/GitLab `environment`, Azure
    deployment job `environment`, Bitbucket `deployment`)."""

    name: str
    path: Path
    tier: str | None = None
    """GitLab `deployment_tier` when given (production, staging, ...)."""
    action: str | None = None
    """GitLab `environment.action`: start (default), prepare, stop, verify, access."""


@record(frozen=True)
class Include:
    """Configuration pulled in from elsewhere (GitLab `include:`)."""

    kind: str
    """local, project, remote, template or component."""
    location: str
    """The file, URL, template name, project path or component address."""
    ref: str | None
    """The branch, tag or commit asked for (project `ref:`, component `@version`)."""
    path: Path
    file: str


@record(frozen=True)
class Step:
    """One step: a command (`run`), a used action/orb/task/pipe (`uses`), or both absent
    (a checkout or an unknown shorthand)."""

    name: str
    path: Path
    file: str
    run: str | None = None
    uses: str | None = None
    """`owner/repo@ref` (GitHub action), `docker://image` (GitHub), `orb/command`
    (CircleCI), `Task@N` (Azure), `atlassian/pipe:1.0` (Bitbucket pipe)."""
    with_: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, Any] = field(default_factory=dict)
    condition: str | None = None
    continue_on_error: bool = False
    on_failure: bool = False
    """The step runs only after something failed (`if: failure()`, `condition:
    failed()`, Azure strategy `on: failure`, CircleCI `when: on_fail`)."""
    fields: Mapping[str, Path] = field(default_factory=dict)

    def at(self, name: str) -> Path:
        """Path of field `name`, or of the step itself when the field is absent."""
        return self.fields.get(name, self.path)


@record(frozen=True)
class Job:
    """A unit of scheduling: a GitHub job, a GitLab job, an Azure job or
    deployment job, a CircleCI job (as a workflow runs it), a Bitbucket step."""

    id: str
    name: str
    path: Path
    file: str
    needs: tuple[str, ...] = ()
    environment: Environment | None = None
    condition: str | None = None
    """The job's own condition as text: GitHub `if`, GitLab `rules`/`only`/`except`,
    Azure `condition` (own and stage's), CircleCI branch filters, Bitbucket branch."""
    on_failure: bool = False
    """The job runs only after an earlier one failed (GitLab `when: on_failure`,
    `if: failure()`, `condition: failed()`)."""
    manual: bool = False
    """A person must start or approve it: GitLab `when: manual`, CircleCI
    `type: approval`, Bitbucket `trigger: manual`, Azure ManualValidation."""
    continue_on_error: bool = False
    """GitHub job `continue-on-error`, GitLab `allow_failure`, Azure `continueOnError`."""
    deployment: bool = False
    """Azure `deployment:` job (always targets an environment)."""
    strategy: str | None = None
    """Azure deployment strategy: runOnce, rolling or canary."""
    stage: str | None = None
    steps: tuple[Step, ...] = ()
    images: tuple[tuple[str, Path], ...] = ()
    """Container images the job runs in or beside, with their locations."""
    env: Mapping[str, Any] = field(default_factory=dict)
    permissions: Any = None
    uses: str | None = None
    """A reusable workflow/template the whole job calls (GitHub `jobs.<id>.uses`)."""
    fields: Mapping[str, Path] = field(default_factory=dict)

    def at(self, name: str) -> Path:
        """Path of field `name`, or of the job itself when the field is absent."""
        return self.fields.get(name, self.path)


@record(frozen=True)
class Pipeline:
    system: str
    path: str
    jobs: tuple[Job, ...] = ()
    triggers: tuple[str, ...] = ()
    """Events that start it: GitHub `on` event names; `push`, `merge_request`,
    `schedule`... elsewhere when the file says so."""
    trigger_branches: tuple[str, ...] = ()
    """Branches a push trigger is limited to (GitHub `on.push.branches`, Azure
    `trigger.branches.include`); empty means not limited or not stated."""
    permissions: Any = None
    """GitHub workflow-level `permissions` (mapping, `read-all`/`write-all`, or None)."""
    env: Mapping[str, Any] = field(default_factory=dict)
    includes: tuple[Include, ...] = ()
    files: tuple[str, ...] = ()
    """Every file the model was built from: the pipeline file first, then local includes."""
    fields: Mapping[str, Path] = field(default_factory=dict)
    _index: Mapping[str, Job] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({j.id: j for j in self.jobs}))

    def job(self, job_id: str) -> Job | None:
        return self._index.get(job_id)

    def before(self, job: Job) -> tuple[Job, ...]:
        """Every job that must finish before `job` starts, nearest first."""
        checkpoint()  # each call walks the graph once; a file's CPU budget stops the calls
        seen: dict[str, Job] = {}
        queue = list(job.needs)
        for current in queue:  # grows as it is walked: each job's needs once
            if current in seen or current == job.id:
                continue
            found = self._index.get(current)
            if found is not None:
                seen[current] = found
                queue.extend(found.needs)
        return tuple(seen.values())

    def after(self, job: Job) -> tuple[Job, ...]:
        """Every job that waits (directly or not) for `job`: whose `before` holds it."""
        checkpoint()
        found = self._index.get(job.id)
        if found is not job and found != job:
            return ()
        waiting: dict[str, list[str]] = {}  # job id -> the ids of the jobs that need it
        for other_id, other in self._index.items():
            for need in other.needs:
                waiting.setdefault(need, []).append(other_id)
        reaching = {job.id}  # the ids whose jobs `before` walks through to `job`
        queue = [job.id]
        for current in queue:
            for other_id in waiting.get(current, ()):
                if other_id not in reaching:
                    reaching.add(other_id)
                    queue.append(other_id)
        return tuple(j for j in self.jobs if j.id != job.id and (
            any(n in reaching for n in j.needs) if self._index.get(j.id) is j
            else job in self.before(j)))  # a job another of its id hides: walked on its own

    def steps(self) -> Iterator[tuple[Job, Step]]:
        for job in self.jobs:
            for step in job.steps:
                yield job, step
