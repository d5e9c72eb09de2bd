"""JSON patches (RFC 6902) on a located tree: add, remove, replace, move, copy, test.

A value an operation writes keeps the location of the operation's `value`
in the patch, so a finding on it lands on the patch line.
"""

from __future__ import annotations

from platform_lint.kustomize.nodes import Node, copy


class PatchError(ValueError):
    """An operation that cannot apply (a missing path, a failed test); the message says which."""


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"path {pointer!r} does not start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(token: str, size: int, *, adding: bool) -> int:
    if adding and token == "-":
        return size
    if not token.isdigit():
        raise PatchError(f"{token!r} is not a list index")
    index = int(token)
    if index > size or (index == size and not adding):
        raise PatchError(f"list index {index} is out of range")
    return index


def _parent(root: Node, tokens: list[str]) -> Node:
    node = root
    for token in tokens[:-1]:
        value = node.value
        if isinstance(value, dict) and token in value:
            node = value[token]
        elif isinstance(value, list):
            node = value[_index(token, len(value), adding=False)]
        else:
            raise PatchError(f"no {token!r} on the way")
    return node


def _get(root: Node, pointer: str) -> Node:
    tokens = _tokens(pointer)
    if not tokens:
        return root
    parent = _parent(root, tokens)
    value = parent.value
    if isinstance(value, dict) and tokens[-1] in value:
        found: Node = value[tokens[-1]]
        return found
    if isinstance(value, list):
        item: Node = value[_index(tokens[-1], len(value), adding=False)]
        return item
    raise PatchError(f"nothing at {pointer!r}")


def _add(root: Node, pointer: str, new: Node, *, replace: bool) -> None:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("cannot replace the whole object")
    parent = _parent(root, tokens)
    value, last = parent.value, tokens[-1]
    if isinstance(value, dict):
        if replace and last not in value:
            raise PatchError(f"nothing at {pointer!r} to replace")
        new.key_loc = value[last].key_loc if last in value else new.key_loc
        value[last] = new
    elif isinstance(value, list):
        index = _index(last, len(value), adding=not replace)
        if replace:
            value[index] = new
        else:
            value.insert(index, new)
    else:
        raise PatchError(f"{pointer!r} is inside a scalar")


def _remove(root: Node, pointer: str) -> Node:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("cannot remove the whole object")
    parent = _parent(root, tokens)
    value, last = parent.value, tokens[-1]
    if isinstance(value, dict) and last in value:
        popped: Node = value.pop(last)
        return popped
    if isinstance(value, list):
        taken: Node = value.pop(_index(last, len(value), adding=False))
        return taken
    raise PatchError(f"nothing at {pointer!r} to remove")


def apply(root: Node, operations: Node) -> None:
    """Apply a list of operations to `root` in place; `PatchError` names the first that fails."""
    if not isinstance(operations.value, list):
        raise PatchError("a JSON patch is a list of operations")
    for number, op in enumerate(operations.value, start=1):
        if not isinstance(op.value, dict):
            raise PatchError(f"operation {number} is not a mapping")
        fields = op.value
        kind = fields["op"].value if "op" in fields else None
        path = fields["path"].value if "path" in fields else None
        if not isinstance(path, str):
            raise PatchError(f"operation {number} has no path")
        try:
            _one(root, str(kind), path, fields)
        except PatchError as exc:
            raise PatchError(f"operation {number} ({kind} {path}): {exc}") from None


def _one(root: Node, kind: str, path: str, fields: dict[str, Node]) -> None:
    if kind in ("add", "replace", "test") and "value" not in fields:
        raise PatchError("no value")
    if kind == "add":
        _add(root, path, _value(fields["value"]), replace=False)
    elif kind == "replace":
        _add(root, path, _value(fields["value"]), replace=True)
    elif kind == "remove":
        _remove(root, path)
    elif kind in ("move", "copy"):
        source = fields.get("from")
        if source is None or not isinstance(source.value, str):
            raise PatchError("no from")
        moved = _remove(root, source.value) if kind == "move" else copy(_get(root, source.value))
        _add(root, path, moved, replace=False)
    elif kind == "test":
        from platform_lint.kustomize.nodes import to_plain

        if to_plain(_get(root, path)) != to_plain(fields["value"]):
            raise PatchError("test failed")
    else:
        raise PatchError(f"unknown op {kind!r}")


def _value(node: Node) -> Node:
    new = copy(node)
    new.key_loc = node.loc
    return new
