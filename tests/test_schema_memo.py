"""`SchemaMemo` (a chart's values sets validated against its values.schema.json, each
top-level property's value once per distinct value) finds exactly what `schema_errors`
finds on each instance: the same errors, paths and messages, in the same order."""

from __future__ import annotations

from typing import Any

import pytest

from platform_lint.validation import SchemaMemo, schema_errors

VALUES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "values",
    "type": "object",
    "additionalProperties": False,
    "required": ["mode", "image"],
    "$defs": {"port": {"type": "integer", "minimum": 1}},
    "properties": {
        "zeta": {"type": "string"},
        "mode": {"enum": ["deployment", "daemonset"]},
        "image": {"type": "object", "required": ["repository"], "properties": {
            "repository": {"type": "string", "pattern": "^[a-z/]+$"}, "tag": {"type": "string"}}},
        "ports": {"type": "object", "additionalProperties": {"$ref": "#/$defs/port"}},
        "replicas": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]},
        "count": {"type": "integer"},
        "flag": True,
        "never": False,
    },
}

INSTANCES: list[Any] = [
    {"mode": "deployment", "image": {"repository": "otel/collector"}},
    {"mode": "statefulset", "image": {"repository": "Otel", "tag": 1}, "extra": 1, "another": {}},
    {"mode": "statefulset", "image": {"repository": "Otel", "tag": 1}, "ports": {"a": 0, "b": "x"}},
    {"image": {}, "replicas": [], "count": 1, "zeta": 2, "never": 1},
    {"image": {}, "replicas": "x", "count": 1.0, "zeta": 2, "flag": None},
    {"image": {}, "replicas": "x", "count": True, "zeta": 2.0},
    {"mode": "daemonset", "image": {"tag": "1"}, "count": 1},
    {"mode": "daemonset", "image": {"tag": "1"}, "count": 1},
    [],
    "not values",
]


@pytest.mark.parametrize("schema", [
    VALUES_SCHEMA,
    {**VALUES_SCHEMA, "additionalProperties": True},
    {key: value for key, value in VALUES_SCHEMA.items() if key not in ("type", "required")},
    # tops it validates whole: other keywords, an additionalProperties schema
    {**VALUES_SCHEMA, "anyOf": [{"required": ["zeta"]}, {"required": ["count"]}]},
    {**VALUES_SCHEMA, "additionalProperties": {"type": "integer"}},
    {**VALUES_SCHEMA, "patternProperties": {"^x": {"type": "string"}}},
    {"type": "object"},
])
def test_every_instance_gets_the_errors_of_a_whole_validation_in_order(schema: dict[str, Any]) -> None:
    memo = SchemaMemo(schema)
    for instance in [*INSTANCES, *INSTANCES]:  # the second time, from what it remembers
        assert memo.errors(instance) == list(schema_errors(instance, schema))


def test_a_value_remembered_is_told_apart_from_one_equal_in_python() -> None:
    """1, 1.0 and True are equal in Python, not to a schema or in its messages."""
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}
    memo = SchemaMemo(schema)
    for value in (1, 1.0, True, 1, {"1": 1}, {1: 1}, [1], (1,)):
        instance = {"n": value, "s": value}
        assert memo.errors(instance) == list(schema_errors(instance, schema)), value


def test_a_schema_that_raises_raises_for_every_instance() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/elsewhere"}}}
    memo = SchemaMemo(schema)
    for _ in range(2):
        with pytest.raises(Exception) as memoed:
            memo.errors({"a": 1})
        with pytest.raises(Exception) as whole:
            list(schema_errors({"a": 1}, schema))
        assert type(memoed.value) is type(whole.value)
