"""Checks over the documents the engine itself builds: parse problems,
internal errors, suppression directives, config exemptions, and the notices a source
lists (a Helm dependency that is not vendored)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj

CHECKS = Registry()


@CHECKS.check("parse-error")
@CHECKS.check("internal-error")
@CHECKS.check("file-too-complex")
@CHECKS.check("helm-dependency-not-vendored")
def listed_problems(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Each problem the engine listed, at its own span."""
    for i, problem in enumerate(obj.value):
        yield Hit(obj, problem["message"], path=(i,))


@CHECKS.check("invalid-suppression")
def invalid_suppression(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for i, directive in enumerate(obj.value):
        if not directive["known"]:
            yield Hit(obj, f"suppression names unknown rule {directive['rule']!r}", path=(i,))
        elif not directive["reason"]:
            yield Hit(
                obj,
                f"suppression of {directive['rule']!r} gives no reason: "
                f"write `platform-lint: ignore[{directive['rule']}] <why this is safe>`",
                path=(i,),
            )


@CHECKS.check("expired-exemption")
def expired_exemption(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for i, exemption in enumerate(obj.value):
        if exemption["expired"]:
            yield Hit(
                obj,
                f"exemption for {exemption['rule']!r} expired on {exemption['expires']} "
                "and no longer suppresses anything: fix the findings or renew it",
                path=(i,),
            )
