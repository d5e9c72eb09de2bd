"""SLO checks: services with no SLO, SLOs with no burn-rate alert, objectives
below policy (issue 16). SLOs come from `sources.slo` in one form whatever
tool defines them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks.k8s_objects import same_namespace
from platform_lint.finding import Hit
from platform_lint.model import Obj
from platform_lint.safe_regex import fullmatch
from platform_lint.sources.slo import SLO, slos

CHECKS = Registry()

_WORKLOADS = ("Deployment", "Rollout", "StatefulSet")
_MATCHER = re.compile(
    r"""\b(job|service|app|deployment|container|app_kubernetes_io_name|service_name)\s*(=~|=)\s*"([^"]*)\"""")


def _selector(service: Obj) -> dict[str, Any] | None:
    selector = service.get("spec", "selector")
    return selector if isinstance(selector, dict) and selector else None


def _selects(service: Obj, selector: Mapping[str, Any], workload: Obj, labels: Mapping[str, Any]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items()) and same_namespace(service, workload)


def _ingress_backends(ingress: Obj) -> set[str]:
    names: set[str] = set()
    spec = ingress.get("spec", default={})
    stack: list[Any] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            service = node.get("service")
            if isinstance(service, dict) and isinstance(service.get("name"), str):
                names.add(service["name"])
            if isinstance(node.get("serviceName"), str):
                names.add(node["serviceName"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


def _exposed(objs: Sequence[Obj]) -> Iterator[tuple[Obj, set[str], str]]:
    """(workload, the names it is known by, what exposes it) for each exposed workload."""
    services = [(o, selector) for o in objs if o.kind == "Service" and (selector := _selector(o))]
    ingresses = [(o, _ingress_backends(o)) for o in objs if o.kind == "Ingress"]
    for workload in (o for o in objs if o.kind in _WORKLOADS):
        labels = workload.get("spec", "template", "metadata", "labels")
        if not isinstance(labels, dict):
            continue  # selected by no Service
        selecting = [s for s, selector in services if _selects(s, selector, workload, labels)]
        if not selecting:
            continue
        names = {workload.name, *(s.name for s in selecting)}
        names.update(str(labels[k]) for k in ("app", "app.kubernetes.io/name") if k in labels)
        via = next((f"Ingress {i.name}" for i, backends in ingresses
                    if backends & {s.name for s in selecting}), None)
        yield workload, names, via or f"Service {selecting[0].name}"


def _covers(slo: SLO, names: set[str]) -> bool:
    if slo.service in names or slo.name in names:
        return True
    if any(slo.name.startswith(f"{n}-") for n in names):
        return True
    for query in slo.queries:
        for _label, op, value in _MATCHER.findall(query):
            for name in names:
                if (op == "=" and value == name) or (op == "=~" and fullmatch(value, name)):
                    return True
    return False


@CHECKS.check("service-without-slo", over="set")
def service_without_slo(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    defined = [s for o in objs for s in slos(o)]
    for workload, names, via in _exposed(objs):
        if any(_covers(s, names) for s in defined):
            continue
        known = "no SLO is defined in the repository" if not defined else (
            f"none of the {len(defined)} SLOs names it")
        yield Hit(workload, f"{workload.kind} {workload.name} serves traffic ({via}) but {known}: "
                  "define one (OpenSLO, Sloth or Pyrra) for its availability and latency",
                  path=("kind",))


_BURN = "select_slo_burn_rate"


def _google_burn_alert(slo: SLO, objs: Sequence[Obj]) -> bool:
    ref = re.compile(rf"\b{re.escape(slo.obj.name)}\b")
    slo_id = slo.obj.get("slo_id")
    for obj in objs:
        if obj.kind != "google_monitoring_alert_policy":
            continue
        text = "\n".join(_texts(obj.value))
        if _BURN in text and (ref.search(text) or (isinstance(slo_id, str) and slo_id in text)):
            return True
    return False


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)


@CHECKS.check("slo-without-burn-rate-alert", over="set")
def slo_without_burn_rate_alert(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    for obj in objs:
        for slo in slos(obj):
            if slo.burn_rate is True:
                continue
            if slo.burn_rate is False:
                yield Hit(obj, f"SLO {slo.name}: its burn-rate alerts are switched off (or it has "
                          "no alerting block), so the error budget can run out unnoticed; "
                          "enable the page alert", path=slo.burn_path, key=True)
            elif obj.kind == "google_monitoring_slo":
                if not _google_burn_alert(slo, objs):
                    yield Hit(obj, f"SLO {slo.name}: no google_monitoring_alert_policy alerts on "
                              f"{_BURN}(...) of it, so the error budget can run out unnoticed",
                              path=("goal",), key=True)
            elif not slo.alert_policies:
                yield Hit(obj, f"SLO {slo.name} has no alertPolicies, so nobody is told when its "
                          "error budget burns; add an AlertPolicy with a burnrate condition",
                          path=(*slo.at, "alertPolicies"), key=True)


@CHECKS.check("slo-objective-below-policy", params={
    "type": "object", "additionalProperties": False,
    "properties": {"min_objective": {"type": "number", "minimum": 0, "maximum": 100}},
})
def slo_objective_below_policy(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    floor = float(params.get("min_objective", 99.0))
    for slo in slos(obj):
        for path, objective in slo.objectives:
            if objective < floor:
                yield Hit(obj, f"SLO {slo.name} aims at {objective:g}%, below the {floor:g}% "
                          "the platform policy sets; raise the objective or agree an exception",
                          path=path)
