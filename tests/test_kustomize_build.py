"""The pure-Python kustomize build against output written by hand from kustomize's documented behaviour."""

from __future__ import annotations

from typing import Any

from platform_lint.kustomize.build import MAX_DEPTH, build
from platform_lint.kustomize.generators import name_hash
from platform_lint.kustomize.nodes import to_plain

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
          envFrom:
            - configMapRef: {name: settings}
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
"""


def _build(files: dict[str, str], path: str = "overlay/kustomization.yaml") -> Any:
    return build(path, files[path], files.get)


def _objects(result: Any) -> list[Any]:
    return [to_plain(r.node) for r in result.resources]


def test_hash_suffix_matches_kustomizes_own_test_vectors() -> None:
    # kustomize's hasher tests: an empty ConfigMap, one key, three keys (sorted), a Secret of a type
    assert name_hash("ConfigMap", "", {}) == "42745tchd9"
    assert name_hash("ConfigMap", "", {"one": ""}) == "9g67k2htb6"
    assert name_hash("ConfigMap", "", {"two": "2", "one": "", "three": "3"}) == "f5h7t85m9b"
    assert name_hash("Secret", "", {}, "my-type") == "t75bgf6ctb"


def test_overlay_build_matches_the_hand_written_output() -> None:
    files = {
        "base/kustomization.yaml": "resources: [deployment.yaml, hpa.yaml]\n",
        "base/deployment.yaml": DEPLOYMENT,
        "base/hpa.yaml": HPA,
        "overlay/kustomization.yaml": """\
resources: [../base]
namePrefix: prod-
namespace: shop
commonLabels: {env: prod}
commonAnnotations: {team: web}
images:
  - {name: web, newName: registry.example/web, newTag: "1.2.3"}
replicas:
  - {name: web, count: 4}
configMapGenerator:
  - name: settings
    literals: [MODE=fast]
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            containers:
              - name: web
                env:
                  - {name: A, $patch: delete}
                  - {name: C, value: "3"}
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/readinessProbe
        value: {httpGet: {path: /, port: 80}}
""",
    }
    result = _build(files)
    assert result.faults == [] and result.remote == []
    config_name = f"prod-settings-{name_hash('ConfigMap', 'prod-settings', {'MODE': 'fast'})}"
    labels = {"env": "prod"}
    annotations = {"team": "web"}
    assert _objects(result) == [
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "prod-web", "namespace": "shop", "labels": labels, "annotations": annotations},
         "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web", "env": "prod"}},
                  "template": {"metadata": {"labels": {"app": "web", "env": "prod"},
                                            "annotations": annotations},
                               "spec": {"containers": [{
                                   "name": "web", "image": "registry.example/web:1.2.3",
                                   "env": [{"name": "B", "value": "2"}, {"name": "C", "value": "3"}],
                                   "envFrom": [{"configMapRef": {"name": config_name}}],
                                   "readinessProbe": {"httpGet": {"path": "/", "port": 80}}}]}}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "prod-web", "namespace": "shop", "labels": labels, "annotations": annotations},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "prod-web"},
                  "minReplicas": 2, "maxReplicas": 5}},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": config_name, "namespace": "shop", "labels": labels, "annotations": annotations},
         "data": {"MODE": "fast"}},
    ]
    deployment = result.resources[0].node
    image = deployment.get("spec", "template", "spec", "containers", 0, "image")
    assert (image.loc.file, image.loc.span.line) == ("overlay/kustomization.yaml", 7)
    replicas = deployment.get("spec", "replicas")
    assert (replicas.loc.file, replicas.loc.span.line) == ("overlay/kustomization.yaml", 9)
    added = deployment.get("spec", "template", "spec", "containers", 0, "env", 1, "value")
    assert (added.loc.file, added.loc.span.line) == ("overlay/kustomization.yaml", 25)
    kept = deployment.get("spec", "template", "spec", "containers", 0, "env", 0, "value")
    assert (kept.loc.file, kept.loc.span.line) == ("base/deployment.yaml", 18)
    # the patch restates kind and name to say which object it patches: they stay the base's
    assert deployment.get("kind").key_loc.file == "base/deployment.yaml"
    probe = deployment.get("spec", "template", "spec", "containers", 0, "readinessProbe")
    assert (probe.loc.file, probe.loc.span.line) == ("overlay/kustomization.yaml", 30)


def test_components_patch_what_the_overlay_accumulated_and_delete_objects() -> None:
    files = {
        "app/deployment.yaml": DEPLOYMENT,
        "app/hpa.yaml": HPA,
        "no-hpa/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                     "patches:\n  - patch: |-\n      apiVersion: autoscaling/v2\n"
                                     "      kind: HorizontalPodAutoscaler\n      metadata: {name: web}\n"
                                     "      $patch: delete\n",
        "overlay/kustomization.yaml": "resources: [../app/deployment.yaml, ../app/hpa.yaml]\n"
                                      "components: [../no-hpa]\n",
    }
    assert [o["kind"] for o in _objects(_build(files))] == ["Deployment"]


def test_json6902_file_patch_with_a_target_and_a_failing_operation() -> None:
    files = {
        "app/deployment.yaml": DEPLOYMENT,
        "overlay/ops.yaml": "- {op: replace, path: /spec/replicas, value: 2}\n"
                            "- {op: remove, path: /spec/template/spec/containers/0/envFrom}\n",
        "overlay/bad.yaml": "- {op: remove, path: /spec/nothing}\n",
        "overlay/kustomization.yaml": "resources: [../app/deployment.yaml]\npatchesJson6902:\n"
                                      "  - target: {group: apps, version: v1, kind: Deployment, name: web}\n"
                                      "    path: ops.yaml\n"
                                      "  - target: {kind: Deployment, name: w.*}\n    path: bad.yaml\n",
    }
    result = _build(files)
    spec = _objects(result)[0]["spec"]
    assert spec["replicas"] == 2 and "envFrom" not in spec["template"]["spec"]["containers"][0]
    # reported at the `path: bad.yaml` line of the kustomization
    assert [(f.loc.span.line, "does not apply" in f.message) for f in result.faults] == [(6, True)]


def test_hostile_trees_are_bounded_and_nothing_outside_is_read() -> None:
    read: list[str] = []
    files = {
        "a/kustomization.yaml": "resources:\n  - ../b\n  - ../../etc\n  - /etc/passwd\n"
                                "  - https://github.com/org/repo//base?ref=v1\n",
        "b/kustomization.yaml": "resources: [../a]\n",
    }

    def reader(path: str) -> str | None:
        read.append(path)
        return files.get(path)

    result = build("a/kustomization.yaml", files["a/kustomization.yaml"], reader)
    messages = sorted(f.message for f in result.faults)
    assert any("cycle" in m for m in messages)
    assert sum("outside the repository" in m for m in messages) == 2
    assert result.remote == ["https://github.com/org/repo//base?ref=v1"]
    assert all(not p.startswith(("..", "/")) and "etc" not in p for p in read)
    chain = {f"k{i}/kustomization.yaml": f"resources: [../k{i + 1}]\n" for i in range(MAX_DEPTH + 5)}
    deep = build("k0/kustomization.yaml", chain["k0/kustomization.yaml"], chain.get)
    assert any("nest more than" in f.message for f in deep.faults)


def test_references_follow_renames_made_in_a_base_at_the_end_of_the_build() -> None:
    # kustomize fixes name references once, after every transformer and the hash suffixes,
    # against every name an object has had: an overlay's objects may name a base's objects
    # as the base wrote them, before the base's namePrefix.
    files = {
        "base/kustomization.yaml": "resources: [deployment.yaml]\nnamePrefix: shop-\n"
                                   "configMapGenerator:\n  - {name: settings, literals: [A=1]}\n",
        "base/deployment.yaml": DEPLOYMENT,
        "overlay/kustomization.yaml": "resources: [../base, hpa.yaml]\nnameSuffix: -v2\n",
        "overlay/hpa.yaml": HPA,
    }
    objs = {(o["kind"], o["metadata"]["name"]): o for o in _objects(_build(files))}
    hpa = objs[("HorizontalPodAutoscaler", "web-v2")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "shop-web-v2"
    settings = next(name for kind, name in objs if kind == "ConfigMap")
    assert settings.startswith("shop-settings-v2-")
    env_from = objs[("Deployment", "shop-web-v2")]["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert env_from == [{"configMapRef": {"name": settings}}]


def test_a_reference_two_objects_could_answer_goes_to_the_one_renamed_alike() -> None:
    # Two bases each call a ConfigMap `settings` and rename it differently: each base's
    # Deployment keeps its own (kustomize's tie-break: the same prefixes and suffixes).
    base = "resources: [deployment.yaml]\nnamePrefix: {p}-\nconfigMapGenerator:\n" \
           "  - {{name: settings, literals: [A={p}], options: {{disableNameSuffixHash: true}}}}\n"
    files = {
        "a/kustomization.yaml": base.format(p="a"),
        "a/deployment.yaml": DEPLOYMENT,
        "b/kustomization.yaml": base.format(p="b"),
        "b/deployment.yaml": DEPLOYMENT,
        "overlay/kustomization.yaml": "resources: [../a, ../b]\n",
    }
    objs = {o["metadata"]["name"]: o for o in _objects(_build(files)) if o["kind"] == "Deployment"}
    for p in ("a", "b"):
        env_from = objs[f"{p}-web"]["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        assert env_from == [{"configMapRef": {"name": f"{p}-settings"}}]


def test_a_rollout_is_reached_only_when_configurations_teach_kustomize_its_fields() -> None:
    rollout = DEPLOYMENT.replace("apps/v1\nkind: Deployment", "argoproj.io/v1alpha1\nkind: Rollout")
    hpa = HPA.replace("apps/v1, kind: Deployment", "argoproj.io/v1alpha1, kind: Rollout")
    files = {
        "base/kustomization.yaml": "resources: [rollout.yaml]\n",
        "base/rollout.yaml": rollout,
        "overlay/kustomization.yaml": "resources: [../base, hpa.yaml]\nnamePrefix: prod-\n"
                                      "commonLabels: {team: shop}\n",
        "overlay/hpa.yaml": hpa,
    }
    objs = {o["kind"]: o for o in _objects(_build(files))}
    assert objs["Rollout"]["metadata"]["labels"] == {"team": "shop"}
    assert objs["Rollout"]["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    assert objs["Rollout"]["spec"]["selector"]["matchLabels"] == {"app": "web"}
    assert objs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == "web"
    # a base's configurations are merged into the overlay's build
    files["base/kustomization.yaml"] += "configurations: [rollout-transform.yaml]\n"
    objs = {o["kind"]: o for o in _objects(_build(files))}
    assert objs["Rollout"]["spec"]["template"]["metadata"]["labels"] == {"app": "web", "team": "shop"}
    assert objs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == "prod-web"
