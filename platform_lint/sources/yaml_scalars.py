"""The value of a YAML scalar event, typed as ruamel.yaml types it for YAML 1.2:
quoted and block scalars are strings, an explicit tag is honoured, and a plain
scalar is typed by its first character (a timestamp or anything else stays a
string, so GitHub's `on:` is never a boolean)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_BOOL = {"true": True, "false": False}


def scalar_value(event: Any) -> Any:
    """The value of a scalar: quoted and block scalars are strings; a plain one
    is typed by YAML 1.2's core rules, or by its explicit tag."""
    text: str = event.value
    if event.style:
        return text
    tag = event.ctag
    if tag is None or str(tag) == "!":
        if not event.implicit[0]:
            return text
        if not text:
            return None
        typed = _PLAIN.get(text[0])
        return text if typed is None else typed(text)
    return tagged_value(str(tag), text)


def tagged_value(tag: str, text: str) -> Any:
    if tag.endswith(":str"):
        return text
    if tag.endswith(":int"):
        return _int(text)
    if tag.endswith(":float"):
        return _float(text)
    if tag.endswith(":bool"):
        return _BOOL.get(text.lower(), text)
    if tag.endswith(":null"):
        return None
    return text


def _int(text: str) -> Any:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        try:
            return int(text, 8) if text.startswith("0") else text
        except ValueError:
            return text


def _float(text: str) -> Any:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        lowered = text.lower()
        if lowered in (".inf", "+.inf"):
            return float("inf")
        if lowered == "-.inf":
            return float("-inf")
        return float("nan") if lowered == ".nan" else text


# YAML 1.2 core schema spellings (as ruamel.yaml resolves them for 1.2); a
# timestamp or any other plain scalar stays a string.
_BOOL_SPELLINGS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL_SPELLINGS = frozenset({"~", "null", "Null", "NULL"})
_FLOAT = re.compile(r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""", re.X)
_INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$")


def _number(text: str) -> Any:
    if _FLOAT.match(text):
        return _float(text)
    if text[0] != "." and _INT.match(text):
        return _int(text)
    return text


def _bool(text: str) -> Any:
    return _BOOL_SPELLINGS.get(text, text)


def _null(text: str) -> Any:
    return None if text in _NULL_SPELLINGS else text


_PLAIN: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys("tTfF", _bool),
    **dict.fromkeys("~nN", _null),
    **dict.fromkeys("-+0123456789.", _number),
}
"""A plain scalar's possible types by its first character; any other is a string."""
