"""What a Terraform module's values are known to be: variables' literal defaults and locals.

A value that cannot be known statically is `UNKNOWN`; checks never report one.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_lint.model import Obj
from platform_lint.sources.terraform import is_expression


class _Unknown:
    """A value that cannot be known statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_REFERENCE = re.compile(r"^\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$")


@dataclass(frozen=True, slots=True)
class Module:
    """The variables' literal defaults and the locals of one Terraform module (a directory)."""

    directory: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    locals: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any, _depth: int = 0) -> Any:
        """`value` with a whole-value `${var.x}` / `${local.y}` replaced by what it
        is known to be; `UNKNOWN` for any expression that cannot be known."""
        if not is_expression(value):
            return value
        match = _REFERENCE.match(value)
        if match is None or _depth > 16:
            return UNKNOWN
        table = self.variables if match[1] == "var" else self.locals
        if match[2] not in table:
            return UNKNOWN
        return self.resolve(table[match[2]], _depth + 1)


def module_of(obj: Obj) -> str:
    """The directory (Terraform module) an object's file belongs to."""
    return posixpath.dirname(obj.doc.path)


def modules(objs: Iterable[Obj]) -> dict[str, Module]:
    """A `Module` for each directory holding one of `objs`, from its variable and locals objects."""
    variables: dict[str, dict[str, Any]] = {}
    local_values: dict[str, dict[str, Any]] = {}
    for obj in objs:
        directory = module_of(obj)
        variables.setdefault(directory, {})
        local_values.setdefault(directory, {})
        if obj.kind == "variable" and isinstance(obj.value, dict) and "default" in obj.value:
            variables[directory][obj.name] = obj.value["default"]
        elif obj.kind == "locals" and isinstance(obj.value, dict):
            local_values[directory].update(obj.value)
    return {d: Module(d, variables[d], local_values[d]) for d in variables}
