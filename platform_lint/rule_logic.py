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

from platform_lint.model import Path as DataPath
from platform_lint.validation import SchemaError

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


def schema_problems(schema: Mapping[str, Any]) -> Iterator[SchemaError]:
    """Every reason `schema` may not be a rule's logic, with its path inside it:
    not valid JSON Schema (a `type: 5`, a `pattern` that is not a regex), or a
    reference that leads outside the rule file and platform-lint's schemas."""
    from jsonschema import Draft202012Validator

    from platform_lint.validation import schema_errors

    yield from schema_errors(schema, Draft202012Validator.META_SCHEMA, formats=True)
    yield from _reference_problems(schema, ())


def _reference_problems(node: Any, path: DataPath) -> Iterator[SchemaError]:
    if not isinstance(node, dict):
        return
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
    for keyword, value in node.items():
        if keyword in _ONE and isinstance(value, dict):
            yield from _reference_problems(value, (*path, keyword))
        elif keyword in _LIST and isinstance(value, list):
            for i, item in enumerate(value):
                yield from _reference_problems(item, (*path, keyword, i))
        elif keyword in _MAP and isinstance(value, dict):
            for name, item in value.items():
                yield from _reference_problems(item, (*path, keyword, name))


def _local(reference: str) -> bool:
    return reference.startswith("#") or reference.split("#", 1)[0] in project_schema_ids()


@cache
def project_schema_ids() -> frozenset[str]:
    from platform_lint.validation import project_schemas

    return frozenset(project_schemas())
