"""How a new version rolls out and is rolled back: surge and unavailability, canary steps,
progress deadlines and analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks.k8s_objects import as_int
from platform_lint.checks.k8s_workloads import canary_is_rolling_update
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path

CHECKS = Registry()


def _rolling_update_path(obj: Obj) -> Path | None:
    """Where maxSurge/maxUnavailable live for this kind."""
    if obj.kind == "Deployment":
        return ("spec", "strategy", "rollingUpdate")
    if obj.kind in ("StatefulSet", "DaemonSet"):
        return ("spec", "updateStrategy", "rollingUpdate")
    if obj.kind == "Rollout" and isinstance(obj.get("spec", "strategy", "canary"), dict):
        return ("spec", "strategy", "canary")
    return None


def _percent(value: Any) -> int | None:
    if isinstance(value, str) and value.endswith("%") and value[:-1].strip().isdigit():
        return int(value[:-1])
    return None


def _is_zero(value: Any) -> bool:
    return (value == 0 and not isinstance(value, bool)) or _percent(value) == 0


@CHECKS.check("max-unavailable-all-replicas")
def max_unavailable_all_replicas(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """maxUnavailable that lets every pod go at once: 100%, or a number not
    below an explicit replica count.

    With one replica the fix is to surge first (`maxUnavailable: 0`): "1" is what it
    has. A StatefulSet cannot surge and its maxUnavailable is at least 1, so with one
    replica nothing but more replicas helps, which single-replica-workload asks for."""
    base = _rolling_update_path(obj)
    if base is None:
        return
    value = obj.get(*base, "maxUnavailable")
    replicas = as_int(obj.get("spec", "replicas"))
    number = as_int(value)
    percent = _percent(value)
    if not ((percent is not None and percent >= 100) or (
        number is not None and replicas is not None and number >= replicas > 0
    )):
        return
    if replicas == 1:
        if obj.kind == "StatefulSet":
            return
        message = (
            f"maxUnavailable: {value} with replicas: 1 lets the rollout stop the only pod "
            "before its replacement is ready; use maxUnavailable: 0 with maxSurge: 1 "
            "(or run 2 or more replicas)")
    else:
        message = (
            f"maxUnavailable: {value} takes every pod down at once, which is a big-bang "
            "rollout; use maxUnavailable: 25% (or 1) with maxSurge: 25%")
    yield Hit(obj, message, path=(*base, "maxUnavailable"))


@CHECKS.check("zero-surge-and-unavailable")
def zero_surge_and_unavailable(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    base = _rolling_update_path(obj)
    if base is None or obj.kind == "StatefulSet":
        return  # a StatefulSet has no maxSurge
    section = obj.get(*base)
    if (
        isinstance(section, dict)
        and "maxSurge" in section
        and "maxUnavailable" in section
        and _is_zero(section["maxSurge"])
        and _is_zero(section["maxUnavailable"])
    ):
        yield Hit(
            obj,
            "maxSurge: 0 with maxUnavailable: 0 gives the rollout no room to replace any pod, "
            "so it can never progress; use maxSurge: 1 (or 25%) with maxUnavailable: 0",
            path=(*base, "maxUnavailable"),
        )


@CHECKS.check("canary-all-at-once")
def canary_all_at_once(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Argo Rollout canaries that send all traffic to the new version in one step.
    A canary that is a rolling update is judged by the rolling-update rules."""
    canary = obj.get("spec", "strategy", "canary")
    if not isinstance(canary, dict) or canary_is_rolling_update(canary):
        return
    base: Path = ("spec", "strategy", "canary", "steps")
    steps = canary.get("steps")
    advice = "start with steps: [{setWeight: 10}, {pause: {duration: 5m}}, ...]"
    if not isinstance(steps, list) or not steps:
        yield Hit(
            obj,
            "canary has no steps but a trafficRouting, so the router sends 100% to the new "
            f"version at once; {advice}",
            path=base,
            key="steps" in canary,
        )
        return
    for i, step in enumerate(steps):
        weight = step.get("setWeight") if isinstance(step, dict) else None
        if isinstance(weight, (int, float)) and not isinstance(weight, bool):
            if weight >= 100:
                yield Hit(
                    obj,
                    f"the first canary weight is setWeight: {weight}, a big-bang release; {advice}",
                    path=(*base, i, "setWeight"),
                )
            return


# --- rollback -------------------------------------------------------------------

_LEGACY_NO_DEADLINE = ("extensions/v1beta1", "apps/v1beta1")


@CHECKS.check(
    "missing-progress-deadline",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max_seconds": {"type": "integer", "minimum": 1},
            "require_explicit": {"type": "boolean"},
        },
    },
)
def missing_progress_deadline(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Deployments and Rollouts whose rollout can never be declared failed.

    apps/v1 Deployments default to 600 s, so a missing key is flagged only for
    the legacy API versions that default to no deadline, or with
    `require_explicit`. A deadline above `max_seconds` (default 3600) is as
    good as none: it restarts on every pod that becomes ready. An Argo Rollout
    only aborts on its deadline with `progressDeadlineAbort: true`.
    """
    limit = int(params.get("max_seconds", 3600))
    path: Path = ("spec", "progressDeadlineSeconds")
    value = obj.get(*path)
    fix = "set spec.progressDeadlineSeconds: 600"
    if value is None:
        legacy = obj.get("apiVersion") in _LEGACY_NO_DEADLINE
        if legacy or params.get("require_explicit", False):
            version = obj.get("apiVersion")
            reason = f"{version} defaults to no deadline" if legacy else "it is implicit"
            yield Hit(obj, f"no progressDeadlineSeconds ({reason}); {fix}", path=path)
    elif as_int(value) is not None and value > limit:
        yield Hit(
            obj,
            f"progressDeadlineSeconds: {value} lets a stuck rollout hang for over "
            f"{limit // 60} minutes before it fails; {fix}",
            path=path,
        )
    if obj.kind == "Rollout" and obj.get("spec", "progressDeadlineAbort") is not True:
        yield Hit(
            obj,
            "without progressDeadlineAbort: true a Rollout that misses its deadline is only "
            "marked degraded and keeps the new version; set spec.progressDeadlineAbort: true",
            path=("spec", "progressDeadlineAbort"),
        )


def _has_analysis(section: Mapping[str, Any], keys: Iterable[str]) -> bool:
    return any(isinstance(section.get(k), dict) for k in keys)


@CHECKS.check("rollout-without-analysis")
def rollout_without_analysis(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Argo Rollouts with no AnalysisTemplate run, so nothing aborts a bad release.
    A canary that is a rolling update is judged as a Deployment is: not here."""
    strategy = obj.get("spec", "strategy")
    if not isinstance(strategy, dict):
        return
    canary, blue_green = strategy.get("canary"), strategy.get("blueGreen")
    if isinstance(canary, dict) and not canary_is_rolling_update(canary):
        steps = canary.get("steps")
        stepped = any(
            isinstance(s, dict)
            and (isinstance(s.get("analysis"), dict) or isinstance(s.get("experiment"), dict))
            for s in (steps if isinstance(steps, list) else [])
        )
        if not stepped and not _has_analysis(canary, ["analysis"]):
            yield Hit(
                obj,
                "canary runs no analysis, so a failing release is never aborted; add "
                "canary.analysis (background) or an analysis step referencing an AnalysisTemplate",
                path=("spec", "strategy", "canary", "analysis"),
            )
    if isinstance(blue_green, dict) and not _has_analysis(
        blue_green, ["prePromotionAnalysis", "postPromotionAnalysis"]
    ):
        yield Hit(
            obj,
            "blueGreen runs no analysis, so a failing release is promoted anyway; add "
            "blueGreen.prePromotionAnalysis referencing an AnalysisTemplate",
            path=("spec", "strategy", "blueGreen", "prePromotionAnalysis"),
        )
