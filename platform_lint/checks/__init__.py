"""Named Python checks that declarative rules refer to.

A rule names a check as `module.check-name`, for example
`kubernetes.missing-probe`. The module part must be a module of this package
and the check must be in that module's explicit `CHECKS` registry, so a rule
file (even one inside a scanned repository) can only select code that ships
with platform-lint, never load its own.

A check is a pure function. With `over="object"` it is called once per object
in the rule's scope as `fn(obj, params)`; with `over="set"` once per scan with
every object in scope as `fn(objs, params)`. It yields `Hit`s and never reads
files, configuration or the environment.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from platform_lint.finding import Hit
from platform_lint.records import field, record

_NAME = re.compile(r"^(?P<module>[a-z][a-z0-9_]*)\.(?P<check>[a-z][a-z0-9-]*)$")


class UnknownCheck(LookupError):
    """A rule names a check that is not part of the installed package."""


@record(frozen=True)
class CheckSpec:
    name: str
    fn: Callable[..., Iterable[Hit]]
    over: Literal["object", "set"] = "object"
    params_schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "object"})


class Registry(dict[str, CheckSpec]):
    """A module's explicit table of checks, filled by the `check` decorator."""

    def check(
        self,
        name: str,
        *,
        over: Literal["object", "set"] = "object",
        params: Mapping[str, Any] | None = None,
    ) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
        def register(fn: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
            schema = params if params is not None else {"type": "object", "additionalProperties": False}
            self[name] = CheckSpec(name, fn, over, schema)
            return fn

        return register


def resolve(qualified: str) -> CheckSpec:
    """The check called `qualified` (`module.check-name`), or `UnknownCheck`."""
    match = _NAME.match(qualified)
    if match is None:
        raise UnknownCheck(f"{qualified!r} is not a check name of the form module.check-name")
    try:
        module = importlib.import_module(f"{__name__}.{match['module']}")
    except ModuleNotFoundError:
        raise UnknownCheck(f"no check module {match['module']!r} in platform-lint") from None
    registry = getattr(module, "CHECKS", None)
    if not isinstance(registry, Registry) or match["check"] not in registry:
        raise UnknownCheck(f"no check {qualified!r} in platform-lint")
    return registry[match["check"]]
