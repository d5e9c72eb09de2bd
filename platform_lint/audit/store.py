"""The results store: one SQLite file, WAL mode, schema made by numbered migrations.

The parent process alone writes it, one transaction per repository, so a
crash (even `kill -9`) leaves every repository either fully stored or not at
all, and `--resume` goes on from there. The schema is documented in
`docs/audit-store.md`; a new table or column is a new migration appended to
`MIGRATIONS`, never an edit of an old one.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_lint.audit.inventory import Entry
from platform_lint.errors import PlatformLintError

MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE audits (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        tool_version TEXT NOT NULL,
        pack_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished'))
    );
    CREATE TABLE repositories (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        team TEXT,
        tags TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE audit_repositories (
        audit_id INTEGER NOT NULL REFERENCES audits(id),
        repository_id INTEGER NOT NULL REFERENCES repositories(id),
        ref TEXT,
        PRIMARY KEY (audit_id, repository_id)
    );
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        audit_id INTEGER NOT NULL REFERENCES audits(id),
        repository_id INTEGER NOT NULL REFERENCES repositories(id),
        commit_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'timeout')),
        error TEXT,
        duration REAL NOT NULL,
        reused_from INTEGER REFERENCES scans(id),
        files_scanned INTEGER NOT NULL DEFAULT 0,
        files_skipped INTEGER NOT NULL DEFAULT 0,
        files_unparseable INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        notes INTEGER NOT NULL DEFAULT 0,
        finished TEXT NOT NULL,
        UNIQUE (audit_id, repository_id)
    );
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        scan_id INTEGER NOT NULL REFERENCES scans(id),
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'note')),
        category TEXT NOT NULL,
        path TEXT NOT NULL,
        line INTEGER NOT NULL,
        col INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        end_col INTEGER NOT NULL,
        message TEXT NOT NULL,
        team TEXT,
        state TEXT NOT NULL CHECK (state IN ('new', 'open'))
    );
    CREATE INDEX findings_identity ON findings (scan_id, rule, path, fingerprint);
    CREATE INDEX scans_repository ON scans (repository_id, audit_id);
    """,
    """
    CREATE TABLE readiness (
        scan_id INTEGER PRIMARY KEY REFERENCES scans(id),
        level INTEGER NOT NULL,
        level_name TEXT NOT NULL,
        checklist TEXT NOT NULL
    );
    """,
)

SEVERITY_COLUMNS = {"error": "errors", "warning": "warnings", "note": "notes"}


class StoreError(PlatformLintError):
    """A store that cannot be opened or is newer than this platform-lint."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Previous:
    """A repository's last good scan made with the same rule pack, config and tool version."""

    scan_id: int
    commit_id: str


class Store:
    def __init__(self, path: Path) -> None:
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the audit store: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
        done = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}
        if done and max(done) > len(MIGRATIONS):
            raise StoreError(f"the store's schema (version {max(done)}) is newer than this platform-lint")
        for version, script in enumerate(MIGRATIONS, 1):
            if version in done:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                applied = "SELECT 1 FROM schema_migrations WHERE version = ?"
                if self.db.execute(applied, (version,)).fetchone():
                    self.db.execute("ROLLBACK")  # another audit applied it while this one waited
                    continue
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        return int(self.db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0])

    # -- audits ------------------------------------------------------------------

    def start_audit(self, tool_version: str, pack_hash: str, plan: Iterable[Entry]) -> int:
        self.db.execute("BEGIN IMMEDIATE")
        cur = self.db.execute(
            "INSERT INTO audits (started, tool_version, pack_hash, status) VALUES (?, ?, ?, 'running')",
            (_now(), tool_version, pack_hash))
        audit_id = int(cur.lastrowid or 0)
        for entry in plan:
            self.db.execute("INSERT OR IGNORE INTO audit_repositories VALUES (?, ?, ?)",
                            (audit_id, self._repository(entry), entry.ref))
        self.db.execute("COMMIT")
        return audit_id

    def _repository(self, entry: Entry) -> int:
        from platform_lint.audit.fetch import redact_url

        url = redact_url(entry.url)
        self.db.execute(
            "INSERT INTO repositories (url, name, team, tags) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET name = excluded.name, team = excluded.team, "
            "tags = excluded.tags",
            (url, entry.name, entry.team, json.dumps(list(entry.tags))))
        return int(self.db.execute("SELECT id FROM repositories WHERE url = ?", (url,)).fetchone()[0])

    def finish_audit(self, audit_id: int) -> None:
        self.db.execute("UPDATE audits SET status = 'finished', finished = ? WHERE id = ?",
                        (_now(), audit_id))

    def audit(self, audit_id: int | None = None) -> sqlite3.Row | None:
        """The audit `audit_id`, or the latest one."""
        if audit_id is None:
            return self._one("SELECT * FROM audits ORDER BY id DESC LIMIT 1")
        return self._one("SELECT * FROM audits WHERE id = ?", audit_id)

    def unfinished_audit(self) -> sqlite3.Row | None:
        return self._one("SELECT * FROM audits WHERE status = 'running' ORDER BY id DESC LIMIT 1")

    def _one(self, sql: str, *params: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(sql, params).fetchone()
        return row

    def plan(self, audit_id: int) -> list[tuple[int, Entry]]:
        """The repositories an audit set out to scan, as entries without credentials."""
        rows = self.db.execute(
            "SELECT r.id, r.url, r.name, r.team, r.tags, p.ref FROM audit_repositories p "
            "JOIN repositories r ON r.id = p.repository_id WHERE p.audit_id = ? ORDER BY r.id",
            (audit_id,))
        return [(row["id"], Entry(row["url"], row["name"], row["ref"], row["team"],
                                  tuple(json.loads(row["tags"])))) for row in rows]

    def scanned(self, audit_id: int) -> set[int]:
        rows = self.db.execute("SELECT repository_id FROM scans WHERE audit_id = ?", (audit_id,))
        return {row[0] for row in rows}

    def repository_ids(self, entries: Iterable[Entry]) -> dict[str, int]:
        from platform_lint.audit.fetch import redact_url

        return {e.url: int(self.db.execute("SELECT id FROM repositories WHERE url = ?",
                                           (redact_url(e.url),)).fetchone()[0]) for e in entries}

    # -- scans -------------------------------------------------------------------

    def reusable(self, repository_id: int, pack_hash: str, audit_id: int) -> Previous | None:
        row = self.db.execute(
            "SELECT s.id, s.commit_id FROM scans s JOIN audits a ON a.id = s.audit_id "
            "WHERE s.repository_id = ? AND s.status = 'ok' AND a.pack_hash = ? AND s.audit_id < ? "
            "ORDER BY s.audit_id DESC LIMIT 1", (repository_id, pack_hash, audit_id)).fetchone()
        return Previous(row[0], row[1]) if row else None

    def last_duration(self, repository_id: int) -> float | None:
        row = self.db.execute("SELECT duration FROM scans WHERE repository_id = ? AND reused_from IS NULL "
                              "ORDER BY audit_id DESC LIMIT 1", (repository_id,)).fetchone()
        return float(row[0]) if row else None

    def write_scan(self, audit_id: int, repository_id: int, result: Mapping[str, Any],
                   reused_from: int | None) -> None:
        """One repository's results, in one transaction; a repository already stored is left alone."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if self.db.execute("SELECT 1 FROM scans WHERE audit_id = ? AND repository_id = ?",
                               (audit_id, repository_id)).fetchone():
                self.db.execute("ROLLBACK")
                return
            scan_id = self._insert_scan(audit_id, repository_id, result, reused_from)
            if reused_from is not None:
                self.db.execute(
                    "INSERT INTO findings (scan_id, fingerprint, rule, severity, category, path, line, col, "
                    "end_line, end_col, message, team, state) SELECT ?, fingerprint, rule, severity, "
                    "category, path, line, col, end_line, end_col, message, team, 'new' FROM findings "
                    "WHERE scan_id = ? "
                    "ORDER BY id", (scan_id, reused_from))
            else:
                self.db.executemany(
                    "INSERT INTO findings (scan_id, fingerprint, rule, severity, category, path, line, col, "
                    "end_line, end_col, message, team, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?, 'new')",
                    [(scan_id, f["fingerprint"], f["rule"], f["severity"], f["category"], f["path"],
                      f["line"], f["column"], f["end_line"], f["end_column"], f["message"], f.get("team"))
                     for f in result.get("findings", ())])
            self._store_readiness(scan_id, result, reused_from)
            self._mark_open(audit_id, repository_id, scan_id)
            self._count(scan_id)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _store_readiness(self, scan_id: int, result: Mapping[str, Any], reused_from: int | None) -> None:
        """The repository's readiness level and checklist (issue 16); a reused scan's is copied."""
        if reused_from is not None:
            self.db.execute("INSERT INTO readiness SELECT ?, level, level_name, checklist FROM readiness "
                            "WHERE scan_id = ?", (scan_id, reused_from))
            return
        card = result.get("readiness")
        if card:
            self.db.execute("INSERT INTO readiness VALUES (?, ?, ?, ?)",
                            (scan_id, card["level"], card["level_name"],
                             json.dumps(card["checklist"], sort_keys=True)))

    def readiness(self, audit_id: int) -> list[sqlite3.Row]:
        """Each repository's readiness level and checklist in an audit, most ready first."""
        return list(self.db.execute(
            "SELECT r.name, r.team, x.level, x.level_name, x.checklist FROM readiness x "
            "JOIN scans s ON s.id = x.scan_id JOIN repositories r ON r.id = s.repository_id "
            "WHERE s.audit_id = ? ORDER BY x.level DESC, r.name", (audit_id,)))

    def _insert_scan(self, audit_id: int, repository_id: int, result: Mapping[str, Any],
                     reused_from: int | None) -> int:
        status = "ok" if result["status"] == "reused" else result["status"]
        files = (0, 0, 0)
        if reused_from is not None:
            row = self.db.execute("SELECT files_scanned, files_skipped, files_unparseable FROM scans "
                                  "WHERE id = ?", (reused_from,)).fetchone()
            files = (row[0], row[1], row[2])
        else:
            files = (result.get("files_scanned", 0), result.get("files_skipped", 0),
                     result.get("files_unparseable", 0))
        cur = self.db.execute(
            "INSERT INTO scans (audit_id, repository_id, commit_id, status, error, duration, reused_from, "
            "files_scanned, files_skipped, files_unparseable, finished) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (audit_id, repository_id, result.get("commit"), status, result.get("error"),
             result.get("duration", 0.0), reused_from, *files, _now()))
        return int(cur.lastrowid or 0)

    def _mark_open(self, audit_id: int, repository_id: int, scan_id: int) -> None:
        """Findings the repository's previous good scan (in an earlier audit) also had are `open`."""
        previous = self.previous_scan(repository_id, audit_id)
        if previous is None:
            return
        self.db.execute(
            "UPDATE findings SET state = 'open' WHERE scan_id = ? AND EXISTS (SELECT 1 FROM findings p "
            "WHERE p.scan_id = ? AND p.rule = findings.rule AND p.path = findings.path "
            "AND p.fingerprint = findings.fingerprint)", (scan_id, previous))

    def previous_scan(self, repository_id: int, audit_id: int) -> int | None:
        row = self.db.execute(
            "SELECT id FROM scans WHERE repository_id = ? AND audit_id < ? AND status = 'ok' "
            "ORDER BY audit_id DESC LIMIT 1", (repository_id, audit_id)).fetchone()
        return int(row[0]) if row else None

    def _count(self, scan_id: int) -> None:
        counts = dict.fromkeys(SEVERITY_COLUMNS.values(), 0)
        for severity, n in self.db.execute(
                "SELECT severity, count(*) FROM findings WHERE scan_id = ? GROUP BY severity", (scan_id,)):
            counts[SEVERITY_COLUMNS[severity]] = n
        self.db.execute("UPDATE scans SET errors = :errors, warnings = :warnings, notes = :notes "
                        "WHERE id = :id", {**counts, "id": scan_id})
