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
in the rule's scope and relate objects only within one deploy unit and
namespace (`k8s_objects`).

The checks live by topic (`k8s_images`, `k8s_pods`, `k8s_rollout`,
`k8s_replicas`); this module is the one rule files name
(`check: kubernetes.<name>`), holding every one of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry, k8s_images, k8s_pods, k8s_replicas, k8s_rollout
from platform_lint.finding import Hit
from platform_lint.model import Obj

CHECKS = Registry()
for _topic in (k8s_images, k8s_pods, k8s_rollout, k8s_replicas):
    CHECKS.update(_topic.CHECKS)


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
