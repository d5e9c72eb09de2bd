"""Environment drift between Terraform environments (issue 16).

An environment is a folder under one of `environment_dirs`
(`environments/prod/`, `envs/staging/`, `live/dev/`...). Environments must
be built from the same templates: the same module at the same version, and
no resources defined inline in one that the others do not have. Each finding
is at the line in one environment and names the other.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path
from platform_lint.records import record

CHECKS = Registry()

_DEFAULT_DIRS = ("environments", "envs", "env", "live", "stages")
_PARAMS = {
    "type": "object", "additionalProperties": False,
    "properties": {"environment_dirs": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
}
_REF = re.compile(r"[?&]ref=([^&]+)")


def environment(path: str, dirs: Sequence[str]) -> str | None:
    """`environments/prod` for `environments/prod/network/main.tf`."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-2]):
        if part in dirs:
            return "/".join(parts[: i + 2])
    return None


@record(frozen=True)
class _Call:
    obj: Obj
    env: str
    source: str
    version: str | None
    at: Path


def _call(obj: Obj, env: str) -> _Call | None:
    body = obj.value if isinstance(obj.value, dict) else {}
    source = body.get("source")
    if not isinstance(source, str):
        return None
    ref = _REF.search(source)
    base = _REF.sub("", source).rstrip("?")
    if base.startswith(("./", "../")):
        base = posixpath.normpath(posixpath.join(posixpath.dirname(obj.doc.path), base))
    if ref:
        return _Call(obj, env, base, ref[1], ("source",))
    version = body.get("version")
    return _Call(obj, env, base, str(version) if version is not None else None,
                 ("version",) if version is not None else ("source",))


def _short(env: str) -> str:
    return env.rsplit("/", 1)[-1]


def _calls(objs: Sequence[Obj], dirs: Sequence[str]) -> list[_Call]:
    out = []
    for obj in objs:
        env = environment(obj.doc.path, dirs) if obj.kind == "module" else None
        call = _call(obj, env) if env else None
        if call is not None:
            out.append(call)
    return out


@CHECKS.check("environment-module-drift", over="set", params=_PARAMS)
def environment_module_drift(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    calls = _calls(objs, params.get("environment_dirs", _DEFAULT_DIRS))
    by_source: dict[str, list[_Call]] = defaultdict(list)
    by_name: dict[str, list[_Call]] = defaultdict(list)
    for call in calls:
        by_source[call.source].append(call)
        by_name[call.obj.name].append(call)
    for source, group in sorted(by_source.items()):
        versions = {c.version for c in group}
        if len({c.env for c in group}) < 2 or len(versions) < 2:
            continue
        for call in group:
            others = sorted({(o.env, o.version or "no version") for o in group
                             if o.env != call.env and o.version != call.version})
            named = ", ".join(f"{_short(e)} uses {v} ({e}/)" for e, v in others)
            yield Hit(call.obj, f"module {call.obj.name} ({source}) is at "
                      f"{call.version or 'no pinned version'} in {_short(call.env)}, but {named}: "
                      "environment drift; promote one version through every environment",
                      path=call.at)
    for name, group in sorted(by_name.items()):
        sources = {c.source for c in group}
        if len({c.env for c in group}) < 2 or len(sources) < 2:
            continue
        for call in group:
            others = sorted({(o.env, o.source) for o in group if o.source != call.source})
            named = ", ".join(f"{_short(e)} takes it from {s}" for e, s in others)
            yield Hit(call.obj, f"module {name} comes from {call.source} in {_short(call.env)}, but "
                      f"{named}: environments must be built from the same template",
                      path=("source",))


@CHECKS.check("snowflake-environment", over="set", params=_PARAMS)
def snowflake_environment(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A resource type one environment defines inline and no other environment has,
    while the others build from modules."""
    dirs = params.get("environment_dirs", _DEFAULT_DIRS)
    inline: dict[str, dict[str, list[Obj]]] = {}
    with_modules: set[str] = set()
    for obj in objs:
        env = environment(obj.doc.path, dirs)
        if env is None:
            continue
        types = inline.setdefault(env, {})  # an environment with no resources still counts
        if obj.kind == "module":
            with_modules.add(env)
        elif obj.path[:1] == ("resource",):
            types.setdefault(obj.kind, []).append(obj)
    if len(inline) < 2:
        return
    for env, types in sorted(inline.items()):
        others = [e for e in inline if e != env]
        if not all(e in with_modules for e in others):
            continue
        for kind, found in sorted(types.items()):
            if any(kind in inline[e] for e in others):
                continue
            names = ", ".join(_short(e) for e in sorted(others))
            for obj in found:
                yield Hit(obj, f"{_short(env)} defines {obj.name} inline, but {names} "
                          f"({', '.join(sorted(others))}) have no {kind} and build from modules: a "
                          "snowflake environment; move it into the shared module, configured by "
                          "parameters", path=(), key=True)
