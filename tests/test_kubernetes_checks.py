"""The Kubernetes checks called directly on parsed manifests (no engine)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from platform_lint.checks import resolve
from platform_lint.checks.k8s_objects import containers, scaling_hpas, selector_matches
from platform_lint.checks.k8s_workloads import ImageRef, pod_spec_path
from platform_lint.model import Obj
from platform_lint.sources import kubernetes as source


def load(text: str) -> list[Obj]:
    parsed = source.load("k8s/app.yaml", text, lambda _: None)
    assert not parsed.problems
    return [obj for doc in parsed.documents for obj in source.objects(doc)]


def lines(check: str, objs: list[Obj], params: Mapping[str, Any] | None = None) -> list[int]:
    """The 1-based lines the check's hits resolve to, as the engine resolves them."""
    spec = resolve(f"kubernetes.{check}")
    hits = (
        list(spec.fn(objs, params or {}))
        if spec.over == "set"
        else [h for o in objs for h in spec.fn(o, params or {})]
    )
    return [h.obj.doc.locate((*h.obj.path, *h.path), key=h.key).line for h in hits]


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: init
              image: busybox
          containers:
            - name: main
              image: registry.example.com/nightly:1.0
"""


def test_pod_spec_paths_per_kind() -> None:
    assert pod_spec_path("Pod") == ("spec",)
    assert pod_spec_path("Rollout") == ("spec", "template", "spec")
    assert pod_spec_path("CronJob") == ("spec", "jobTemplate", "spec", "template", "spec")
    assert pod_spec_path("Service") is None


def test_containers_of_a_cronjob_with_and_without_init() -> None:
    (obj,) = load(CRONJOB)
    assert [c["name"] for _, c in containers(obj)] == ["main"]
    found = [(p[-2], c["name"]) for p, c in containers(obj, init=True)]
    assert found == [("containers", "main"), ("initContainers", "init")]
    assert lines("image-without-tag", [obj]) == [12]


def test_list_items_are_checked_at_their_own_lines() -> None:
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      containers:
        - name: a
          image: registry.example.com/a:latest
"""
    assert lines("image-tag-latest", load(text)) == [10]


@pytest.mark.parametrize(
    ("image", "tag", "digest"),
    [
        ("nginx", None, None),
        ("nginx:1.27", "1.27", None),
        ("registry.example.com:5000/team/app", None, None),
        ("registry.example.com:5000/team/app:2.0", "2.0", None),
        ("app@sha256:abc", None, "sha256:abc"),
        ("app:latest@sha256:abc", "latest", "sha256:abc"),
    ],
)
def test_image_reference_parsing(image: str, tag: str | None, digest: str | None) -> None:
    ref = ImageRef.parse(image)
    assert (ref.tag, ref.digest) == (tag, digest)


def test_templated_images_are_not_judged() -> None:
    text = CRONJOB.replace("busybox", "${INIT_IMAGE}").replace(
        "registry.example.com/nightly:1.0", "{{ .Values.image }}"
    )
    assert lines("image-not-pinned-by-digest", load(text)) == []


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({"matchLabels": {"app": "api"}}, True),
        ({"matchLabels": {"app": "web"}}, False),
        ({}, True),
        (None, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["backend"]}]}, False),
        ({"matchExpressions": [{"key": "track", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "track", "operator": "Exists"}]}, False),
    ],
)
def test_label_selector_matching(selector: Any, matches: bool) -> None:
    assert selector_matches(selector, {"app": "api", "tier": "backend"}) is matches


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.0
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: NS}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 5
"""


def test_an_hpa_scales_only_its_target_in_its_namespace() -> None:
    same = load(DEPLOYMENT + "---\n" + HPA.replace("NS", "shop"))
    other = load(DEPLOYMENT + "---\n" + HPA.replace("NS", "staging"))
    assert list(scaling_hpas(same)) == [id(same[0])]
    assert scaling_hpas(other) == {}
    assert lines("hpa-target-sets-replicas", same) == [5]
    assert lines("hpa-target-sets-replicas", other) == []


def test_a_budget_without_namespace_may_protect_any_namespace() -> None:
    pdb = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: api}}
"""
    assert lines("missing-pod-disruption-budget", load(DEPLOYMENT)) == [2]
    assert lines("missing-pod-disruption-budget", load(DEPLOYMENT + "---\n" + pdb)) == []


@pytest.mark.parametrize(
    ("update", "flagged"),
    [
        ("maxUnavailable: 3", True),
        ("maxUnavailable: 5", True),
        ("maxUnavailable: 100%", True),
        ("maxUnavailable: 2", False),
        ("maxUnavailable: 99%", False),
    ],
)
def test_max_unavailable_against_replicas(update: str, flagged: bool) -> None:
    text = DEPLOYMENT.replace(
        "  replicas: 3\n", f"  replicas: 3\n  strategy:\n    rollingUpdate:\n      {update}\n"
    )
    assert lines("max-unavailable-all-replicas", load(text)) == ([8] if flagged else [])


def _messages(check: str, objs: list[Obj]) -> list[str]:
    spec = resolve(f"kubernetes.{check}")
    return [h.message for o in objs for h in spec.fn(o, {})]


@pytest.mark.parametrize("update", ["maxUnavailable: 1", "maxUnavailable: 100%"])
def test_max_unavailable_on_one_replica_asks_for_a_surge_first(update: str) -> None:
    """With one replica, `maxUnavailable: 1` is the whole workload and "(or 1)" is what it
    already has: the rollout must surge first (maxUnavailable: 0, maxSurge: 1)."""
    text = DEPLOYMENT.replace(
        "  replicas: 3\n", f"  replicas: 1\n  strategy:\n    rollingUpdate:\n      {update}\n"
    )
    assert lines("max-unavailable-all-replicas", load(text)) == [8]
    (message,) = _messages("max-unavailable-all-replicas", load(text))
    assert "the only pod" in message and "maxUnavailable: 0 with maxSurge: 1" in message
    assert "(or 1)" not in message


def test_max_unavailable_on_one_replica_statefulset_is_left_to_the_replica_rule() -> None:
    """A StatefulSet never surges and its maxUnavailable must be at least 1, so with one
    replica no strategy avoids the gap: only more replicas do (single-replica-workload)."""
    text = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet").replace(
        "  replicas: 3\n", "  replicas: 1\n  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 1\n"
    )
    assert lines("max-unavailable-all-replicas", load(text)) == []
    two = text.replace("replicas: 1", "replicas: 2").replace("maxUnavailable: 1", "maxUnavailable: 2")
    assert lines("max-unavailable-all-replicas", load(two)) == [8]


def test_limits_count_as_requests() -> None:
    text = DEPLOYMENT + "          resources:\n            limits: {cpu: 100m, memory: 64Mi}\n"
    assert lines("missing-resources", load(text), {"field": "requests"}) == []
    assert lines("missing-resources", load(DEPLOYMENT), {"field": "requests"}) == [11]


def test_progress_deadline_on_apps_v1_is_implicit_unless_required() -> None:
    objs = load(DEPLOYMENT)
    assert lines("missing-progress-deadline", objs) == []
    assert lines("missing-progress-deadline", objs, {"require_explicit": True}) == [4]


def test_helm_objects_relate_within_one_release_and_its_subcharts() -> None:
    from dataclasses import dataclass

    from platform_lint.checks.k8s_objects import related
    from platform_lint.model import Document, Obj

    @dataclass
    class _Rendered:  # what a rendered Helm document's model says: the values sets
        sets: list[str]

    def obj(path: str, sets: list[str]) -> Obj:
        doc = Document(path=path, kind="kubernetes", data={}, model=_Rendered(sets))
        return Obj(doc=doc, kind="Deployment", name="web", value={})

    parent = obj("charts/app/templates/deployment.yaml", ["values.yaml"])
    assert related(parent, obj("charts/app/charts/redis/templates/pdb.yaml", ["values.yaml"]))
    assert not related(parent, obj("charts/app/templates/hpa.yaml", ["ci/hpa-values.yaml"]))
    assert not related(parent, obj("charts/other/templates/hpa.yaml", ["values.yaml"]))
