"""Strategic merge patches, as kustomize applies them (kyaml's merge2).

Mappings merge key by key; a `null` deletes a key. Lists of objects that the
Kubernetes API merges by a key (containers and env by `name`, volume mounts by
`mountPath`, ...) merge element by element, new elements after the original
ones; every other list is replaced. Directives: `$patch: delete` (a mapping, a
list element, or the whole object), `$patch: replace` (a mapping, or a list
holding `{$patch: replace}`), `$retainKeys`, `$deleteFromPrimitiveList/<key>`;
`$setElementOrder/<key>` only orders and is dropped.
"""

from __future__ import annotations

from typing import Any

from platform_lint.kustomize.nodes import Node, copy

# The Kubernetes API's patchMergeKey of each list field that merges by key.
_MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "ownerReferences": ("uid",),
    "conditions": ("type",),
    "readinessGates": ("conditionType",),
    "topologySpreadConstraints": ("topologyKey",),
    "resourceClaims": ("name",),
    "ports": ("containerPort", "port"),  # a container's ports, a Service's ports
}

DELETE = "delete"


def apply(target: Node, patch: Node) -> Node | None:
    """`target` with `patch` merged in (both objects); None when the patch deletes the object."""
    if isinstance(patch.value, dict) and _directive(patch) == DELETE:
        return None
    merged = _merge_map(target, patch) if isinstance(target.value, dict) else copy(patch)
    return merged


def _directive(node: Node) -> str | None:
    if not isinstance(node.value, dict):
        return None
    found = node.value.get("$patch")
    return found.value if found is not None and isinstance(found.value, str) else None


def _merge(target: Node | None, patch: Node, key: str) -> Node:
    if target is None:
        return _clean(copy(patch))
    if _same_scalar(target, patch):
        return target  # restated to name the object (kind, name): still the base's line
    if isinstance(patch.value, dict) and isinstance(target.value, dict):
        if _directive(patch) == "replace":
            return _clean(copy(patch))
        return _merge_map(target, patch)
    if isinstance(patch.value, list) and isinstance(target.value, list):
        return _merge_list(target, patch, key)
    return _clean(copy(patch))


def _same_scalar(a: Node, b: Node) -> bool:
    return (not isinstance(a.value, (dict, list)) and type(a.value) is type(b.value)
            and a.value == b.value)


def _merge_map(target: Node, patch: Node) -> Node:
    assert isinstance(target.value, dict) and isinstance(patch.value, dict)
    out = Node(dict(target.value), target.loc, target.key_loc)
    members: dict[str, Node] = out.value
    retain: list[Any] | None = None
    for key, value in patch.value.items():
        if key == "$patch" or key.startswith("$setElementOrder/"):
            continue
        if key == "$retainKeys":
            retain = value.value if isinstance(value.value, list) else None
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            gone = {str(v.value) for v in value.value} if isinstance(value.value, list) else set()
            kept = members.get(field)
            if kept is not None and isinstance(kept.value, list):
                members[field] = Node([n for n in kept.value if str(n.value) not in gone],
                                      kept.loc, kept.key_loc)
            continue
        if value.value is None:
            members.pop(key, None)
            continue
        if isinstance(value.value, dict) and _directive(value) == DELETE:
            members.pop(key, None)
            continue
        merged = _merge(members.get(key), value, key)
        if merged.key_loc is None or key not in target.value:
            merged.key_loc = value.key_loc
        members[key] = merged
    if retain is not None:
        wanted = {str(n.value) for n in retain if isinstance(n, Node)}
        for key in [k for k in members if k not in wanted]:
            del members[key]
    return out


def _merge_key(key: str, items: list[Node]) -> str | None:
    for candidate in _MERGE_KEYS.get(key, ()):
        if items and all(isinstance(n.value, dict) and candidate in n.value for n in items):
            return candidate
    return None


def _merge_list(target: Node, patch: Node, key: str) -> Node:
    assert isinstance(target.value, list) and isinstance(patch.value, list)
    elements = [n for n in patch.value if _directive(n) != "replace"]
    if len(elements) != len(patch.value):  # `- $patch: replace`: the patch's elements only
        return Node([_clean(copy(n)) for n in elements], patch.loc, patch.key_loc)
    merge_key = _merge_key(key, elements)
    if merge_key is None or not all(isinstance(n.value, dict) for n in target.value):
        return _clean(copy(patch))
    out = list(target.value)
    for element in elements:
        wanted = _plain_key(element, merge_key)
        index = next((i for i, n in enumerate(out) if _plain_key(n, merge_key) == wanted), None)
        if _directive(element) == DELETE:
            if index is not None:
                del out[index]
        elif index is None:
            out.append(_clean(copy(element)))
        else:
            out[index] = _merge_map(out[index], element)
    return Node(out, target.loc, target.key_loc)


def _plain_key(node: Node, merge_key: str) -> str | None:
    found = node.value.get(merge_key) if isinstance(node.value, dict) else None
    return None if found is None else str(found.value)


def _clean(node: Node) -> Node:
    """A patch's value as it lands in the object: its directives dropped."""
    value = node.value
    if isinstance(value, dict):
        node.value = {k: _clean(v) for k, v in value.items() if not k.startswith("$")}
    elif isinstance(value, list):
        node.value = [_clean(v) for v in value if _directive(v) not in (DELETE, "replace")]
    return node
