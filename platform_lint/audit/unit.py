"""One unit of audit work: one repository at one commit, in, plain data out.

`audit_repository(task)` fetches (or opens) the repository, reads its files
from the commit, runs the engine's `scan_repository` and returns a JSON-ready
dict: the commit, counts, and every finding with its owning team. When the
commit is the one the parent already holds results for (`known_commit`) the
scan is skipped and the result says `reused`. Run as `python -m
platform_lint.audit.unit`, it reads one task as JSON on stdin and writes the
result on stdout: that is how the executors isolate each repository in a
process they can kill when its time is up.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_lint.audit.fetch import (
    FetchError,
    Snapshot,
    fetch_remote,
    local_commit,
    read_commit,
    read_folder,
)
from platform_lint.audit.inventory import is_local
from platform_lint.errors import PlatformLintError

if TYPE_CHECKING:
    from platform_lint.config import Config
    from platform_lint.rules import Rule

Task = dict[str, Any]
Result = dict[str, Any]


def locate(task: Mapping[str, Any]) -> tuple[Path, str | None]:
    """Where to read the repository from, and its commit (None: a folder read as it is)."""
    url: str = task["url"]
    limit: float = task.get("time_limit") or 600.0  # also where the parent settles a local repository
    if is_local(url):
        return Path(url), local_commit(Path(url), task.get("ref"), limit)
    return fetch_remote(url, task.get("ref"), Path(task["cache"]), limit)


def reused(task: Mapping[str, Any], commit: str | None) -> Result | None:
    """The answer when the parent already holds results for this very commit."""
    if commit is None or commit != task.get("known_commit"):
        return None
    return {"key": task["key"], "status": "reused", "commit": commit, "error": None}


def snapshot(where: Path, commit: str | None, max_size: int, exclude: Sequence[str]) -> Snapshot:
    if commit is None:
        return read_folder(where, max_size, exclude)
    return read_commit(where, commit, max_size, exclude)


@functools.lru_cache(maxsize=4)
def rule_pack(rule_dirs: tuple[Path, ...]) -> dict[str, Rule]:
    """The rules, loaded once per process (a unit forked from a warm server inherits them)."""
    from platform_lint.rules import load_rules

    return load_rules(rule_dirs)


def audit_repository(task: Mapping[str, Any]) -> Result:
    """Fetch, read and scan one repository; never raises."""
    started = time.monotonic()
    out: Result = {"key": task["key"], "status": "ok", "commit": None, "error": None}
    try:
        out.update(_audit(task))
    except (FetchError, PlatformLintError) as exc:
        out.update(status="failed", error=str(exc))
    except Exception as exc:  # one bad repository never takes the audit down; its text is never kept
        out.update(status="failed", error=f"internal error ({type(exc).__name__})")
    if out["error"]:
        from platform_lint.secrets.identity import scrub

        out["error"] = scrub(out["error"])
    out["duration"] = round(time.monotonic() - started, 3)
    return out


def _audit(task: Mapping[str, Any]) -> Result:
    where, commit = locate(task)
    if (settled := reused(task, commit)) is not None:
        return settled
    from platform_lint import readiness
    from platform_lint.config import load_config
    from platform_lint.engine import ScanOptions, scan_repository, select_rules

    config = load_config(Path(task["config"]) if task.get("config") else None)
    snap = snapshot(where, commit, config.max_file_size, config.exclude)
    if snap.commit == task.get("known_commit"):  # a folder whose content has not changed
        return {"status": "reused", "commit": snap.commit}
    rules = rule_pack(config.rule_dirs)
    active = select_rules(rules, config, task.get("select", ()), task.get("ignore", ()))
    options = ScanOptions(known_rules=frozenset(rules), fingerprint_key=task.get("fingerprint_key", ""))
    criteria = readiness.load_criteria(readiness.default_criteria())
    evidence_rules = readiness.evidence_rules(criteria)
    result = scan_repository(task["name"], snap.files, snap.skipped, config, [*active, *evidence_rules],
                             options)
    found, evidence = readiness.split(result.findings, criteria)
    card = readiness.judge(task["name"], criteria, "built-in", found, evidence, result.errors)
    teams = _owning_teams(snap, config, [f.path for f in found], task.get("team"))
    findings = [
        {**_finding(f.to_dict()), "team": teams.get(f.path)} for f in found
    ]
    return {
        "readiness": {"level": card.level, "level_name": card.name,
                      "checklist": {v.id: v.status for v in card.checklist}},
        "status": "failed" if result.errors else "ok",
        "error": "; ".join(result.errors) or None,
        "commit": snap.commit,
        "files_scanned": result.files_scanned,
        "files_skipped": len(result.skipped),
        "files_unparseable": len(result.unparseable),
        "findings": findings,
    }


_FINDING_KEYS = ("fingerprint", "rule", "severity", "category", "path", "line", "column",
                 "end_line", "end_column", "message")


def _finding(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the store keeps of a finding: no properties (a secret rule's carry its redacted form only)."""
    return {k: data[k] for k in _FINDING_KEYS}


def _owning_teams(snap: Snapshot, config: Config, paths: Sequence[str],
                  fallback: str | None) -> dict[str, str | None]:
    """Each path's owning team: the repository's charters, else its CODEOWNERS owner, else the inventory's."""
    from platform_lint.ownership.explain import model_of

    section = config.sections.get("ownership", {})
    model = model_of(snap.files, charters=config.charters, flavour=section.get("flavour"),
                     teams=section.get("teams"))
    out: dict[str, str | None] = {}
    for path in set(paths):
        answer = model.owners_of(path)
        if answer.teams:
            out[path] = answer.teams[0].name
        elif answer.owners:
            out[path] = answer.owners[0]
        else:
            out[path] = fallback
    return out


def main() -> int:
    task = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(audit_repository(task), sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
