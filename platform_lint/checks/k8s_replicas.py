"""Replicas, autoscalers and disruption budgets: objects judged together, within one deploy unit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks.k8s_objects import (
    as_int,
    min_replicas,
    related,
    scaling_hpas,
    selector_matches,
    template_labels,
)
from platform_lint.checks.k8s_workloads import long_running
from platform_lint.finding import Hit
from platform_lint.model import Obj

CHECKS = Registry()


def _replicated(objs: Sequence[Obj]) -> Iterator[Obj]:
    return (o for o in objs if o.kind not in ("HorizontalPodAutoscaler", "PodDisruptionBudget"))


@CHECKS.check(
    "single-replica-workload",
    over="set",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {"flag_default": {"type": "boolean"}},
    },
)
def single_replica_workload(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """Long-running workloads that run one pod: `replicas: 1`, or (with
    `flag_default`, the default) no `replicas` and no HPA, which also means one."""
    hpas = scaling_hpas(objs)
    for obj in _replicated(objs):
        if id(obj) in hpas or not long_running(obj):
            continue  # the HPA's own rule judges minReplicas; a run-once pod serves nobody
        replicas = obj.get("spec", "replicas")
        if replicas == 1 and as_int(replicas) is not None:
            message = "replicas: 1 means every restart, node drain or rollout is an outage"
        elif replicas is None and params.get("flag_default", True):
            message = "no replicas and no HorizontalPodAutoscaler means a single pod"
        else:
            continue
        yield Hit(obj, f"{message}; set spec.replicas: 2 or more", path=("spec", "replicas"))


@CHECKS.check("hpa-target-sets-replicas", over="set")
def hpa_target_sets_replicas(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    hpas = scaling_hpas(objs)
    for obj in _replicated(objs):
        hpa = hpas.get(id(obj))
        replicas = obj.get("spec", "replicas")
        if hpa is not None and replicas is not None:
            yield Hit(
                obj,
                f"HorizontalPodAutoscaler {hpa.name!r} scales this {obj.kind}, but replicas: "
                f"{replicas} resets it on every apply; remove spec.replicas",
                path=("spec", "replicas"),
                key=True,
            )


@CHECKS.check(
    "hpa-min-replicas-too-low",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {"minimum": {"type": "integer", "minimum": 1}},
    },
)
def hpa_min_replicas_too_low(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    minimum = int(params.get("minimum", 2))
    value = obj.get("spec", "minReplicas")
    if value is None or (as_int(value) is not None and value < minimum):
        shown = "no minReplicas (default 1)" if value is None else f"minReplicas: {value}"
        yield Hit(
            obj,
            f"{shown} lets the autoscaler scale down to a single point of failure; "
            f"set spec.minReplicas: {minimum}",
            path=("spec", "minReplicas"),
        )


@CHECKS.check(
    "missing-pod-disruption-budget",
    over="set",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {"min_replicas": {"type": "integer", "minimum": 1}},
    },
)
def missing_pod_disruption_budget(
    objs: Sequence[Obj], params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Replicated long-running workloads (more than `min_replicas`, default 1,
    counting an HPA's minReplicas) that no PodDisruptionBudget selects."""
    threshold = int(params.get("min_replicas", 1))
    budgets = [o for o in objs if o.kind == "PodDisruptionBudget"]
    hpas = scaling_hpas(objs)
    for obj in _replicated(objs):
        if not long_running(obj):
            continue  # a drain only delays a run-once pod, which a budget would block
        hpa = hpas.get(id(obj))
        replicas = min_replicas(hpa) if hpa else as_int(obj.get("spec", "replicas"))
        if replicas is None or replicas <= threshold:
            continue
        labels = template_labels(obj)
        if any(
            related(obj, pdb) and selector_matches(pdb.get("spec", "selector"), labels)
            for pdb in budgets
        ):
            continue
        shown = ", ".join(f"{k}: {v}" for k, v in labels.items()) or "<pod labels>"
        yield Hit(
            obj,
            f"{obj.kind} {obj.name!r} runs {replicas} replicas but no PodDisruptionBudget "
            f"selects its pods, so a node drain may evict them all at once; add a "
            f"PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels {{{shown}}}",
            path=("kind",),
            key=True,
        )
