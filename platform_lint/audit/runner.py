"""`audit run`: plan the audit, hand units to an executor, store each result as it comes.

The plan (which repositories an audit covers) is stored first, so `--resume`
after a crash goes on with the same audit and skips what is already stored.
A repository whose last good scan used the same rule pack, config and tool
version is still fetched, but when its commit has not moved the unit answers
`reused` without scanning and the findings are carried over.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platform_lint.audit.executors import Executor
from platform_lint.audit.inventory import Entry
from platform_lint.audit.progress import Progress
from platform_lint.audit.store import Previous, Store
from platform_lint.audit.unit import Result, Task, locate
from platform_lint.errors import PlatformLintError


@dataclass(frozen=True, slots=True)
class Policy:
    """What every repository is judged by: one config file (or the defaults) and the rule selection."""

    config: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fingerprint_key: str = ""


@dataclass(slots=True)
class Outcome:
    audit_id: int
    total: int
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.statuses.get("failed", 0) + self.statuses.get("timeout", 0)


def tool_version() -> str:
    """The release, plus a digest of the installed code: a changed engine never reuses old results."""
    from platform_lint import __version__

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def pack_hash(policy: Policy) -> str:
    """A digest of the rule pack, the config, the selection and the fingerprint key (keyed, not stored)."""
    from platform_lint.config import load_config
    from platform_lint.resources import data_dir
    from platform_lint.rules import rule_files

    config = load_config(policy.config)
    digest = hashlib.sha256()
    for path in rule_files([data_dir("rules"), *config.rule_dirs]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(policy.config.read_bytes() if policy.config else b"")
    digest.update(repr((policy.select, policy.ignore)).encode())
    if policy.fingerprint_key:
        digest.update(hmac.new(policy.fingerprint_key.encode(), b"platform-lint audit", "sha256").digest())
    return digest.hexdigest()[:32]


def run_audit(store: Store, entries: Sequence[Entry] | None, policy: Policy, executor: Executor,
              cache: Path, progress: Progress, *, resume: bool = False,
              time_limit: float | None = None) -> Outcome:
    """Run (or resume) an audit; `entries` may be None only when resuming."""
    tool, pack = tool_version(), pack_hash(policy)
    if resume and (audit := store.unfinished_audit()) is not None:
        if audit["pack_hash"] != pack or audit["tool_version"] != tool:
            raise PlatformLintError(f"audit {audit['id']} ran with another rule pack, config or "
                                    "platform-lint version; run it without --resume")
        audit_id = int(audit["id"])
    elif entries is None:
        raise PlatformLintError("no unfinished audit to resume, and no inventory given")
    else:
        audit_id = store.start_audit(tool, pack, entries)
    from platform_lint.audit.fetch import redact_url

    credentials = {redact_url(e.url): e.url for e in entries or ()}
    plan = store.plan(audit_id)
    done = store.scanned(audit_id)
    todo = [(rid, e) for rid, e in plan if rid not in done]
    reuse: dict[str, Previous] = {}
    tasks: list[Task] = []
    for repository_id, entry in _longest_first(store, todo):
        previous = store.reusable(repository_id, pack, audit_id)
        key = str(repository_id)
        if previous is not None:
            reuse[key] = previous
        tasks.append({
            "key": key, "url": credentials.get(entry.url, entry.url), "ref": entry.ref,
            "name": entry.name, "team": entry.team, "cache": str(cache),
            "config": str(policy.config) if policy.config else None,
            "select": list(policy.select), "ignore": list(policy.ignore),
            "fingerprint_key": policy.fingerprint_key,
            "known_commit": previous.commit_id if previous else None, "time_limit": time_limit,
        })
    names = {str(rid): e.name for rid, e in plan}
    outcome = Outcome(audit_id, len(plan))
    progress.start(len(plan), len(done))

    def store_result(result: Result) -> None:
        key = result["key"]
        previous = reuse.get(key) if result["status"] == "reused" else None
        store.write_scan(audit_id, int(key), result, previous.scan_id if previous else None)
        outcome.statuses[result["status"]] = outcome.statuses.get(result["status"], 0) + 1
        progress.advance(names[key], result)

    try:
        settled = _settled_here(tasks)
        for result in settled:
            store_result(result)
        done_keys = {r["key"] for r in settled}
        executor.run([t for t in tasks if t["key"] not in done_keys], store_result)
    finally:
        progress.close()
    store.finish_audit(audit_id)
    return outcome


def _settled_here(tasks: Sequence[Task]) -> list[Result]:
    """Local repositories whose commit is the one already stored need no unit process at all:
    a `git status` each (in threads) and their results are carried over."""
    from concurrent.futures import ThreadPoolExecutor

    from platform_lint.audit.inventory import is_local

    candidates = [t for t in tasks if t["known_commit"] is not None and is_local(t["url"])]
    if not candidates:
        return []
    with ThreadPoolExecutor(min(8, len(candidates))) as pool:
        answers = pool.map(_settle, candidates)
    return [answer for answer in answers if answer is not None]


def _settle(task: Task) -> Result | None:
    from platform_lint.audit.fetch import FetchError
    from platform_lint.audit.unit import reused

    started = time.monotonic()
    try:
        _, commit = locate(task)
    except FetchError:
        return None  # the unit will record why
    result = reused(task, commit)
    return None if result is None else {**result, "duration": round(time.monotonic() - started, 3)}


def _longest_first(store: Store, todo: list[tuple[int, Entry]]) -> list[tuple[int, Entry]]:
    """Slowest repositories first, so that a big one started last does not keep the other
    workers idle at the end: by their last scan's duration, and before those the ones never
    scanned, largest first (local ones by the bytes of their commit; remote ones are unknown)."""
    from platform_lint.audit.fetch import tree_bytes

    def key(item: tuple[int, Entry]) -> tuple[int, float]:
        last = store.last_duration(item[0])
        if last is not None:
            return (1, -last)
        return (0, -(tree_bytes(Path(item[1].url)) if item[1].is_local else float("inf")))

    return sorted(todo, key=key)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
