"""Deploy-safety checks for Kubernetes objects (issue 5).

Workloads keep their pod template at a kind-specific path; `pod_spec_path`
knows them all, so every container check works on Pods, Deployments,
StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Argo Rollouts alike.
What an object is (long-running or run-once, an image's one problem, a canary
that is a rolling update) is decided once, in `k8s_workloads`.

Where a finding points (the same for every check here):

- a key whose *value* is wrong points at the value (the image string, the
  `100%` of `maxUnavailable`, the `1` of `replicas`);
- a key whose *presence* is wrong points at the key (`replicas` next to an HPA);
- a *missing* key is reported at the path where it should be, which the
  engine resolves to the nearest existing parent: a container without a probe
  lands on the container's `- name:` line, a Rollout canary without analysis
  on its `canary:` key, a Deployment without `progressDeadlineSeconds` on `spec:`;
- a missing *companion object* (no PodDisruptionBudget) points at the
  object's `kind` key.

Checks that need other objects (PDBs, HPAs) run `over="set"` on every object
in the rule's scope; objects are related only within one namespace, and an
object without `metadata.namespace` is taken to be in any namespace, so a
missing namespace never produces a finding by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks.k8s_workloads import (
    ImageProblem,
    ImageRef,
    canary_is_rolling_update,
    long_running,
    pod_spec_path,
)
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path

CHECKS = Registry()

_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


# --- shared helpers ---------------------------------------------------------


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


def _name(container: Mapping[str, Any]) -> str:
    return str(container.get("name") or "?")


def namespace(obj: Obj) -> str | None:
    value = obj.get("metadata", "namespace")
    return value if isinstance(value, str) else None


def same_namespace(a: Obj, b: Obj) -> bool:
    first, second = namespace(a), namespace(b)
    return first is None or second is None or first == second


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
                and same_namespace(hpa, workload)
            ):
                out[id(workload)] = hpa
    return out


def _min_replicas(hpa: Obj) -> int:
    value = hpa.get("spec", "minReplicas", default=1)
    return value if isinstance(value, int) else 1


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- images -------------------------------------------------------------------


_TEMPLATED = re.compile(r"\$\{|\{\{|\$\(")


def _images(obj: Obj) -> Iterator[tuple[Path, dict[str, Any], str, ImageRef]]:
    """Every container image written out literally (not a ${VAR} placeholder)."""
    for path, container in containers(obj, init=True):
        image = container.get("image")
        if isinstance(image, str) and image.strip() and not _TEMPLATED.search(image):
            yield (*path, "image"), container, image, ImageRef.parse(image.strip())


@CHECKS.check("image-without-tag")
def image_without_tag(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for path, container, image, ref in _images(obj):
        if ref.problem is ImageProblem.UNTAGGED:
            yield Hit(
                obj,
                f"container {_name(container)!r} image {image!r} has no tag, so it runs whatever "
                f"'latest' is at pull time; write {ref.repository}:<version>@sha256:<digest>",
                path=path,
            )


@CHECKS.check("image-tag-latest")
def image_tag_latest(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for path, container, image, ref in _images(obj):
        if ref.problem is ImageProblem.LATEST:
            yield Hit(
                obj,
                f"container {_name(container)!r} image {image!r} uses the moving tag 'latest'; "
                f"write {ref.repository}:<version>@sha256:<digest>",
                path=path,
            )


@CHECKS.check("image-not-pinned-by-digest")
def image_not_pinned_by_digest(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for path, container, image, ref in _images(obj):
        if ref.problem is ImageProblem.MUTABLE_TAG:
            yield Hit(
                obj,
                f"container {_name(container)!r} image {image!r} is not pinned by digest, so a "
                f"signature cannot be tied to what runs; write {image}@sha256:<digest>",
                path=path,
            )


# --- probes -------------------------------------------------------------------


@CHECKS.check(
    "missing-probe",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["probe"],
        "properties": {"probe": {"enum": list(_PROBES)}},
    },
)
def missing_probe(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Regular containers (not init containers) of a long-running workload
    without the probe named in params: a pod that runs to completion is never
    put behind a Service or restarted for hanging."""
    if not long_running(obj):
        return
    probe = params["probe"]
    advice = {
        "readinessProbe": "traffic and rollouts go to it before it can serve",
        "livenessProbe": "a hung process is never restarted",
        "startupProbe": "slow starts are judged by the liveness probe",
    }[probe]
    for path, container in containers(obj):
        if not isinstance(container.get(probe), dict):
            yield Hit(
                obj,
                f"container {_name(container)!r} has no {probe}: {advice}; add {probe}: with an "
                "httpGet, grpc, tcpSocket or exec check",
                path=(*path, probe),
            )


@CHECKS.check("identical-liveness-readiness-probe")
def identical_liveness_readiness_probe(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for path, container in containers(obj):
        liveness, readiness = container.get("livenessProbe"), container.get("readinessProbe")
        if isinstance(liveness, dict) and liveness == readiness:
            yield Hit(
                obj,
                f"container {_name(container)!r} uses the same probe for liveness and readiness: "
                "a pod that is only busy or waiting on a dependency gets restarted instead of "
                "taken out of rotation; make livenessProbe a cheaper check that the process is "
                "alive, with a higher failureThreshold",
                path=(*path, "livenessProbe"),
                key=True,
            )


# --- resources ------------------------------------------------------------------
_EXAMPLE = {
    "requests": {"cpu": "100m", "memory": "128Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}


@CHECKS.check(
    "missing-resources",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["field"],
        "properties": {
            "field": {"enum": ["requests", "limits"]},
            "resources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    },
)
def missing_resources(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Containers (init containers included: they are scheduled too) lacking
    `resources.<field>.<name>` for each name in `resources` (default cpu, memory).

    A limit without a request counts as the request, as the API server
    defaults the request to the limit.
    """
    field = params["field"]
    wanted: list[str] = list(params.get("resources") or ["cpu", "memory"])
    for path, container in containers(obj, init=True):
        if path[-2] == "ephemeralContainers":
            continue  # ephemeral containers may not set resources
        declared = container.get("resources")
        declared = declared if isinstance(declared, dict) else {}
        section = declared.get(field)
        have = set(section) if isinstance(section, dict) else set()
        if field == "requests" and isinstance(declared.get("limits"), dict):
            have |= set(declared["limits"])
        missing = [name for name in wanted if name not in have]
        if missing:
            example = ", ".join(f"{n}: {_EXAMPLE[field].get(n, '<amount>')}" for n in missing)
            yield Hit(
                obj,
                f"container {_name(container)!r} sets no {field} for {', '.join(missing)}; "
                f"add resources.{field}: {{{example}}}",
                path=(*path, "resources", field, missing[0])
                if section is not None
                else (*path, "resources", field),
            )


# --- rollout strategy -------------------------------------------------------------


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
    below an explicit replica count."""
    base = _rolling_update_path(obj)
    if base is None:
        return
    value = obj.get(*base, "maxUnavailable")
    replicas = _int(obj.get("spec", "replicas"))
    number = _int(value)
    percent = _percent(value)
    if (percent is not None and percent >= 100) or (
        number is not None and replicas is not None and number >= replicas > 0
    ):
        yield Hit(
            obj,
            f"maxUnavailable: {value} takes every pod down at once, which is a big-bang "
            "rollout; use maxUnavailable: 25% (or 1) with maxSurge: 25%",
            path=(*base, "maxUnavailable"),
        )


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
    elif _int(value) is not None and value > limit:
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


# --- replicas, autoscaling and disruption budgets ------------------------------------


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
        if replicas == 1 and _int(replicas) is not None:
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
    if value is None or (_int(value) is not None and value < minimum):
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
        replicas = _min_replicas(hpa) if hpa else _int(obj.get("spec", "replicas"))
        if replicas is None or replicas <= threshold:
            continue
        labels = template_labels(obj)
        if any(
            same_namespace(obj, pdb) and selector_matches(pdb.get("spec", "selector"), labels)
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


_ABSENT = object()


@CHECKS.check("forbidden-value", params={
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "values", "message"],
    "properties": {
        "path": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]}},
        "values": {"type": "array", "minItems": 1},
        "message": {"type": "string", "minLength": 1},
    },
})
def forbidden_value(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A field set to one of `values` (compared with its type: 0 is not false).

    The declarative form for "this field must not be X" rules; it needs no
    JSON Schema validator at run time, which keeps a pre-commit run fast.
    """
    path = tuple(params["path"])
    value = obj.get(*path, default=_ABSENT)
    if value is not _ABSENT and any(
        type(value) is type(bad) and value == bad for bad in params["values"]
    ):
        yield Hit(obj, params["message"], path=path, key=True)
