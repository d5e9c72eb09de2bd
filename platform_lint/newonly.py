"""Only what a change introduced: `check --diff BASE --new-only`, `--staged
--new-only` and `--filter added-lines`.

The change is scanned at both ends with the same config and rules: at HEAD
from the work tree, at BASE from git objects (no checkout). A finding at HEAD
is new unless the BASE scan has one with the same rule and fingerprint
(fingerprints name the object and the path inside it, not the line, so a
finding that merely moved lines is not new). A block moved to another file or
another list position changes its fingerprint; it still is not new when a
finding of the same rule, message and source text disappeared in the same
change.

Both ends read the changed files (renamed ones under their new name at both
ends), plus, for cross-object rules (a PDB for a Deployment, an alarm for a
database) whose kind of file the change touches, every file of that kind: so
deleting a PDB is caught on the unchanged Deployment it protected. Ownership
findings are about the change itself and pass through unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lint.changes import ChangedFile, ChangeRequest, diff_files, staged_files
from platform_lint.cross_context import OWNERSHIP_DOCUMENTS, context_kinds
from platform_lint.discovery import list_paths
from platform_lint.engine import scan, scan_files
from platform_lint.errors import PlatformLintError
from platform_lint.finding import Finding
from platform_lint.globs import matcher
from platform_lint.model import source_lines
from platform_lint.records import replace
from platform_lint.revision import (
    EMPTY_TREE,
    added_lines,
    head_commit,
    merge_base,
    read_files,
    repo_prefix,
    resolve_commit,
    tree_entries,
)
from platform_lint.scan_result import ScanResult
from platform_lint.sources import classify

if TYPE_CHECKING:
    from platform_lint.rules import Rule
    from platform_lint.run import Run

FILTERS = ("added-lines",)


class NewOnlyError(PlatformLintError, ValueError):
    """--new-only or --filter without a change that has a base to compare with."""


@dataclass(frozen=True, slots=True)
class Change:
    """The change under review: its base commit and its files, relative to the scan root."""

    base: str
    staged: bool
    files: tuple[ChangedFile, ...]

    def head_paths(self) -> list[str]:
        return [f.path for f in self.files if f.status != "deleted"]

    def base_paths(self) -> list[tuple[str, str]]:
        """(path at BASE, path to show it under): a renamed file under its new name."""
        return [(f.old_path or f.path, f.path) for f in self.files if f.status != "added"]


def resolve_change(root: Path, request: ChangeRequest) -> Change:
    if request.diff_base:
        head = head_commit(root)
        if head is None:
            raise NewOnlyError("--diff needs a commit at HEAD")
        base = merge_base(root, resolve_commit(root, request.diff_base), head, named=request.diff_base)
        files = diff_files(root, base)
    elif request.staged:
        base = head_commit(root) or EMPTY_TREE
        files = staged_files(root)
    else:
        raise NewOnlyError("--new-only and --filter need --diff BASE or --staged")
    prefix = repo_prefix(root)
    return Change(base, bool(request.staged and not request.diff_base),
                  tuple(_below(f, prefix) for f in files if f.path.startswith(prefix)))


def _below(f: ChangedFile, prefix: str) -> ChangedFile:
    old = f.old_path[len(prefix):] if f.old_path and f.old_path.startswith(prefix) else None
    return ChangedFile(f.path[len(prefix):], f.status, old)


def scan_change(run: Run, request: ChangeRequest, *, new_only: bool, line_filter: str | None,
                within: Sequence[str] | None = None) -> ScanResult:
    """The run's scan, cut down to what the change introduced (to the changed
    files among `within`, the files named on the command line, when given)."""
    change = resolve_change(run.root, request)
    named = set(within or ())
    if within is not None:
        change = replace(change, files=tuple(f for f in change.files
                                             if f.path in named or f.old_path in named))
    ownership = [r for r in run.active if r.scope.documents & OWNERSHIP_DOCUMENTS]
    others = [r for r in run.active if not r.scope.documents & OWNERSHIP_DOCUMENTS]
    if new_only:
        result = _new_findings(run, change, others)
    else:
        result = scan(run.root, run.config, others, run.options)
    if within is not None:
        result.findings = [f for f in result.findings if f.path in named]
        result.suppressed = [s for s in result.suppressed if s.finding.path in named]
        result.hidden = [s for s in result.hidden if s.finding.path in named]
    if line_filter == "added-lines":
        added = added_lines(run.root, change.base, staged=change.staged)
        result.findings = [f for f in result.findings if _on_lines(f, added)]
        result.suppressed = [s for s in result.suppressed if _on_lines(s.finding, added)]
        result.hidden = [s for s in result.hidden if _on_lines(s.finding, added)]
    if ownership:
        _merge(result, scan(run.root, run.config, ownership, run.options))
    return result


def _new_findings(run: Run, change: Change, rules: Sequence[Rule]) -> ScanResult:
    config = run.config
    is_charter = matcher(config.charters)
    context = context_kinds(rules, [*change.head_paths(), *(at for at, _ in change.base_paths())],
                            is_charter)

    def in_context(path: str) -> bool:
        return bool(context) and classify(path, is_charter) in context

    head_only = sorted({*change.head_paths(), *filter(in_context, list_paths(run.root, config.exclude))})
    options = replace(run.options, only=head_only, extra_documents=[])
    head = scan(run.root, config, rules, options)

    entries = tree_entries(run.root, change.base)
    renamed = {f.old_path: f.path for f in change.files if f.old_path}
    names = dict(change.base_paths())
    names.update((p, renamed.get(p, p)) for p in entries if p not in names and in_context(p))
    base_files, base_skipped = read_files(run.root, entries, sorted(names.items()),
                                          exclude=config.exclude, max_size=config.max_file_size)
    base = scan_files(str(run.root), base_files, base_skipped, config, rules,
                      replace(options, only=None, baseline=frozenset()))

    base_text = {f.path: f.content for f in base_files}
    fresh = set(map(id, _unmatched(head.findings, base.findings,
                                   _Lines(run.root, None), _Lines(run.root, base_text))))
    head.findings = [f for f in head.findings if id(f) in fresh]
    known = {_key(f) for f in (*base.findings, *(s.finding for s in (*base.suppressed, *base.hidden)))}
    head.suppressed = [s for s in head.suppressed if _key(s.finding) not in known]
    head.hidden = [s for s in head.hidden if _key(s.finding) not in known]
    head.errors += [f"at the base revision: {e}" for e in base.errors]
    return head


def _key(f: Finding) -> tuple[str, str]:
    return (f.rule_id, f.fingerprint)


class _Lines:
    """A file's source lines at one end of the change, read when first asked for."""

    def __init__(self, root: Path, contents: Mapping[str, bytes] | None) -> None:
        self.root, self.contents = root, contents
        self.cache: dict[str, tuple[str, ...]] = {}

    def text(self, f: Finding) -> str:
        """The stripped text of the line a finding starts on: what a person sees moved."""
        if f.path not in self.cache:
            self.cache[f.path] = source_lines(self._read(f.path).decode("utf-8-sig", "replace"))
        lines = self.cache[f.path]
        return lines[f.span.line - 1].strip() if 0 < f.span.line <= len(lines) else ""

    def _read(self, path: str) -> bytes:
        if self.contents is not None:
            return self.contents.get(path, b"")
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return b""


def _unmatched(head: Sequence[Finding], base: Sequence[Finding], head_lines: _Lines,
               base_lines: _Lines) -> list[Finding]:
    """The head findings BASE has no counterpart for, counted as multisets (a
    second copy of an old finding is new)."""
    remaining = Counter(map(_key, base))
    leftover: list[Finding] = []
    for f in head:
        if remaining[_key(f)] > 0:
            remaining[_key(f)] -= 1
        else:
            leftover.append(f)
    if not leftover:
        return []
    gone = Counter(
        (f.rule_id, f.message, base_lines.text(f)) for f in _take(base, remaining)
    )
    out: list[Finding] = []
    for f in leftover:
        moved = (f.rule_id, f.message, head_lines.text(f))
        if gone[moved] > 0:
            gone[moved] -= 1
        else:
            out.append(f)
    return out


def _take(findings: Iterable[Finding], counts: Counter[tuple[str, str]]) -> list[Finding]:
    """The findings whose key still has a count left: those HEAD no longer has."""
    left = Counter(counts)
    out: list[Finding] = []
    for f in findings:
        if left[_key(f)] > 0:
            left[_key(f)] -= 1
            out.append(f)
    return out


def _on_lines(f: Finding, added: Mapping[str, set[int]]) -> bool:
    """The finding starts on a line the change adds or changes (a finding spanning a
    whole object is not on every line of it)."""
    return f.span.line in added.get(f.path, ())


def _merge(into: ScanResult, other: ScanResult) -> None:
    into.findings = sorted([*into.findings, *other.findings], key=Finding.sort_key)
    into.suppressed = [*into.suppressed, *other.suppressed]
    into.hidden = [*into.hidden, *other.hidden]
    seen = {s.path for s in into.skipped}
    into.skipped += [s for s in other.skipped if s.path not in seen]
    into.files_scanned = max(into.files_scanned, other.files_scanned)
    into.unparseable = sorted({*into.unparseable, *other.unparseable})
    into.errors += other.errors
    into.rules = sorted({*into.rules, *other.rules})
