"""The scan: files and config in, a serialisable `ScanResult` out.

discover -> parse each file once -> objects -> rules (checks yield Hits)
-> Findings (spans resolved late, severity and fingerprint stamped)
-> suppressions, exemptions, baseline -> sorted result.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lint.config import Config
from platform_lint.cross_context import cross_object_context, touched_charts
from platform_lint.discovery import (
    Skipped,
    SourceFile,
    list_paths,
    names_to_scan,
    outside_root,
    printable,
    read_file,
)
from platform_lint.finding import Finding
from platform_lint.globs import matcher
from platform_lint.hit_findings import findings_of
from platform_lint.kept_store import KeptStore
from platform_lint.model import Document, Obj, Span
from platform_lint.records import field, record, replace
from platform_lint.rule_runner import crash_object, report_crashes, run_rules
from platform_lint.rules import Rule
from platform_lint.scan_memo import scan_memo
from platform_lint.scan_result import ScanResult, Suppressed
from platform_lint.sources import classify
from platform_lint.suppression import Directive, exempted_by, exemptions_document, suppressed_by

if TYPE_CHECKING:
    from platform_lint.executor import Failed
    from platform_lint.kustomize.plan import DeployPlan
    from platform_lint.per_file import FileContext, FileVerdict
    from platform_lint.result_cache import ResultCache


@record(frozen=True)
class ScanOptions:
    only: Sequence[str] | None = None
    """Scan just these files (relative to the root), as pre-commit passes them."""
    extra_documents: Sequence[Document] = ()
    """Documents that are not files, such as the change under review."""
    baseline: frozenset[tuple[str, str, str]] = frozenset()
    """(path, rule id, fingerprint) of findings already accepted."""
    today: dt.date = field(default_factory=dt.date.today)
    known_rules: frozenset[str] = frozenset()
    """Every rule id that exists, active or not, so a suppression of a rule that
    is merely switched off is not called unknown."""
    fingerprint_key: str = ""
    """An organisation's key for secret fingerprints (see `identity.rekeyed`)."""
    jobs: int = 1
    """Processes judging files (see `executor.map_units`); the result is the same for any."""
    cache: ResultCache | None = None
    """Per-file results remembered between runs (see `result_cache`)."""
    progress: Callable[[int, int], None] | None = None
    """Told (files done, files in all) as the scan goes."""
    include_examples: bool = False
    """Report findings in test, example and docs contexts instead of hiding them."""


def select_rules(
    rules: Mapping[str, Rule], config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Rule]:
    """The rules to run, by config and command line (ids or categories)."""
    chosen = select or config.select
    dropped = (*config.ignore, *ignore)
    out: list[Rule] = []
    for rule in rules.values():
        setting = config.rules.get(rule.id, {})
        if not setting.get("enabled", True):
            continue
        if chosen and rule.id not in chosen and rule.category not in chosen:
            continue
        if rule.id in dropped or rule.category in dropped:
            continue
        out.append(rule)
    return sorted(out, key=lambda r: r.id)


def scan(root: Path, config: Config, rules: Sequence[Rule], options: ScanOptions) -> ScanResult:
    """Read the files under `root` and scan them, one file at a time.

    Ownership rules need the repository's CODEOWNERS and charters even when
    only some files are checked (pre-commit, --diff): those are read as
    context, and findings are still reported only for the files asked for.
    A repository with neither gets no change document: there is no ownership
    to check a change against.
    """
    resolved = root.resolve()
    names = names_to_scan(resolved, options.only, config.exclude)
    read = _disk_reader(resolved)
    if options.only is None:
        return _whole_repository(str(root), names, [], read, None, config, rules, options)
    # Names from the command line or a change list that lead outside the root are not read.
    outside = [s for s in map(partial(outside_root, resolved), names) if s is not None]
    names = [n for n in names if n not in {s.path for s in outside}] if outside else names
    charts, chart_context = touched_charts(resolved, names, config)
    names = [*names, *charts]
    chart_context |= cross_object_context(resolved, names, config, rules)
    if not _wants_ownership(rules):
        return _scan(str(root), [*names, *sorted(chart_context)], outside, read, None, config, rules,
                     options, context=chart_context)
    tree = list_paths(resolved, config.exclude)
    owned = _ownership_files(tree, config)
    if not owned:
        return _scan(str(root), [*names, *sorted(chart_context)], outside, read, None, config, rules,
                     _without_change(options), context=chart_context)
    context = (owned - set(names)) | chart_context
    extra = [_with_tree(d, tree) for d in options.extra_documents]
    result = _scan(str(root), [*names, *sorted(context)], outside, read, None, config, rules,
                   replace(options, extra_documents=extra), context=context)
    return result


def scan_repository(
    root: str,
    files: Sequence[SourceFile],
    skipped: Sequence[Skipped],
    config: Config,
    rules: Sequence[Rule],
    options: ScanOptions,
) -> ScanResult:
    """A whole repository, its files already read (from a checkout or a commit):
    ownership rules see the full tree as the change when it has CODEOWNERS or charters."""
    by_path = {f.path: f.content for f in files}
    return _whole_repository(root, files, skipped, by_path.get, by_path, config, rules, options)


def _whole_repository(
    root: str,
    units: Sequence[str | SourceFile],
    skipped: Sequence[Skipped],
    read: Callable[[str], bytes | None],
    contents: Mapping[str, bytes] | None,
    config: Config,
    rules: Sequence[Rule],
    options: ScanOptions,
) -> ScanResult:
    if not _wants_ownership(rules):
        return _scan(root, units, skipped, read, contents, config, rules, options)
    if not _ownership_files([u.path if isinstance(u, SourceFile) else u for u in units], config):
        return _scan(root, units, skipped, read, contents, config, rules, _without_change(options))
    from platform_lint.changes import full_repository

    # The tree is every file that was read, known once the files are.
    return _scan(root, units, skipped, read, contents, config, rules, options,
                 change=lambda read_paths: [full_repository(read_paths)])


_OWNERSHIP_DOCUMENTS = ("change", "codeowners", "charter")


def _wants_ownership(rules: Sequence[Rule]) -> bool:
    return any(kind in r.scope.documents for r in rules for kind in _OWNERSHIP_DOCUMENTS)


def _ownership_files(tree: Sequence[str], config: Config) -> set[str]:
    is_charter = matcher(config.charters)
    return {p for p in tree if classify(p, is_charter) in _OWNERSHIP_DOCUMENTS}


def _without_change(options: ScanOptions) -> ScanOptions:
    """No ownership to check a change against: drop the change document."""
    return replace(options, extra_documents=[d for d in options.extra_documents if d.kind != "change"])


def _with_tree(doc: Document, tree: list[str]) -> Document:
    """The change document, told every file of the repository (for `unowned-path`...)."""
    if doc.kind == "change" and isinstance(doc.data, dict) and doc.data.get("tree") is None:
        return replace(doc, data={**doc.data, "tree": tree})
    return doc


def scan_files(
    root: str,
    files: Sequence[SourceFile],
    skipped: Sequence[Skipped],
    config: Config,
    rules: Sequence[Rule],
    options: ScanOptions,
) -> ScanResult:
    """The pure part of a scan: files (already read) and config to a result."""
    by_path = {f.path: f.content for f in files}
    return _scan(root, files, skipped, by_path.get, by_path, config, rules, options)


def _disk_reader(root: Path) -> Callable[[str], bytes | None]:
    def read(name: str) -> bytes | None:
        found = read_file(str(root), name, 1 << 62)
        return found.content if isinstance(found, SourceFile) else None

    return read


def _scan(
    root: str,
    units: Sequence[str | SourceFile],
    skipped: Sequence[Skipped],
    read: Callable[[str], bytes | None],
    contents: Mapping[str, bytes] | None,
    config: Config,
    rules: Sequence[Rule],
    options: ScanOptions,
    *,
    change: Callable[[list[str]], list[Document]] | None = None,
    context: Collection[str] = (),
) -> ScanResult:
    """Judge each file on its own (in `options.jobs` processes), then what spans
    files: cross-object rules, the change, config exemptions, suppressions.
    Files in `context` are read for cross-object rules only: nothing of
    theirs is reported."""
    from platform_lint.executor import Failed
    from platform_lint.per_file import FileContext

    result = ScanResult(root=printable(root), rules=[r.id for r in rules])
    crashes: list[Obj] = []
    paths = [u.path if isinstance(u, SourceFile) else u for u in units]
    known = options.known_rules or frozenset(r.id for r in rules)
    ctx = FileContext(
        root=str(Path(root).resolve()),
        config=config,
        rules=tuple(rules),
        known=known,
        fingerprint_key=options.fingerprint_key,
        plan=_deploy_plan(paths, read, crashes),
        readable=frozenset(paths),
        contents=contents,
        cache=options.cache.for_scan(config, rules, known, options.fingerprint_key)
        if options.cache else None,
    )
    tally = _Tally(result, context, list(skipped))
    for done, outcome in enumerate(_verdicts(ctx, units, options.jobs), start=1):
        if options.progress is not None:
            options.progress(done, len(units))
        if isinstance(outcome, Failed):  # the exception's text could quote the file: left out
            crashes.append(crash_object(paths[done - 1], None, "judging this file failed"))
        elif outcome is not None:
            tally.add(outcome)
    # In name order, as discovery lists them; then those their source set aside.
    by_discovery = sorted(tally.discovery_skipped, key=lambda s: s.path)
    result.skipped = [s for s in by_discovery if s.path not in context] + tally.source_skipped
    errors, secrets, findings = tally.errors, tally.secrets, tally.findings

    extra = [*(change(tally.read_paths) if change else ()), *options.extra_documents]
    if options.only is None and any("repository" in r.scope.documents for r in rules):
        from platform_lint.repository import repository_document

        extra.append(repository_document([*tally.read_paths, *(s.path for s in result.skipped)],
                                         options.today, read))
    spanning: list[Obj] = []
    if config.exemptions and config.source:
        doc = exemptions_document(_relative(root, config.source), config.exemptions, options.today)
        spanning.append(Obj(doc=doc, kind="config", name=doc.path, value=doc.data))
    for doc in extra:
        spanning.append(Obj(doc=doc, kind=doc.kind, name=doc.path, value=doc.data))
    with scan_memo():  # what several set rules ask of the same objects, answered once
        hits = [*run_rules(rules, spanning, config, errors),
                *run_rules(rules, [*tally.kept.objects(), *spanning], config, errors, over="set"),
                *report_crashes(crashes, rules, config, errors)]
    found_here: dict[str, set[str]] = {}  # one union per file, not one per hit
    for _rule, _severity, hit in hits:
        if hit.secret and len(hit.secret) >= 6:
            found_here.setdefault(hit.obj.doc.path, set()).add(hit.secret)
    for path, more in found_here.items():
        secrets[path] = secrets.get(path, frozenset()) | more
    found = findings_of(hits, options.fingerprint_key, secrets)
    tally.kept.close()  # the spilled models relocated what set rules found
    if any("valuesSets" in f.properties for f in found):
        from platform_lint.helm.dedupe import merge_value_sets

        found = merge_value_sets(found)
    findings.extend(f for f in found if f.path not in context)
    result.errors = list(dict.fromkeys(errors))
    _apply_suppressions(findings, tally.directives, config, options, result)
    if not options.include_examples:
        _hide_contexts(result, config)
    return result


def _hide_contexts(result: ScanResult, config: Config) -> None:
    from platform_lint.contexts import classifier, split_by_context

    result.findings, hidden = split_by_context(result.findings, classifier(config.contexts, config.charters))
    result.hidden = [Suppressed(f, name) for f, name in hidden]


def _verdicts(
    ctx: FileContext, units: Sequence[str | SourceFile], jobs: int
) -> Iterator[FileVerdict | Failed | None]:
    """Each unit's verdict in order: from the cache when it holds one, else judged
    in `jobs` processes (chosen by the bytes left to judge)."""
    from platform_lint.executor import map_units
    from platform_lint.per_file import cached_verdict, judge_file

    known = [cached_verdict(ctx, u) for u in units]
    todo = [u for u, v in zip(units, known, strict=True) if v is None]
    processes = _jobs(jobs, todo, ctx.root, ctx.config.max_file_size)
    first = _before_pool(todo, ctx.readable) if processes > 1 else []
    fresh = map_units(judge_file, todo, jobs=processes, context=ctx, first=first)
    for verdict in known:
        yield verdict if verdict is not None else next(fresh)


@record()
class _Tally:
    """The file verdicts folded, in file order."""

    result: ScanResult
    context: Collection[str]
    discovery_skipped: list[Skipped]
    source_skipped: list[Skipped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    kept: KeptStore = field(default_factory=KeptStore)
    directives: dict[str, list[Directive]] = field(default_factory=dict)
    secrets: dict[str, frozenset[str]] = field(default_factory=dict)
    read_paths: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, verdict: FileVerdict) -> None:
        if not verdict.read:
            self.discovery_skipped.append(Skipped(verdict.path, verdict.skipped or ""))
            return
        self.read_paths.append(verdict.path)
        self.errors.extend(verdict.errors)
        self.kept.add(verdict.kept, spill=not verdict.secrets)
        if verdict.secrets:
            self.secrets[verdict.path] = verdict.secrets
        for directive in verdict.directives:  # a chart's rendered objects: at the template's path
            self.directives.setdefault(directive.path, []).append(directive)
        if verdict.path in self.context:
            return
        self.findings.extend(verdict.findings)
        if verdict.skipped is not None:
            self.source_skipped.append(Skipped(verdict.path, verdict.skipped))
            return
        self.result.files_scanned += 1
        if verdict.unparseable:
            self.result.unparseable.append(verdict.path)


_BYTES_PER_POOL = 512 * 1024
"""Below this many bytes to judge a process pool costs more than it saves (bench/RESULTS.md:
a count of 64 files started one on Azure's 0.35 MB, 0.43 s wall against 0.34 s in one
process; the Helm repositories' 0.97 and 3.2 MB gain 0.3 and 0.7 s)."""


def _before_pool(units: Sequence[str | SourceFile], scanned: Collection[str]) -> list[int]:
    """The units a pool starts first (charts, the largest first), once this process has
    imported the sources they need: forked workers share those instead of each importing
    its own."""
    from platform_lint.sources import source_for
    from platform_lint.sources.helm_chart import charts_first, import_renderer

    paths = [u if isinstance(u, str) else u.path for u in units]
    for kind in sorted({kind for kind in map(classify, paths) if kind is not None}):
        source_for(kind)
    first = charts_first(paths, scanned)
    if first:
        import_renderer(any(posixpath.basename(p) == "values.schema.json" for p in scanned))
    return first


def _jobs(asked: int, units: Sequence[str | SourceFile], root: str, largest: int) -> int:
    """`asked` processes, or with 0 the cores available unless there is little to judge."""
    if asked > 0:
        return asked
    from platform_lint.executor import available_cores

    return available_cores() if _pool_pays(units, root, largest) else 1


def _pool_pays(units: Sequence[str | SourceFile], root: str, largest: int) -> bool:
    """Whether the units add up to `_BYTES_PER_POOL` (a path by its size below `root`).
    What judging will not read counts nothing: a path that is not a regular file (a
    symlink, which may point anywhere, or one that cannot be stat'ed), or a file larger
    than `largest` (`max_file_size`, skipped unread)."""
    total = 0
    for unit in units:
        total += _size(unit, root, largest)
        if total >= _BYTES_PER_POOL:
            return True
    return False


def _size(unit: str | SourceFile, root: str, largest: int) -> int:
    if isinstance(unit, SourceFile):
        return len(unit.content)
    try:
        found = os.lstat(os.path.join(root, unit))
    except OSError:
        return 0
    return found.st_size if stat.S_ISREG(found.st_mode) and found.st_size <= largest else 0


def _relative(root: str, path: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path


def _deploy_plan(paths: Iterable[str], read: Callable[[str], bytes | None], crashes: list[Obj]) -> DeployPlan:
    """Which files are Kustomize overlays, bases, resources and patches (see `kustomize.plan`)."""
    from platform_lint.kustomize.plan import survey

    def failed(path: str) -> None:
        crashes.append(crash_object(path, None, "reading this kustomization failed, the files it "
                                    "names were judged on their own"))

    return survey(paths, read, failed)


def _apply_suppressions(
    findings: list[Finding],
    directives: Mapping[str, list[Directive]],
    config: Config,
    options: ScanOptions,
    result: ScanResult,
) -> None:
    for finding in sorted(_merged_duplicates(findings), key=Finding.sort_key):
        by: str | None = None
        if finding.rule_id not in _UNSUPPRESSIBLE:
            if suppressed_by(finding, directives.get(finding.path, ())):
                by = "inline"
            elif exempted_by(finding, config.exemptions, options.today):
                by = "exemption"
            elif (finding.path, finding.rule_id, finding.fingerprint) in options.baseline:
                by = "baseline"
        if by is None:
            result.findings.append(finding)
        else:
            result.suppressed.append(Suppressed(finding, by))


def _merged_duplicates(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per (rule, place, message, fingerprint). Copies reached through
    different builds (two kustomize overlays of one base) keep every related
    location, so each overlay stays named and a real overlay is not hidden behind
    a test one's copy."""
    unique: dict[tuple[str, str, Span, str, str], Finding] = {}
    for f in findings:
        key = (f.rule_id, f.path, f.span, f.message, f.fingerprint)
        kept = unique.get(key)
        if kept is None:
            unique[key] = f
            continue
        related = list(kept.properties.get("relatedLocations", ()))
        extra = [r for r in f.properties.get("relatedLocations", ()) if r not in related]
        if extra:
            unique[key] = replace(kept, properties={**kept.properties, "relatedLocations": related + extra})
    return list(unique.values())


# A suppression cannot silence the findings about suppressions themselves.
_UNSUPPRESSIBLE = frozenset({"invalid-suppression", "expired-exemption"})
