"""Prometheus rule files, PrometheusRule objects, Alertmanager and scrape config.

These are YAML: the Kubernetes source reads them, and this module tells
which plain YAML document is which (`yaml_kind`) and reads them in one
normalised form for the alerting checks:

- rule groups: a file with `groups:` (also nested in Helm values, as the
  Prometheus and kube-prometheus-stack charts carry them), or a
  `PrometheusRule` object's `spec.groups`;
- Alertmanager: a document with `route:` and `receivers:` (also nested in
  Helm values), or an `AlertmanagerConfig` object (camelCase fields);
- scrape jobs: `scrape_configs:` in a Prometheus configuration.

Plain Sloth SLO files are told apart here too (see `sources.slo`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from platform_lint.model import Document, Obj, Path, Span
from platform_lint.records import record

if TYPE_CHECKING:  # the PromQL parser: only for a rule file's expressions, not to tell its kind
    from platform_lint.sources.promql import Expression, PromQLError

RULES_KIND = "prometheus-rules"
ALERTMANAGER_KIND = "alertmanager"
SCRAPE_KIND = "prometheus-config"
_DEPTH = 5


def yaml_kind(data: Any) -> str | None:
    """The object kind of a plain YAML document these checks read, if any."""
    if not isinstance(data, dict):
        return None
    if next(_rule_group_lists(data, ()), None) is not None:
        return RULES_KIND
    if next(_alertmanager_configs(data, ()), None) is not None:
        return ALERTMANAGER_KIND
    if next(_nested(data, (), lambda d: isinstance(d.get("scrape_configs"), list)), None) is not None:
        return SCRAPE_KIND
    from platform_lint.sources.slo import SLOTH_KIND, is_sloth_file

    return SLOTH_KIND if is_sloth_file(data) else None


def _nested(data: Any, at: Path, found: Any, depth: int = 0) -> Iterator[Path]:
    """Paths of the mappings below `data` (itself included) for which `found` holds."""
    if not isinstance(data, dict) or depth > _DEPTH:
        return
    if found(data):
        yield at
        return
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _nested(value, (*at, key), found, depth + 1)


def _is_rule_group_list(value: Any) -> bool:
    return isinstance(value, list) and any(
        isinstance(g, dict) and isinstance(g.get("rules"), list)
        and any(isinstance(r, dict) and "expr" in r for r in g["rules"])
        for g in value
    )


def _rule_group_lists(data: Any, at: Path) -> Iterator[Path]:
    for where in _nested(data, at, lambda d: _is_rule_group_list(d.get("groups"))):
        yield (*where, "groups")


def _alertmanager_configs(data: Any, at: Path) -> Iterator[Path]:
    yield from _nested(data, at, lambda d: isinstance(d.get("route"), dict) and "receivers" in d)


# ---------------------------------------------------------------- rules


@record(frozen=True)
class PromRule:
    """One alerting or recording rule; `path` is relative to its object's value."""

    path: Path
    name: str
    alert: bool
    expr: Any
    group: str
    value: dict[str, Any]

    def labels(self) -> dict[str, Any]:
        found = self.value.get("labels")
        return found if isinstance(found, dict) else {}

    def annotations(self) -> dict[str, Any]:
        found = self.value.get("annotations")
        return found if isinstance(found, dict) else {}


def prom_rules(obj: Obj) -> Iterator[PromRule]:
    """Every rule in a rule file or PrometheusRule object."""
    places: list[Path]
    if obj.kind == "PrometheusRule":
        places = [("spec", "groups")] if isinstance(obj.get("spec", "groups"), list) else []
    elif obj.kind == RULES_KIND:
        places = list(_rule_group_lists(obj.value, ()))
    else:
        return
    for place in places:
        groups = obj.get(*place)
        for i, group in enumerate(groups if isinstance(groups, list) else []):
            rules = group.get("rules") if isinstance(group, dict) else None
            for j, rule in enumerate(rules if isinstance(rules, list) else []):
                if not isinstance(rule, dict) or "expr" not in rule:
                    continue
                alert = "alert" in rule
                name = rule.get("alert") if alert else rule.get("record")
                yield PromRule((*place, i, "rules", j), str(name or f"#{j}"), alert,
                               rule["expr"], str(group.get("name", "")), rule)


@functools.lru_cache(maxsize=4096)
def parsed(text: str) -> Expression | PromQLError:
    """The parse of an expression (memoised: several checks read each one)."""
    from platform_lint.sources.promql import PromQLError, parse

    try:
        return parse(text)
    except PromQLError as exc:
        return exc
    except RecursionError:
        return PromQLError("expression nested too deeply to parse", 0)


def expression(rule: PromRule) -> Expression | PromQLError | None:
    """The rule's parsed expression; None when `expr` is not text (a number is fine)."""
    expr = rule.expr
    if isinstance(expr, bool) or not isinstance(expr, (str, int, float)):
        return None
    return parsed(str(expr))


def offset_span(doc: Document, path: Path, text: str, offset: int) -> Span | None:
    """The source position of character `offset` of the string at `path`: the
    line of the expression holding it, found among the value's source lines
    (so block scalars and quoted scalars both land right)."""
    before = text[:offset]
    line_no = before.count("\n")
    line_text = text.split("\n")[line_no] if text else ""
    col_in_line = offset - (before.rfind("\n") + 1)
    anchor = line_text.strip()
    span = doc.text_span(path, anchor) if anchor else None
    if span is None:
        return None
    start = span.col + col_in_line - (len(line_text) - len(line_text.lstrip()))
    return Span(span.line, start, span.line, start + 1)


# ---------------------------------------------------------------- alertmanager


@record(frozen=True)
class Alertmanager:
    """An Alertmanager configuration; `path` is where it sits in its object's value."""

    path: Path
    value: dict[str, Any]
    camel: bool
    """AlertmanagerConfig objects spell fields in camelCase (`sendResolved`)."""

    def field(self, snake: str) -> str:
        if not self.camel:
            return snake
        head, *rest = snake.split("_")
        return head + "".join(p.title() for p in rest)


def alertmanagers(obj: Obj) -> Iterator[Alertmanager]:
    if obj.kind == "AlertmanagerConfig":
        spec = obj.get("spec")
        if isinstance(spec, dict):
            yield Alertmanager(("spec",), spec, True)
        return
    if obj.kind == ALERTMANAGER_KIND:
        for at in _alertmanager_configs(obj.value, ()):
            yield Alertmanager(at, obj.get(*at), False)


# ---------------------------------------------------------------- scrape jobs


def scrape_jobs(obj: Obj) -> Iterator[tuple[Path, str]]:
    """(path of `job_name`, the name) of every scrape job in a Prometheus config."""
    for at in _nested(obj.value, (), lambda d: isinstance(d.get("scrape_configs"), list)):
        for i, job in enumerate(obj.get(*at, "scrape_configs")):
            if isinstance(job, dict) and isinstance(job.get("job_name"), str):
                yield (*at, "scrape_configs", i, "job_name"), job["job_name"]
