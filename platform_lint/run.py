"""One CLI run's setup: config, rules and baseline resolved from arguments."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lint.changes import ChangeRequest
from platform_lint.config import Config, ConfigError, check_rule_names, load_config
from platform_lint.config_files import find_config
from platform_lint.engine import ScanOptions, scan, select_rules
from platform_lint.records import record
from platform_lint.rule_runner import rule_params
from platform_lint.rules import Rule, load_rules
from platform_lint.scan_result import ScanResult
from platform_lint.targets import display_base, shown

if TYPE_CHECKING:
    from platform_lint.result_cache import ResultCache

FINGERPRINT_KEY_VARIABLE = "PLATFORM_LINT_FINGERPRINT_KEY"
"""A secret of the organisation's (a CI secret): secret fingerprints are keyed
with it, so a baseline cannot be used to test guesses of a weak password."""


@record(frozen=True)
class Run:
    root: Path
    only: list[str] | None
    config: Config
    all_rules: Mapping[str, Rule]
    active: list[Rule]
    options: ScanOptions
    display_base: str
    """Where `root` is, as findings show it: relative to the working directory or absolute."""

    @classmethod
    def prepare(
        cls,
        target: tuple[Path, list[str] | None],
        config_path: str | None,
        select: Sequence[str],
        ignore: Sequence[str],
        baseline: str | None,
        change: ChangeRequest | None = None,
        rule_dirs: Sequence[str] = (),
        *,
        jobs: int = 0,
        cache: bool = True,
        progress: Callable[[int, int], None] | None = None,
        include_examples: bool = False,
    ) -> Run:
        """`rule_dirs` and a `config_path` are given on the command line, so they
        may lie anywhere; a config found in the repository must lie inside `root`,
        and so must its `rule_dirs` (`config.load_config`). `jobs` 0 picks the
        processes by the bytes left to judge; `cache` keeps per-file results in the
        user's cache folder between runs."""
        root, only = target
        config = (load_config(Path(config_path)) if config_path
                  else load_config(find_config(root), root))
        only, extra = change.resolve(root, only) if change else (only, [])
        rules = load_rules([*config.rule_dirs, *(Path(d).resolve() for d in rule_dirs)])
        unknown = [r for r in (*select, *ignore) if r not in rules and not _is_category(r, rules)]
        if unknown:
            raise ConfigError(f"unknown rule or category: {', '.join(unknown)}")
        check_rule_names(config, rules, {r.category for r in rules.values()})
        active = select_rules(rules, config, select, ignore)
        _check_params(active, config)
        key = os.environ.get(FINGERPRINT_KEY_VARIABLE, "")
        options = ScanOptions(
            only=only,
            extra_documents=extra,
            baseline=_baseline(baseline) if baseline else frozenset(),
            known_rules=frozenset(rules),
            fingerprint_key=key,
            jobs=jobs,
            cache=_cache() if cache else None,
            progress=progress,
            include_examples=include_examples,
        )
        return cls(root, only, config, rules, active, options, display_base(root))

    def scan(self) -> ScanResult:
        result = scan(self.root, self.config, self.active, self.options)
        if self.options.cache is not None:
            self.options.cache.prune_if_due()
        return result

    def display(self, path: str) -> str:
        """Relative to the working directory when below it, else absolute. The
        file itself is not resolved: a symlink shows as itself (and a looping
        one cannot fail), and thousands of findings cost no file-system calls."""
        return shown(self.display_base, path)


def _check_params(active: Sequence[Rule], config: Config) -> None:
    """Parameters the config gives a check must fit that check's schema."""
    if not config.sections and not config.rules:
        return
    for rule in active:
        params = rule_params(rule, config)
        if rule.check is None or params == dict(rule.params):
            continue
        from platform_lint.validation import schema_errors

        for error in schema_errors(params, rule.spec().params_schema):
            where = ".".join(map(str, error.path)) or "params"
            raise ConfigError(f"{config.source}: parameters of {rule.id}: {where}: {error.message}")


def _cache() -> ResultCache:
    from platform_lint.cache_home import default_directory
    from platform_lint.result_cache import ResultCache

    return ResultCache(default_directory())


def _is_category(name: str, rules: Mapping[str, Rule]) -> bool:
    return any(r.category == name for r in rules.values())


def _baseline(path: str) -> frozenset[tuple[str, str, str]]:
    from platform_lint.baseline import read_baseline

    return read_baseline(Path(path))
