"""GitHub Actions output: workflow-command annotations, the text report, a step summary.

GitHub shows at most 10 annotations per level and step; the rest live only
in the log. So the most severe findings are annotated, one notice says how
many more there are, every finding is printed as a text line after the
annotations, and `write_step_summary` appends the full table in markdown to
`$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from platform_lint.finding import Finding, Severity
from platform_lint.report import text_report

if TYPE_CHECKING:
    from platform_lint.report import ReportContext
    from platform_lint.scan_result import ScanResult

MAX_PER_LEVEL = 10
SUMMARY_LIMIT = 1024 * 1024
"""GitHub refuses a step summary over 1 MiB."""

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF are encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, properties: Iterable[tuple[str, object]] = ()) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _position(finding: Finding) -> list[tuple[str, int]]:
    """line/endLine, and col/endColumn when the span is on one line.

    Our spans end exclusively, so a span ending at column 1 ends on the line
    before; GitHub's endColumn is the last column inside the annotation.
    """
    span = finding.span
    end_line, end_col = span.end_line, span.end_col - 1
    if end_line > span.line and end_col == 0:
        end_line -= 1
    out = [("line", span.line), ("endLine", max(end_line, span.line))]
    if span.end_line == span.line:
        out += [("col", span.col), ("endColumn", max(end_col, span.col))]
    elif end_line == span.line:
        out.append(("col", span.col))
    return out


def annotation(finding: Finding, ctx: ReportContext) -> str:
    rule = ctx.rules.get(finding.rule_id)
    title = f"{finding.rule_id}: {rule.title}" if rule else finding.rule_id
    properties: list[tuple[str, object]] = [
        ("file", ctx.display(finding.path)),
        *_position(finding),
        ("title", title),
    ]
    return _command(_COMMANDS[finding.severity], finding.message, properties)


def _annotations(result: ScanResult, ctx: ReportContext) -> list[str]:
    """Internal errors, then findings most severe first, at most 10 per level,
    then one notice (which keeps a notice slot free) saying how many more."""
    items = [("error", _command("error", f"internal error: {e}")) for e in result.errors]
    ordered = sorted(result.findings, key=lambda f: -f.severity)  # stable: keeps file order
    items += [(_COMMANDS[f.severity], annotation(f, ctx)) for f in ordered]
    shown_per_level: Counter[str] = Counter()
    shown: list[str] = []
    for level, line in items:
        if shown_per_level[level] < MAX_PER_LEVEL:
            shown_per_level[level] += 1
            shown.append(line)
    hidden = len(items) - len(shown)
    if hidden and shown_per_level["notice"] == MAX_PER_LEVEL:
        shown.pop()  # the last shown item is the last notice
        hidden += 1
    if hidden:
        where = "the step summary and the log" if ctx.env.get("GITHUB_STEP_SUMMARY") else "the log"
        message = (
            f"{hidden} more finding{'s are' if hidden != 1 else ' is'} not annotated "
            f"(GitHub shows {MAX_PER_LEVEL} per level); see {where} for all "
            f"{len(items)}."
        )
        shown.append(_command("notice", message, [("title", "platform-lint")]))
    return shown


def render(result: ScanResult, ctx: ReportContext) -> str:
    """Annotations, then the text report with workflow commands switched off,
    so text taken from scanned files cannot inject commands into the log."""
    text = text_report.render(result, ctx)
    token = hashlib.sha256(text.encode()).hexdigest()[:32]
    lines = [*_annotations(result, ctx), f"::stop-commands::{token}", f"{text}::{token}::"]
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """A markdown code span holding `text`, safe inside a table cell."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    body = _one_line(text).replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&#"})


def _cell(text: str) -> str:
    """Plain text for a table cell; `code` spans in the text stay code spans."""
    parts = _one_line(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is plain text
        return "`".join(parts).translate(_MARKDOWN_SPECIAL)
    return "".join(
        _code(part) if i % 2 else part.translate(_MARKDOWN_SPECIAL) for i, part in enumerate(parts)
    )


def _teams_touched(result: ScanResult) -> Counter[str]:
    """Owning teams named by cross-team-edit findings, with how many files each."""
    teams: Counter[str] = Counter()
    for f in (*result.findings, *(s.finding for s in result.suppressed)):
        if f.rule_id == "cross-team-edit":
            teams.update(set(f.properties.get("owning_teams", ())))
    return teams


def step_summary(result: ScanResult, ctx: ReportContext, budget: int = SUMMARY_LIMIT) -> str:
    """The markdown for `$GITHUB_STEP_SUMMARY`: counts, then every finding as a
    table row while the text stays within `budget` bytes."""
    counts = result.counts()
    head = [
        "## platform-lint",
        "",
        "| errors | warnings | notes | suppressed | hidden (tests, examples) | files scanned "
        "| unparseable | skipped |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {counts['error']} | {counts['warning']} | {counts['note']} | {len(result.suppressed)} "
        f"| {len(result.hidden)} "
        f"| {result.files_scanned} | {len(result.unparseable)} | {len(result.skipped)} |",
        "",
    ]
    reasons = Counter(s.reason for s in result.skipped)
    if reasons:
        listed = ", ".join(f"{n} {_cell(r)}" for r, n in sorted(reasons.items()))
        head += [f"Skipped on purpose: {listed}.", ""]
    head += [f"**Internal error:** {_cell(e)}" for e in result.errors]
    teams = _teams_touched(result)
    if teams:
        head += ["Other teams whose surfaces this change touches: "
                 + ", ".join(f"{_cell(team)} ({n} file{'s' if n > 1 else ''})"
                             for team, n in sorted(teams.items())) + ".", ""]
    if not result.findings:
        head.append("No findings.")
        return _fit("\n".join(head) + "\n", budget)
    head += ["| Location | Rule | Severity | Message |", "|---|---|---|---|"]
    text = "\n".join(head) + "\n"
    reserve = 200  # for the line saying how many rows did not fit
    size = len(text.encode())
    rows: list[str] = []
    for f in result.findings:
        row = (
            f"| {_code(f'{ctx.display(f.path)}:{f.span.line}')} | {_code(f.rule_id)} "
            f"| {f.severity} | {_cell(f.message)} |\n"
        )
        size += len(row.encode())
        if size > budget - reserve:
            break
        rows.append(row)
    text += "".join(rows)
    left = len(result.findings) - len(rows)
    if left:
        text += f"\n{left} more finding(s) did not fit in the 1 MiB summary; the log lists all.\n"
    return _fit(text, budget)


def _fit(text: str, budget: int) -> str:
    return text if len(text.encode()) <= budget else ""


def write_step_summary(result: ScanResult, ctx: ReportContext) -> None:
    """Append the step summary to `$GITHUB_STEP_SUMMARY` when that is set.

    A summary that cannot be written is a warning, not a failed check.
    """
    target = ctx.env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        used = os.path.getsize(target) if os.path.exists(target) else 0
        text = step_summary(result, ctx, SUMMARY_LIMIT - used - 1)
        if text:
            with open(target, "a", encoding="utf-8") as out:
                out.write(("\n" if used else "") + text)
    except OSError as exc:
        sys.stderr.write(_command("warning", f"could not write the step summary: {exc}") + "\n")
