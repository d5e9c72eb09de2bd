"""What an audit report says, read from the store as plain data (reporters only format it).

Per repository (a failed or timed-out one is listed as such, never as clean),
per rule and per owning team, with the findings new since the previous audit
and those fixed, and the trend of open findings over recent audits.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

from platform_lint.audit.store import Store
from platform_lint.errors import PlatformLintError

TREND_AUDITS = 12
UNOWNED = "(unowned)"
_SEVERITIES = ("error", "warning", "note")

_FIXED = """
SELECT r.name AS repository, p.rule, p.severity, p.category, p.path, p.line, p.col, p.message,
       COALESCE(p.team, r.team, :unowned) AS team, p.fingerprint
FROM scans s
JOIN repositories r ON r.id = s.repository_id
JOIN scans ps ON ps.id = (SELECT id FROM scans WHERE repository_id = s.repository_id AND audit_id < s.audit_id
                          AND status = 'ok' ORDER BY audit_id DESC LIMIT 1)
JOIN findings p ON p.scan_id = ps.id
WHERE s.audit_id = :audit AND s.status = 'ok' AND NOT EXISTS (
    SELECT 1 FROM findings c WHERE c.scan_id = s.id AND c.rule = p.rule AND c.path = p.path
    AND c.fingerprint = p.fingerprint)
ORDER BY r.name, p.path, p.line, p.rule
"""

_FINDINGS = """
SELECT r.name AS repository, f.rule, f.severity, f.category, f.path, f.line, f.col, f.end_line, f.end_col,
       f.message, COALESCE(f.team, r.team, :unowned) AS team, f.fingerprint, f.state
FROM findings f JOIN scans s ON s.id = f.scan_id JOIN repositories r ON r.id = s.repository_id
WHERE s.audit_id = :audit ORDER BY r.name, f.path, f.line, f.col, f.rule
"""


def _rows(db: sqlite3.Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in db.execute(sql, {"unowned": UNOWNED, **params})]


def _tally(findings: list[dict[str, Any]], fixed: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    table: dict[str, dict[str, Any]] = defaultdict(
        lambda: {**dict.fromkeys(_SEVERITIES, 0), "total": 0, "new": 0, "fixed": 0, "repositories": set()})
    for f in findings:
        row = table[f[by]]
        row[f["severity"]] += 1
        row["total"] += 1
        row["new"] += f["state"] == "new"
        row["repositories"].add(f["repository"])
    for f in fixed:
        table[f[by]]["fixed"] += 1
    out = [{by: name, **{k: (len(v) if k == "repositories" else v) for k, v in row.items()}}
           for name, row in table.items()]
    return sorted(out, key=lambda r: (-r["error"], -r["total"], r[by]))


def _trend(db: sqlite3.Connection, audit_id: int) -> dict[str, Any]:
    audits = [dict(r) for r in db.execute(
        "SELECT id, started FROM audits WHERE id <= ? ORDER BY id DESC LIMIT ?", (audit_id, TREND_AUDITS))]
    audits.reverse()
    ids = [a["id"] for a in audits]
    per: dict[str, dict[str, dict[int, int]]] = {"team": defaultdict(dict), "rule": defaultdict(dict)}
    totals: dict[int, int] = dict.fromkeys(ids, 0)
    if ids:
        marks = ",".join("?" * len(ids))
        for row in db.execute(
                f"SELECT s.audit_id, COALESCE(f.team, r.team, ?) AS team, f.rule, count(*) AS n "
                f"FROM findings f JOIN scans s ON s.id = f.scan_id "
                f"JOIN repositories r ON r.id = s.repository_id "
                f"WHERE s.audit_id IN ({marks}) GROUP BY 1, 2, 3", (UNOWNED, *ids)):
            totals[row["audit_id"]] += row["n"]
            for by in ("team", "rule"):
                cell = per[by][row[by]]
                cell[row["audit_id"]] = cell.get(row["audit_id"], 0) + row["n"]
    return {
        "audits": [{**a, "findings": totals[a["id"]]} for a in audits],
        **{f"by_{by}": {name: [counts.get(i, 0) for i in ids] for name, counts in sorted(series.items())}
           for by, series in per.items()},
    }


def report_data(store: Store, audit_id: int | None = None) -> dict[str, Any]:
    """Everything a report shows about one audit (default: the latest)."""
    audit = store.audit(audit_id)
    if audit is None:
        raise PlatformLintError("no such audit in the store" if audit_id else "the store holds no audit yet")
    db, aid = store.db, int(audit["id"])
    previous = db.execute("SELECT max(id) FROM audits WHERE id < ?", (aid,)).fetchone()[0]
    findings = _rows(db, _FINDINGS, audit=aid)
    fixed = _rows(db, _FIXED, audit=aid)
    repositories = _rows(db, """
        SELECT r.name, r.url, r.team, r.tags, s.commit_id AS "commit", s.status, s.error AS reason,
               s.duration, s.reused_from IS NOT NULL AS reused, s.files_scanned, s.files_skipped,
               s.files_unparseable,
               s.errors AS error, s.warnings AS warning, s.notes AS note,
               (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.state = 'new') AS new
        FROM audit_repositories p JOIN repositories r ON r.id = p.repository_id
        LEFT JOIN scans s ON s.audit_id = p.audit_id AND s.repository_id = p.repository_id
        WHERE p.audit_id = :audit ORDER BY r.name""", audit=aid)
    fixed_by_repo: dict[str, int] = defaultdict(int)
    for f in fixed:
        fixed_by_repo[f["repository"]] += 1
    for repo in repositories:
        repo["tags"] = json.loads(repo["tags"])
        repo["status"] = repo["status"] or "not scanned"
        repo["reused"] = bool(repo["reused"])
        repo["total"] = sum(repo[s] or 0 for s in _SEVERITIES) if repo["status"] == "ok" else None
        repo["fixed"] = fixed_by_repo.get(repo["name"], 0)
    statuses: dict[str, int] = defaultdict(int)
    for repo in repositories:
        statuses[repo["status"]] += 1
    return {
        "audit": {**dict(audit), "previous": previous},
        "summary": {
            "repositories": len(repositories),
            "statuses": dict(sorted(statuses.items())),
            "reused": sum(r["reused"] for r in repositories),
            "findings": len(findings),
            **{s: sum(f["severity"] == s for f in findings) for s in _SEVERITIES},
            "new": sum(f["state"] == "new" for f in findings),
            "fixed": len(fixed),
        },
        "repositories": repositories,
        "rules": _tally(findings, fixed, "rule"),
        "teams": _tally(findings, fixed, "team"),
        "trend": _trend(db, aid),
        "readiness": [{**dict(row), "checklist": json.loads(row["checklist"])}
                      for row in store.readiness(aid)],
        "new": [f for f in findings if f["state"] == "new"],
        "fixed": fixed,
        "findings": findings,
    }
