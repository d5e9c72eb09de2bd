"""ruamel.yaml's parser events linked into nodes, one document at a time: a scalar
is its own event, a mapping or sequence a `Collection` of child nodes, an alias
the node it names. Anchors and aliases are checked here as ruamel's composers
check them; `yaml_tree` builds the nodes into data and spans."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Collection:
    """A mapping or sequence node: `value` holds its child nodes (a mapping's
    as key, value, key, value...); an alias is the node it names."""

    __slots__ = ("end_mark", "id", "start_mark", "tag", "value")

    def __init__(self, start: Any, kind: str) -> None:
        self.id = kind
        self.start_mark = start.start_mark
        self.end_mark = start.end_mark
        self.tag = start.ctag
        self.value: list[Any] = []


MAX_ALIAS_NODES = 100_000
"""How many nodes aliases may add to a document, over those written out. A few
hundred bytes of nested aliases (`a: &a [x, x]`, `b: &b [*a, *a]`, ...) expand
exponentially: a "billion laughs" file is refused, not built."""


class AliasBomb(Exception):
    """Aliases expanded past `MAX_ALIAS_NODES`."""


def compose(get: Callable[[], Any], c_parser: bool) -> Iterator[tuple[Any, bool, int, int]]:
    """Each document of the event stream `get` reads: its root node, whether it
    has anchors, and how many nodes and scalar characters it writes out.
    An unknown alias is an error; an anchor given again names the later node, as
    YAML 1.2 says and Kubernetes' go-yaml reads it (libyaml's composer refuses it)."""
    from ruamel.yaml.composer import ComposerError
    from ruamel.yaml.events import (
        AliasEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        StreamEndEvent,
    )

    get()  # the stream start
    while type(get()) is not StreamEndEvent:  # a document start
        anchors: dict[str, Any] = {}
        stack: list[Collection] = []
        children: list[Any] | None = None  # of the innermost open collection
        nodes = scalar_bytes = 0
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                nodes += 1
                scalar_bytes += len(event.value)
                if event.anchor is not None:
                    anchors[event.anchor] = event
                if children is None:
                    root: Any = event
                    break
                children.append(event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                node = stack.pop()
                node.end_mark = event.end_mark
                if not stack:
                    root = node
                    break
                children = stack[-1].value
            elif kind is AliasEvent:
                target = anchors.get(event.anchor)
                if target is None:
                    name = "" if c_parser else f" {event.anchor!r}"
                    raise ComposerError(None, None, f"found undefined alias{name}", event.start_mark)
                if children is None:
                    root = target
                    break
                children.append(target)
            else:
                nodes += 1
                node = Collection(event, "mapping" if kind is MappingStartEvent else "sequence")
                if event.anchor is not None:
                    anchors[event.anchor] = node
                if children is not None:
                    children.append(node)
                stack.append(node)
                children = node.value
        get()  # the document end
        yield root, bool(anchors), nodes, scalar_bytes
