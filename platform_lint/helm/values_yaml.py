"""Chart values read as PyYAML's safe loader reads them (YAML 1.1, the reading Helm's
go-yaml v2 gives), without importing PyYAML for the common document.

Importing PyYAML costs about what judging a chart's few files does, and its
constructor is Python too. A document of the common shape (one document; no
tags, anchors, aliases, merge keys or directives; nesting under `MAX_DEPTH`) is
read here from ruamel's C parser, which is the same libyaml, with PyYAML's
implicit types: `resolved` says what each plain scalar becomes. Anything else,
and any error, is read again by PyYAML (`values.parse_yaml`), so what a
document unusual in any way gives, or the error it raises, is PyYAML's own.
`tests/test_helm_values_yaml.py` compares both on every values file of the
corpus and on generated scalars.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from platform_lint.sources.yaml_events import Collection, compose

MAX_DEPTH = 100
"""Deeper documents go to PyYAML, so where recursion gives up is its choice."""


class Unusual(Exception):
    """A document this reader leaves to PyYAML."""


def read(text: str) -> Any:
    """The document's data, as `yaml.load(text, Loader=values._loader())` gives it,
    or `Unusual` (or whatever the parser raised) for PyYAML to read it again."""
    if text.startswith("%") or "\n%" in text:
        raise Unusual  # a directive: which versions are accepted is PyYAML's call
    try:
        from _ruamel_yaml import CParser  # type: ignore[import-not-found]  # ruamel.yaml.clib
    except ImportError:
        raise Unusual from None
    documents = compose(CParser(text).get_event, True)
    data = None
    for index, (root, anchored, _nodes, _scalar_bytes) in enumerate(documents):
        if index or anchored:
            raise Unusual  # more than one document (an error), or anchors and aliases
        data = _value(root, 0)
    return data


def _value(node: Any, depth: int) -> Any:
    if type(node) is not Collection:
        if node.ctag is not None:
            raise Unusual
        return resolved(node.value) if node.implicit[0] else node.value
    if node.tag is not None or depth >= MAX_DEPTH:
        raise Unusual
    if node.id == "sequence":
        return [_value(item, depth + 1) for item in node.value]
    out: dict[Any, Any] = {}
    items = node.value
    for i in range(0, len(items), 2):
        key_node = items[i]
        if type(key_node) is Collection:
            raise Unusual  # an unhashable key: an error
        out[_value(key_node, depth + 1)] = _value(items[i + 1], depth + 1)
    return out


_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_BOOL = re.compile(r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF")
_NULL = re.compile(r"~|null|Null|NULL|")
_SEXAGESIMAL = r"(?::[0-5]?[0-9])+"
_INT = re.compile(
    r"[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*" + _SEXAGESIMAL + ")")
_EXPONENT = r"(?:[eE][-+][0-9]+)?"
_FLOAT = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*" + _EXPONENT + r"|\.[0-9][0-9_]*" + _EXPONENT
    + r"|[-+]?[0-9][0-9_]*" + _SEXAGESIMAL + r"\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_WORD_START = frozenset(("", *"~nNyYtTfFoO"))
_NUMBER_START = frozenset("-+.0123456789")
"""The first characters a null, a boolean or a number may have: most strings are
told by their first character alone, as PyYAML's resolver tells them."""
_NAN = -math.inf / math.inf
"""PyYAML's NaN, made as it makes it (its sign bit set)."""


def resolved(value: str) -> Any:
    """A plain scalar as YAML 1.1's implicit types read it (timestamps left strings,
    as Helm's values reader leaves them); `=` and `<<` (YAML 1.1's value and merge keys)
    are left to PyYAML."""
    first = value[:1]
    if first in _WORD_START:  # (and the empty scalar)
        if _NULL.fullmatch(value):
            return None
        if _BOOL.fullmatch(value):
            return _BOOLS[value.lower()]
    elif first in _NUMBER_START:
        if _FLOAT.fullmatch(value):
            return _float(value)
        if _INT.fullmatch(value):
            return _int(value)
    elif value in ("=", "<<"):
        raise Unusual
    return value


def _signed(value: str) -> tuple[int, str]:
    text = value.replace("_", "")
    if text[0] in "+-":
        return (-1 if text[0] == "-" else 1), text[1:]
    return 1, text


def _int(value: str) -> int:
    sign, text = _signed(value)
    if text == "0":
        return 0
    if text.startswith(("0b", "0x")):
        return sign * int(text[2:], 2 if text[1] == "b" else 16)
    if text[0] == "0":
        return sign * int(text, 8)
    if ":" in text:
        return sign * _base_60([int(part) for part in text.split(":")])
    return sign * int(text)


def _float(value: str) -> float:
    sign, text = _signed(value.lower())
    if text == ".inf":
        return sign * math.inf
    if text == ".nan":
        return _NAN
    if ":" in text:
        return sign * _base_60([float(part) for part in text.split(":")])
    return sign * float(text)


Number = TypeVar("Number", int, float)


def _base_60(digits: list[Number]) -> Number:
    """`1:30:05` as seconds, summed from the last digit as PyYAML sums them (for floats,
    the order of the additions decides the last bit)."""
    total = digits[0] * 0  # 0, or 0.0
    base = 1
    for digit in reversed(digits):
        total += digit * base
        base *= 60
    return total
