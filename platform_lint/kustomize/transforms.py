"""Kustomize's built-in transformers on located objects.

Each value a transformer writes is located at the kustomization entry that
asked for it (the `newTag:` of an `images:` entry, the `count:` of a
`replicas:` entry), so a finding on it points at the line to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from platform_lint.kustomize.nodes import Loc, Node, ensure_map, walk
from platform_lint.records import field, record

_CLUSTER_SCOPED = frozenset({
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
    "CSIDriver", "Node", "PodSecurityPolicy", "ClusterIssuer",
})
_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                        "ReplicationController", "Rollout"})
_TAUGHT = frozenset({"Rollout"})
"""Kinds whose pod template, selector and references kustomize's built-in field specs do not
name: a build reaches them only when `configurations:` teach it (Argo's rollout-transform.yaml).
Otherwise commonLabels reach a Service's or budget's selector and not the Rollout's pods, and
a prefix renames a Rollout and not an autoscaler's scaleTargetRef to it."""
_SELECTS_BY_MATCH_LABELS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                      "Rollout", "PodDisruptionBudget"})
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


@record()
class Resource:
    """One object of a build; `original` is its name before prefixes, suffixes and hashes."""

    node: Node
    original: str
    origin: str
    """The file it was read or generated from."""
    names: list[str] = field(default_factory=list)
    """Every name it had before the one it has (kustomize's previous ids)."""
    affixes: list[tuple[str, str]] = field(default_factory=list)
    """The (prefix, suffix) of each namePrefix/nameSuffix that renamed it."""

    @property
    def kind(self) -> str:
        return str(self.node.plain("kind") or "")

    @property
    def name(self) -> str:
        return str(self.node.plain("metadata", "name") or "")

    def named(self, name: str) -> bool:
        return name in (self.name, self.original) or name in self.names


def _metadata(res: Resource, loc: Loc | None) -> Node:
    return ensure_map(res.node, "metadata", loc)


def set_namespace(resources: Iterable[Resource], namespace: str, loc: Loc | None) -> None:
    for res in resources:
        if res.kind not in _CLUSTER_SCOPED:
            _metadata(res, loc).value["namespace"] = Node(namespace, loc, loc)


def rename(resources: Sequence[Resource], prefix: str, suffix: str, loc: Loc | None) -> None:
    """namePrefix / nameSuffix on every object but Namespaces and CRDs; the references to
    them follow at the end of the build (`fix_references`)."""
    for res in resources:
        if res.kind in ("Namespace", "CustomResourceDefinition") or not res.name:
            continue
        res.names.append(res.name)
        res.affixes.append((prefix, suffix))
        metadata = _metadata(res, loc)
        old = metadata.value.get("name")
        metadata.value["name"] = Node(f"{prefix}{res.name}{suffix}", old.loc if old else loc,
                                      old.key_loc if old else loc)


def fix_references(resources: Sequence[Resource], *, taught: bool) -> None:
    """kustomize's last step: point references (an autoscaler's target, a pod's ConfigMaps,
    Secrets, ServiceAccount and claims) at the object that had the name they write at any
    time in the build, whichever kustomization renamed it: in the referrer's namespace,
    and among namesakes the one renamed alike; a reference still ambiguous is left."""
    by_kind: dict[str, list[Resource]] = {}
    for res in resources:
        by_kind.setdefault(res.kind, []).append(res)
    if not any(res.names for res in resources):
        return
    for res in resources:
        for path, node in list(walk(res.node)):
            found = _reference(path, node)
            if found is None:
                continue
            kind, name = found
            if not taught and (kind in _TAUGHT or res.kind in _TAUGHT):
                continue
            if isinstance(name.value, str) and kind in by_kind:
                target = _referral(res, name.value, by_kind[kind])
                if target is not None:
                    name.value = target.name


def _referral(referrer: Resource, name: str, candidates: Sequence[Resource]) -> Resource | None:
    chosen = [c for c in candidates if c.named(name) and _same_namespace(referrer, c)]
    if len(chosen) > 1:
        chosen = [c for c in chosen if c.affixes == referrer.affixes]
    if chosen and all(c.name == chosen[0].name for c in chosen):
        return chosen[0]
    return None


def _same_namespace(referrer: Resource, candidate: Resource) -> bool:
    if _CLUSTER_SCOPED & {referrer.kind, candidate.kind} or candidate.kind == "ServiceAccount":
        return True
    return _namespace(referrer) == _namespace(candidate)


def _namespace(res: Resource) -> str:
    return str(res.node.plain("metadata", "namespace") or "default")


# The key holding a reference -> (the kind it names, the field of the name; None: the value itself).
_REFERENCES: dict[str, tuple[str, str | None]] = {
    "configMapRef": ("ConfigMap", "name"),
    "configMapKeyRef": ("ConfigMap", "name"),
    "configMap": ("ConfigMap", "name"),
    "secretRef": ("Secret", "name"),
    "secretKeyRef": ("Secret", "name"),
    "secret": ("Secret", "secretName"),
    "persistentVolumeClaim": ("PersistentVolumeClaim", "claimName"),
    "serviceAccountName": ("ServiceAccount", None),
}


def _reference(path: tuple[str | int, ...], node: Node) -> tuple[str, Node] | None:
    last = path[-1] if path else None
    if last == "scaleTargetRef":
        kind, name = node.plain("kind"), node.get("name")
        return (kind, name) if isinstance(kind, str) and name is not None else None
    if not isinstance(last, str) or last not in _REFERENCES:
        return None
    kind, field = _REFERENCES[last]
    if field is None:
        return kind, node
    name = node.get(field) if isinstance(node.value, dict) else None
    return None if name is None else (kind, name)


def add_labels(resources: Iterable[Resource], labels: Mapping[str, str], loc: Loc | None, *,
               selectors: bool, templates: bool, taught: bool) -> None:
    """commonLabels (selectors and templates too) and `labels:` entries (as they ask)."""
    for res in resources:
        _put(_metadata(res, loc), "labels", labels, loc)
        if templates or selectors:
            for template in _templates(res, taught):
                _put(ensure_map(template, "metadata", loc), "labels", labels, loc)
        if not selectors or (res.kind in _TAUGHT and not taught):
            continue
        spec = res.node.get("spec")
        if res.kind == "Service" and spec is not None and isinstance(spec.value, dict):
            _put(spec, "selector", labels, loc)
        elif res.kind in _SELECTS_BY_MATCH_LABELS and spec is not None and isinstance(spec.value, dict):
            selector = spec.value.get("selector")
            if selector is not None or res.kind != "PodDisruptionBudget":
                _put(ensure_map(spec, "selector", loc), "matchLabels", labels, loc)


def add_annotations(resources: Iterable[Resource], annotations: Mapping[str, str], loc: Loc | None, *,
                    taught: bool) -> None:
    for res in resources:
        _put(_metadata(res, loc), "annotations", annotations, loc)
        for template in _templates(res, taught):
            _put(ensure_map(template, "metadata", loc), "annotations", annotations, loc)


def _templates(res: Resource, taught: bool) -> Iterator[Node]:
    if res.kind in _TAUGHT and not taught:
        found = None
    elif res.kind in _WORKLOADS:
        found = res.node.get("spec", "template")
    elif res.kind == "CronJob":
        found = res.node.get("spec", "jobTemplate", "spec", "template")
    else:
        found = None
    if found is not None and isinstance(found.value, dict):
        yield found


def _put(parent: Node, key: str, pairs: Mapping[str, str], loc: Loc | None) -> None:
    target = ensure_map(parent, key, loc)
    for k, v in pairs.items():
        target.value[k] = Node(v, loc, loc)


@record(frozen=True)
class ImageEntry:
    """One `images:` entry and where its fields were written."""

    name: str
    new_name: str | None
    new_tag: str | None
    digest: str | None
    loc: Loc | None
    """The most specific field written: the digest, else the tag, else the new name."""


def split_image(image: str) -> tuple[str, str, str]:
    """(name, ':tag' or '', '@digest' or '') of an image reference."""
    rest, at, digest = image.partition("@")
    slash, colon = rest.rfind("/"), rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon:], at + digest
    return rest, "", at + digest


def set_images(resources: Iterable[Resource], entries: Sequence[ImageEntry]) -> None:
    if not entries:  # most kustomizations have no `images:`: no tree walked for nothing
        return
    for res in resources:
        for _path, node in list(walk(res.node)):
            if not isinstance(node.value, dict):
                continue
            for group in _CONTAINER_LISTS:
                items = node.value.get(group)
                for container in items.value if items is not None and isinstance(items.value, list) else ():
                    image = container.get("image")
                    if image is not None and isinstance(image.value, str):
                        _retag(image, entries)


def _retag(image: Node, entries: Sequence[ImageEntry]) -> None:
    name, tag, digest = split_image(image.value)
    for entry in entries:
        if entry.name != name:
            continue
        if entry.digest is not None:
            tag, digest = "", f"@{entry.digest}"
        elif entry.new_tag is not None:
            tag, digest = f":{entry.new_tag}", ""
        image.value = f"{entry.new_name or name}{tag}{digest}"
        image.loc = entry.loc or image.loc
        return


_REPLICATED = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})


def set_replicas(resources: Iterable[Resource], name: str, count: int, loc: Loc | None) -> None:
    """A `replicas:` entry: the count of the workloads of that name (others only when they
    already have `spec.replicas`)."""
    for res in resources:
        spec = res.node.get("spec")
        if not res.named(name) or spec is None or not isinstance(spec.value, dict):
            continue
        if res.kind in _REPLICATED or "replicas" in spec.value:
            old = spec.value.get("replicas")
            spec.value["replicas"] = Node(count, loc, old.key_loc if old is not None else loc)
