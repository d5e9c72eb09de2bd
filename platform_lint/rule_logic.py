"""What a rule file's logic may hold, so that a rule from a scanned repository stays data.

A `schema:` must be valid JSON Schema (draft 2020-12) and may refer only to
itself (`$ref: "#/$defs/x"`) or to platform-lint's own schemas: nothing is
fetched from the network or read from disk. A `message:` is a template that
knows two named fields, `{error}` and `{path}`; nothing else inside braces is
allowed (no attribute or index access, no format specs), and `{{` / `}}` write
literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any
from urllib.parse import unquote

from platform_lint.model import Path as DataPath
from platform_lint.validation import SchemaError, project_schemas

MESSAGE_FIELDS = ("error", "path")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DIALECTS = frozenset({DIALECT, f"{DIALECT}#"})

# Draft 2020-12 keywords whose values are schemas (as referencing walks them),
# plus the older spellings a rule author may carry over.
_ONE = frozenset({"additionalItems", "additionalProperties", "contains", "contentSchema", "else",
                  "if", "items", "not", "propertyNames", "then", "unevaluatedItems",
                  "unevaluatedProperties"})
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_MAP = frozenset({"$defs", "definitions", "dependentSchemas", "dependencies", "patternProperties",
                  "properties"})
_IN_PLACE = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
                       "dependencies"})
"""Keywords whose subschemas apply to the same instance, not to a part of it."""
_REFERENCES = ("$ref", "$dynamicRef")


def message_problem(template: str) -> str | None:
    """Why `template` is not a valid message, or None."""
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name is not None and name not in MESSAGE_FIELDS:
            return (f"{{{name}}} is not a field: a message may use only {{error}} and {{path}} "
                    "(write {{ and }} for literal braces)")
    return None


def fill_message(template: str, fields: Mapping[str, str]) -> str:
    """`template` with its named fields replaced; a field not given stays as written."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        return fields.get(match.group(1), text)

    return _PLACEHOLDER.sub(replace, template)


CHECKS_VERSION = 2
"""Raise when `schema_problems` or `message_problem` refuse more: cached verdicts lapse."""
MAX_DEPTH = 64
"""Deepest nesting a rule's schema may have: the validators recurse per level."""


def schema_problems(schema: Mapping[str, Any]) -> Iterator[SchemaError]:
    """Every reason `schema` may not be a rule's logic, with its path inside it:
    nested past `MAX_DEPTH`, not valid JSON Schema (a `type: 5`, a `pattern`
    that is not a regex), a reference that leads outside the rule file and
    platform-lint's schemas or to nothing in it, or references that go round
    without reading deeper into the object (`$ref: "#"`), which never ends."""
    if _depth(schema) > MAX_DEPTH:
        yield SchemaError((), f"nested more than {MAX_DEPTH} levels deep")
        return
    from jsonschema import Draft202012Validator

    from platform_lint.validation import schema_errors

    yield from schema_errors(schema, Draft202012Validator.META_SCHEMA, formats=True)
    nodes = dict(_schema_nodes(schema))
    anchors = {node[k]: path for path, node in nodes.items()
               for k in ("$anchor", "$dynamicAnchor") if isinstance(node.get(k), str)}
    targets: dict[DataPath, DataPath] = {}
    for path, node in nodes.items():
        yield from _keyword_problems(node, path)
        for keyword in _REFERENCES:
            reference = node.get(keyword)
            if not isinstance(reference, str) or not _local(reference):
                continue
            uri, _, fragment = reference.partition("#")
            if uri:  # one of platform-lint's schemas: its pointer must lead somewhere
                if _resolve(project_schemas()[uri], f"#{fragment}", {}) is None:
                    yield SchemaError((*path, keyword), f"{reference!r} refers to nothing")
                continue
            target = _resolve(schema, reference, anchors)
            if target is None:
                yield SchemaError((*path, keyword), f"{reference!r} refers to nothing in the rule file")
            else:
                targets[(*path, keyword)] = target
    yield from _cycles(nodes, targets)


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _subschemas(node: Mapping[str, Any], path: DataPath) -> Iterator[tuple[DataPath, Any, bool]]:
    """(path, subschema, applies to the same instance) for each subschema of `node`."""
    for keyword, value in node.items():
        if keyword in _ONE and isinstance(value, dict):
            yield (*path, keyword), value, keyword in _IN_PLACE
        elif keyword in _LIST and isinstance(value, list):
            for i, item in enumerate(value):
                yield (*path, keyword, i), item, keyword in _IN_PLACE
        elif keyword in _MAP and isinstance(value, dict):
            for name, item in value.items():
                yield (*path, keyword, name), item, keyword in _IN_PLACE


def _schema_nodes(schema: Mapping[str, Any]) -> Iterator[tuple[DataPath, Mapping[str, Any]]]:
    """Every schema object in `schema` (booleans are leaves), by its path."""
    stack: list[tuple[DataPath, Any]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            yield path, node
            stack.extend((child_path, child) for child_path, child, _ in _subschemas(node, path))


def _keyword_problems(node: Mapping[str, Any], path: DataPath) -> Iterator[SchemaError]:
    dialect = node.get("$schema")
    if isinstance(dialect, str) and dialect not in _DIALECTS:
        yield SchemaError((*path, "$schema"),
                          f"{dialect!r}: only JSON Schema draft 2020-12 ({DIALECT}) is supported")
    if isinstance(node.get("$id"), str):
        yield SchemaError((*path, "$id"),
                          "$id is not allowed in a rule: references resolve within the rule file")
    for keyword in _REFERENCES:
        target = node.get(keyword)
        if isinstance(target, str) and not _local(target):
            yield SchemaError((*path, keyword),
                              f"{target!r} refers outside the rule file: only references within it "
                              "('#/$defs/name') or to platform-lint's own schemas are resolved")


def _resolve(schema: Any, reference: str, anchors: Mapping[str, DataPath]) -> DataPath | None:
    """Where `#/json/pointer` or `#anchor` leads within `schema`, or None."""
    fragment = unquote(reference[1:])
    if fragment and not fragment.startswith("/"):
        return anchors.get(fragment)
    node: Any = schema
    path: DataPath = ()
    for token in fragment.split("/")[1:] if fragment else ():
        key: str | int = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and str(key).isdigit() and int(key) < len(node):
            key = int(key)
        elif not isinstance(node, dict) or key not in node:
            return None
        node, path = node[key], (*path, key)
    return path


def _cycles(nodes: Mapping[DataPath, Mapping[str, Any]],
            targets: Mapping[DataPath, DataPath]) -> Iterator[SchemaError]:
    """References that lead back to where they started without going down into
    the object validated: an endless loop for any validator."""
    edges: dict[DataPath, list[tuple[DataPath, DataPath | None]]] = {}
    for path, node in nodes.items():
        out: list[tuple[DataPath, DataPath | None]] = [
            (child, None) for child, _, in_place in _subschemas(node, path) if in_place]
        out += [(targets[(*path, k)], (*path, k)) for k in _REFERENCES if (*path, k) in targets]
        edges[path] = out
    done: set[DataPath] = set()
    for start in nodes:
        if start in done:
            continue
        on_stack, stack = {start}, [(start, iter(edges.get(start, ())))]
        while stack:
            at, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                stack.pop()
                on_stack.discard(at)
                done.add(at)
                continue
            target, via = step
            if target in on_stack:
                yield SchemaError(via or target, "the references here go round without reading into "
                                                 "the object: validation would never end")
                return
            if target not in done and target in nodes:
                on_stack.add(target)
                stack.append((target, iter(edges.get(target, ()))))


def _local(reference: str) -> bool:
    return reference.startswith("#") or reference.split("#", 1)[0] in project_schema_ids()


@cache
def project_schema_ids() -> frozenset[str]:
    return frozenset(project_schemas())
