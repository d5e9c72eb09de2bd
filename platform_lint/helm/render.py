"""Rendering a chart as `helm template` does: values, enabled subcharts, every template.

`render(chart, options)` never raises for a chart's own faults: a template that
will not parse or execute becomes a `TemplateError` in `Rendering.errors` (at
its file and line) and the other templates still render.
"""

from __future__ import annotations

import copy
import posixpath
from functools import lru_cache
from typing import Any

from platform_lint.helm import funcs_collections, funcs_core, funcs_math, funcs_strings, trace
from platform_lint.helm.chart import Chart
from platform_lint.helm.errors import TemplateError
from platform_lint.helm.executor import Budget, Executor, Func, Template
from platform_lint.helm.funcs_helm import Capabilities, Files, helm_funcs, parse_cached
from platform_lint.helm.trace import Tracer
from platform_lint.helm.values import (
    coalesce_globals,
    coalesce_tables,
    load_values,
    lookup_path,
    merge_user,
    parse_set,
)
from platform_lint.records import field, record

_STATIC_FUNCS: dict[str, Func] = {
    **funcs_core.FUNCS, **funcs_strings.FUNCS, **funcs_collections.FUNCS, **funcs_math.FUNCS,
}


@lru_cache(maxsize=1)
def function_names() -> frozenset[str]:
    """Every function a chart's templates may call; Go's parser refuses any other name."""
    return frozenset({*_STATIC_FUNCS, *helm_funcs(_no_executor)})


def _no_executor() -> Executor:
    raise AssertionError("only the names of the functions are read")


@record()
class Options:
    release_name: str = "release-name"
    namespace: str = "default"
    kube_version: str = "1.29"
    api_versions: tuple[str, ...] = ()
    values_files: list[tuple[str, str]] = field(default_factory=list)
    """(name, text) of each -f file, in order."""
    set_values: list[str] = field(default_factory=list)
    set_string_values: list[str] = field(default_factory=list)
    trace: bool = False
    """Record which template line (and values path) wrote each output line."""
    tracer: Tracer | None = None
    """With `trace`: the tracer to record with, shared by a chart's renderings (each
    template line is worked out once for all its values sets); else a new one."""


@record()
class Manifest:
    template: str
    """The template's name as Helm prints it (`chart/templates/x.yaml`)."""
    path: str
    """The template file as it is in the scanned tree."""
    text: str
    marks: list[trace.LineMarks] | None = None
    """With `Options.trace`: per output line, (column, index into `Rendering.origins`)."""
    scope: tuple[str, ...] = ()
    """Where its chart's `.Values` sit in the top chart's values: () or (alias, ...)."""


@record()
class Rendering:
    manifests: list[Manifest] = field(default_factory=list)
    errors: list[TemplateError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    origins: list[trace.Origin] = field(default_factory=list)
    defaults: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    """(path, scope, text) of the `values.yaml` of every chart rendered, top chart first."""


@record()
class _Unit:
    chart: Chart
    prefix: str
    """Template-name prefix: `parent` or `parent/charts/sub`."""
    values: dict[str, Any]
    scope: tuple[str, ...]


def user_values(chart: Chart, options: Options, errors: list[TemplateError]) -> dict[str, Any]:
    vals: dict[str, Any] = {}
    for name, text in options.values_files:
        try:
            vals = merge_user(vals, load_values(text, name))
        except TemplateError as exc:
            errors.append(exc)
    for expr, as_string in [(s, False) for s in options.set_values] + [
        (s, True) for s in options.set_string_values
    ]:
        try:
            vals = merge_user(vals, parse_set(expr, {}, as_string))
        except ValueError as exc:
            errors.append(TemplateError(f"--set {expr}: {exc}"))
    return vals


def _enabled_subcharts(chart: Chart, values: dict[str, Any], notices: list[str]) -> list[tuple[str, Chart]]:
    """(name-or-alias, subchart) for each subchart its dependency condition/tags leave on."""
    by_name: dict[str, Chart] = {c.name: c for c in chart.subcharts}
    out: list[tuple[str, Chart]] = []
    listed: set[str] = set()
    for dep in chart.dependencies():
        name = str(dep.get("name", ""))
        listed.add(name)
        sub = by_name.get(name)
        alias = str(dep.get("alias") or name)
        if sub is None:
            notices.append(f"{chart.root}: dependency {name!r} is not vendored under charts/; "
                           "rendered without it")
            continue
        if not _dependency_on(dep, values):
            continue
        out.append((alias, sub))
    for sub in chart.subcharts:
        if sub.name not in listed:
            out.append((sub.name, sub))
    return out


def _dependency_on(dep: dict[str, Any], values: dict[str, Any]) -> bool:
    cond = dep.get("condition")
    if isinstance(cond, str) and cond.strip():
        for path in cond.split(","):
            v = lookup_path(values, path.strip())
            if isinstance(v, bool):
                return v
    tags = dep.get("tags")
    if isinstance(tags, list) and tags:
        tag_values = values.get("tags") if isinstance(values.get("tags"), dict) else {}
        assert isinstance(tag_values, dict)
        seen = [tag_values[t] for t in tags if isinstance(tag_values.get(t), bool)]
        if seen:
            return any(seen)
    return True


def _coalesce(chart: Chart, vals: dict[str, Any], prefix: str, units: list[_Unit],
              notices: list[str], scope: tuple[str, ...] = ()) -> dict[str, Any]:
    coalesce_tables(vals, chart.values)
    units.append(_Unit(chart, prefix, vals, scope))
    for alias, sub in _enabled_subcharts(chart, vals, notices):
        sub_vals = vals.get(alias)
        if not isinstance(sub_vals, dict):
            sub_vals = {}
        coalesce_globals(sub_vals, vals)
        vals[alias] = _coalesce(_renamed(sub, alias), sub_vals, f"{prefix}/charts/{alias}", units, notices,
                                (*scope, alias))
    return vals


def _renamed(chart: Chart, alias: str) -> Chart:
    if alias == chart.name:
        return chart
    c = copy.copy(chart)
    c.metadata = {**chart.metadata, "name": alias}
    c.name = alias
    return c


_META = {"apiVersion": "APIVersion", "appVersion": "AppVersion", "kubeVersion": "KubeVersion"}


def _chart_object(meta: dict[str, Any]) -> dict[str, Any]:
    out = {"Name": "", "Version": "", "AppVersion": "", "Description": "", "Type": "application"}
    for k, v in meta.items():
        out[_META.get(k, k[:1].upper() + k[1:])] = v
    return out


def render(chart: Chart, options: Options) -> Rendering:
    result = Rendering()
    errors = result.errors
    errors.extend(chart.problems)
    vals = user_values(chart, options, errors)
    units: list[_Unit] = []
    result.values = _coalesce(chart, vals, chart.name, units, result.notices)
    result.defaults = [(posixpath.normpath(f"{u.chart.root}/values.yaml"), u.scope, u.chart.values_text)
                       for u in units]

    holder: list[Executor] = []
    funcs = {**_STATIC_FUNCS, **helm_funcs(lambda: holder[0])}
    templates: dict[str, Template] = {}
    parsed_units: list[tuple[_Unit, str, str, Any]] = []
    # Subcharts first, parents last, so a parent's `define` wins, as in Helm.
    for unit in sorted(units, key=lambda u: -u.prefix.count("/charts/")):
        for rel, text in sorted(unit.chart.templates.items()):
            tname = f"{unit.prefix}/{rel}"
            fpath = f"{unit.chart.root}/{rel}"
            try:
                parsed = parse_cached(text, fpath, function_names())
            except TemplateError as exc:
                errors.append(exc)
                continue
            for dname, body in parsed.defines.items():
                templates[dname] = Template(body, fpath)
            templates[tname] = Template(parsed.nodes, fpath)
            parsed_units.append((unit, tname, fpath, parsed))

    executor = Executor(templates, funcs, Budget())
    holder.append(executor)
    try:
        _render_templates(executor, parsed_units, options, result)
    finally:
        holder.clear()  # the functions hold the executor: no cycle is left for the collector
    return result


def _render_templates(executor: Executor, parsed_units: list[tuple[_Unit, str, str, Any]], options: Options,
                      result: Rendering) -> None:
    """Every template that is not a helper or NOTES.txt, in name order, into `result`."""
    if options.trace:
        executor.tracer = options.tracer or Tracer()
        result.origins = executor.tracer.origins
    caps = Capabilities(options.kube_version, options.api_versions)
    release = {"Name": options.release_name, "Namespace": options.namespace, "IsInstall": True,
               "IsUpgrade": False, "Revision": 1, "Service": "Helm"}
    for unit, tname, fpath, _parsed in sorted(parsed_units, key=lambda p: p[1]):
        base = posixpath.basename(tname)
        if base.startswith("_") or base == "NOTES.txt":
            continue
        data = {
            "Values": unit.values, "Release": release, "Chart": _chart_object(unit.chart.metadata),
            "Files": Files(unit.chart.files), "Capabilities": caps,
            "Template": {"Name": tname, "BasePath": f"{unit.prefix}/templates"},
        }
        try:
            text = executor.execute(tname, data)
        except TemplateError as exc:
            if not exc.file:
                exc.file, exc.line = executor.file or fpath, executor.line
            result.errors.append(exc)
            executor.depth = 0
            continue
        except RecursionError:
            result.errors.append(TemplateError("template recursion too deep", fpath, executor.line))
            executor.depth = 0
            continue
        text = text.replace("<no value>", "")
        marks = None
        if options.trace:
            text, marks = trace.split(text)
        result.manifests.append(Manifest(tname, fpath, text, marks, unit.scope))
