"""`path:line:col: severity [rule-id] message`, one per line, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from platform_lint.finding import Finding, Severity

if TYPE_CHECKING:
    from platform_lint.engine import ScanResult
    from platform_lint.report import ReportContext

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def line(finding: Finding, ctx: ReportContext) -> str:
    where = f"{ctx.display(finding.path)}:{finding.span.line}:{finding.span.col}"
    severity = str(finding.severity)
    if ctx.color:
        where = f"{_BOLD}{where}{_RESET}"
        severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
    return f"{where}: {severity} [{finding.rule_id}] {finding.message}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: ScanResult) -> str:
    counts = result.counts()
    parts = [
        _plural(counts["error"], "error"),
        _plural(counts["warning"], "warning"),
        _plural(counts["note"], "note"),
    ]
    files = [
        f"{_plural(result.files_scanned, 'file')} scanned",
        f"{len(result.unparseable)} unparseable",
        f"{len(result.skipped)} skipped",
    ]
    return f"{', '.join(parts)}; {len(result.suppressed)} suppressed; {', '.join(files)}"


def skipped_lines(result: ScanResult, ctx: ReportContext) -> list[str]:
    if not result.skipped:
        return []
    if ctx.show_skipped:
        return [f"skipped {ctx.display(s.path)}: {s.reason}" for s in result.skipped]
    reasons = Counter(s.reason for s in result.skipped)
    listed = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
    return [f"skipped {_plural(len(result.skipped), 'file')} ({listed}); --show-skipped lists them"]


def render(result: ScanResult, ctx: ReportContext) -> str:
    out = [line(f, ctx) for f in result.findings]
    out.extend(skipped_lines(result, ctx))
    out.extend(f"internal error: {e}" for e in result.errors)
    out.append(summary(result))
    return "\n".join(out) + "\n"
