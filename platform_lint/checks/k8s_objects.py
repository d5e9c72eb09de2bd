"""How Kubernetes objects relate, for the deploy-safety checks: containers, selectors,
namespaces, autoscalers, and the deploy unit objects are applied in.

Objects are related only within one deploy unit (`same_unit`) and one
namespace; an object without `metadata.namespace` is taken to be in any
namespace, so a missing namespace never produces a finding by itself.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks.k8s_workloads import pod_spec_path
from platform_lint.model import Obj, Path


def containers(obj: Obj, *, init: bool = False) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path relative to `obj`, container) for each container of a workload's pod
    spec; with `init`, init and ephemeral containers follow the regular ones."""
    base = pod_spec_path(obj.kind)
    if base is None:
        return
    groups = ("containers", "initContainers", "ephemeralContainers") if init else ("containers",)
    for group in groups:
        items = obj.get(*base, group)
        if not isinstance(items, list):
            continue
        for i, container in enumerate(items):
            if isinstance(container, dict):
                yield (*base, group, i), container


def container_name(container: Mapping[str, Any]) -> str:
    return str(container.get("name") or "?")


def namespace(obj: Obj) -> str | None:
    value = obj.get("metadata", "namespace")
    return value if isinstance(value, str) else None


def same_namespace(a: Obj, b: Obj) -> bool:
    first, second = namespace(a), namespace(b)
    return first is None or second is None or first == second


def deploy_unit(obj: Obj) -> tuple[str, frozenset[str] | None]:
    """What `obj` is applied together with: a kustomization's build, a Helm chart's release
    (per values set), else the folder of manifests its file is in."""
    model = obj.doc.model
    unit = getattr(model, "deploy_unit", None)
    if isinstance(unit, str):
        return unit, None
    sets = getattr(model, "sets", None)  # a rendered Helm template: the chart, per values set
    path = obj.doc.path
    if isinstance(sets, list) and "/templates/" in f"/{path}":
        return f"/{path}".rsplit("/templates/", 1)[0].lstrip("/"), frozenset(map(str, sets))
    return posixpath.dirname(path), None


def related(a: Obj, b: Obj) -> bool:
    """Whether two objects are deployed together (one deploy unit, one namespace)."""
    (unit_a, sets_a), (unit_b, sets_b) = deploy_unit(a), deploy_unit(b)
    if sets_a is not None and sets_b is not None:  # one release: a chart and its subcharts
        if not (sets_a & sets_b and _one_chart(unit_a, unit_b)):
            return False
    elif unit_a != unit_b:
        return False
    return same_namespace(a, b)


def _one_chart(a: str, b: str) -> bool:
    def inside(sub: str, chart: str) -> bool:
        return sub.startswith(f"{chart}/charts/" if chart else "charts/")

    return a == b or inside(a, b) or inside(b, a)


def selector_matches(selector: Any, labels: Mapping[str, Any]) -> bool:
    """Whether a LabelSelector (matchLabels + matchExpressions) selects `labels`.
    A missing selector selects nothing; an empty one selects everything."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        return False
    if any(str(labels.get(k)) != str(v) or k not in labels for k, v in match_labels.items()):
        return False
    expressions = selector.get("matchExpressions") or []
    return isinstance(expressions, list) and all(
        _expression_matches(e, labels) for e in expressions
    )


def _expression_matches(expression: Any, labels: Mapping[str, Any]) -> bool:
    if not isinstance(expression, dict):
        return False
    key, operator = expression.get("key"), expression.get("operator")
    if not isinstance(key, str):
        return False
    listed = expression.get("values")
    values = [str(v) for v in listed] if isinstance(listed, list) else []
    present = key in labels
    if operator == "In":
        return present and str(labels[key]) in values
    if operator == "NotIn":
        return not present or str(labels[key]) not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    return False


def template_labels(obj: Obj) -> dict[str, Any]:
    base = pod_spec_path(obj.kind)
    if base is None:
        return {}
    labels = obj.get(*base[:-1], "metadata", "labels")
    return labels if isinstance(labels, dict) else {}


def scaling_hpas(objs: Sequence[Obj]) -> dict[int, Obj]:
    """Map id(workload) to the HorizontalPodAutoscaler whose scaleTargetRef names it."""
    hpas = [o for o in objs if o.kind == "HorizontalPodAutoscaler"]
    out: dict[int, Obj] = {}
    for workload in objs:
        for hpa in hpas:
            ref = hpa.get("spec", "scaleTargetRef", default={})
            if (
                isinstance(ref, dict)
                and ref.get("kind") == workload.kind
                and ref.get("name") == workload.name
                and related(hpa, workload)
            ):
                out[id(workload)] = hpa
    return out


def min_replicas(hpa: Obj) -> int:
    value = hpa.get("spec", "minReplicas", default=1)
    return value if isinstance(value, int) else 1


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
