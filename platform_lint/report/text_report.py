"""`path:line:col: severity [rule-id] message`, one per line, then a summary.

On a terminal (`ReportContext.width`), a message is cut at a clause to fit the
line and the rule's fix follows on a second line. `group_by` gathers findings
under a heading per rule or per file, with counts. Identical findings in copies
of one file (`platform_lint.copies`) are printed once, naming the copies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from platform_lint.copies import group_copies
from platform_lint.finding import Finding, Severity

if TYPE_CHECKING:
    from platform_lint.report import ReportContext
    from platform_lint.scan_result import ScanResult

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_INDENT = "    "
_MAX_NAMED_COPIES = 3


def _severity(severity: Severity, ctx: ReportContext) -> str:
    return f"{_COLORS[severity]}{severity}{_RESET}" if ctx.color else str(severity)


def _bold(text: str, ctx: ReportContext) -> str:
    return f"{_BOLD}{text}{_RESET}" if ctx.color else text


def fit(text: str, room: int) -> str:
    """`text` within `room` characters: whole when it fits, else cut after the
    last clause (`: `, `; `, `, `) that fits in the second half of the room,
    else after the last word, marked with `…`."""
    if len(text) <= room:
        return text
    head = text[:room]  # a cut before its last character leaves room for the mark
    clause = max(head.rfind(mark) for mark in (": ", "; ", ", "))
    word = head.rfind(" ")
    at = clause if clause >= room // 2 else word if word >= room // 3 else max(room - 1, 1)
    return head[:at].rstrip(",;:") + "…"


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    at = text.find(". ")
    return text if at < 0 else text[: at + 1]


def _fix(finding: Finding, ctx: ReportContext) -> str | None:
    rule = ctx.rules.get(finding.rule_id)
    fix = rule.docs.get("fix") if rule is not None else None
    return _first_sentence(fix) if isinstance(fix, str) and fix.strip() else None


def _copies_note(copies: list[str], ctx: ReportContext) -> str:
    named = ", ".join(ctx.display(p) for p in copies[:_MAX_NAMED_COPIES])
    more = len(copies) - _MAX_NAMED_COPIES
    rest = f" and {more} more" if more > 0 else ""
    return f"and {len(copies)} more {'copy' if len(copies) == 1 else 'copies'}: {named}{rest}"


def _entry(finding: Finding, copies: list[str], ctx: ReportContext, head: tuple[str, str],
           indent: str) -> list[str]:
    """One finding: `head` (its place and rule as the layout shows them: plain,
    and as printed), then the message; on a terminal, fitted to the line, with
    the fix and the copies below."""
    plain, shown = head
    if ctx.width is None:
        note = f" ({_copies_note(copies, ctx)})" if copies else ""
        return [f"{indent}{shown}{finding.message}{note}"]
    room = max(ctx.width - len(indent) - len(plain), 20)
    out = [f"{indent}{shown}{fit(finding.message, room)}"]
    fix = _fix(finding, ctx)
    below = max(ctx.width - len(indent) - len(_INDENT), 20)
    if fix is not None:
        out.append(f"{indent}{_INDENT}{fit('fix: ' + fix, below)}")
    if copies:
        out.append(f"{indent}{_INDENT}{fit(_copies_note(copies, ctx), below)}")
    return out


def _place(f: Finding, ctx: ReportContext, *, path: bool = True, rule: bool = True) -> tuple[str, str]:
    """`path:line:col: severity [rule] `, plain and as printed (bold place, coloured severity)."""
    where = f"{ctx.display(f.path)}:{f.span.line}:{f.span.col}" if path else f"{f.span.line}:{f.span.col}"
    tail = f"[{f.rule_id}] " if rule else ""
    if not rule:
        return f"{where}: {tail}", f"{_bold(where, ctx)}: {tail}"
    return (f"{where}: {f.severity} {tail}",
            f"{_bold(where, ctx) if path else where}: {_severity(f.severity, ctx)} {tail}")


def line(finding: Finding, ctx: ReportContext) -> str:
    return _place(finding, ctx)[1] + finding.message


def _flat(groups: list[tuple[Finding, list[str]]], ctx: ReportContext) -> list[str]:
    return [text for f, copies in groups for text in _entry(f, copies, ctx, _place(f, ctx), "")]


def _by_rule(groups: list[tuple[Finding, list[str]]], ctx: ReportContext) -> list[str]:
    out: list[str] = []
    for rule_id in sorted({f.rule_id for f, _ in groups}):
        mine = [(f, c) for f, c in groups if f.rule_id == rule_id]
        files = {p for f, c in mine for p in (f.path, *c)}
        rule = ctx.rules.get(rule_id)
        title = f" {rule.title}" if rule is not None else ""
        severities = _counts(f.severity for f, c in mine for _ in range(1 + len(c)))
        out.append(_bold(f"[{rule_id}]{title}: {severities} in {_plural(len(files), 'file')}", ctx))
        for f, copies in mine:
            out.extend(_entry(f, copies, ctx, _place(f, ctx, rule=False), "  "))
    return out


def _by_file(groups: list[tuple[Finding, list[str]]], ctx: ReportContext) -> list[str]:
    out: list[str] = []
    for path in dict.fromkeys(f.path for f, _ in groups):
        mine = [(f, c) for f, c in groups if f.path == path]
        out.append(_bold(f"{ctx.display(path)}: {_counts(f.severity for f, _ in mine)}", ctx))
        for f, copies in mine:
            out.extend(_entry(f, copies, ctx, _place(f, ctx, path=False), "  "))
    return out


def _counts(severities: Iterable[Severity]) -> str:
    tally = Counter(severities)
    return ", ".join(_plural(tally[s], str(s)) for s in sorted(tally, reverse=True))


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
    hidden = ""
    if result.hidden:
        classes = Counter(h.by for h in result.hidden)
        listed = ", ".join(f"{n} {name}" for name, n in sorted(classes.items()))
        hidden = (f"{len(result.hidden)} hidden in test/example contexts ({listed}; "
                  "--include-examples shows them); ")
    return f"{', '.join(parts)}; {len(result.suppressed)} suppressed; {hidden}{', '.join(files)}"


def skipped_lines(result: ScanResult, ctx: ReportContext) -> list[str]:
    if not result.skipped:
        return []
    if ctx.show_skipped:
        return [f"skipped {ctx.display(s.path)}: {s.reason}" for s in result.skipped]
    reasons = Counter(s.reason for s in result.skipped)
    listed = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
    return [f"skipped {_plural(len(result.skipped), 'file')} ({listed}); --show-skipped lists them"]


_LAYOUTS = {None: _flat, "rule": _by_rule, "file": _by_file}


def render(result: ScanResult, ctx: ReportContext) -> str:
    groups = group_copies(result.findings, ctx.digests)
    out = _LAYOUTS[ctx.group_by](groups, ctx)
    out.extend(skipped_lines(result, ctx))
    out.extend(f"internal error: {e}" for e in result.errors)
    out.append(summary(result))
    return "\n".join(out) + "\n"
