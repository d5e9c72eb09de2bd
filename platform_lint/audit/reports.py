"""Audit reports as text, Markdown, JSON and CSV (HTML is `html.py`): they format `report_data`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

Table = tuple[str, list[str], list[list[Any]]]
LISTED = 50
"""New and fixed findings shown in text and Markdown (JSON and CSV have every one)."""


def _status(repo: dict[str, Any]) -> str:
    if repo["status"] == "ok":
        return "reused" if repo["reused"] else "scanned"
    return f"{repo['status']}: {repo['reason']}" if repo["reason"] else repo["status"]


def tables(data: dict[str, Any]) -> list[Table]:
    counts = ["error", "warning", "note", "total", "new", "fixed"]
    repos = [[r["name"], r["team"] or "", _status(r), (r["commit"] or "")[:12],
              *(("-" if r["total"] is None else r[c] or 0) for c in counts)] for r in data["repositories"]]
    out: list[Table] = [
        ("Repositories", ["repository", "team", "status", "commit", *counts], repos),
        ("Rules", ["rule", *counts, "repositories"],
         [[r["rule"], *(r[c] for c in counts), r["repositories"]] for r in data["rules"]]),
        ("Teams", ["team", *counts, "repositories"],
         [[t["team"], *(t[c] for c in counts), t["repositories"]] for t in data["teams"]]),
    ]
    trend = data["trend"]
    if len(trend["audits"]) > 1:
        heads = [f"#{a['id']}" for a in trend["audits"]]
        out.append(("Trend by team (findings per audit)", ["team", *heads],
                    [[name, *series] for name, series in trend["by_team"].items()]))
        out.append(("Trend by rule (findings per audit)", ["rule", *heads],
                    [[name, *series] for name, series in trend["by_rule"].items()]))
    for title, key in (("New since the previous audit", "new"), ("Fixed since the previous audit", "fixed")):
        rows = [[f["repository"], f"{f['path']}:{f['line']}:{f['col']}", f["severity"], f["rule"], f["team"],
                 f["message"]] for f in data[key][:LISTED]]
        more = len(data[key]) - LISTED
        if more > 0:
            rows.append(["", f"... and {more} more", "", "", "", ""])
        out.append((title, ["repository", "location", "severity", "rule", "team", "message"], rows))
    return out


def headline(data: dict[str, Any]) -> str:
    s, audit = data["summary"], data["audit"]
    statuses = ", ".join(f"{n} {k}" for k, n in s["statuses"].items()) or "none"
    since = f" since audit {audit['previous']}" if audit["previous"] else ""
    return (f"Audit {audit['id']} ({audit['status']}, started {audit['started']}): {s['repositories']} "
            f"repositories ({statuses}; {s['reused']} reused), {s['findings']} findings "
            f"({s['error']} errors, "
            f"{s['warning']} warnings, {s['note']} notes), {s['new']} new and {s['fixed']} fixed{since}")


def _cell(value: Any) -> str:
    return " ".join(str(value).split())


def text(data: dict[str, Any]) -> str:
    lines = [headline(data), ""]
    for title, heads, rows in tables(data):
        lines.append(f"{title}:")
        if not rows:
            lines += ["  (none)", ""]
            continue
        cells = [[_cell(v) for v in row] for row in [heads, *rows]]
        widths = [min(60, max(len(r[i]) for r in cells)) for i in range(len(heads))]
        for row in cells:
            lines.append("  " + "  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")
    return "\n".join(lines)


def _md(value: Any) -> str:
    return _cell(value).replace("|", "\\|")


def markdown(data: dict[str, Any]) -> str:
    lines = [f"# platform-lint audit {data['audit']['id']}", "", headline(data), ""]
    for title, heads, rows in tables(data):
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines.append("| " + " | ".join(heads) + " |")
        lines.append("|" + "|".join("---" for _ in heads) + "|")
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def json_report(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def csv_report(data: dict[str, Any]) -> str:
    """One row per finding of the audit, with its repository, team and state (new or open)."""
    out = io.StringIO()
    columns: Sequence[str] = ("repository", "team", "rule", "severity", "category", "path", "line", "col",
                              "message", "fingerprint", "state")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for f in data["findings"]:
        writer.writerow([f[c] for c in columns])
    for f in data["fixed"]:
        writer.writerow([*(f[c] for c in columns[:-1]), "fixed"])
    return out.getvalue()


def render(fmt: str, data: dict[str, Any]) -> str:
    if fmt == "html":
        from platform_lint.audit.html import html

        return html(data)
    renderers = {"text": text, "markdown": markdown, "json": json_report, "csv": csv_report}
    return renderers[fmt](data)

