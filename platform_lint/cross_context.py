"""What a scan of some files (pre-commit's, a change's) reads besides them.

A rule over a set of objects (a PodDisruptionBudget for a Deployment, an alarm for a
database) judges a named file against objects in files that were not named: for each
such rule whose kind of file is named, the files of that kind are read too (for a
scan of named files, those in the named files' folders; for a change under review,
all of them), so a long commit pre-commit splits into several calls is judged alike
in each. A named file inside a Helm chart renders the whole chart.
Nothing of the files read besides is reported.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lint.discovery import list_paths
from platform_lint.globs import matcher
from platform_lint.sources import classify

if TYPE_CHECKING:
    from platform_lint.config import Config
    from platform_lint.rules import Rule

OWNERSHIP_DOCUMENTS = frozenset({"change", "codeowners", "charter"})
"""The ownership rules' documents: the change itself, read by its own means."""


def cross_object(rule: Rule) -> bool:
    return rule.check is not None and rule.spec().over == "set"


def context_kinds(rules: Iterable[Rule], named: Iterable[str],
                  is_charter: Callable[[str], bool] | None) -> set[str]:
    """The kinds of file (`sources.classify`) the cross-object rules over the named files read."""
    touched = {classify(p, is_charter) for p in named}
    kinds: set[str] = set()
    for rule in rules:
        documents = rule.scope.documents
        # the cheap tests first: `spec` imports the rule's check, which a rule of other kinds never needs
        if documents & touched and not documents & OWNERSHIP_DOCUMENTS and cross_object(rule):
            kinds |= documents
    if "kubernetes" in kinds:
        kinds.add("helm")  # a chart's Chart.yaml yields the rendered Kubernetes objects
    return kinds


def context_files(rules: Sequence[Rule], named: Sequence[str], tree: Iterable[str],
                  is_charter: Callable[[str], bool] | None) -> set[str]:
    """The files of `tree` the cross-object rules over `named` read, `named` left out."""
    kinds = context_kinds(rules, named, is_charter)
    if not kinds:
        return set()
    have = set(named)
    return {p for p in tree if p not in have and classify(p, is_charter) in kinds}


def cross_object_context(root: Path, names: Sequence[str], config: Config,
                         rules: Sequence[Rule]) -> set[str]:
    """The files in the named files' folders that the cross-object rules over `names`
    read besides them, with what each chart among them renders from. Objects are
    related within a deploy unit (a folder of manifests, a Terraform module, a
    chart, which a named template renders whole), so the folders suffice, and a
    one-file commit reads its neighbours, not the whole tree."""
    is_charter = matcher(config.charters)
    if not context_kinds(rules, names, is_charter):
        return set()
    folders = {posixpath.dirname(n) for n in names}
    nearby = [p for p in list_paths(root, config.exclude) if posixpath.dirname(p) in folders]
    more = context_files(rules, names, nearby, is_charter)
    charts = sorted(p for p in more if classify(p, is_charter) == "helm")
    if charts:
        extra, chart_files = touched_charts(root, charts, config)
        more.update(extra, chart_files)
    return more - set(names)


def touched_charts(root: Path, names: Sequence[str], config: Config) -> tuple[list[str], set[str]]:
    """A partial scan that touches a Helm chart renders the whole chart: its Chart.yaml is
    judged, its other files are read as context."""
    from platform_lint.helm.scope import expand, may_touch_chart

    section = config.sections.get("helm")
    if section:
        from platform_lint.helm.settings import configured_files

        configured = configured_files(section)
    else:
        configured = {}
    if not may_touch_chart(root, names, {f for files in configured.values() for f in files}):
        return [], set()
    return expand(names, list_paths(root, config.exclude), configured)
