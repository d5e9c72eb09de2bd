"""A located tree: plain YAML data where every value and key knows the file and span that wrote it.

Patches and transformers move, replace and delete values; because a location
travels with its node, a container moved by a list merge or an environment
variable shifted by a deletion still points at the line that wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from platform_lint.model import Path, Span
from platform_lint.records import record


@record(unsafe_hash=True)
class Loc:
    """Where a value (or key) was written: a file of the repository and its span.
    Immutable by its `Final` fields, not `frozen` (see `model.Span`: a build makes one per value,
    which is also why `__init__` is written out)."""

    file: Final[str]
    span: Final[Span]

    def __init__(self, file: str, span: Span) -> None:
        self.file, self.span = file, span


@record()
class Node:
    """A value: a `dict[str, Node]`, a `list[Node]` or a scalar, and where it was written."""

    value: Any
    loc: Loc | None = None
    key_loc: Loc | None = None
    """For a mapping member, where its key was written."""

    def __init__(self, value: Any, loc: Loc | None = None, key_loc: Loc | None = None) -> None:
        self.value, self.loc, self.key_loc = value, loc, key_loc  # one a value: written out

    def get(self, *path: str | int) -> Node | None:
        node: Node | None = self
        for step in path:
            if node is None:
                return None
            value = node.value
            if isinstance(value, dict) and isinstance(step, str):
                node = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
                node = value[step]
            else:
                return None
        return node

    def plain(self, *path: str | int) -> Any:
        """The plain data at `path` (None when missing)."""
        node = self.get(*path)
        return None if node is None else to_plain(node)


class SpanMap:
    """Places the spans of a parsed text in a file: identity for a file, shifted
    lines and columns for a block scalar embedded in a kustomization."""

    def __init__(self, file: str, line_offset: int = 0, col_offset: int = 0) -> None:
        self.file = file
        self.line_offset = line_offset
        self.col_offset = col_offset

    def __call__(self, span: Span | None) -> Loc | None:
        if span is None:
            return None
        if not (self.line_offset or self.col_offset):
            return Loc(self.file, span)
        return Loc(self.file, Span(span.line + self.line_offset, span.col + self.col_offset,
                                   span.end_line + self.line_offset, span.end_col + self.col_offset))


def from_yaml(data: Any, spans: Mapping[Path, Span], key_spans: Mapping[Path, Span],
              where: SpanMap, path: Path = ()) -> Node:
    """The located tree of a parsed YAML document."""
    loc = where(spans.get(path))
    key_loc = where(key_spans.get(path)) if path else None
    if isinstance(data, dict):
        members = {str(k): from_yaml(v, spans, key_spans, where, (*path, k)) for k, v in data.items()}
        return Node(members, loc, key_loc)
    if isinstance(data, list):
        return Node([from_yaml(v, spans, key_spans, where, (*path, i)) for i, v in enumerate(data)],
                    loc, key_loc)
    return Node(data, loc, key_loc)


def located(value: Any, loc: Loc | None) -> Node:
    """Plain data written as a whole at one place (a transformer's setting)."""
    if isinstance(value, dict):
        return Node({str(k): located(v, loc) for k, v in value.items()}, loc, loc)
    if isinstance(value, list):
        return Node([located(v, loc) for v in value], loc)
    return Node(value, loc)


def to_plain(node: Node) -> Any:
    value = node.value
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def copy(node: Node) -> Node:
    """A deep copy sharing the (immutable) locations."""
    value = node.value
    if isinstance(value, dict):
        return Node({k: copy(v) for k, v in value.items()}, node.loc, node.key_loc)
    if isinstance(value, list):
        return Node([copy(v) for v in value], node.loc, node.key_loc)
    return Node(value, node.loc, node.key_loc)


def walk(node: Node, path: Path = ()) -> Iterator[tuple[Path, Node]]:
    """Every (path, node) below and including `node`, parents first."""
    yield path, node
    value = node.value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*path, i))


def ensure_map(parent: Node, key: str, loc: Loc | None) -> Node:
    """The mapping at `parent[key]`, created (written at `loc`) when missing or not a mapping."""
    assert isinstance(parent.value, dict)
    child = parent.value.get(key)
    if child is None or not isinstance(child.value, dict):
        child = Node({}, loc, loc)
        parent.value[key] = child
    return child
