"""The HTML audit report: one self-contained file (no CDN, no network), tables that sort,
charts drawn as inline SVG. It formats `report_data`; nothing in it decides."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from platform_lint.audit.reports import headline, tables

_COLOURS = {"error": "#c62828", "warning": "#ef8f00", "note": "#1e88e5"}
_LINES = ("#3949ab", "#00897b", "#8e24aa", "#f4511e", "#6d4c41", "#546e7a")
BARS = 15
"""Teams or rules shown in a bar chart; the tables have every one."""

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1d232b;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}
header p{margin:6px 0 0;color:#c8ced6}main{padding:8px 28px 40px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:10px 16px;box-shadow:0 1px 2px #0002;min-width:110px}
.card b{display:block;font-size:22px}.card span{color:#5b6670;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
figure{background:#fff;border-radius:8px;margin:0;padding:12px 16px;box-shadow:0 1px 2px #0002}
figcaption{font-weight:600;margin-bottom:6px}svg text{font-size:11px;fill:#333}
svg.chart{max-width:100%;height:auto;display:block}
section{margin-top:22px}h2{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px #0002;border-radius:8px}
th,td{padding:5px 9px;text-align:left;border-bottom:1px solid #e6e8eb;vertical-align:top}
th{background:#eef0f3;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#c62828;font-weight:600}
.legend span{margin-right:12px;font-size:12px;white-space:nowrap;display:inline-block}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}.empty{color:#5b6670}
"""

_SCRIPT = """
(function () {
  function value(cell, numeric) {
    var text = cell.getAttribute("data-value") || cell.textContent.trim();
    if (!numeric) return text.toLowerCase();
    var n = parseFloat(text);
    return isNaN(n) ? -Infinity : n;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var order = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
        if (!numeric && !th.hasAttribute("aria-sort")) order = "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", order);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a.cells[column], numeric), y = value(b.cells[column], numeric);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return order === "ascending" ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
"""


def _bars(rows: Sequence[dict[str, Any]], by: str, title: str) -> str:
    """Horizontal bars, one per team or rule, stacked by severity."""
    shown = list(rows[:BARS])
    if not shown:
        return f'<figure><figcaption>{escape(title)}</figcaption><p class="empty">No findings.</p></figure>'
    label_w, bar_w, row_h = 210, 330, 20
    top = max(r["total"] for r in shown) or 1
    height = row_h * len(shown) + 8
    width = label_w + bar_w + 50
    parts = [f'<svg class="chart bars" role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">']
    for i, row in enumerate(shown):
        y = i * row_h + 4
        name = str(row[by])
        short = name if len(name) <= 32 else name[:31] + "\u2026"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end"><title>{escape(name)}</title>'
                     f"{escape(short)}</text>")
        x = float(label_w)
        for severity, colour in _COLOURS.items():
            size = bar_w * row[severity] / top
            if size > 0:
                tip = f"{escape(name)}: {row[severity]} {severity}"
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{size:.1f}" height="{row_h - 6}" '
                             f'fill="{colour}"><title>{tip}</title></rect>')
                x += size
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{row["total"]}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{s}</span>' for s, c in _COLOURS.items())
    more = f" (top {BARS} of {len(rows)})" if len(rows) > BARS else ""
    return (f"<figure><figcaption>{escape(title)}{more}</figcaption>{''.join(parts)}"
            f'<div class="legend">{legend}</div></figure>')


def _trend(trend: dict[str, Any]) -> str:
    """Findings per audit: the total and the teams with most findings, one line each."""
    audits = trend["audits"]
    title = "Findings over audits"
    if len(audits) < 2:
        return (f'<figure><figcaption>{title}</figcaption><p class="empty">The trend appears after the '
                f"second audit.</p></figure>")
    teams = sorted(trend["by_team"].items(), key=lambda kv: -kv[1][-1])[: len(_LINES) - 1]
    series = [("all findings", [a["findings"] for a in audits]), *teams]
    width, height, left, bottom = 540, 230, 44, 26
    top = max(max(values) for _, values in series) or 1
    step = (width - left - 20) / (len(audits) - 1)

    def point(i: int, v: int) -> str:
        return f"{left + i * step:.1f},{(height - bottom) - (height - bottom - 10) * v / top:.1f}"

    parts = [f'<svg class="chart trend" role="img" aria-label="{title}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
             'stroke="#999"/>',
             f'<text x="{left - 6}" y="14" text-anchor="end">{top}</text>',
             f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>']
    for i, audit in enumerate(audits):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - 8}" text-anchor="middle">'
                     f'#{audit["id"]}</text>')
    legend = []
    for (name, values), colour in zip(series, _LINES, strict=False):
        points = " ".join(point(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                     f"<title>{escape(name)}: {', '.join(map(str, values))}</title></polyline>")
        legend.append(f'<span><i style="background:{colour}"></i>{escape(name)}</span>')
    parts.append("</svg>")
    return (f'<figure><figcaption>{title}</figcaption>{"".join(parts)}'
            f'<div class="legend">{"".join(legend)}</div></figure>')


def _table(title: str, heads: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    slug = "-".join(title.lower().split()[:2])
    if not rows:
        return f'<section id="{slug}"><h2>{escape(title)}</h2><p class="empty">None.</p></section>'
    numeric = [all(isinstance(r[i], int | float) or r[i] == "-" for r in rows) for i in range(len(heads))]
    head = "".join(f'<th data-type="{"number" if n else "text"}">{escape(h)}</th>'
                   for h, n in zip(heads, numeric, strict=True))
    body = []
    for row in rows:
        cells = []
        for value, n in zip(row, numeric, strict=True):
            text = escape(str(value))
            bad = ' class="bad"' if isinstance(value, str) and value.startswith(("failed", "timeout")) else ""
            cells.append(f'<td class="n">{text}</td>' if n else f"<td{bad}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<section id="{slug}"><h2>{escape(title)} ({len(rows)})</h2><table class="sortable">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>")


def _cards(summary: dict[str, Any]) -> str:
    statuses = summary["statuses"]
    items = [("repositories", summary["repositories"]), ("scanned ok", statuses.get("ok", 0)),
             ("failed / timed out", statuses.get("failed", 0) + statuses.get("timeout", 0)),
             ("reused", summary["reused"]), ("errors", summary["error"]), ("warnings", summary["warning"]),
             ("notes", summary["note"]), ("new", summary["new"]), ("fixed", summary["fixed"])]
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{value}</b><span>{label}</span></div>' for label, value in items) + "</div>"


def html(data: dict[str, Any]) -> str:
    audit = data["audit"]
    charts = (_bars(data["teams"], "team", "Findings by owning team")
              + _bars(data["rules"], "rule", "Findings by rule") + _trend(data["trend"]))
    sections = "".join(_table(title, heads, rows) for title, heads, rows in tables(data))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>platform-lint audit {audit['id']}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>platform-lint audit {audit['id']}</h1><p>{escape(headline(data))}</p></header>"
        f'<main>{_cards(data["summary"])}<div class="charts">{charts}</div>{sections}</main>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
