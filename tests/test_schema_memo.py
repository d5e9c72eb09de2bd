"""`SchemaMemo` (a chart's values sets validated against its values.schema.json, each
top-level property's value once per distinct value) finds exactly what `schema_errors`
finds on each instance: the same first errors, paths and messages (cut), in the same order."""

from __future__ import annotations

import gc
import tracemalloc
from itertools import islice
from typing import Any

import pytest

from platform_lint.secrets.identity import cut_between_words
from platform_lint.validation import SchemaError, SchemaMemo, schema_errors


def whole(instance: Any, schema: dict[str, Any], first: int = 50, width: int = 200) -> list[SchemaError]:
    """What `SchemaMemo(schema, first=first, width=width).errors(instance)` must be."""
    return [SchemaError(e.path, cut_between_words(e.message, width))
            for e in islice(schema_errors(instance, schema), first)]

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
    for first, width in ((50, 200), (2, 20)):
        memo = SchemaMemo(schema, first=first, width=width)
        for instance in [*INSTANCES, *INSTANCES]:  # the second time, from what it remembers
            assert memo.errors(instance) == whole(instance, schema, first, width)


def test_a_value_remembered_is_told_apart_from_one_equal_in_python() -> None:
    """1, 1.0 and True are equal in Python, not to a schema or in its messages."""
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}
    memo = SchemaMemo(schema, first=50, width=200)
    for value in (1, 1.0, True, 1, {"1": 1}, {1: 1}, [1], (1,)):
        instance = {"n": value, "s": value}
        assert memo.errors(instance) == whole(instance, schema), value


def test_a_schema_that_raises_raises_for_every_instance() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/elsewhere"}}}
    memo = SchemaMemo(schema, first=50, width=200)
    for _ in range(2):
        with pytest.raises(Exception) as memoed:
            memo.errors({"a": 1})
        with pytest.raises(Exception) as whole:
            list(schema_errors({"a": 1}, schema))
        assert type(memoed.value) is type(whole.value)


def test_a_false_property_schema_keeps_its_place_among_the_first_errors() -> None:
    """`false`'s error comes from `descend` without the property's path: one the top's
    `required` errors (also at the top) must not pass, nor push out of the first 50."""
    schema = {"properties": {"b": False}, "required": [f"r{i:02d}" for i in range(60)]}
    memo = SchemaMemo(schema, first=50, width=200)
    for _ in range(2):
        found = memo.errors({"b": 1})
        assert found == whole({"b": 1}, schema)
        assert found[0].message == "False schema does not allow 1"


def test_the_memo_holds_neither_the_values_nor_their_long_messages() -> None:
    """10 sets, each with a distinct 250 kB value under four properties (one valid, one whose
    message repeats the value, two that need no validation) and one with an error per
    item: what stays behind is digests and first errors (5), cut."""
    schema = {"type": "object", "properties": {
        "ok": {"type": "object"}, "bad": {"type": "string"},
        "many": {"additionalProperties": {"type": "integer"}}, "free": True, "any": {}}}
    memo = SchemaMemo(schema, first=5, width=200)

    def instance(n: int) -> dict[str, Any]:
        big = {f"k{i}": f"value-{n}-{i:06d}" for i in range(10_000)}
        return {**dict.fromkeys(["ok", "bad", "free", "any"], big), "many": dict(list(big.items())[:1000])}

    memo.errors({})  # what the first validation builds once (the validator's own)
    tracemalloc.start()
    try:
        found = [memo.errors(instance(n)) for n in range(10)]
        gc.collect()  # jsonschema's errors refer to each other
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 100_000
    assert found[9] == whole(instance(9), schema, first=5)
