"""Loading declarative rules: the built-in pack and the user's rule directories.

A rule file is data. Its logic is either a JSON Schema or the name of a
check that ships in `platform_lint.checks`; nothing in a rule file can make
platform-lint import or run code of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from platform_lint.checks import CheckSpec, UnknownCheck, resolve
from platform_lint.errors import PlatformLintError
from platform_lint.finding import Severity
from platform_lint.globs import matches
from platform_lint.model import Document, Span
from platform_lint.records import field, record
from platform_lint.resources import data_dir, schema
from platform_lint.safe_regex import unsafe_patterns
from platform_lint.sources.yaml_tree import one_document
from platform_lint.validation import MISS, SchemaError, ValidatedCache, describe, schema_errors


class RuleError(PlatformLintError, ValueError):
    """A rule file that is not valid; the message names file, line and key."""


@record(frozen=True)
class Scope:
    documents: frozenset[str]
    kinds: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()

    def admits_path(self, path: str) -> bool:
        if self.paths and not any(matches(path, g) for g in self.paths):
            return False
        return not any(matches(path, g) for g in self.exclude_paths)


@record(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    category: str
    scope: Scope
    docs: Mapping[str, Any]
    source: str
    schema: Mapping[str, Any] | None = None
    message: str | None = None
    check: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def spec(self) -> CheckSpec:
        assert self.check is not None
        return resolve(self.check)


# Rules the engine itself reports; they have docs like any other rule.
ENGINE_RULES = frozenset({"parse-error", "internal-error", "file-too-complex", "invalid-suppression",
                          "expired-exemption"})


def load_rule_file(path: Path, cache: ValidatedCache) -> Rule:
    """A rule file, validated; the cache skips validation for content seen valid
    before. It keeps a built-in rule's data, but of a user's rule only the
    verdict: a user's schema or message may hold a secret (a token to match)."""
    return _load_rule_file(path, cache)[0]


def _load_rule_file(path: Path, cache: ValidatedCache) -> tuple[Rule, Any]:
    """The rule and what the cache keeps of it (a built-in rule's data)."""
    try:
        content = path.read_bytes()
    except OSError as exc:  # a directory named x.yaml, a dangling or looping symlink
        raise RuleError(f"{path}: cannot read: {exc.strerror or exc}") from None
    built_in = path.parent == data_dir("rules")
    known = cache.lookup(content, _validated_against())
    if built_in and isinstance(known, dict):
        try:
            return _rule(known, str(path)), known
        except (KeyError, TypeError, ValueError):
            pass  # an entry of another shape (another build of this version) is not trusted: re-read
    if not built_in and known is not True:
        known = MISS  # a verdict is `true`; data kept by an older version is not trusted
    text = content.decode("utf-8-sig", errors="replace")
    doc = one_document(str(path), text, "rule", RuleError)

    def fail(error: SchemaError) -> RuleError:
        return RuleError(describe(str(path), error, lambda p: doc.locate(p, key=True)))

    if known is MISS:
        _validate(doc, fail)
        for at, reason in unsafe_patterns(doc.data.get("schema"), ("schema",)):
            raise RuleError(f"{_at(path, doc, at)}: {'.'.join(map(str, at))}: {reason}")
    data: dict[str, Any] = doc.data
    # A rule's examples are shown in SARIF and kept in the cache: never a real secret.
    data["docs"] = _scrubbed(data["docs"])
    if data["id"] in ENGINE_RULES and not built_in:
        raise RuleError(f"{path}:1:1: id: {data['id']!r} is reserved for the engine")
    rule = _rule(data, str(path))
    if rule.check is not None:
        try:
            spec = rule.spec()
        except UnknownCheck as exc:
            raise RuleError(f"{_at(path, doc, ('check',))}: check: {exc}") from None
        param_errors = [] if known is not MISS else list(schema_errors(dict(rule.params),
                                                                        spec.params_schema))
        if param_errors:
            err = param_errors[0]
            raise fail(SchemaError(("params", *err.path), err.message))
    cache.remember(content, _validated_against(), data if built_in else True)
    return rule, data if built_in else True


@cache
def _validated_against() -> dict[str, Any]:
    """What a cached verdict depends on: the rule schema and the version of the
    checks on a rule's logic, so a verdict from older checks is not reused."""
    from platform_lint.rule_logic import CHECKS_VERSION

    return {"rule": schema("rule"), "logic": CHECKS_VERSION}


def _validate(doc: Document, fail: Callable[[SchemaError], RuleError]) -> None:
    """The rule file against the rule schema, then what its logic may hold
    (`rule_logic`): valid JSON Schema referring only to itself, a plain message."""
    from platform_lint.rule_logic import message_problem, schema_problems

    errors = list(schema_errors(doc.data, schema("rule")))
    if errors:
        raise fail(errors[0])
    logic = doc.data.get("schema")
    for problem in schema_problems(logic) if logic is not None else ():
        raise fail(SchemaError(("schema", *problem.path), problem.message))
    message = doc.data.get("message")
    problem_text = message_problem(message) if message is not None else None
    if problem_text is not None:
        raise fail(SchemaError(("message",), problem_text))


def _scrubbed(value: Any) -> Any:
    from platform_lint.secrets.identity import scrub

    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _at(path: Path, doc: Document, key: tuple[str | int, ...]) -> str:
    span: Span = doc.locate(key, key=True)
    return f"{path}:{span.line}:{span.col}"


def _rule(data: Mapping[str, Any], source: str) -> Rule:
    scope = data["scope"]
    return Rule(
        id=data["id"],
        title=data["title"],
        severity=Severity.parse(data["severity"]),
        category=data["category"],
        scope=Scope(
            documents=frozenset(scope["documents"]),
            kinds=frozenset(scope.get("kinds", ())),
            paths=tuple(scope.get("paths", ())),
            exclude_paths=tuple(scope.get("exclude_paths", ())),
        ),
        docs=data["docs"],
        source=source,
        schema=data.get("schema"),
        message=data.get("message"),
        check=data.get("check"),
        params=data.get("params", {}),
    )


def rule_files(directories: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for directory in directories:
        if not directory.is_dir():
            raise RuleError(f"{directory}: rule directory not found")
        out.extend(sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml")))
    return out


def load_rules(extra_dirs: Sequence[Path] = ()) -> dict[str, Rule]:
    """The built-in pack plus the rules in `extra_dirs`, by id.

    A user rule may not reuse a built-in id: two rules with one id would make
    suppressions and baselines ambiguous.
    """
    built_in = data_dir("rules")
    opened: list[ValidatedCache] = []

    def cache() -> ValidatedCache:  # opened only when a file is read on its own
        if not opened:
            opened.append(ValidatedCache())
        return opened[0]

    rules: dict[str, Rule] = {}
    try:
        loaded = _built_in_rules(built_in, cache)
        user_files = rule_files(d for d in dict.fromkeys(extra_dirs) if d != built_in)
        loaded += [(path, load_rule_file(path, cache())) for path in user_files]
        for path, rule in loaded:
            if rule.id in rules:
                raise RuleError(f"{path}:1:1: id: {rule.id!r} is already defined by {rules[rule.id].source}")
            rules[rule.id] = rule
    finally:
        if opened:
            opened[0].save()
    return rules


def _built_in_rules(directory: Path, cache: Callable[[], ValidatedCache]) -> list[tuple[Path, Rule]]:
    """The built-in rules from the rule pack (`rule_pack`), else file by file (then packed)."""
    from platform_lint.rule_pack import RulePack

    pack = RulePack(rule_files([directory]), _validated_against())
    packed = pack.load()
    if packed is not None:
        try:
            return [(path, _rule(packed[path.name], str(path))) for path in pack.files]
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a pack of another shape is not trusted: read file by file
    read = [(path, *_load_rule_file(path, cache())) for path in pack.files]
    pack.save({path.name: data for path, _rule_read, data in read})
    return [(path, rule) for path, rule, _data in read]
