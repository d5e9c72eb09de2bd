"""SLO definitions in one normalised form.

Read from OpenSLO `SLO` objects, Sloth `PrometheusServiceLevel` objects and
plain Sloth files (`version: prometheus/v1`), Pyrra `ServiceLevelObjective`
objects and Terraform `google_monitoring_slo` resources. Objectives are
percentages whatever the source spells (OpenSLO and Google use a fraction).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from platform_lint.model import Obj, Path
from platform_lint.records import field, record

SLOTH_KIND = "sloth-slos"
OBJECT_KINDS = ("SLO", "PrometheusServiceLevel", "ServiceLevelObjective", SLOTH_KIND,
                "google_monitoring_slo")


def is_sloth_file(data: Any) -> bool:
    return (isinstance(data, dict) and str(data.get("version", "")).startswith("prometheus/")
            and isinstance(data.get("slos"), list))


@record(frozen=True)
class SLO:
    obj: Obj
    name: str
    at: Path
    """Where the SLO is defined, relative to `obj.value`."""
    service: str | None
    objectives: tuple[tuple[Path, float], ...] = ()
    """(path, objective in percent)."""
    queries: tuple[str, ...] = ()
    burn_rate: bool | None = None
    """True: the SLO tool generates burn-rate alerts for it; False: they are switched off
    (at `burn_path`); None: they must come from an alert defined elsewhere."""
    burn_path: Path = ()
    alert_policies: tuple[str, ...] = field(default=())


def slos(obj: Obj) -> Iterator[SLO]:
    if obj.kind == "SLO" and str(obj.get("apiVersion", default="")).startswith("openslo/"):
        yield _openslo(obj)
    elif obj.kind == "PrometheusServiceLevel":
        yield from _sloth(obj, ("spec",))
    elif obj.kind == SLOTH_KIND:
        yield from _sloth(obj, ())
    elif obj.kind == "ServiceLevelObjective" and "pyrra" in str(obj.get("apiVersion", default="")):
        yield _pyrra(obj)
    elif obj.kind == "google_monitoring_slo":
        yield _google(obj)


def _strings(value: Any, keys: tuple[str, ...] = ()) -> Iterator[str]:
    """Every string below `value` (under one of `keys`, when given)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and (not keys or k in keys):
                yield v
            else:
                yield from _strings(v, keys)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, keys)
    elif isinstance(value, str) and not keys:
        yield value


def _list(value: Any) -> list[Any]:
    """A list as written; anything else (`slos: 1`, `objectives: true`) lists nothing."""
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return None


_QUERY_KEYS = ("query", "promql", "errorQuery", "totalQuery", "errorRatioQuery", "error_query",
               "total_query", "error_ratio_query", "metric", "filter", "good_service_filter",
               "bad_service_filter", "total_service_filter")


def _openslo(obj: Obj) -> SLO:
    spec = obj.get("spec", default={})
    spec = spec if isinstance(spec, dict) else {}
    objectives: list[tuple[Path, float]] = []
    for i, item in enumerate(_list(spec.get("objectives"))):
        if not isinstance(item, dict):
            continue
        if _number(item.get("targetPercent")) is not None:
            objectives.append((("spec", "objectives", i, "targetPercent"),
                               _number(item["targetPercent"]) or 0.0))
        elif _number(item.get("target")) is not None:
            objectives.append((("spec", "objectives", i, "target"), 100 * (_number(item["target"]) or 0.0)))
    policies = []
    for item in _list(spec.get("alertPolicies")):
        if isinstance(item, str):
            policies.append(item)
        elif isinstance(item, dict):
            policies.append(str(item.get("alertPolicyRef") or _meta_name(item) or "inline"))
    return SLO(obj, obj.name, ("spec",), _str(spec.get("service")), tuple(objectives),
               tuple(_strings(spec, _QUERY_KEYS)), None, ("spec",), tuple(policies))


def _meta_name(item: dict[str, Any]) -> str | None:
    meta = item.get("metadata")
    return _str(meta.get("name")) if isinstance(meta, dict) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _sloth(obj: Obj, base: Path) -> Iterator[SLO]:
    root = obj.get(*base, default={})
    root = root if isinstance(root, dict) else {}
    service = _str(root.get("service"))
    for i, item in enumerate(_list(root.get("slos"))):
        if not isinstance(item, dict):
            continue
        at: Path = (*base, "slos", i)
        objective = _number(item.get("objective"))
        objectives = ((((*at, "objective"), objective),) if objective is not None else ())
        alerting = item.get("alerting")
        if not isinstance(alerting, dict):
            burn, burn_path = False, at
        else:
            off = [k for k in ("pageAlert", "page_alert", "ticketAlert", "ticket_alert")
                   if isinstance(alerting.get(k), dict) and alerting[k].get("disable") is True]
            burn = len(off) < 2
            burn_path = (*at, "alerting")
        yield SLO(obj, str(item.get("name") or f"#{i}"), at, service, objectives,
                  tuple(_strings(item.get("sli"), _QUERY_KEYS)), burn, burn_path)


def _pyrra(obj: Obj) -> SLO:
    spec = obj.get("spec", default={})
    spec = spec if isinstance(spec, dict) else {}
    target = _number(spec.get("target"))
    objectives = ((("spec", "target"), target),) if target is not None else ()
    found = spec.get("alerting")
    alerting: dict[str, Any] = found if isinstance(found, dict) else {}
    burn = not (alerting.get("disabled") is True or alerting.get("burnrates") is False)
    labels = obj.get("metadata", "labels", default={})
    service = labels.get("app") or labels.get("service") if isinstance(labels, dict) else None
    return SLO(obj, obj.name, ("spec",), _str(service), objectives,
               tuple(_strings(spec.get("indicator"), _QUERY_KEYS)), burn,
               ("spec", "alerting") if alerting else ("spec",))


_REF = re.compile(r"\$\{([^}]*)\}")  # one way to match: `\s*` before `[^}]*` backtracked


def _google(obj: Obj) -> SLO:
    value = obj.value if isinstance(obj.value, dict) else {}
    goal = _number(value.get("goal"))
    objectives = ((("goal",), 100 * goal),) if goal is not None else ()
    service = value.get("service")
    ref = _REF.fullmatch(service) if isinstance(service, str) else None
    name = ref[1].strip().split(".")[1] if ref and ref[1].count(".") >= 2 else service
    return SLO(obj, obj.name, (), _str(name), objectives,
               tuple(_strings(value, _QUERY_KEYS)), None, ())
