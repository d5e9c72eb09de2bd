"""User-supplied regexes, run in time linear in the text whatever the pattern.

A rule file's JSON Schema (`pattern`, `patternProperties`) is written by whoever
wrote the rule, maybe the repository being scanned. Python's `re` backtracks:
`^(a+)+$` against forty `a`s and a `!` runs for minutes. RE2 (the `google-re2`
wheel) compiles a pattern to an automaton and never backtracks, so matching is
linear in the text; it refuses what it cannot run that way (lookaround,
backreferences), and a rule file using those is refused when it is loaded,
naming the key. jsonschema's own `pattern`, `patternProperties` and
`additionalProperties` (which matches `patternProperties` keys) are replaced
by versions that match with RE2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from platform_lint.model import Path as DataPath


class UnsafePattern(ValueError):
    """A pattern RE2 cannot run (or cannot parse); `reason` is RE2's."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r} cannot run in linear time: {reason}")
        self.reason = reason


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """`pattern` compiled by RE2; raises `UnsafePattern` with RE2's reason."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own reason on stderr
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        raise UnsafePattern(pattern, text) from None


def search(pattern: str, text: str) -> bool:
    return compile_pattern(pattern).search(text) is not None


def fullmatch(pattern: str, text: str) -> bool | None:
    """Whether `pattern` matches all of `text`, read as RE2 (Go's regexp, Prometheus's and
    Alertmanager's) reads it; None if RE2 cannot read it."""
    try:
        return compile_pattern(pattern).fullmatch(text) is not None
    except UnsafePattern:
        return None


def unsafe_patterns(schema: Any, at: DataPath = ()) -> Iterator[tuple[DataPath, str]]:
    """Where `schema` holds a pattern RE2 cannot run, with the reason.

    `unevaluatedProperties` is refused next to `patternProperties`: jsonschema
    matches those keys with Python's backtracking `re` while evaluating it.
    """
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from unsafe_patterns(item, (*at, i))
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        here = (*at, key)
        if key == "pattern" and isinstance(value, str):
            yield from _refusal(value, here)
        elif key == "patternProperties" and isinstance(value, Mapping):
            for pattern in value:
                yield from _refusal(str(pattern), (*here, pattern))
        yield from unsafe_patterns(value, here)
    if "unevaluatedProperties" in schema and _has_pattern_properties(schema):
        yield (*at, "unevaluatedProperties"), "not supported together with patternProperties"


def _refusal(pattern: str, at: DataPath) -> Iterator[tuple[DataPath, str]]:
    try:
        compile_pattern(pattern)
    except UnsafePattern as exc:
        yield at, str(exc)


def _has_pattern_properties(schema: Any) -> bool:
    if isinstance(schema, Mapping):
        return "patternProperties" in schema or any(map(_has_pattern_properties, schema.values()))
    if isinstance(schema, list):
        return any(map(_has_pattern_properties, schema))
    return False


@cache
def validator_class() -> Any:
    """Draft 2020-12 with every regex matched by RE2."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "string"):
            return
        try:
            if not search(patrn, instance):
                yield ValidationError(f"{instance!r} does not match {patrn!r}")
        except UnsafePattern as exc:
            yield ValidationError(str(exc))

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in patterns.items():
            try:
                compiled = compile_pattern(patrn)
            except UnsafePattern as exc:
                yield ValidationError(str(exc))
                continue
            for key, value in instance.items():
                if compiled.search(key) is not None:
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    def additional_properties(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        extras = sorted((k for k in instance if not _declared(k, schema)), key=str)
        if validator.is_type(allowed, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], allowed, path=extra)
        elif not allowed and extras:
            listed = ", ".join(repr(e) for e in extras)
            if "patternProperties" in schema:  # jsonschema's own wording, both cases
                verb = "does" if len(extras) == 1 else "do"
                patterns = ", ".join(repr(p) for p in sorted(schema["patternProperties"]))
                yield ValidationError(f"{listed} {verb} not match any of the regexes: {patterns}")
            else:
                verb = "was" if len(extras) == 1 else "were"
                yield ValidationError(f"Additional properties are not allowed ({listed} {verb} unexpected)")

    extend: Any = validators.extend  # untyped in jsonschema
    return extend(
        Draft202012Validator,
        {
            "pattern": pattern,
            "patternProperties": pattern_properties,
            "additionalProperties": additional_properties,
        },
    )


def _declared(key: str, schema: Mapping[str, Any]) -> bool:
    """`key` is named by `properties` or matched by a `patternProperties` pattern."""
    if key in schema.get("properties", {}):
        return True
    for patrn in schema.get("patternProperties", {}):
        try:
            if compile_pattern(patrn).search(key) is not None:
                return True
        except UnsafePattern:
            continue
    return False


class AnyOf:
    """Alternatives searched in one pass, in time linear in the text.

    Python's `re` tries every alternative at every position of the text: the
    twenty alternatives of a command pattern over a 1.8 MB `run:` line are
    36 million attempts, for each of a dozen patterns. RE2 runs them all at once
    as one automaton. The few alternatives RE2 cannot run (lookaround) stay on
    `re`, written so that they too are linear (see the tests in
    `tests/hostile/test_bounds_regex.py`). Only truth is returned: callers ask
    whether a command does something, not where.
    """

    def __init__(self, parts: Iterable[str], *, ignore_case: bool = False) -> None:
        self._parts = tuple(parts)
        self._ignore_case = ignore_case
        self._compiled: tuple[Any, re.Pattern[str] | None, str] | None = None

    def _regexes(self) -> tuple[Any, re.Pattern[str] | None, str]:
        """Compiled when first used: a module holds dozens and a run may consult few."""
        if self._compiled is None:
            self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> tuple[Any, re.Pattern[str] | None, str]:
        """RE2 usually takes every alternative: one compile. Else one per alternative
        finds those it leaves to `re`."""
        flags = "(?i)" if self._ignore_case else ""
        try:
            return compile_pattern(flags + _union(self._parts)), None, "|".join(self._parts)
        except UnsafePattern:
            pass
        linear, other = [], []
        for part in self._parts:
            try:
                compile_pattern(part)
                linear.append(part)
            except UnsafePattern:
                other.append(part)
        return (
            compile_pattern(flags + _union(linear)) if linear else None,
            re.compile("|".join(other), re.I if self._ignore_case else 0) if other else None,
            "|".join([*linear, *other]),
        )

    @property
    def pattern(self) -> str:
        """The alternatives as one pattern, those RE2 runs first."""
        return self._regexes()[2]

    @property
    def _other(self) -> re.Pattern[str] | None:
        """The alternatives left to `re` (tests/hostile/test_bounds_regex.py attacks them)."""
        return self._regexes()[1]

    def search(self, text: str) -> bool:
        linear, other, _pattern = self._regexes()
        return bool(
            (linear is not None and linear.search(text) is not None)
            or (other is not None and other.search(text) is not None)
        )

    def match(self, text: str) -> bool:
        linear, other, _pattern = self._regexes()
        return bool(
            (linear is not None and linear.match(text) is not None)
            or (other is not None and other.match(text) is not None)
        )


def _union(parts: Iterable[str]) -> str:
    return "|".join(f"(?:{p})" for p in parts)
