"""JSON Schema validation with errors located in the source file, and a cache.

Importing jsonschema costs more than a whole pre-commit run should, so a
document that has validated once is remembered by the hash of its bytes and
the schema's, in the user's cache directory; a run that meets only known
content never imports jsonschema. The cache holds hashes, the data of the
built-in rules and, for a user's rule, only the verdict (`rules.load_rule_file`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from platform_lint import __version__
from platform_lint.model import Path as DataPath
from platform_lint.model import Span
from platform_lint.records import record


@record(frozen=True)
class SchemaError:
    path: DataPath
    message: str


def schema_errors(
    instance: Any, schema: Mapping[str, Any], *, formats: bool = False
) -> Iterator[SchemaError]:
    """Every place `instance` fails `schema`, deepest first within each branch.

    `$ref` resolves only within `schema` and to platform-lint's own schemas:
    nothing is ever fetched (a URL) or read (a `file:` URI). `formats` checks
    `format` keywords (`regex`, for schemas that are themselves validated).
    Regexes in the schema run on RE2 (`safe_regex`): linear time, whoever wrote them."""
    from platform_lint.safe_regex import validator_class

    validator_type = validator_class()
    checker = validator_type.FORMAT_CHECKER if formats else None
    validator = validator_type(schema, format_checker=checker, registry=_registry())
    for _order, error in sorted(_keyed(validator.iter_errors(instance)), key=_first):
        yield error


Keyed = tuple[list[str], SchemaError]
"""An error, after the path it is sorted by."""

_PLAIN_TOP = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples",
                        "definitions", "$defs", "type", "properties", "required", "additionalProperties"})
"""The keywords of a top that `SchemaMemo` splits: none but `properties` reads a property's value."""


class SchemaMemo:
    """The first `first` of `schema_errors` of many instances against one schema, messages
    cut to `width` characters between words (a chart's values sets, which repeat most of their values):
    when the schema's top is a plain object schema (`_PLAIN_TOP`, `additionalProperties`
    true or false, each property's schema an object or `true`), each top-level property's
    value is validated once per distinct value, as the `properties` keyword would, and the
    rest of the top once per instance. A value is known by a digest of its pickle (equal
    bytes: equal data and types); what is kept per value is its first errors, cut. (A pickle
    does not tell one NaN object from two: `uniqueItems` does, by identity; YAML gives one.)"""

    def __init__(self, schema: Mapping[str, Any], *, first: int, width: int) -> None:
        from platform_lint.safe_regex import validator_class

        self._limit, self._width = first, width

        validator_type = validator_class()
        self._validator = validator_type(schema, registry=_registry())
        properties = schema.get("properties")
        self._properties: dict[str, Any] = {}
        self._top = self._validator
        required = schema.get("required", [])
        if (set(schema) <= _PLAIN_TOP and isinstance(properties, dict)
                and schema.get("type", "object") == "object"
                and isinstance(required, list) and all(isinstance(name, str) for name in required)
                and isinstance(schema.get("additionalProperties", True), bool)
                and all(sub is True or isinstance(sub, dict) for sub in properties.values())):
            # (`false` is not: its error carries no path from `descend`)
            # (the rest of the top then raises for no instance: a schema that raises does so
            # in its properties, in their order, as a whole validation would)
            self._properties = {name: sub for name, sub in properties.items() if sub not in (True, {})}
            # the top's other keywords still see every name `properties` declares
            self._top = validator_type({**schema, "properties": dict.fromkeys(properties, True)},
                                       registry=_registry())
        self._seen: dict[tuple[str, bytes], list[Keyed]] = {}

    def errors(self, instance: Any) -> list[SchemaError]:
        """What `list(islice(schema_errors(instance, schema), first))` is, messages cut."""
        found = self._cut(self._top.iter_errors(instance))
        if isinstance(instance, dict):
            for name, subschema in self._properties.items():
                if name in instance:
                    found.extend(self._property(name, subschema, instance[name]))
        # errors of one property, or of the rest of the top, share a path only among themselves
        return [error for _order, error in sorted(found, key=_first)[:self._limit]]

    def _cut(self, errors: Iterator[Any]) -> list[Keyed]:
        """The first errors in order, as many as can be among the first of a merge, cut."""
        return sorted(_keyed(errors, self._width), key=_first)[:self._limit]

    def _property(self, name: str, subschema: Any, value: Any) -> list[Keyed]:
        import pickle

        def validated() -> list[Keyed]:
            return self._cut(self._validator.descend(value, subschema, path=name, schema_path=name))

        try:
            pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            key = (name, hashlib.blake2b(pickled, digest_size=16).digest())
        except Exception:  # what pickle cannot write is validated each time
            return validated()
        if key not in self._seen:
            self._seen[key] = validated()
        return self._seen[key]


def _keyed(errors: Iterator[Any], width: int | None = None) -> Iterator[Keyed]:
    """Each error after its path; its message, which quotes the value refused, with the
    secrets in that value redacted, cut to `width` characters if given (between words:
    `identity.scrub_quoting`, so that a cut leaves no part of a secret unrecognised)."""
    from platform_lint.secrets.identity import scrub_quoting

    for error in errors:
        leaf = _deepest(error)
        path = tuple(leaf.absolute_path)
        name = next((str(step) for step in reversed(path) if isinstance(step, str)), "")
        message = scrub_quoting(leaf.message, leaf.instance, name, width)
        yield list(map(str, error.path)), SchemaError(path, message)


def _first(keyed: Keyed) -> list[str]:
    return keyed[0]


@cache
def project_schemas() -> dict[str, Mapping[str, Any]]:
    """platform-lint's own JSON Schemas, by `$id`."""
    from platform_lint.resources import data_dir, schema

    found = (schema(p.name.removesuffix(".schema.json"))
             for p in sorted(data_dir("schemas").glob("*.schema.json")))
    return {s["$id"]: s for s in found if isinstance(s.get("$id"), str)}


@cache
def _registry() -> Any:
    """A registry that knows the project's schemas and retrieves nothing."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

    resources = [(uri, Resource.from_contents(s)) for uri, s in project_schemas().items()]
    return Registry(retrieve=refuse).with_resources(resources)  # type: ignore[call-arg]


def _deepest(error: Any) -> Any:
    """For oneOf/anyOf failures the best sub-error is the one that went deepest."""
    if not error.context:
        return error
    best = max(error.context, key=lambda e: (len(e.absolute_path), -e.relative_schema_path.__len__()))
    return _deepest(best)


def _cache_file(topic: str = "") -> Path:
    from platform_lint.cache_home import user_cache_root

    return user_cache_root() / f"validated-{topic + '-' if topic else ''}{__version__}.json"


def _digest(content: bytes, schema_text: bytes) -> str:
    h = hashlib.sha256(content)
    h.update(schema_text)
    return h.hexdigest()


MISS = object()


MAX_VALIDATED = 400
"""Entries the validated-file cache keeps: a few rule packs' worth."""


class ValidatedCache:
    """Parsed data of files already known to be valid, by hash of (bytes, schema).

    Lets a run that meets only known rule files skip both the YAML parse and
    jsonschema. Never holds scanned content, nor a user's rule text. A `topic`
    keeps its own file (`config`: the verdicts on configuration files).
    """

    def __init__(self, topic: str = "") -> None:
        self._path = _cache_file(topic)
        try:
            loaded = json.loads(self._path.read_text())
            self._known: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            self._known = {}
        self._dirty = len(self._known) > MAX_VALIDATED
        self._used: set[str] = set()
        self._schemas: dict[int, bytes] = {}

    def _key(self, content: bytes, schema: Mapping[str, Any]) -> str:
        """Serialise each schema once per run, not once per file."""
        text = self._schemas.get(id(schema))
        if text is None:
            text = self._schemas[id(schema)] = json.dumps(schema, sort_keys=True).encode()
        return _digest(content, text)

    def lookup(self, content: bytes, schema: Mapping[str, Any]) -> Any:
        """The data remembered for valid `content`, or `MISS`."""
        key = self._key(content, schema)
        self._used.add(key)
        return self._known.get(key, MISS)

    def remember(self, content: bytes, schema: Mapping[str, Any], data: Any) -> None:
        key = self._key(content, schema)
        self._used.add(key)
        self._known[key] = data
        self._dirty = True

    def save(self) -> None:
        """Write what was learnt; past `MAX_VALIDATED` entries, the ones this run did
        not use go first, oldest first (every run reads the whole file at start-up)."""
        if not self._dirty:
            return
        if len(self._known) > MAX_VALIDATED:
            others = [k for k in self._known if k not in self._used]
            drop = set(others[: len(self._known) - MAX_VALIDATED])
            self._known = {k: v for k, v in self._known.items() if k not in drop}
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self._known))
            temporary.replace(self._path)  # atomic: concurrent runs never see half a file
        except OSError:
            pass  # a cache that cannot be written only costs speed
        self._dirty = False


def describe(path: str, error: SchemaError, locate: Callable[[DataPath], Span]) -> str:
    """`file:line:col: key: message` for a schema error in a parsed file."""
    span = locate(error.path)
    where = ".".join(str(p) for p in error.path) or "(top level)"
    return f"{path}:{span.line}:{span.col}: {where}: {error.message}"
