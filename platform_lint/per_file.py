"""One file judged on its own: read, parse once, run the per-file rules.

A scan is a fold over files. Each file is read, parsed into objects and
judged by every rule that looks at one object at a time; what is left is its
findings (spans resolved, secrets scrubbed), its suppression directives, and
the objects that cross-object (`over="set"`) rules need, with their text
lines dropped. The parsed documents are then freed, so memory holds one file's
parse at a time plus what set rules keep.

`judge_file` is a top-level function of (`FileContext`, unit) so
`executor.map_units` can run it in worker processes; a unit is a path to read
below `FileContext.root`, or a `SourceFile` already read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lint import budget
from platform_lint.config import Config
from platform_lint.discovery import Skipped, SourceFile, read_bytes, read_file
from platform_lint.finding import Finding, Hit, Severity
from platform_lint.globs import matcher
from platform_lint.kustomize.plan import PATCH, RESOURCE
from platform_lint.model import Document, Obj, Span
from platform_lint.records import field, record, replace
from platform_lint.rules import Rule
from platform_lint.sources import (
    Parsed,
    Region,
    Source,
    classify,
    parsed_region,
    source_for,
    text_document,
    text_objects,
)
from platform_lint.sources.yaml_tree import Problem
from platform_lint.suppression import (
    ANNOTATION,
    Directive,
    annotation_directives,
    directives_document,
    inline_directives,
)

if TYPE_CHECKING:
    from platform_lint.kustomize.plan import DeployPlan
    from platform_lint.result_cache import ScanCache


@record(frozen=True)
class FileContext:
    """What judging any file of one scan needs; the same for every file."""

    root: str
    config: Config
    rules: tuple[Rule, ...]
    """Those judging one object at a time run file by file; the objects in the
    scope of the cross-object ones are kept for the end of the scan."""
    known: frozenset[str]
    fingerprint_key: str
    plan: DeployPlan
    """Kustomize overlays, bases, resources and patches; skaffold's images (`kustomize.plan`)."""
    readable: frozenset[str]
    """Files another file may include (GitLab `include: local`)."""
    contents: Mapping[str, bytes] | None = None
    """The files' bytes when the scan was given them; else each is read from `root`."""
    cache: ScanCache | None = None


@record()
class FileVerdict:
    path: str
    skipped: str | None = None
    """Why the file was set aside (by discovery or by its source)."""
    read: bool = True
    """False when discovery set the file aside before parsing (binary, too large...)."""
    unparseable: bool = False
    findings: list[Finding] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    kept: list[Obj] = field(default_factory=list)
    secrets: frozenset[str] = frozenset()
    """Secret texts found in the file, to scrub from set rules' messages. Never cached."""
    errors: list[str] = field(default_factory=list)
    cacheable: bool = True
    """False when the result would put a secret's text into the cache."""
    reads: dict[str, str | None] = field(default_factory=dict)
    """The other files judging this one read (a chart's, a GitLab include), by
    path: the digest of the text read, or None when there was none."""
    listed: bool = False
    """Whether judging it looked at the scan's list of files (a chart does)."""
    listing: str | None = None
    """With `listed`: the digest of that list."""


def cached_verdict(ctx: FileContext, unit: str | SourceFile) -> FileVerdict | None:
    """The verdict the cache holds for this file as it is now, if any."""
    if ctx.cache is None:
        return None
    f = _source(ctx, unit)
    if not isinstance(f, SourceFile):
        return None  # gone or skipped: judging it says so
    return ctx.cache.get(ctx.cache.key(f.path, f.content, ctx.plan.cache_role(f.path)),
                         lambda v: _still_valid(ctx, v))


def _still_valid(ctx: FileContext, verdict: FileVerdict) -> bool:
    """The files a cached verdict read (and the list of files, if it looked) are as they were."""
    if verdict.listed and verdict.listing != listing_digest(ctx):
        return False
    return all(_digest(_read_other(ctx, path)) == digest for path, digest in verdict.reads.items())


def listing_digest(ctx: FileContext) -> str:
    import hashlib

    return hashlib.sha256("\0".join(sorted(ctx.readable)).encode("utf-8", "surrogateescape")).hexdigest()


def _digest(text: str | None) -> str | None:
    import hashlib

    return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def judge_file(ctx: FileContext, unit: str | SourceFile) -> FileVerdict | None:
    """The verdict on one file, judged afresh (and cached when it may be); None
    when the file is gone or not a regular file."""
    f = _source(ctx, unit)
    if f is None:
        return None
    if isinstance(f, Skipped):
        return FileVerdict(f.path, skipped=f.reason, read=False)
    verdict = _judge(ctx, f)
    if ctx.cache is not None and verdict.cacheable:
        ctx.cache.put(ctx.cache.key(f.path, f.content, ctx.plan.cache_role(f.path)), verdict)
    return verdict


def _source(ctx: FileContext, unit: str | SourceFile) -> SourceFile | Skipped | None:
    if isinstance(unit, SourceFile):
        return unit
    return read_file(ctx.root, unit, ctx.config.max_file_size)


def _judge(ctx: FileContext, f: SourceFile) -> FileVerdict:
    """The verdict on one file, within its budgets (`budget`): past its CPU time
    the file is one `file-too-complex` finding, past a size budget its structure is."""
    try:
        with budget.metered(ctx.config.budgets):
            return _judged(ctx, f)
    except budget.OverBudget as over:
        return _too_complex(ctx, FileVerdict(f.path, unparseable=True, cacheable=False), over)


def _too_complex(ctx: FileContext, verdict: FileVerdict, over: budget.OverBudget) -> FileVerdict:
    """Only the budget finding, for a file whose CPU time ran out (the run may
    differ on a faster machine: not cached)."""
    from platform_lint.hit_findings import findings_of
    from platform_lint.rule_runner import run_rules

    hits = list(run_rules(ctx.rules, [_budget_object(verdict.path, over)], ctx.config, verdict.errors))
    verdict.findings = findings_of(hits, ctx.fingerprint_key, {})
    return verdict


def _judged(ctx: FileContext, f: SourceFile) -> FileVerdict:
    from platform_lint.hit_findings import findings_of
    from platform_lint.rule_runner import crash_object, report_crashes, run_rules

    read = _Reader(ctx)
    verdict = FileVerdict(f.path)
    crashes: list[Obj] = []
    try:
        parsed, text, objects, regions = _structure(ctx, f, read)
        verdict.directives.extend(d for obj in objects for d in _annotation_directives(obj))
    except budget.OverBudget as over:
        if over.measure == budget.CPU:
            raise
        # Too large to build: its text is still read by the raw-text rules (secrets).
        parsed, text, objects, regions = Parsed(), _decode(f), [_budget_object(f.path, over)], []
        verdict.unparseable = True
    except Exception:  # a bug in a source costs this file's structure, never the scan
        parsed, text, objects, regions = Parsed(), _decode(f), [], []
        crashes.append(crash_object(f.path, None, "reading this file failed, its structure "
                                    "went unchecked"))
        verdict.cacheable = False
    text_doc = text_document(f.path, text, regions)
    objects.extend(text_objects(text_doc))  # raw-text rules (secrets) read every file
    if parsed.skipped is not None:
        # Not parsed as structure; counted as skipped, its text still checked.
        verdict.skipped = parsed.skipped
    elif parsed.problems:
        verdict.unparseable = True
        objects.append(_problem_object(f.path, parsed.problems))
    # Findings land in files set aside too: a Helm template's, its text's (secrets).
    verdict.directives.extend(inline_directives(text_doc))
    for path, directives in _by_path(verdict.directives).items():
        doc = directives_document(path, directives, ctx.known)
        objects.append(Obj(doc=doc, kind="suppression", name=path, value=doc.data))
    keep: set[int] = set()
    hits = [*run_rules(ctx.rules, objects, ctx.config, verdict.errors, keep=keep),
            *report_crashes(crashes, ctx.rules, ctx.config, verdict.errors)]
    verdict.secrets = frozenset(h.secret for _r, _s, h in hits if h.secret and len(h.secret) >= 6)
    verdict.findings = findings_of(hits, ctx.fingerprint_key, {f.path: verdict.secrets})
    verdict.directives.extend(_covering_rendered(hits, verdict.findings))
    if read.used:  # a rendered chart: one finding per location, naming its values sets
        from platform_lint.helm.dedupe import merge_value_sets

        verdict.findings = merge_value_sets(verdict.findings)
    verdict.kept = _kept(o for o in objects if id(o) in keep)
    verdict.reads, verdict.listed = read.reads, read.listed
    if read.listed:
        verdict.listing = listing_digest(ctx)
    # An archive's bytes are not among the digests `reads` keeps: such a verdict is judged afresh.
    verdict.cacheable &= not verdict.secrets and not verdict.errors and not read.raw_read
    return verdict


def _annotation_directives(obj: Obj) -> list[Directive]:
    """An object's `platform-lint.io/ignore` annotation; on a rendered Helm object it is
    at the chart line that wrote it and covers the object's findings wherever they land."""
    found = annotation_directives(obj)
    relocate = getattr(obj.doc.model, "relocate", None)
    if relocate is None or not found:
        return found
    moved = relocate((*obj.path, "metadata", "annotations", ANNOTATION), False)
    if moved is None:
        return found
    return [replace(d, span=moved.span, lines=(0, -1), path=moved.path) for d in found]


def _covering_rendered(hits: Sequence[tuple[Rule, Severity, Hit]],
                       findings: Sequence[Finding]) -> list[Directive]:
    """For each finding on a rendered object that its annotation suppresses, a directive at the finding."""
    out: list[Directive] = []
    for (_rule, _severity, hit), finding in zip(hits, findings, strict=True):
        if getattr(hit.obj.doc.model, "relocate", None) is None:
            continue
        out.extend(replace(d, lines=(finding.span.line, finding.span.line), path=finding.path)
                   for d in annotation_directives(hit.obj) if d.rule == finding.rule_id)
    return out


def _by_path(directives: Iterable[Directive]) -> dict[str, list[Directive]]:
    out: dict[str, list[Directive]] = {}
    for d in directives:
        out.setdefault(d.path, []).append(d)
    return out


class _Reader:
    """Reads the scan's other files for a source: a `sources.TreeReader`. It remembers
    what it read, so a cached verdict is used only while those files are unchanged."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.plan = ctx.plan
        self.settings = ctx.config.sections
        self.raw_read = False
        self.used = False
        self.listed = False
        self.reads: dict[str, str | None] = {}

    @property
    def paths(self) -> frozenset[str]:
        self.listed = True
        return self.ctx.readable

    def __call__(self, path: str) -> str | None:
        path = path.lstrip("/")
        text = _read_other(self.ctx, path)
        self.used = self.used or text is not None
        self.reads[path] = _digest(text)
        return text

    def raw(self, path: str) -> bytes | None:
        if path not in self.ctx.readable:
            return None
        if self.ctx.contents is not None:
            content = self.ctx.contents.get(path)
        else:
            found = read_bytes(Path(self.ctx.root), path, self.ctx.config.max_file_size)
            content = found if isinstance(found, bytes) else None
        self.used = self.used or content is not None
        self.raw_read = self.raw_read or content is not None
        return content


def _structure(
    ctx: FileContext, f: SourceFile, read: Callable[[str], str | None]
) -> tuple[Parsed, str, list[Obj], list[Region]]:
    """The file parsed by its source, its objects and the line regions they came from."""
    role = ctx.plan.role(f.path)
    if role in (PATCH, RESOURCE):
        parsed, text, source = _parse_part(f, role, ctx.plan.built_by.get(f.path))
    else:
        parsed, text, source = _parse(f, matcher(ctx.config.charters), read)
    objects: list[Obj] = []
    regions: list[Region] = []
    for doc in parsed.documents:
        parsed_objects = list(source.objects(doc)) if source else []
        regions += [parsed_region(doc)] if parsed_objects and doc.path == f.path else []
        objects.extend(parsed_objects)
        budget.check_objects(objects)
    return parsed, text, objects, regions


# Set rules on these document kinds read the raw lines (CODEOWNERS re-parsing).
_SET_RULES_READ_LINES = frozenset({"codeowners", "charter"})


def _kept(objects: Iterable[Obj]) -> list[Obj]:
    """The objects, their documents without the text lines set rules never read (and a
    rendered or built object's model cut down to what relocation reads), their spans packed
    (`packed_spans`: unpacked only for the few a set rule reports on)."""
    from platform_lint.packed_spans import pack

    trimmed: dict[int, Document] = {}
    out: list[Obj] = []
    for obj in objects:
        doc = trimmed.get(id(obj.doc))
        if doc is None:
            doc = obj.doc
            kept = getattr(doc.model, "kept", None)  # a rendered or built object's model, cut down
            lines = doc.lines if doc.kind in _SET_RULES_READ_LINES else ()
            doc = pack(replace(doc, lines=lines, model=kept(doc.data) if kept is not None else doc.model))
            trimmed[id(obj.doc)] = doc
        out.append(replace(obj, doc=doc))
    return out


def _read_other(ctx: FileContext, path: str) -> str | None:
    if path not in ctx.readable:
        return None
    if ctx.contents is not None:
        content = ctx.contents.get(path)
    else:
        found = read_file(ctx.root, path, ctx.config.max_file_size)
        content = found.content if isinstance(found, SourceFile) else None
    return None if content is None else content.decode("utf-8-sig", errors="replace")


def _decode(f: SourceFile) -> str:
    return f.content.decode("utf-8-sig", errors="replace")


def _parse(
    f: SourceFile, is_charter: Callable[[str], bool] | None, reader: Callable[[str], str | None]
) -> tuple[Parsed, str, Source | None]:
    kind = classify(f.path, is_charter)
    try:
        text = f.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = _decode(f)
        if kind is None:
            return Parsed(), text, None
        return Parsed(problems=[_decode_problem(f.content, exc.start)]), text, None
    if kind is None:
        return Parsed(), text, None
    budget.check_lines(text)
    source = source_for(kind)
    try:
        return source.load(f.path, text, reader), text, source
    except RecursionError:  # a parser recursing per nesting level (lark, json)
        return Parsed(problems=[Problem(Span.point(1), "nested too deeply to parse")]), text, source


def _decode_problem(content: bytes, offset: int) -> Problem:
    before = content[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return Problem(Span.point(line, col), f"not valid UTF-8 (byte 0x{content[offset]:02x})")


def _problem_object(path: str, problems: Sequence[Problem]) -> Obj:
    doc = Document(
        path=path,
        kind="problem",
        data=[{"message": p.message} for p in problems],
        spans={(i,): p.span for i, p in enumerate(problems)},
    )
    return Obj(doc=doc, kind="problem", name=path, value=doc.data)


def _budget_object(path: str, over: budget.OverBudget) -> Obj:
    """The file gone past a budget, at the line where it did (the start when the
    whole file is to blame), for the `file-too-complex` rule."""
    span = over.span or Span.point(1)
    doc = Document(path=path, kind="budget", data=[{"message": over.message(), "measure": over.measure}],
                   spans={(0,): Span.point(span.line, span.col)})
    return Obj(doc=doc, kind="budget", name=path, value=doc.data)


def _parse_part(f: SourceFile, role: str, overlay: str | None) -> tuple[Parsed, str, Source | None]:
    """A file a kustomization builds from: a patch, or a manifest judged in the overlay's build."""
    from platform_lint.sources import kubernetes

    text = _decode(f)
    if role == PATCH:
        return kubernetes.load_patch(f.path, text), text, kubernetes
    return kubernetes.load_resource(f.path, text, overlay), text, kubernetes
