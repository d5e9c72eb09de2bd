"""Azure Pipelines YAML normalised into the pipeline model."""

from __future__ import annotations

from typing import Any

from platform_lint.model import Path
from platform_lint.sources.pipeline_model import Environment, Job, Pipeline, Step
from platform_lint.sources.pipeline_values import (
    _fields,
    _first_line,
    _list,
    _mapping,
    _names,
    _on_failure,
    _text,
)

_AZ_RUN = ("script", "bash", "pwsh", "powershell")
_AZ_STEP = {"displayName": "name", "condition": "condition", "continueOnError": "continue_on_error",
            "env": "env", "inputs": "with", "task": "uses", **{k: "run" for k in _AZ_RUN}}
_AZ_JOB = {"dependsOn": "needs", "condition": "condition", "environment": "environment",
           "continueOnError": "continue_on_error", "container": "image", "variables": "env",
           "strategy": "strategy", "steps": "steps", "displayName": "name"}
_AZ_HOOKS = ("preDeploy", "deploy", "routeTraffic", "postRouteTraffic")


def _azure_step(node: dict[str, Any], path: Path, file: str, on_failure: bool) -> Step:
    run = next((node[k] for k in _AZ_RUN if isinstance(node.get(k), str)), None)
    task = node.get("task")
    uses = task if isinstance(task, str) else None
    if uses is None:
        keys = ("template", "checkout", "download", "publish")
        other = next((k for k in keys if k in node), None)
        uses = f"{other}: {node[other]}" if other else None
    condition = _text(node.get("condition"))
    label = node.get("displayName") or uses or (_first_line(run) if run else None)
    return Step(
        name=str(label or f"step {path[-1]}"), path=path, file=file, run=run, uses=uses,
        with_=_mapping(node.get("inputs")), env=_mapping(node.get("env")), condition=condition,
        continue_on_error=node.get("continueOnError") is True,
        on_failure=on_failure or _on_failure(condition),
        fields=_fields(path, node, _AZ_STEP),
    )


def _azure_steps(job: dict[str, Any], base: Path, file: str) -> tuple[tuple[Step, ...], str | None]:
    """The job's steps, including every hook of a deployment strategy; and the strategy name."""
    found: list[Step] = []

    def add(node: Any, path: Path, on_failure: bool = False) -> None:
        for i, step in enumerate(_list(_mapping(node).get("steps"))):
            if isinstance(step, dict):
                found.append(_azure_step(step, (*path, "steps", i), file, on_failure))

    add(job, base)
    strategy_name: str | None = None
    for name, strategy in _mapping(job.get("strategy")).items():
        if not isinstance(strategy, dict) or name not in ("runOnce", "rolling", "canary"):
            continue
        strategy_name = name
        spath = (*base, "strategy", name)
        for hook in _AZ_HOOKS:
            add(strategy.get(hook), (*spath, hook))
        on = _mapping(strategy.get("on"))
        add(on.get("failure"), (*spath, "on", "failure"), on_failure=True)
        add(on.get("success"), (*spath, "on", "success"))
    return tuple(found), strategy_name


def _azure_environment(value: Any, base: Path) -> Environment | None:
    if isinstance(value, str):
        return Environment(name=value.split(".")[0], path=(*base, "environment"))
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return Environment(name=value["name"], path=(*base, "environment", "name"))
    return None


def _azure_job(node: dict[str, Any], base: Path, file: str, *, job_id: str,
               needs: tuple[str, ...], stage: str | None, stage_condition: str | None) -> Job:
    steps, strategy = _azure_steps(node, base, file)
    own = _text(node.get("condition"))
    condition = "; ".join(c for c in (stage_condition, own) if c) or None
    images: tuple[tuple[str, Path], ...] = ()
    container = node.get("container")
    if isinstance(container, str):
        images = ((container, (*base, "container")),)
    elif isinstance(container, dict) and isinstance(container.get("image"), str):
        images = ((container["image"], (*base, "container", "image")),)
    return Job(
        id=job_id,
        name=str(node.get("displayName") or node.get("deployment") or node.get("job") or job_id),
        path=base, file=file, needs=needs,
        environment=_azure_environment(node.get("environment"), base),
        condition=condition, on_failure=_on_failure(own),
        manual=any((s.uses or "").startswith("ManualValidation@") for s in steps),
        continue_on_error=node.get("continueOnError") is True,
        deployment="deployment" in node, strategy=strategy, stage=stage, steps=steps,
        images=images, env=_mapping(node.get("variables")),
        fields={**_fields(base, node, _AZ_JOB), **({"id": (*base, "deployment")}
                                                    if "deployment" in node else {})},
    )


def _azure_jobs(nodes: Any, base: Path, file: str, *, stage: str | None = None,
                stage_needs: tuple[str, ...] = (), stage_condition: str | None = None) -> list[Job]:
    prefix = f"{stage}." if stage else ""
    out: list[Job] = []
    for i, node in enumerate(_list(nodes)):
        if not isinstance(node, dict):
            continue
        name = node.get("job") or node.get("deployment")
        if not isinstance(name, str):
            continue
        own = tuple(f"{prefix}{d}" for d in _names(node.get("dependsOn")))
        out.append(_azure_job(node, (*base, i), file, job_id=f"{prefix}{name}",
                              needs=stage_needs + own, stage=stage,
                              stage_condition=stage_condition))
    return out


def _build_azure(path: str, data: dict[str, Any]) -> Pipeline:
    jobs: list[Job] = []
    if isinstance(data.get("stages"), list):
        by_stage: dict[str, list[Job]] = {}
        previous: str | None = None
        for i, node in enumerate(data["stages"]):
            if not isinstance(node, dict) or not isinstance(node.get("stage"), str):
                continue
            stage = node["stage"]
            default = (previous,) if previous else ()
            depends = _names(node["dependsOn"]) if "dependsOn" in node else default
            needs = tuple(j.id for d in depends for j in by_stage.get(d, []))
            staged = _azure_jobs(node.get("jobs"), ("stages", i, "jobs"), path, stage=stage,
                                 stage_needs=needs, stage_condition=_text(node.get("condition")))
            by_stage[stage] = staged
            jobs.extend(staged)
            previous = stage
    elif isinstance(data.get("jobs"), list):
        jobs = _azure_jobs(data["jobs"], ("jobs",), path)
    elif isinstance(data.get("steps"), list):
        jobs = [_azure_job(data, (), path, job_id="job", needs=(), stage=None,
                           stage_condition=None)]
    trigger = data.get("trigger")
    branches = _names(_mapping(_mapping(trigger).get("branches")).get("include")) or _names(trigger)
    return Pipeline(system="azure-pipelines", path=path, jobs=tuple(jobs),
                    triggers=tuple(k for k in ("trigger", "pr", "schedules") if k in data),
                    trigger_branches=branches, env=_mapping(data.get("variables")), files=(path,))
