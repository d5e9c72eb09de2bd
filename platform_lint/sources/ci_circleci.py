"""CircleCI configuration normalised into the pipeline model."""

from __future__ import annotations

from typing import Any

from platform_lint.model import Path
from platform_lint.sources.pipeline_model import Job, Pipeline, Step
from platform_lint.sources.pipeline_values import (
    _fields,
    _first_line,
    _list,
    _mapping,
    _names,
    _text,
)

_CIRCLE_JOB = {"docker": "image", "environment": "env", "steps": "steps", "executor": "image"}


def _circle_steps(nodes: Any, base: Path, file: str, condition: str | None = None) -> list[Step]:
    found: list[Step] = []
    for i, node in enumerate(_list(nodes)):
        path = (*base, i)
        if isinstance(node, str):
            found.append(Step(name=node, path=path, file=file, uses=node, condition=condition))
            continue
        if not isinstance(node, dict) or len(node) != 1:
            continue
        (kind, body), = node.items()
        if kind in ("when", "unless") and isinstance(body, dict):
            found.extend(_circle_steps(body.get("steps"), (*path, kind, "steps"), file,
                                       f"{kind}: {_text(body.get('condition'))}"))
        elif kind == "run":
            found.append(_circle_run(body, (*path, "run"), file, condition))
        else:
            params = _mapping(body)
            found.append(Step(name=str(params.get("name") or kind), path=path, file=file, uses=kind,
                              with_=params, condition=condition,
                              fields={"uses": path, "with": (*path, kind)}))
    return found


def _circle_run(body: Any, path: Path, file: str, condition: str | None) -> Step:
    if isinstance(body, str):
        return Step(name=_first_line(body), path=path, file=file, run=body, condition=condition,
                    fields={"run": path})
    node = _mapping(body)
    command = node.get("command")
    when = node.get("when")
    return Step(
        name=str(node.get("name") or _first_line(str(command or "run"))), path=path, file=file,
        run=command if isinstance(command, str) else None, env=_mapping(node.get("environment")),
        condition=f"when: {when}" if when else condition, on_failure=when == "on_fail",
        fields=_fields(path, node, {"command": "run", "when": "condition", "name": "name",
                                    "environment": "env"}),
    )


def _circle_images(job: dict[str, Any], base: Path, data: dict[str, Any]) -> list[tuple[str, Path]]:
    images: list[tuple[str, Path]] = []
    docker = job.get("docker")
    where = base
    if docker is None and isinstance(job.get("executor"), str):
        executor = _mapping(_mapping(data.get("executors")).get(job["executor"]))
        docker, where = executor.get("docker"), ("executors", job["executor"])
    for i, image in enumerate(_list(docker)):
        if isinstance(image, dict) and isinstance(image.get("image"), str):
            images.append((image["image"], (*where, "docker", i, "image")))
    return images


def _build_circleci(path: str, data: dict[str, Any]) -> Pipeline:
    defined = _mapping(data.get("jobs"))
    instances: dict[str, dict[str, Any]] = {}
    for wf_name, workflow in _mapping(data.get("workflows")).items():
        for i, entry in enumerate(_list(_mapping(workflow).get("jobs"))):
            job_name: Any
            if isinstance(entry, str):
                job_name, params = entry, {}
            else:
                job_name, params = next(iter(_mapping(entry).items()), (None, {}))
            if not isinstance(job_name, str):
                continue
            params = _mapping(params)
            entry_path: Path = ("workflows", wf_name, "jobs", i)
            if not isinstance(entry, str):
                entry_path = (*entry_path, job_name)
            instance_id = str(params.get("name") or job_name)
            seen = instances.setdefault(instance_id, {"job": job_name, "params": params,
                                                      "path": entry_path, "requires": []})
            seen["requires"] += list(_names(params.get("requires")))
    if not instances:
        instances = {n: {"job": n, "params": {}, "path": ("jobs", n), "requires": []}
                     for n in defined}
    jobs: list[Job] = []
    for instance_id, info in instances.items():
        job_name, params, entry_path = info["job"], info["params"], info["path"]
        node = _mapping(defined.get(job_name))
        base: Path = ("jobs", job_name) if job_name in defined else entry_path
        branches = _mapping(_mapping(params.get("filters")).get("branches"))
        condition = " ".join(f"branches {k}: {', '.join(_names(branches[k]))}"
                             for k in ("only", "ignore") if k in branches) or None
        fields = _fields(base, node, _CIRCLE_JOB)
        fields.update(_fields(entry_path, params, {"requires": "needs", "filters": "condition",
                                                   "type": "manual", "context": "context"}))
        fields["entry"] = entry_path
        jobs.append(Job(
            id=instance_id, name=instance_id, path=base, file=path,
            needs=tuple(dict.fromkeys(info["requires"])), condition=condition,
            manual=params.get("type") == "approval",
            steps=tuple(_circle_steps(node.get("steps"), (*base, "steps"), path)),
            images=tuple(_circle_images(node, base, data)), env=_mapping(node.get("environment")),
            uses=job_name if job_name not in defined and params.get("type") != "approval" else None,
            fields=fields,
        ))
    return Pipeline(system="circleci", path=path, jobs=tuple(jobs), files=(path,))
