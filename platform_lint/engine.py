"""The scan: files and config in, a serialisable `ScanResult` out.

discover -> parse each file once -> objects -> rules (checks yield Hits)
-> Findings (spans resolved late, severity and fingerprint stamped)
-> suppressions, exemptions, baseline -> sorted result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from platform_lint.config import Config
from platform_lint.discovery import Skipped, SourceFile, discover, list_paths
from platform_lint.finding import Finding, Hit, Severity
from platform_lint.globs import matcher
from platform_lint.model import Document, Obj, Span
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
    Directive,
    annotation_directives,
    directives_document,
    exempted_by,
    exemptions_document,
    inline_directives,
    suppressed_by,
)


@dataclass(frozen=True, slots=True)
class Suppressed:
    finding: Finding
    by: str
    """inline, annotation, exemption or baseline"""


@dataclass(slots=True)
class ScanResult:
    root: str
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files_scanned: int = 0
    unparseable: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Internal errors (a check that raised): the run fails with exit code 2."""
    rules: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        by = {str(s): 0 for s in Severity}
        for f in self.findings:
            by[str(f.severity)] += 1
        return by

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "summary": {
                **self.counts(),
                "suppressed": len(self.suppressed),
                "files_scanned": self.files_scanned,
                "files_skipped": len(self.skipped),
                "files_unparseable": len(self.unparseable),
            },
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": [{**s.finding.to_dict(), "suppressed_by": s.by} for s in self.suppressed],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "errors": list(self.errors),
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
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
    """Read the files under `root` and scan them.

    Ownership rules need the repository's CODEOWNERS and charters even when
    only some files are checked (pre-commit, --diff): those are read as
    context, and findings are still reported only for the files asked for.
    A repository with neither gets no change document: there is no ownership
    to check a change against.
    """
    files, skipped = discover(
        root, options.only, exclude=config.exclude, max_size=config.max_file_size
    )
    if not any(kind in r.scope.documents for r in rules for kind in _OWNERSHIP_DOCUMENTS):
        return scan_files(str(root), files, skipped, config, rules, options)
    tree = [f.path for f in files] if options.only is None else list_paths(root, config.exclude)
    is_charter = matcher(config.charters)
    owned = {p for p in tree if classify(p, is_charter) in _OWNERSHIP_DOCUMENTS}
    if not owned:
        without = [d for d in options.extra_documents if d.kind != "change"]
        return scan_files(str(root), files, skipped, config, rules,
                          replace(options, extra_documents=without))
    if options.only is None:
        from platform_lint.changes import full_repository

        change = [full_repository(tree)]
        return scan_files(str(root), files, skipped, config, rules,
                          replace(options, extra_documents=[*change, *options.extra_documents]))
    context = owned - {f.path for f in files}
    context_files, _ = discover(root, sorted(context), max_size=config.max_file_size)
    files = [*files, *context_files]
    extra = [_with_tree(d, tree) for d in options.extra_documents]
    result = scan_files(str(root), files, skipped, config, rules,
                        replace(options, extra_documents=extra))
    result.findings = [f for f in result.findings if f.path not in context]
    result.suppressed = [s for s in result.suppressed if s.finding.path not in context]
    result.files_scanned -= len(context)
    return result


_OWNERSHIP_DOCUMENTS = ("change", "codeowners", "charter")


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
    result = ScanResult(root=root, skipped=list(skipped), rules=[r.id for r in rules])
    by_path = {f.path: f for f in files}
    reader = _reader(by_path)
    is_charter = matcher(config.charters)
    patched = _kustomize_patches(files)
    known = options.known_rules or frozenset(r.id for r in rules)
    objects: list[Obj] = []
    directives: dict[str, list[Directive]] = {}
    for f in files:
        if f.path in patched:
            parsed, text, source = _parse_patch(f)
        else:
            parsed, text, source = _parse(f, is_charter, reader)
        regions: list[Region] = []
        for doc in parsed.documents:
            parsed_objects = list(source.objects(doc)) if source else []
            regions += [parsed_region(doc)] if parsed_objects else []
            objects.extend(parsed_objects)
            for obj in parsed_objects:
                directives.setdefault(f.path, []).extend(annotation_directives(obj))
        text_doc = text_document(f.path, text, regions)
        objects.extend(text_objects(text_doc))  # raw-text rules (secrets) read every file
        if parsed.skipped is not None:
            # Not parsed as structure; counted as skipped, its text still checked.
            result.skipped.append(Skipped(f.path, parsed.skipped))
            continue
        result.files_scanned += 1
        if parsed.problems:
            result.unparseable.append(f.path)
            objects.append(_problem_object(f.path, parsed.problems))
        inline = inline_directives(text_doc)
        if inline:
            directives.setdefault(f.path, []).extend(inline)
    for path, found in directives.items():
        doc = directives_document(path, found, known)
        objects.append(Obj(doc=doc, kind="suppression", name=path, value=doc.data))
    if config.exemptions and config.source:
        doc = exemptions_document(_relative(root, config.source), config.exemptions, options.today)
        objects.append(Obj(doc=doc, kind="config", name=doc.path, value=doc.data))
    extra = list(options.extra_documents)
    if options.only is None and any("repository" in r.scope.documents for r in rules):
        from platform_lint.repository import repository_document

        extra.append(repository_document([*by_path, *(s.path for s in skipped)], options.today))
    for doc in extra:
        objects.append(Obj(doc=doc, kind=doc.kind, name=doc.path, value=doc.data))

    findings = _findings(list(_run_rules(rules, objects, config, result)), options.fingerprint_key)
    _apply_suppressions(findings, directives, config, options, result)
    return result


def _relative(root: str, path: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path


def _reader(by_path: Mapping[str, SourceFile]) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        found = by_path.get(path.lstrip("/"))
        return _decode(found) if found else None

    return read


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


def _parse_patch(f: SourceFile) -> tuple[Parsed, str, Source | None]:
    from platform_lint.sources import kubernetes

    text = _decode(f)
    return kubernetes.load_patch(f.path, text), text, kubernetes


def _kustomize_patches(files: Iterable[SourceFile]) -> set[str]:
    """Files that a kustomization names as patches: partial objects, not manifests."""
    from platform_lint.sources.kubernetes import kustomize_patch_paths

    out: set[str] = set()
    for f in files:
        out.update(kustomize_patch_paths(f.path, f.content))
    return out


def _in_scope(rule: Rule, obj: Obj) -> bool:
    scope = rule.scope
    return (
        obj.doc.kind in scope.documents
        and (not scope.kinds or obj.kind in scope.kinds)
        and scope.admits_path(obj.doc.path)
    )


def _run_rules(
    rules: Sequence[Rule], objects: Sequence[Obj], config: Config, result: ScanResult
) -> Iterable[tuple[Rule, Severity, Hit]]:
    by_doc_kind: dict[str, list[Obj]] = defaultdict(list)
    for obj in objects:
        by_doc_kind[obj.doc.kind].append(obj)
    for rule in rules:
        candidates = [
            o for kind in sorted(rule.scope.documents) for o in by_doc_kind.get(kind, ())
            if _in_scope(rule, o)
        ]
        if not candidates:
            continue
        setting = config.rules.get(rule.id, {})
        severity = Severity.parse(setting["severity"]) if "severity" in setting else rule.severity
        params = rule_params(rule, config)
        try:
            for hit in _hits(rule, candidates, params):
                yield rule, severity, hit
        except Exception as exc:  # a bug in a check must not hide the other rules
            result.errors.append(f"rule {rule.id} failed: {type(exc).__name__}: {exc}")


def rule_params(rule: Rule, config: Config) -> dict[str, Any]:
    """The rule's params, overridden by the config section named like its check
    module (`ownership:`, `pipelines:`, `secrets:`) for the keys the check takes,
    then by `rules: {id: {params: ...}}`."""
    if rule.check is None:
        return {}
    section = config.sections.get(rule.check.split(".", 1)[0], {})
    accepted = rule.spec().params_schema.get("properties", {}) if section else {}
    from_section = {k: v for k, v in section.items() if k in accepted}
    return {**rule.params, **from_section, **config.rules.get(rule.id, {}).get("params", {})}


def _hits(rule: Rule, candidates: Sequence[Obj], params: Mapping[str, Any]) -> Iterable[Hit]:
    if rule.schema is not None:
        from platform_lint.rule_logic import fill_message
        from platform_lint.validation import schema_errors

        for obj in candidates:
            for error in schema_errors(obj.value, rule.schema):
                where = ".".join(map(str, error.path)) or obj.kind
                template = rule.message or "{path}: {error}"
                message = fill_message(template, {"error": error.message, "path": where})
                yield Hit(obj, message, path=error.path, key=True)
        return
    spec = rule.spec()
    if spec.over == "set":
        yield from spec.fn(candidates, params)
    else:
        for obj in candidates:
            yield from spec.fn(obj, params)


def _findings(hits: Sequence[tuple[Rule, Severity, Hit]], key: str) -> list[Finding]:
    """Findings from hits, with no secret in any message: the ones the detectors
    recognise, and the very texts secret rules found in the same file (which an
    unknown rule id in a suppression comment, say, could quote). Secret
    fingerprints are re-keyed with `key` when there is one."""
    found: dict[str, set[str]] = defaultdict(set)
    for _rule, _severity, hit in hits:
        if hit.secret and len(hit.secret) >= 6:  # shorter texts would match unrelated words
            found[hit.obj.doc.path].add(hit.secret)
    return [_finding(rule, sev, hit, found.get(hit.obj.doc.path, ()), key) for rule, sev, hit in hits]


def _finding(rule: Rule, severity: Severity, hit: Hit, secrets: Iterable[str], key: str) -> Finding:
    from platform_lint.secrets.identity import rekeyed, scrub

    doc = hit.obj.doc
    full = (*hit.obj.path, *hit.path)
    span = hit.span or doc.locate(full, key=hit.key)
    message = scrub(hit.message)  # a rule quoting a command may quote a secret in it
    for secret in secrets:
        message = message.replace(secret, "[redacted]")
    fingerprint = hit.fingerprint or _location_fingerprint(rule.id, hit, message)
    if key and hit.secret:
        fingerprint = rekeyed(fingerprint, key)
    return Finding(
        rule_id=rule.id,
        severity=severity,
        path=doc.path,
        span=span,
        message=message,
        fingerprint=fingerprint,
        category=rule.category,
        properties=dict(hit.properties),
    )


def _location_fingerprint(rule_id: str, hit: Hit, message: str) -> str:
    """Stable across line shifts: rule, object identity and the path inside it."""
    material = "\x1f".join(
        [rule_id, hit.obj.doc.path, hit.obj.kind, hit.obj.name, *map(str, hit.path), message]
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _apply_suppressions(
    findings: list[Finding],
    directives: Mapping[str, list[Directive]],
    config: Config,
    options: ScanOptions,
    result: ScanResult,
) -> None:
    unique = {(f.rule_id, f.path, f.span, f.message, f.fingerprint): f for f in findings}
    for finding in sorted(unique.values(), key=Finding.sort_key):
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


# A suppression cannot silence the findings about suppressions themselves.
_UNSUPPRESSIBLE = frozenset({"invalid-suppression", "expired-exemption"})
