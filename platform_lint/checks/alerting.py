"""Alerting checks: Prometheus alert rules, Alertmanager routing, and
monitoring that nothing alerts on (issue 16).

Alert rules come from plain rule files and PrometheusRule objects alike
(`sources.prometheus.prom_rules`); a finding about an alert points at the
value of its `alert:` name, a missing annotation or label at the mapping
that should hold it. Expressions that carry `{{ }}` templating (unrendered
Helm), and LogQL in Loki ruler files (the same `groups:` shape), are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path
from platform_lint.safe_regex import fullmatch

if TYPE_CHECKING:
    from platform_lint.sources.prometheus import Alertmanager, PromRule
    from platform_lint.sources.promql import PromQLError

CHECKS = Registry()


def prometheus() -> ModuleType:
    """The Prometheus source, imported when a check first reads a Prometheus object (a
    run over plain manifests never does)."""
    from platform_lint.sources import prometheus

    return prometheus


def promql() -> ModuleType:
    from platform_lint.sources import promql

    return promql


_NAMES = {"type": "array", "items": {"type": "string"}}
_HEARTBEATS = {"heartbeat_alerts": _NAMES}
_DEFAULT_HEARTBEATS = ("Watchdog", "DeadMansSwitch", "DeadMansSnitch", "Heartbeat", "InfoInhibitor")


def _alerts(obj: Obj) -> Iterator[PromRule]:
    return (r for r in prometheus().prom_rules(obj) if r.alert)


def _heartbeat(rule: PromRule, params: Mapping[str, Any]) -> bool:
    """Alerts meant to fire all the time (a dead man's switch), by name."""
    return rule.name in params.get("heartbeat_alerts", _DEFAULT_HEARTBEATS)


def _at_name(obj: Obj, rule: PromRule, message: str) -> Hit:
    return Hit(obj, message, path=(*rule.path, "alert"))


@CHECKS.check("alert-without-runbook", params={
    "type": "object", "additionalProperties": False,
    "properties": {"annotations": _NAMES, **_HEARTBEATS},
})
def alert_without_runbook(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    wanted = params.get("annotations", ["runbook_url"])
    for rule in _alerts(obj):
        notes = rule.annotations()
        if any(isinstance(notes.get(a), str) and notes[a].strip() for a in wanted):
            continue
        names = " or ".join(wanted)
        yield Hit(obj, f"alert {rule.name} has no {names} annotation: whoever is paged has "
                  f"nothing to follow; add {wanted[0]}: <link to its runbook>",
                  path=(*rule.path, "annotations", wanted[0]), key=True)


_ZERO = re.compile(r"^0+(ms|[smhdwy])?$")


@CHECKS.check("alert-without-for", params={
    "type": "object", "additionalProperties": False, "properties": {**_HEARTBEATS},
})
def alert_without_for(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for rule in _alerts(obj):
        if _heartbeat(rule, params):
            continue
        given = rule.value.get("for")
        if given is None:
            yield _at_name(obj, rule, f"alert {rule.name} has no for: it pages on the first "
                           "evaluation that matches, so one bad scrape pages someone; add "
                           "for: 5m (or as long as the condition must hold)")
        elif _ZERO.match(str(given).strip()):
            yield Hit(obj, f"alert {rule.name} has for: {given}, so it flaps on every blip; "
                      "give it a duration such as 5m", path=(*rule.path, "for"))


@CHECKS.check("alert-without-severity", params={
    "type": "object", "additionalProperties": False,
    "properties": {"label": {"type": "string"}, "allowed": _NAMES},
})
def alert_without_severity(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    label = params.get("label", "severity")
    allowed = params.get("allowed")
    for rule in _alerts(obj):
        value = rule.labels().get(label)
        if value is None or (isinstance(value, str) and not value.strip()):
            yield Hit(obj, f"alert {rule.name} has no {label} label, so Alertmanager cannot "
                      f"route it to the right receiver; add labels: {{{label}: critical}} "
                      "(or warning)", path=(*rule.path, "labels", label), key=True)
        elif allowed and str(value) not in allowed:
            yield Hit(obj, f"alert {rule.name} has {label}: {value}, which is not one of "
                      f"{', '.join(allowed)}", path=(*rule.path, "labels", label))


def _syntax_hit(obj: Obj, rule: PromRule, error: PromQLError, what: str) -> Hit:
    path = (*obj.path, *rule.path, "expr")
    span = prometheus().offset_span(obj.doc, path, str(rule.expr), error.offset)
    return Hit(obj, f"{what} {rule.name}: PromQL syntax error: {error.message}",
               path=(*rule.path, "expr"), span=span)


@CHECKS.check("alert-never-fires", params={
    "type": "object", "additionalProperties": False, "properties": {**_HEARTBEATS},
})
def alert_never_fires(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for rule in _alerts(obj):
        parsed = prometheus().expression(rule)
        if parsed is None or isinstance(parsed, promql().PromQLError):
            if parsed is not None:
                yield _syntax_hit(obj, rule, parsed, "alert")
            continue
        if parsed.unjudged:
            continue
        at = (*rule.path, "expr")
        if parsed.constant is not None:
            value = parsed.constant
            if value == []:
                yield Hit(obj, f"alert {rule.name}: {rule.expr!s} is constant and returns "
                          "nothing, so it can never fire", path=at)
            elif not _heartbeat(rule, params):
                yield Hit(obj, f"alert {rule.name}: {rule.expr!s} reads no series, so it fires "
                          "on every evaluation whatever happens; compare a metric instead "
                          "(or, for a dead man's switch, list it in heartbeat_alerts)", path=at)
            continue
        for selector in parsed.selectors:
            why = promql().contradictions(selector)
            if why:
                yield Hit(obj, f"alert {rule.name}: its selector can match no series ({why}), "
                          "so it can never fire", path=at)
                break


_RECORD_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


@CHECKS.check("invalid-recording-rule")
def invalid_recording_rule(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for rule in prometheus().prom_rules(obj):
        if rule.alert:
            continue
        if not _RECORD_NAME.match(rule.name):
            yield Hit(obj, f"record: {rule.name!r} is not a valid metric name",
                      path=(*rule.path, "record"))
        parsed = prometheus().expression(rule)
        if isinstance(parsed, promql().PromQLError):
            yield _syntax_hit(obj, rule, parsed, "recording rule")


# ---------------------------------------------------------------- Alertmanager


def _receivers(am: Alertmanager) -> dict[str, tuple[int, dict[str, Any]]]:
    found = am.value.get("receivers")
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, receiver in enumerate(found if isinstance(found, list) else []):
        if isinstance(receiver, dict) and isinstance(receiver.get("name"), str):
            out[receiver["name"]] = (i, receiver)
    return out


def _integrations(receiver: Mapping[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(integration type, index, settings) of each notifier a receiver has."""
    for key, value in receiver.items():
        if key.endswith(("_configs", "Configs")) and isinstance(value, list):
            kind = key[: -len("_configs")] if key.endswith("_configs") else key[: -len("Configs")]
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield kind.lower(), i, item


def _routes(route: Any, at: Path, inherited: str | None,
            camel: bool) -> Iterator[tuple[Path, dict[str, Any], str | None]]:
    """Every route in the tree with the receiver it sends to (inherited from its parent)."""
    if not isinstance(route, dict):
        return
    receiver = route.get("receiver") if isinstance(route.get("receiver"), str) else inherited
    yield at, route, receiver
    children = route.get("routes")
    for i, child in enumerate(children if isinstance(children, list) else []):
        yield from _routes(child, (*at, "routes", i), receiver, camel)


_CRITICAL_TEXT = re.compile(r"""^\s*severity\s*(=|=~)\s*["']?([^"']*)["']?\s*$""")


def _matches_critical(route: Mapping[str, Any], critical: str) -> bool:
    """The route selects alerts by severity and `critical` is among them."""
    def admits(op: str, value: str) -> bool:
        return value == critical if op == "=" else bool(fullmatch(value, critical))

    matchers = route.get("matchers")
    for item in matchers if isinstance(matchers, list) else ():
        if isinstance(item, str):
            m = _CRITICAL_TEXT.match(item)
            if m and admits(m[1], m[2]):
                return True
        elif isinstance(item, dict) and item.get("name") == "severity":
            op = "=~" if item.get("matchType") == "=~" or item.get("regex") else "="
            if admits(op, str(item.get("value", ""))):
                return True
    match = route.get("match")
    if isinstance(match, dict) and match.get("severity") == critical:
        return True
    match_re = route.get("match_re")
    return isinstance(match_re, dict) and admits("=~", str(match_re.get("severity", "")))


@CHECKS.check("alertmanager-critical-route-notifies-nobody", params={
    "type": "object", "additionalProperties": False,
    "properties": {"critical": {"type": "string"}},
})
def critical_route_notifies_nobody(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    critical = params.get("critical", "critical")
    for am in prometheus().alertmanagers(obj):
        receivers = _receivers(am)
        routes = list(_routes(am.value.get("route"), (*am.path, "route"), None, am.camel))
        chosen = [(p, r, name) for p, r, name in routes if _matches_critical(r, critical)]
        if not chosen and routes:
            chosen = [routes[0]]  # critical alerts fall through to the root receiver
        for at, route, name in chosen:
            if name is None or name not in receivers:
                continue  # alertmanager-no-receiver reports it
            if next(_integrations(receivers[name][1]), None) is None:
                where = "receiver" if "receiver" in route else ()
                yield Hit(obj, f"{critical} alerts are routed to receiver {name!r}, which has no "
                          "notifier (*_configs), so nobody is told; route them to a pager or "
                          "chat receiver", path=(*at, where) if where else at, key=not where)


@CHECKS.check("alertmanager-no-receiver")
def alertmanager_no_receiver(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for am in prometheus().alertmanagers(obj):
        receivers = _receivers(am)
        if not receivers:
            yield Hit(obj, "Alertmanager has no receivers, so every alert is dropped; add one "
                      "with a notifier (pagerduty_configs, slack_configs...)",
                      path=(*am.path, "receivers"), key=True)
            continue
        route = am.value.get("route")
        if isinstance(route, dict) and not isinstance(route.get("receiver"), str) and not am.camel:
            yield Hit(obj, "the root route names no receiver, so alerts no child route matches "
                      "go nowhere (Alertmanager will not start); add receiver: <default>",
                      path=(*am.path, "route"), key=True)
        for at, node, _name in _routes(route, (*am.path, "route"), None, am.camel):
            named = node.get("receiver")
            if isinstance(named, str) and named not in receivers:
                yield Hit(obj, f"route sends to receiver {named!r}, which is not defined in "
                          "receivers", path=(*at, "receiver"))


# Alertmanager's own default for send_resolved, per integration.
_RESOLVED_DEFAULT_OFF = frozenset({"email", "slack", "wechat"})
_DEFAULT_WANTED = ("pagerduty", "opsgenie", "slack", "msteams", "webhook", "victorops")


@CHECKS.check("alertmanager-send-resolved-disabled", params={
    "type": "object", "additionalProperties": False, "properties": {"integrations": _NAMES},
})
def send_resolved_disabled(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    wanted = set(params.get("integrations", _DEFAULT_WANTED))
    for am in prometheus().alertmanagers(obj):
        key = am.field("send_resolved")
        for name, (i, receiver) in _receivers(am).items():
            for kind, j, settings in _integrations(receiver):
                if kind not in wanted:
                    continue
                field = next(k for k in receiver if k.lower() in (f"{kind}_configs", f"{kind}configs"))
                at = (*am.path, "receivers", i, field, j)
                value = settings.get(key)
                if value is False:
                    yield Hit(obj, f"receiver {name!r}: {kind} has {key}: false, so nobody hears "
                              "when the alert clears; set it to true", path=(*at, key))
                elif value is None and kind in _RESOLVED_DEFAULT_OFF:
                    yield Hit(obj, f"receiver {name!r}: {kind} does not send resolved "
                              f"notifications by default; add {key}: true", path=at)


# ---------------------------------------------------------------- monitoring


def _watched_jobs(alert_objs: Sequence[Obj]) -> tuple[list[tuple[str, str]], bool, int]:
    """(job matchers of every alert, whether some alert reads every job, number of alerts)."""
    jobs: list[tuple[str, str]] = []
    any_job = False
    count = 0
    for obj in alert_objs:
        for rule in _alerts(obj):
            count += 1
            parsed = prometheus().expression(rule)
            if parsed is None or isinstance(parsed, promql().PromQLError) or parsed.unjudged:
                continue
            for selector in parsed.selectors:
                found = selector.values("job")
                jobs.extend(found)
                if not found:
                    any_job = True
    return jobs, any_job, count


def _job_read(job: str, jobs: Sequence[tuple[str, str]]) -> bool:
    return any((op == "=" and value == job) or (op == "=~" and bool(fullmatch(value, job)))
               for op, value in jobs)


def _service_names(objs: Sequence[Obj]) -> list[tuple[dict[str, Any], str]]:
    out = []
    for obj in objs:
        if obj.kind == "Service":
            labels = obj.get("metadata", "labels", default={})
            out.append((labels if isinstance(labels, dict) else {}, obj.name))
    return out


def _monitor_jobs(obj: Obj, services: Sequence[tuple[dict[str, Any], str]]) -> list[str]:
    """The `job` label values a ServiceMonitor or PodMonitor gives its series."""
    namespace = obj.get("metadata", "namespace", default="")
    if obj.kind == "PodMonitor":
        return [f"{namespace}/{obj.name}" if namespace else obj.name, obj.name]
    wanted = obj.get("spec", "selector", "matchLabels", default={})
    job_label = obj.get("spec", "jobLabel")
    names = [obj.name]
    for labels, name in services:
        if isinstance(wanted, dict) and wanted and all(labels.get(k) == v for k, v in wanted.items()):
            names.append(str(labels.get(job_label, name)) if isinstance(job_label, str) else name)
    return names


@CHECKS.check("monitoring-without-alerting", over="set")
def monitoring_without_alerting(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A ServiceMonitor, PodMonitor or scrape job whose series no alert rule reads."""
    alert_objs = [o for o in objs if o.kind in ("PrometheusRule", "prometheus-rules")]
    jobs, any_job, count = _watched_jobs(alert_objs)
    if any_job:
        return  # an alert such as `up == 0` reads every job's series
    services = _service_names(objs)
    for obj in objs:
        targets: list[tuple[Path, list[str]]] = []
        if obj.kind in ("ServiceMonitor", "PodMonitor"):
            targets.append((("kind",), _monitor_jobs(obj, services)))
        elif obj.kind == "prometheus-config":
            targets.extend((path, [name]) for path, name in prometheus().scrape_jobs(obj))
        for path, names in targets:
            if any(_job_read(n, jobs) for n in names):
                continue
            why = ("no alert rule exists in the repository" if not count else
                   f"none of the {count} alert rules reads job {names[-1]!r}")
            what = f"scrape job {names[0]!r}" if obj.kind == "prometheus-config" else f"{obj.kind} {obj.name}"
            yield Hit(obj, f"{what} collects metrics but {why}: monitoring without alerting is "
                      "incomplete; add an alert on its key series (up, error rate, latency)",
                      path=path)
