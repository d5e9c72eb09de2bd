"""Reporters turn a ScanResult into text. They format; they never decide.

Each module offers `render(result: ScanResult, ctx: ReportContext) -> str`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from platform_lint.records import field, record

if TYPE_CHECKING:
    from platform_lint.rules import Rule
    from platform_lint.scan_result import ScanResult

FORMATS = ("text", "github", "json", "sarif")


@record(frozen=True)
class ReportContext:
    rules: Mapping[str, Rule]
    display: Callable[[str], str] = str
    """Maps a root-relative path to the path shown (relative to the working directory)."""
    color: bool = False
    show_skipped: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    group_by: str | None = None
    """Text: findings under a heading per `rule` or per `file`."""
    width: int | None = None
    """Text on a terminal this wide: messages fitted to a line, the fix on the next."""
    digests: Mapping[str, str] = field(default_factory=dict)
    """Text: a digest of each file whose findings other files repeat (`platform_lint.copies`)."""


def render(fmt: str, result: ScanResult, ctx: ReportContext) -> str:
    module = importlib.import_module(f"{__name__}.{fmt}_report")
    out: str = module.render(result, ctx)
    return out


def default_format(env: Mapping[str, str] = os.environ) -> str:
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
