"""Rules over objects: which objects a rule's scope selects, its check run on
them (one object at a time, or the whole set at once), and a check that raises
turned into an internal error at the object instead of a crash of the scan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from platform_lint.budget import checkpoint
from platform_lint.checks import CheckSpec
from platform_lint.config import Config
from platform_lint.discovery import printable
from platform_lint.finding import Hit, Severity
from platform_lint.model import Document, Obj, Span
from platform_lint.rules import Rule, Scope


def in_scope(rule: Rule, obj: Obj) -> bool:
    scope = rule.scope
    return (
        obj.doc.kind in scope.documents
        and (not scope.kinds or obj.kind in scope.kinds)
        and scope.admits_path(obj.doc.path)
    )


def run_rules(
    rules: Sequence[Rule],
    objects: Sequence[Obj],
    config: Config,
    errors: list[str],
    *,
    over: str = "object",
    keep: set[int] | None = None,
    report: bool = True,
) -> Iterator[tuple[Rule, Severity, Hit]]:
    """The rules that judge `over` one object at a time ("object") or all at once
    ("set"), each over the objects in its scope. With `keep`, the ids of the
    objects in a skipped set rule's scope are added to it. A check module is
    imported only for a rule with objects. A check that raises on an object is
    reported there (`report_crashes`; with `report` False, added to `errors`)."""
    crashed: list[Obj] = []
    by_doc_kind: dict[str, list[Obj]] = defaultdict(list)
    for obj in objects:
        by_doc_kind[obj.doc.kind].append(obj)
    index = _index(rules)
    in_scope_of: dict[int, list[Obj]] = {}  # many rules share a scope: by its number in the index
    for position in index.for_kinds(frozenset(by_doc_kind)):
        rule, scope = index.rules[position], index.scopes[position]
        candidates = in_scope_of.get(scope)
        if candidates is None:
            candidates = in_scope_of[scope] = _candidates(rule.scope, index.documents[scope], by_doc_kind)
        if not candidates:
            continue
        spec, severity, params = index.settings(position, config)
        if (spec.over if spec is not None else "object") != over:
            if keep is not None and over == "object":
                keep.update(map(id, candidates))
            continue
        for hit in _hits(rule, spec, candidates, params, crashed):
            yield rule, severity, hit
    if crashed:
        yield from report_crashes(crashed, rules if report else (), config, errors)


class _RuleIndex:
    """What `run_rules` looks up for one rule sequence (a scan's, met once per file):
    the positions of the rules whose scope names any of a set of document kinds, in
    their order; each rule's scope as a number (rules with equal scopes share one)
    and the document kinds it names, in name order; and each rule's check, severity
    and params under a config, resolved the first time a rule has objects."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.source, self.rules = rules, tuple(rules)
        self._by_kind: dict[str, list[int]] = defaultdict(list)
        numbers: dict[Scope, int] = {}
        self.scopes: list[int] = []
        self.documents: list[list[str]] = []
        for position, rule in enumerate(self.rules):
            for kind in rule.scope.documents:
                self._by_kind[kind].append(position)
            if rule.scope not in numbers:
                numbers[rule.scope] = len(numbers)
                self.documents.append(sorted(rule.scope.documents))
            self.scopes.append(numbers[rule.scope])
        self._for: dict[frozenset[str], list[int]] = {}
        self._config: Config | None = None
        self._settings: dict[int, tuple[CheckSpec | None, Severity, dict[str, Any]]] = {}

    def serves(self, rules: Sequence[Rule]) -> bool:
        """`rules` are this index's: the very tuple (immutable), or the same rules one by one."""
        if rules is self.source and isinstance(rules, tuple):
            return True
        return len(rules) == len(self.rules) and all(a is b for a, b in zip(rules, self.rules, strict=True))

    def for_kinds(self, kinds: frozenset[str]) -> list[int]:
        found = self._for.get(kinds)
        if found is None:
            found = self._for[kinds] = sorted({p for kind in kinds for p in self._by_kind.get(kind, ())})
        return found

    def settings(self, position: int, config: Config) -> tuple[CheckSpec | None, Severity, dict[str, Any]]:
        """The rule's check (None for a schema rule), and its severity and params
        under `config` (a scan's, the same for every file: kept until another comes)."""
        if config is not self._config:
            self._config, self._settings = config, {}
        found = self._settings.get(position)
        if found is None:
            rule = self.rules[position]
            spec = None if rule.check is None else rule.spec()
            setting = config.rules.get(rule.id, {})
            severity = Severity.parse(setting["severity"]) if "severity" in setting else rule.severity
            found = self._settings[position] = (spec, severity, _params(rule, spec, config))
        return found


_INDEX: list[_RuleIndex] = []
"""The index of the last rule sequence met: a memo, rebuilt for any other sequence."""


def _index(rules: Sequence[Rule]) -> _RuleIndex:
    if not _INDEX or not _INDEX[0].serves(rules):
        _INDEX[:] = [_RuleIndex(rules)]
    return _INDEX[0]


def _candidates(scope: Scope, documents: list[str], by_doc_kind: Mapping[str, Sequence[Obj]]) -> list[Obj]:
    """The objects `in_scope` of a rule, by document kind in name order (`documents`:
    the scope's, sorted) and then in their own order; each file's path is matched
    against the rule's globs once."""
    found: list[Obj] = []
    globs = bool(scope.paths or scope.exclude_paths)
    admitted: dict[str, bool] = {}
    for kind in documents:
        if kind not in by_doc_kind:
            continue
        for obj in by_doc_kind[kind]:
            if scope.kinds and obj.kind not in scope.kinds:
                continue
            if globs:
                path = obj.doc.path
                if path not in admitted:
                    admitted[path] = scope.admits_path(path)
                if not admitted[path]:
                    continue
            found.append(obj)
    return found


def report_crashes(
    crashed: Sequence[Obj], rules: Sequence[Rule], config: Config, errors: list[str]
) -> Iterator[tuple[Rule, Severity, Hit]]:
    """Internal errors (`crash_object`s) as findings of the `internal-error` rule when
    it is among `rules`, else (and if it fails itself) as errors of the scan."""
    if not crashed:  # met once per file: no index of the handlers built for nothing
        return
    handlers = [r for r in rules if CRASH in r.scope.documents]
    if handlers:
        yield from run_rules(handlers, crashed, config, errors, report=False)
    else:
        errors.extend(f"{o.doc.path}: {o.value[0]['message']}" for o in crashed)


def rule_params(rule: Rule, config: Config) -> dict[str, Any]:
    """The rule's params, overridden by the config section named like its check
    module (`ownership:`, `pipelines:`, `secrets:`) for the keys the check takes,
    then by `rules: {id: {params: ...}}`. A check the config says nothing to is not
    resolved (nor its module imported): its params are the rule's own."""
    if rule.check is None:
        return {}
    if "params" not in config.rules.get(rule.id, {}) and rule.check.split(".", 1)[0] not in config.sections:
        return dict(rule.params)
    return _params(rule, rule.spec(), config)


def _params(rule: Rule, spec: CheckSpec | None, config: Config) -> dict[str, Any]:
    if rule.check is None or spec is None:
        return {}
    section = config.sections.get(rule.check.split(".", 1)[0], {})
    accepted = spec.params_schema.get("properties", {}) if section else {}
    from_section = {k: v for k, v in section.items() if k in accepted}
    return {**rule.params, **from_section, **config.rules.get(rule.id, {}).get("params", {})}


def _hits(
    rule: Rule, spec: CheckSpec | None, candidates: Sequence[Obj], params: Mapping[str, Any],
    crashed: list[Obj],
) -> Iterable[Hit]:
    """The rule's hits on each candidate. A check that raises on an object loses
    its hits there (it may have stopped half way) and the object joins `crashed`;
    the other objects are still checked. A set check runs once, blamed on the
    first candidate when it fails."""
    whole_set = spec is not None and spec.over == "set" and rule.schema is None
    for obj in candidates[:1] if whole_set else candidates:
        checkpoint(obj)  # past the file's CPU budget, judging stops here
        try:
            if rule.schema is not None:
                hits = list(_schema_hits(rule, obj))
            else:
                assert spec is not None  # a rule without a schema names a check
                hits = list(spec.fn(candidates if whole_set else obj, params))
        except Exception:
            what = f"rule {rule.id} failed on {obj.kind} {obj.name}, which it did not check"
            crashed.append(crash_object(obj.doc.path, obj, what))
            continue
        yield from hits


def _schema_hits(rule: Rule, obj: Obj) -> Iterator[Hit]:
    from platform_lint.rule_logic import fill_message
    from platform_lint.validation import schema_errors

    for error in schema_errors(obj.value, rule.schema or {}):
        where = ".".join(map(str, error.path)) or obj.kind
        template = rule.message or "{path}: {error}"
        message = fill_message(template, {"error": error.message, "path": where})
        yield Hit(obj, message, path=error.path, key=True)


CRASH = "internal"
"""The document kind of an internal error at a file: a source or a check that
failed on it (a bug in platform-lint), reported by the `internal-error` rule."""


def crash_object(path: str, at: Obj | None, what: str) -> Obj:
    """An internal error at `at` (the start of the file when None). The exception's
    text is left out: it could quote the file, a secret included."""
    span = at.doc.locate(at.path, key=True) if at is not None else Span.point(1)
    message = f"internal error in platform-lint: {what}; the rest of the scan went on"
    doc = Document(path=printable(path), kind=CRASH, data=[{"message": message}],
                   spans={(0,): Span.point(span.line, span.col)})
    return Obj(doc=doc, kind=CRASH, name=path, value=doc.data)
