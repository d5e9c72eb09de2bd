"""The configuration file, validated, as a frozen `Config`.

Looked for at the scan root: `.platform-lint.yaml` / `.platform-lint.yml`,
else `[tool.platform-lint]` in `pyproject.toml`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from platform_lint.budget import Budgets
from platform_lint.config_files import outside
from platform_lint.errors import PlatformLintError
from platform_lint.finding import Severity
from platform_lint.model import Document, Span
from platform_lint.records import field, record
from platform_lint.resources import schema
from platform_lint.sources.yaml_tree import parse_yaml
from platform_lint.validation import describe

DEFAULT_CHARTERS = ("docs/charters/*.md", "charters/*.md", "**/CHARTER.md")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


class ConfigError(PlatformLintError, ValueError):
    """An invalid configuration; the message names the file, line and key."""


@record(frozen=True)
class Exemption:
    rule: str
    paths: tuple[str, ...]
    reason: str
    expires: dt.date | None
    span: Span


@record(frozen=True)
class Config:
    source: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    rule_dirs: tuple[Path, ...] = ()
    fail_on: Severity = Severity.WARNING
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    charters: tuple[str, ...] = DEFAULT_CHARTERS
    exemptions: tuple[Exemption, ...] = ()
    budgets: Budgets = field(default_factory=Budgets)
    """Per-file limits on CPU time and on what a file builds (`budget`)."""
    contexts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Context classes (tests, examples, docs) the config sets; see `contexts`."""
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Topic settings (ownership, pipelines, secrets) passed through to their users."""


def load_config(path: Path | None, root: Path | None = None) -> Config:
    """The config at `path`. With the scan `root` given, the config belongs to
    the repository scanned, so what it names (itself, `rule_dirs`) must lie inside
    `root`: a scanned repository cannot make a run read `/etc`."""
    if path is None:
        return Config()
    if root is not None and outside(path, root):
        raise ConfigError(f"{path}: a symlink to a file outside the repository; not read")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    doc = _pyproject(path, content) if path.name == "pyproject.toml" else _yaml(path, content)
    data = doc.data if doc.data is not None else {}
    if data:
        _validate(path, content, data, doc)
    return _build(path, data, doc, root)


def _validate(path: Path, content: bytes, data: Any, doc: Document) -> None:
    """`data` against the config schema, unless these bytes validated before: only the
    verdict is kept, by digest (`ValidatedCache`), so a run with an unchanged config
    never imports jsonschema, which costs about what judging a few files does."""
    from platform_lint.validation import ValidatedCache, schema_errors

    against = schema("config")
    verdicts = ValidatedCache("config")
    if verdicts.lookup(content, against) is True:  # anything else there is not trusted
        return
    errors = list(schema_errors(data, against))
    if errors:
        raise ConfigError(describe(str(path), errors[0], lambda p: doc.locate(p, key=True)))
    verdicts.remember(content, against, True)
    verdicts.save()


def _yaml(path: Path, content: bytes) -> Document:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 at byte {exc.start}") from None
    docs, problems = parse_yaml(text)
    if problems:
        p = problems[0]
        raise ConfigError(f"{path}:{p.span.line}:{p.span.col}: {p.message}")
    if not docs:
        return Document(path=str(path), kind="config", data={})
    return Document(path=str(path), kind="config", data=docs[0].data,
                    spans=docs[0].spans, key_spans=docs[0].key_spans)


def _pyproject(path: Path, content: bytes) -> Document:
    import tomllib

    try:
        table = tomllib.loads(content.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    data = table.get("tool", {}).get("platform-lint", {})
    # TOML positions are not available from tomllib; errors point at the table header.
    line = next((i for i, text in enumerate(content.decode("utf-8-sig").splitlines(), 1)
                 if text.strip() == "[tool.platform-lint]"), 1)
    return Document(path=str(path), kind="config", data=data, spans={(): Span.point(line)})


def _build(path: Path, data: Mapping[str, Any], doc: Document, root: Path | None) -> Config:
    _check_patterns(path, data, doc)
    rules: dict[str, Mapping[str, Any]] = {}
    for rule_id, setting in data.get("rules", {}).items():
        rules[rule_id] = {"enabled": setting} if isinstance(setting, bool) else setting
    exemptions = tuple(
        Exemption(
            rule=item["rule"],
            paths=tuple(item["paths"]),
            reason=item["reason"],
            expires=_date(path, doc, i, item.get("expires")),
            span=doc.locate(("exemptions", i)),
        )
        for i, item in enumerate(data.get("exemptions", ()))
    )
    return Config(
        source=str(path),
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        rules=rules,
        exclude=tuple(data.get("exclude", ())),
        rule_dirs=_rule_dirs(path, data, doc, root),
        fail_on=Severity.parse(data.get("fail_on", "warning")),
        max_file_size=data.get("max_file_size", DEFAULT_MAX_FILE_SIZE),
        charters=tuple(data.get("charters", DEFAULT_CHARTERS)),
        exemptions=exemptions,
        budgets=Budgets(**data.get("budgets", {})),
        contexts={name: tuple(globs) for name, globs in data.get("contexts", {}).items()},
        sections={k: data[k] for k in ("ownership", "pipelines", "secrets", "helm") if k in data},
    )


def check_rule_names(config: Config, rules: Collection[str], categories: Collection[str]) -> None:
    """Every rule the config names must exist (`select` and `ignore` may name a
    category too): `rules: {no-such-rule: false}`, a typo, would otherwise leave
    the rule meant on, silently. As ruff and kube-linter do, it is an error."""
    places: list[tuple[tuple[str | int, ...], str, bool]] = [(("rules", r), r, False) for r in config.rules]
    places += [((key, i), name, True) for key in ("select", "ignore")
               for i, name in enumerate(getattr(config, key))]
    places += [(("exemptions", i, "rule"), e.rule, False) for i, e in enumerate(config.exemptions)]
    for where, name, category in places:
        if name in rules or (category and name in categories):
            continue
        at = f"{config.source}:{_position(config, where)}" if config.source else "config"
        what = "rule or category" if category else "rule"
        raise ConfigError(f"{at}: {'.'.join(map(str, where))}: unknown {what} {name!r}; "
                          "`platform-lint rules` lists them")


def _position(config: Config, where: tuple[str | int, ...]) -> str:
    """`line:col` of a key of the config file (read again: only an error needs it)."""
    assert config.source is not None
    path = Path(config.source)
    content = path.read_bytes()
    doc = _pyproject(path, content) if path.name == "pyproject.toml" else _yaml(path, content)
    span = doc.locate(where, key=where[0] == "rules")
    return f"{span.line}:{span.col}"


def _rule_dirs(path: Path, data: Mapping[str, Any], doc: Document, root: Path | None) -> tuple[Path, ...]:
    """`rule_dirs`, resolved; with a `root`, each directory and the rule files in
    it must resolve inside it (a rule directory elsewhere is for `--rule-dir`)."""
    out: list[Path] = []
    for i, name in enumerate(data.get("rule_dirs", ())):
        try:
            directory = (path.parent / name).resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python 3.11
            span = doc.locate(("rule_dirs", i))
            raise ConfigError(f"{path}:{span.line}:{span.col}: rule_dirs.{i}: {name} is a symlink "
                              "that loops or leads nowhere") from None
        if root is not None:
            files = sorted(directory.glob("*.y*ml")) if directory.is_dir() else []
            escaping = next((f for f in [directory, *files] if outside(f, root)), None)
            if escaping is not None:
                span = doc.locate(("rule_dirs", i))
                raise ConfigError(
                    f"{path}:{span.line}:{span.col}: rule_dirs.{i}: {escaping} is outside the "
                    "repository; a rule directory elsewhere must be given with --rule-dir")
        out.append(directory)
    return tuple(out)


def _check_patterns(path: Path, data: Mapping[str, Any], doc: Document) -> None:
    """gitignore-style patterns (`exclude`, exemption `paths`) must compile: `!` alone does not."""
    from platform_lint.discovery import pattern_problem

    places: list[tuple[tuple[str | int, ...], str]]
    places = [(("exclude", i), p) for i, p in enumerate(data.get("exclude", ()))]
    places += [(("exemptions", i, "paths", j), p) for i, item in enumerate(data.get("exemptions", ()))
               for j, p in enumerate(item.get("paths", ()))]
    places += [(("contexts", name, i), p) for name, globs in data.get("contexts", {}).items()
               for i, p in enumerate(globs)]
    for where, pattern in places:
        problem = pattern_problem(pattern)
        if problem is not None:
            span = doc.locate(where)
            raise ConfigError(f"{path}:{span.line}:{span.col}: {'.'.join(map(str, where))}: {problem}")


def _date(path: Path, doc: Document, index: int, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        span = doc.locate(("exemptions", index, "expires"))
        raise ConfigError(f"{path}:{span.line}:{span.col}: exemptions.{index}.expires: "
                          f"{text!r} is not a date") from None
