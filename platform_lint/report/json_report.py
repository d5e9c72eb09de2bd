"""The result as JSON, documented by schemas/report.schema.json."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from platform_lint import __version__

if TYPE_CHECKING:
    from platform_lint.report import ReportContext
    from platform_lint.scan_result import ScanResult


def render(result: ScanResult, ctx: ReportContext) -> str:
    payload = {"tool": "platform-lint", "version": __version__, **result.to_dict()}
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"
