"""Typed reads of pipeline YAML values: a wrongly-typed value is data, never an exception."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from platform_lint.model import Path

_FAILED = re.compile(r"(?<![!\w])(failure|failed)\(\)")



def _text(value: Any) -> str | None:
    """A condition or command as text (lists joined by newlines), None when absent."""
    if value is None:
        return None
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        return "\n".join(p for p in parts if p)
    if isinstance(value, dict):
        return " ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _names(value: Any) -> tuple[str, ...]:
    """A string or a list of strings as a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one: a wrongly typed value is data, not a crash."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def _on_failure(condition: str | None) -> bool:
    return condition is not None and _FAILED.search(condition) is not None


def _fields(base: Path, node: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Path]:
    """Location of each present source key, under its normalised field name."""
    return {norm: (*base, key) for key, norm in names.items() if key in node}


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _image_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    name = _mapping(value).get("name")
    return name if isinstance(name, str) else None
