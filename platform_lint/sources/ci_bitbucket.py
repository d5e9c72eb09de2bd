"""Bitbucket Pipelines YAML normalised into the pipeline model."""

from __future__ import annotations

from typing import Any

from platform_lint.model import Path
from platform_lint.records import field, record
from platform_lint.sources.pipeline_model import Environment, Job, Pipeline, Step
from platform_lint.sources.pipeline_values import (
    _fields,
    _image_name,
    _list,
    _mapping,
)


def _bitbucket_script(nodes: Any, base: Path, file: str, key: str) -> list[Step]:
    found: list[Step] = []
    for i, line in enumerate(_list(nodes)):
        path = (*base, key, i)
        if isinstance(line, str):
            found.append(Step(name=f"{key}[{i}]", path=path, file=file, run=line,
                              condition="always()" if key == "after-script" else None,
                              fields={"run": path}))
        elif isinstance(line, dict) and isinstance(line.get("pipe"), str):
            found.append(Step(name=line["pipe"], path=path, file=file, uses=line["pipe"],
                              with_=_mapping(line.get("variables")),
                              fields=_fields(path, line, {"pipe": "uses", "variables": "with"})))
    return found


@record()
class _BitbucketReader:
    path: str
    image: tuple[str, Path] | None
    jobs: list[Job] = field(default_factory=list)

    def sequence(self, items: Any, base: Path, label: str, condition: str | None) -> None:
        """Steps of one pipeline: each item waits for every job of the item before it."""
        previous: tuple[str, ...] = ()
        for i, entry in enumerate(_list(items)):
            item = _mapping(entry)
            group: list[tuple[dict[str, Any], Path, str | None]] = []
            if "step" in item:
                group.append((_mapping(item["step"]), (*base, i, "step"), None))
            elif "parallel" in item:
                par = item["parallel"]
                par_path: Path = (*base, i, "parallel")
                if isinstance(par, dict):
                    par, par_path = par.get("steps"), (*par_path, "steps")
                group += [(_mapping(p.get("step")), (*par_path, j, "step"), None)
                          for j, p in enumerate(_list(par)) if isinstance(p, dict)]
            elif "stage" in item:
                stage = _mapping(item["stage"])
                group += [(_mapping(s.get("step")), (*base, i, "stage", "steps", j, "step"),
                           stage.get("deployment"))
                          for j, s in enumerate(_list(stage.get("steps"))) if isinstance(s, dict)]
            suffix = [f".{k + 1}" for k in range(len(group))] if len(group) > 1 else [""]
            made = [
                self.job(node, path, job_id=f"{label} #{i + 1}{suffix[k]}", needs=previous,
                         condition=condition, stage_deployment=deployment)
                for k, (node, path, deployment) in enumerate(group)
            ]
            previous = tuple(j.id for j in made) or previous

    def job(self, node: dict[str, Any], path: Path, *, job_id: str, needs: tuple[str, ...],
            condition: str | None, stage_deployment: Any) -> Job:
        steps = [*_bitbucket_script(node.get("script"), path, self.path, "script"),
                 *_bitbucket_script(node.get("after-script"), path, self.path, "after-script")]
        deployment = node.get("deployment", stage_deployment)
        environment = (Environment(name=deployment, path=(*path, "deployment"))
                       if isinstance(deployment, str) else None)
        images: list[tuple[str, Path]] = []
        image = _image_name(node.get("image"))
        if image is not None:
            images.append((image, (*path, "image")))
        elif self.image is not None:
            images.append(self.image)
        job = Job(
            id=job_id, name=str(node.get("name") or job_id), path=path, file=self.path, needs=needs,
            environment=environment, condition=condition, manual=node.get("trigger") == "manual",
            steps=tuple(steps), images=tuple(images),
            fields=_fields(path, node, {"deployment": "environment", "trigger": "manual",
                                        "image": "image", "script": "steps", "name": "name"}),
        )
        self.jobs.append(job)
        return job


def _build_bitbucket(path: str, data: dict[str, Any]) -> Pipeline:
    image = _image_name(data.get("image"))
    reader = _BitbucketReader(path, (image, ("image",)) if image else None)
    pipelines = _mapping(data.get("pipelines"))
    triggers: list[str] = []
    for group, value in pipelines.items():
        triggers.append(group)
        if group == "default":
            reader.sequence(value, ("pipelines", group), group, None)
            continue
        for selector, items in _mapping(value).items():
            condition = f"branch: {selector}" if group == "branches" else f"{group}: {selector}"
            reader.sequence(items, ("pipelines", group, selector), f"{group}.{selector}", condition)
    branches = tuple(_mapping(pipelines.get("branches")))
    return Pipeline(system="bitbucket-pipelines", path=path, jobs=tuple(reader.jobs),
                    triggers=tuple(triggers), trigger_branches=branches, files=(path,))
