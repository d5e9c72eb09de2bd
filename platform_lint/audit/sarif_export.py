"""`audit export --sarif-dir DIR`: one SARIF 2.1.0 file per scanned repository, from the store."""

from __future__ import annotations

import json
import re
from pathlib import Path

from platform_lint.audit.inventory import is_local
from platform_lint.audit.store import Store
from platform_lint.errors import PlatformLintError


def export_sarif(store: Store, audit_id: int | None, directory: Path) -> list[Path]:
    from platform_lint.finding import Finding, Severity
    from platform_lint.model import Span
    from platform_lint.report import ReportContext
    from platform_lint.report.sarif_report import sarif
    from platform_lint.rules import load_rules
    from platform_lint.scan_result import ScanResult

    audit = store.audit(audit_id)
    if audit is None:
        raise PlatformLintError("no such audit in the store")
    ctx = ReportContext(rules=load_rules())
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    scans = store.db.execute(
        "SELECT s.id, s.commit_id, s.files_scanned, r.name, r.url FROM scans s "
        "JOIN repositories r ON r.id = s.repository_id WHERE s.audit_id = ? AND s.status = 'ok' "
        "ORDER BY r.name",
        (audit["id"],)).fetchall()
    for scan in scans:
        rows = store.db.execute("SELECT * FROM findings WHERE scan_id = ? ORDER BY id", (scan["id"],))
        findings = [Finding(f["rule"], Severity.parse(f["severity"]), f["path"],
                            Span(f["line"], f["col"], f["end_line"], f["end_col"]), f["message"],
                            f["fingerprint"], f["category"]) for f in rows]
        result = ScanResult(root=scan["name"], findings=findings, files_scanned=scan["files_scanned"])
        log = sarif(result, ctx)
        commit = scan["commit_id"] or ""
        if re.fullmatch(r"[0-9a-f]{40,64}", commit):
            uri = Path(scan["url"]).as_uri() if is_local(scan["url"]) else scan["url"]
            log["runs"][0]["versionControlProvenance"] = [{"repositoryUri": uri, "revisionId": commit}]
        log["runs"][0]["automationDetails"] = {"id": f"platform-lint-audit/{audit['id']}/{scan['name']}"}
        path = directory / _file_name(scan["name"], used)
        path.write_text(json.dumps(log, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _file_name(name: str, used: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "repository"
    candidate, n = stem, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate)
    return f"{candidate}.sarif"
