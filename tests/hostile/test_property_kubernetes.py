"""Kubernetes objects (several to a file, so cross-object checks meet each other),
wrongly typed anywhere: a finding or nothing, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from property_support import ANY, NAMES, assert_scans_cleanly, vocabulary, yaml_files

WORDS = vocabulary("sources/kubernetes.py", "checks/kubernetes.py", "checks/k8s_objects.py",
                   "checks/k8s_images.py", "checks/k8s_pods.py", "checks/k8s_rollout.py",
                   "checks/k8s_replicas.py", "checks/secrets.py", "suppression.py")

KINDS = st.sampled_from([
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "PodTemplate", "Job", "CronJob",
    "Rollout", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "ConfigMap", "Service",
    "List", "DeploymentList", "AnalysisTemplate", "Ingress",
])
API_VERSIONS = st.sampled_from(["v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1",
                                "argoproj.io/v1alpha1", "networking.k8s.io/v1"])

_PROBE = (ANY, {"httpGet": {"path": ANY, "port": ANY}, "exec": {"command": ANY}, "tcpSocket": ANY,
                "initialDelaySeconds": ANY, "periodSeconds": ANY})
_CONTAINER = {"name": ANY, "image": ANY, "livenessProbe": _PROBE, "readinessProbe": _PROBE,
              "startupProbe": _PROBE,
              "resources": {"limits": {"cpu": ANY, "memory": ANY}, "requests": {"cpu": ANY, "memory": ANY}},
              "env": [{"name": ANY, "value": ANY, "valueFrom": ANY}], "envFrom": ANY, "ports": ANY,
              "command": ANY, "args": ANY}
_POD_SPEC = {"containers": [_CONTAINER], "initContainers": [_CONTAINER], "volumes": ANY}
_TEMPLATE = {"metadata": {"labels": ANY, "annotations": ANY}, "spec": _POD_SPEC}
_META = {"name": ANY, "namespace": ANY, "labels": {NAMES: ANY},
         "annotations": {"platform-lint.io/ignore": ANY, NAMES: ANY}}
_SPEC = {
    "replicas": ANY, "selector": {"matchLabels": {NAMES: ANY},
                                  "matchExpressions": [{"key": ANY, "operator": ANY, "values": ANY}]},
    "strategy": {"type": ANY, "rollingUpdate": {"maxSurge": ANY, "maxUnavailable": ANY},
                 "canary": {"steps": [{"setWeight": ANY, "pause": ANY, "analysis": ANY}],
                            "analysis": ANY}, "blueGreen": ANY},
    "updateStrategy": {"type": ANY, "rollingUpdate": ANY},
    "minReadySeconds": ANY, "progressDeadlineSeconds": ANY, "revisionHistoryLimit": ANY,
    "template": _TEMPLATE, "jobTemplate": {"spec": {"template": _TEMPLATE}},
    "containers": [_CONTAINER],
    "minReplicas": ANY, "maxReplicas": ANY, "scaleTargetRef": {"kind": KINDS, "name": ANY, "apiVersion": ANY},
    "minAvailable": ANY, "maxUnavailable": ANY,
}
OBJECT = {"apiVersion": (API_VERSIONS, ANY), "kind": (KINDS, ANY), "metadata": _META, "spec": _SPEC,
          "data": ANY, "stringData": ANY, "template": _TEMPLATE,
          "items": [{"apiVersion": API_VERSIONS, "kind": KINDS, "metadata": _META, "spec": _SPEC}]}


def _objects() -> st.SearchStrategy[str]:
    return yaml_files(OBJECT, WORDS, documents=3)


@given(_objects())
def test_manifests(text: str) -> None:
    assert_scans_cleanly({"k8s/app.yaml": text})


@given(_objects(), _objects())
def test_objects_in_two_files_meet(first: str, second: str) -> None:
    assert_scans_cleanly({"k8s/app.yaml": first, "k8s/policy.yaml": second})


@given(_objects(), yaml_files({"resources": ANY, "patches": [(ANY, {"path": ANY, "target": ANY})],
                               "patchesStrategicMerge": ANY}, WORDS))
def test_kustomize_patches(patch: str, kustomization: str) -> None:
    assert_scans_cleanly({"k8s/patch.yaml": patch, "k8s/kustomization.yaml": kustomization})
