"""CI/CD pipeline files, normalised into `pipeline_model.Pipeline`.

The system is known from the file's path (see `system_for`). Each file gives
one `Document(kind="pipeline")` whose `model` is the `Pipeline`; a GitLab CI
file also gives one Document per local file it includes, sharing the same
model, so findings in jobs defined there point into that file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from platform_lint.model import Document, Obj, Path, Span, source_lines
from platform_lint.records import record
from platform_lint.sources import FileReader, Parsed
from platform_lint.sources.ci_azure import _build_azure
from platform_lint.sources.ci_bitbucket import _build_bitbucket
from platform_lint.sources.ci_circleci import _build_circleci
from platform_lint.sources.pipeline_model import Environment, Include, Job, Pipeline, Step
from platform_lint.sources.pipeline_values import (
    _fields,
    _first_line,
    _image_name,
    _list,
    _mapping,
    _names,
    _on_failure,
    _text,
)
from platform_lint.sources.yaml_tree import Problem, YamlDocument, parse_yaml

_SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$"), "github-actions"),
    (re.compile(r"(^|/)action\.ya?ml$"), "github-actions"),
    (re.compile(r"(^|/)\.gitlab-ci\.ya?ml$"), "gitlab-ci"),
    (re.compile(r"(^|/)(azure-pipelines[^/]*|\.azure-pipelines/[^/]+)\.ya?ml$"), "azure-pipelines"),
    (re.compile(r"(^|/)\.circleci/config\.ya?ml$"), "circleci"),
    (re.compile(r"(^|/)bitbucket-pipelines\.ya?ml$"), "bitbucket-pipelines"),
)


def system_for(path: str) -> str | None:
    """The CI system a file belongs to, from its path alone."""
    for pattern, system in _SYSTEMS:
        if pattern.search(path):
            return system
    return None


def load(path: str, text: str, files: FileReader) -> Parsed:
    system = system_for(path)
    docs, problems = parse_yaml(text)
    if system is None or not docs:
        return Parsed(problems=problems)
    data = docs[-1].data  # a GitLab `spec:` header document comes first
    if not isinstance(data, dict):
        span = docs[-1].spans.get((), Span.point(1))
        last = max(len(source_lines(text)), 1)
        if span.line > last:  # an empty document after `---` on the last line
            span = Span.point(last)
        problems.append(Problem(span, f"a {system} file must be a mapping at the top level"))
        return Parsed(problems=problems)
    lines = source_lines(text)
    if system == "gitlab-ci":
        return _load_gitlab(path, docs[-1], lines, files, problems)
    model = _BUILDERS[system](path, data)
    doc = _document(path, docs[-1], lines, model)
    return Parsed(documents=[doc], problems=problems)


def objects(doc: Document) -> Iterator[Obj]:
    model = doc.model
    if isinstance(model, Pipeline):
        yield Obj(doc=doc, kind=model.system, name=doc.path, path=(), value=doc.data)


def _document(path: str, yd: YamlDocument, lines: tuple[str, ...], model: Pipeline) -> Document:
    return Document(
        path=path, kind="pipeline", data=yd.data, spans=yd.spans, key_spans=yd.key_spans,
        model=model, lines=lines,
    )


# ---------------------------------------------------------------- GitHub Actions

_GH_STEP = {"run": "run", "uses": "uses", "with": "with", "env": "env", "if": "condition",
            "continue-on-error": "continue_on_error", "name": "name"}
_GH_JOB = {"needs": "needs", "if": "condition", "environment": "environment", "env": "env",
           "permissions": "permissions", "continue-on-error": "continue_on_error",
           "container": "image", "services": "services", "steps": "steps", "uses": "uses",
           "name": "name", "with": "with", "strategy": "strategy"}


def _github_step(node: Any, path: Path, file: str) -> Step:
    step = _mapping(node)
    run = step.get("run")
    uses = step.get("uses")
    condition = _text(step.get("if"))
    label = step.get("name") or uses or (_first_line(run) if isinstance(run, str) else None)
    return Step(
        name=str(label or f"step {path[-1]}"),
        path=path,
        file=file,
        run=run if isinstance(run, str) else None,
        uses=uses if isinstance(uses, str) else None,
        with_=_mapping(step.get("with")),
        env=_mapping(step.get("env")),
        condition=condition,
        continue_on_error=step.get("continue-on-error") is True,
        on_failure=_on_failure(condition),
        fields=_fields(path, step, _GH_STEP),
    )


def _github_images(
    job: dict[str, Any], base: Path, steps: tuple[Step, ...]
) -> tuple[tuple[str, Path], ...]:
    found: list[tuple[str, Path]] = []
    container = job.get("container")
    if isinstance(container, str):
        found.append((container, (*base, "container")))
    elif isinstance(container, dict) and isinstance(container.get("image"), str):
        found.append((container["image"], (*base, "container", "image")))
    for name, service in _mapping(job.get("services")).items():
        if isinstance(service, dict) and isinstance(service.get("image"), str):
            found.append((service["image"], (*base, "services", name, "image")))
    for step in steps:
        if step.uses and step.uses.startswith("docker://"):
            found.append((step.uses.removeprefix("docker://"), step.at("uses")))
    return tuple(found)


def _github_environment(value: Any, base: Path) -> Environment | None:
    if isinstance(value, str):
        return Environment(name=value, path=(*base, "environment"))
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return Environment(name=value["name"], path=(*base, "environment", "name"))
    return None


def _github_triggers(on: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if isinstance(on, str | list):
        return _names(on), ()
    if isinstance(on, dict):
        push = _mapping(on.get("push"))
        return tuple(on), _names(push.get("branches"))
    return (), ()


def _build_github(path: str, data: dict[str, Any]) -> Pipeline:
    if "runs" in data and "jobs" not in data:
        return _build_action(path, data)
    jobs: list[Job] = []
    for job_id, node in _mapping(data.get("jobs")).items():
        job = _mapping(node)
        base: Path = ("jobs", job_id)
        steps = tuple(
            _github_step(s, (*base, "steps", i), path) for i, s in enumerate(_list(job.get("steps")))
            if isinstance(s, dict)
        )
        condition = _text(job.get("if"))
        jobs.append(Job(
            id=job_id,
            name=str(job.get("name") or job_id),
            path=base,
            file=path,
            needs=_names(job.get("needs")),
            environment=_github_environment(job.get("environment"), base),
            condition=condition,
            on_failure=_on_failure(condition),
            continue_on_error=job.get("continue-on-error") is True,
            steps=steps,
            images=_github_images(job, base, steps),
            env=_mapping(job.get("env")),
            permissions=job.get("permissions"),
            uses=job["uses"] if isinstance(job.get("uses"), str) else None,
            fields=_fields(base, job, _GH_JOB),
        ))
    triggers, branches = _github_triggers(data.get("on"))
    return Pipeline(
        system="github-actions", path=path, jobs=tuple(jobs), triggers=triggers,
        trigger_branches=branches, permissions=data.get("permissions"),
        env=_mapping(data.get("env")), files=(path,),
        fields=_fields((), data, {"on": "triggers", "permissions": "permissions", "env": "env"}),
    )


def _build_action(path: str, data: dict[str, Any]) -> Pipeline:
    """A composite (or Docker) action as a pipeline of one job, `action`."""
    runs = _mapping(data.get("runs"))
    base: Path = ("runs",)
    steps = tuple(
        _github_step(s, (*base, "steps", i), path) for i, s in enumerate(_list(runs.get("steps")))
        if isinstance(s, dict)
    )
    images: tuple[tuple[str, Path], ...] = ()
    image = runs.get("image")
    if isinstance(image, str) and image.startswith("docker://"):
        images = ((image.removeprefix("docker://"), (*base, "image")),)
    job = Job(id="action", name=str(data.get("name") or "action"), path=base, file=path,
              steps=steps, images=images, env=_mapping(runs.get("env")))
    return Pipeline(system="github-actions", path=path, jobs=(job,), files=(path,))


# ---------------------------------------------------------------- GitLab CI

_GITLAB_GLOBAL = {"stages", "variables", "default", "include", "workflow", "image", "services",
                  "before_script", "after_script", "cache", "types", "spec"}
_GITLAB_DEFAULTS = ("image", "services", "before_script", "after_script")
_GITLAB_STAGES = ("build", "test", "deploy")
_GITLAB_JOB = {"needs": "needs", "dependencies": "needs", "rules": "condition", "only": "condition",
               "except": "condition", "when": "manual", "environment": "environment",
               "variables": "env", "allow_failure": "continue_on_error", "image": "image",
               "services": "services", "script": "steps", "stage": "stage", "extends": "extends",
               "trigger": "uses", "id_tokens": "id_tokens"}


@record(frozen=True)
class _Origin:
    """Where a GitLab value was written: file, and path of its key in that file's data."""

    file: str
    path: Path


@record()
class _GitlabFile:
    path: str
    data: dict[str, Any]


class _Gitlab:
    """Reads a GitLab CI file and its local includes, and resolves `extends`."""

    def __init__(self, path: str, data: dict[str, Any], files: FileReader,
                 problems: list[Problem]) -> None:
        self.root = path
        self.problems = problems
        self.files: list[_GitlabFile] = []
        self.yaml: dict[str, YamlDocument] = {}
        # name -> (job mapping, origin of the job key); the including file wins
        self.entries: dict[str, tuple[dict[str, Any], _Origin]] = {}
        self.includes: list[Include] = []
        self._read(path, data, files, set())

    def _read(self, path: str, data: dict[str, Any], files: FileReader, seen: set[str]) -> None:
        seen.add(path)
        self.includes += _gitlab_includes(data.get("include"), path)
        for include in (i.location for i in self.includes if i.kind == "local" and i.file == path):
            if include in seen or "*" in include or "$" in include:
                continue
            text = files(include)
            if text is None:
                continue
            # An included file's own syntax problems are reported when it is scanned itself.
            docs, _problems = parse_yaml(text)
            if docs and isinstance(docs[-1].data, dict):
                self.yaml[include] = docs[-1]
                self._read(include, docs[-1].data, files, seen)
        self.files.append(_GitlabFile(path, data))
        for name, node in data.items():
            if isinstance(node, dict) and (name.startswith(".") or name not in _GITLAB_GLOBAL):
                self.entries[name] = (node, _Origin(path, (name,)))

    def resolve(self, name: str, trail: tuple[str, ...] = ()) -> dict[str, tuple[Any, _Origin]]:
        """The job's top-level keys after `extends`, each with where it was written."""
        node, origin = self.entries[name]
        merged: dict[str, tuple[Any, _Origin]] = {}
        for parent in _names(node.get("extends")):
            if parent in self.entries and parent not in trail:
                for key, (value, where) in self.resolve(parent, (*trail, name)).items():
                    merged[key] = _deep_merge(merged.get(key), value, where)
        for key, value in node.items():
            if key != "extends":
                where = _Origin(origin.file, (*origin.path, key))
                merged[key] = _deep_merge(merged.get(key), value, where)
        if "extends" in node:
            merged["extends"] = (node["extends"], _Origin(origin.file, (*origin.path, "extends")))
        return merged

    def globals(self) -> dict[str, tuple[Any, _Origin]]:
        """Defaults every job inherits: `default:` keys and the old top-level ones."""
        out: dict[str, tuple[Any, _Origin]] = {}
        for gl_file in self.files:
            for key in _GITLAB_DEFAULTS:
                if key in gl_file.data:
                    out[key] = (gl_file.data[key], _Origin(gl_file.path, (key,)))
                default = _mapping(gl_file.data.get("default"))
                if key in default:
                    out[key] = (default[key], _Origin(gl_file.path, ("default", key)))
        return out

    def stages(self) -> list[str]:
        for gl_file in reversed(self.files):
            if isinstance(gl_file.data.get("stages"), list):
                return [".pre", *_names(gl_file.data["stages"]), ".post"]
        return [".pre", *_GITLAB_STAGES, ".post"]


def _gitlab_includes(value: Any, file: str) -> list[Include]:
    """Every `include:` entry; local paths made relative to the repository root."""
    items, base = (value, ("include",)) if isinstance(value, list) else ([value], None)
    out: list[Include] = []
    for i, item in enumerate(items):
        path: Path = (*base, i) if base else ("include",)
        if isinstance(item, str):
            kind = "remote" if "://" in item else "local"
            location = item if kind == "remote" else item.lstrip("/")
            out.append(Include(kind, location, None, path, file))
            continue
        node = _mapping(item)
        for kind in ("local", "project", "remote", "template", "component"):
            if isinstance(node.get(kind), str):
                location = str(node[kind])
                ref = node.get("ref")
                if kind == "component" and "@" in location:
                    location, ref = location.rsplit("@", 1)
                if kind == "local":
                    location = location.lstrip("/")
                out.append(Include(kind, location, ref if isinstance(ref, str) else None,
                                   (*path, kind), file))
                break
    return out


def _deep_merge(old: tuple[Any, _Origin] | None, value: Any, where: _Origin) -> tuple[Any, _Origin]:
    if old is not None and isinstance(old[0], dict) and isinstance(value, dict):
        return {**old[0], **value}, where
    return value, where


def _load_gitlab(path: str, yd: YamlDocument, lines: tuple[str, ...], files: FileReader,
                 problems: list[Problem]) -> Parsed:
    reader = _Gitlab(path, yd.data, files, problems)
    model = _build_gitlab(reader)
    docs = [_document(path, yd, lines, model)]
    for include, inc_doc in reader.yaml.items():
        text = files(include) or ""
        docs.append(_document(include, inc_doc, source_lines(text), model))
    return Parsed(documents=docs, problems=problems)


def _gitlab_condition(job: dict[str, Any]) -> str | None:
    parts: list[str] = []
    for node in _list(job.get("rules")):
        rule = _mapping(node)
        keys = ("if", "changes", "exists", "when")
        parts.append(" ".join(f"{k}: {_text(rule[k])}" for k in keys if k in rule))
    for key in ("only", "except"):
        if key in job:
            value = job[key]
            refs = _names(value.get("refs")) if isinstance(value, dict) else _names(value)
            parts.append(f"{key}: {', '.join(refs)}")
    return "; ".join(parts) or None


def _gitlab_manual(job: dict[str, Any]) -> bool:
    if job.get("when") == "manual":
        return True
    rules = [_mapping(r) for r in _list(job.get("rules"))]
    running = [r for r in rules if r.get("when", job.get("when")) != "never"]
    return bool(running) and all(r.get("when", job.get("when")) == "manual" for r in running)


def _gitlab_environment(
    value: Any, origin: _Origin, locate: Callable[[_Origin], Path]
) -> Environment | None:
    if isinstance(value, str):
        return Environment(name=value, path=locate(origin))
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        base = locate(origin)
        inner = (*base, "name") if base == origin.path else base
        return Environment(name=value["name"], path=inner, tier=value.get("deployment_tier"),
                           action=value.get("action"))
    return None




def _build_gitlab(reader: _Gitlab) -> Pipeline:
    stages = reader.stages()
    defaults = reader.globals()
    raw: list[tuple[str, dict[str, tuple[Any, _Origin]], _Origin]] = []
    for name, (_node, origin) in reader.entries.items():
        if name.startswith("."):
            continue
        resolved = reader.resolve(name)
        for key, inherited in defaults.items():
            resolved.setdefault(key, inherited)
        raw.append((name, resolved, origin))

    def stage_of(resolved: dict[str, tuple[Any, _Origin]]) -> str:
        stage = resolved.get("stage", ("test", None))[0]
        return stage if isinstance(stage, str) else "test"

    rank = {s: i for i, s in enumerate(stages)}
    jobs: list[Job] = []
    for name, resolved, origin in raw:
        def locate(
            where: _Origin, origin: _Origin = origin, resolved: dict[str, Any] = resolved
        ) -> Path:
            """Paths into the job's own file; values from another file land on `extends`."""
            if where.file == origin.file:
                return where.path
            extends = resolved.get("extends")
            return extends[1].path if extends and extends[1].file == origin.file else origin.path

        values = {k: v for k, (v, _o) in resolved.items()}
        stage = stage_of(resolved)
        if isinstance(values.get("needs"), list):
            needs = [n if isinstance(n, str) else _mapping(n).get("job") for n in values["needs"]]
        else:
            needs = [other for other, res, _o in raw
                     if rank.get(stage_of(res), 0) < rank.get(stage, 0)]
        needs += list(_names(values.get("dependencies")))
        steps: list[Step] = []
        for key in ("before_script", "script", "after_script"):
            if key in resolved:
                steps.extend(_gitlab_steps(key, *resolved[key]))
        images: list[tuple[str, Path]] = []
        if (image := _image_name(values.get("image"))) is not None:
            where = resolved["image"][1]
            images.append((image, locate(_Origin(where.file, (*where.path, "name")))
                           if isinstance(values["image"], dict) else locate(where)))
        for i, service in enumerate(_list(values.get("services"))):
            if (image := _image_name(service)) is not None:
                images.append((image, locate(_Origin(resolved["services"][1].file,
                                                     (*resolved["services"][1].path, i)))))
        condition = _gitlab_condition(values)
        jobs.append(Job(
            id=name,
            name=name,
            path=origin.path,
            file=origin.file,
            needs=tuple(dict.fromkeys(n for n in needs if isinstance(n, str) and n != name)),
            environment=(
                _gitlab_environment(values["environment"], resolved["environment"][1], locate)
                if "environment" in values else None
            ),
            condition=condition,
            on_failure=values.get("when") == "on_failure",
            manual=_gitlab_manual(values),
            continue_on_error=values.get("allow_failure") is True,
            stage=stage,
            steps=tuple(steps),
            images=tuple(images),
            env=_mapping(values.get("variables")),
            uses=_text(values.get("trigger")),
            fields={_GITLAB_JOB[k]: locate(o) for k, (_v, o) in reversed(list(resolved.items()))
                    if k in _GITLAB_JOB},
        ))
    return Pipeline(system="gitlab-ci", path=reader.root, jobs=tuple(jobs),
                    env=_mapping(reader.files[-1].data.get("variables")),
                    includes=tuple(reader.includes),
                    files=(reader.root, *reader.yaml))


def _gitlab_steps(key: str, value: Any, origin: _Origin) -> Iterator[Step]:
    """One step per script line (nested lists flattened)."""
    if isinstance(value, str):
        yield Step(name=f"{key}", path=origin.path, file=origin.file, run=value,
                   fields={"run": origin.path})
        return
    if not isinstance(value, list):
        return
    for i, line in enumerate(value):
        path = (*origin.path, i)
        if isinstance(line, list):
            yield from _gitlab_steps(key, line, _Origin(origin.file, path))
        elif isinstance(line, str):
            yield Step(name=f"{key}[{i}]", path=path, file=origin.file, run=line,
                       condition="always()" if key == "after_script" else None,
                       fields={"run": path})


_BUILDERS: dict[str, Callable[[str, dict[str, Any]], Pipeline]] = {
    "github-actions": _build_github,
    "azure-pipelines": _build_azure,
    "circleci": _build_circleci,
    "bitbucket-pipelines": _build_bitbucket,
}
