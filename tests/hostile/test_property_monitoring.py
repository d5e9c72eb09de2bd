"""Prometheus rule files, PrometheusRule objects, Alertmanager and scrape
configuration, wrongly typed anywhere (PromQL of any text too): a finding or
nothing, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from property_support import ANY, NAMES, assert_scans_cleanly, vocabulary, yaml_files

WORDS = vocabulary("sources/prometheus.py", "checks/alerting.py", "sources/promql.py")
EXPRESSIONS = st.one_of(
    st.sampled_from(["up == 0", "rate(http_requests_total[5m]) > 1", "sum by (job) (x) > 0 and x < 0",
                     'absent(up{job="api"})', "x > 1 unless x > 0", "vector(1) < 0", "(", "x{", "1 +",
                     "histogram_quantile(0.9, rate(b[5m])) > 0.5 offset 1h", "{{ .Values.x }}"]),
    st.text(alphabet=st.sampled_from(list("xy(){}[]<>=!~+-*/^%,\"' 019.:_")), max_size=30),
)
_RULE = {"alert": ANY, "record": ANY, "expr": (EXPRESSIONS, ANY), "for": ANY,
         "labels": {"severity": ANY, NAMES: ANY}, "annotations": {"runbook_url": ANY, NAMES: ANY}}
_GROUPS = [{"name": ANY, "interval": ANY, "rules": [_RULE]}]
_ROUTE = {"receiver": ANY, "matchers": [ANY], "match": ANY, "match_re": ANY, "continue": ANY,
          "group_by": ANY}
_RECEIVER = {"name": ANY, "slack_configs": [{"send_resolved": ANY, "channel": ANY}],
             "email_configs": [{"to": ANY, "send_resolved": ANY}], "webhook_configs": ANY,
             "pagerduty_configs": ANY}
MONITORING = {
    "groups": _GROUPS,
    "route": {**_ROUTE, "routes": [{**_ROUTE, "routes": [_ROUTE]}]},
    "receivers": [_RECEIVER],
    "scrape_configs": [{"job_name": ANY, "static_configs": ANY, "metrics_path": ANY}],
    "apiVersion": st.sampled_from(["monitoring.coreos.com/v1", "monitoring.coreos.com/v1alpha1"]),
    "kind": st.sampled_from(["PrometheusRule", "AlertmanagerConfig", "ServiceMonitor"]),
    "metadata": {"name": ANY, "namespace": ANY},
    "spec": {"groups": _GROUPS, "route": {"receiver": ANY, "matchers": [{"name": ANY, "value": ANY,
                                                                         "matchType": ANY}],
                                          "routes": ANY},
             "receivers": [_RECEIVER]},
    "prometheus": {"serverFiles": {"alerting_rules.yml": {"groups": _GROUPS}}},
}


@given(yaml_files(MONITORING, WORDS, documents=2))
def test_monitoring_configuration(text: str) -> None:
    assert_scans_cleanly({"monitoring/rules.yaml": text})


@given(yaml_files(MONITORING, WORDS), yaml_files(MONITORING, WORDS))
def test_alerting_across_files(first: str, second: str) -> None:
    assert_scans_cleanly({"monitoring/alertmanager.yaml": first, "k8s/app.yaml": second})


WORDS_SLO = vocabulary("sources/slo.py", "checks/slo.py")
_SLI = {"events": {"errorQuery": ANY, "totalQuery": ANY}, "raw": {"errorRatioQuery": ANY}, "plugin": ANY}
SLOS = {
    "apiVersion": st.sampled_from(["openslo/v1", "sloth.slok.dev/v1", "pyrra.dev/v1alpha1"]),
    "kind": st.sampled_from(["SLO", "PrometheusServiceLevel", "ServiceLevelObjective"]),
    "version": st.sampled_from(["prometheus/v1"]),
    "metadata": {"name": ANY, "labels": {"app": ANY, "service": ANY}},
    "service": ANY,
    "slos": [{"name": ANY, "objective": ANY, "sli": _SLI, "alerting": ANY}],
    "spec": {"service": ANY, "target": ANY, "indicator": ANY, "alerting": ANY,
             "objectives": [{"target": ANY, "targetPercent": ANY}], "alertPolicies": ANY,
             "slos": [{"name": ANY, "objective": ANY, "sli": _SLI,
                       "alerting": {"pageAlert": {"disable": ANY}, "ticketAlert": ANY}}]},
}


@given(yaml_files(SLOS, WORDS_SLO, documents=2))
def test_slo_definitions(text: str) -> None:
    assert_scans_cleanly({"k8s/slos.yaml": text})


@pytest.mark.parametrize("spec", [
    "slos: 1", "slos: true", "objectives: 3", "objectives: [{target: 0.99}]\n  alertPolicies: true",
])
@pytest.mark.parametrize("head", [
    "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel",
    "apiVersion: openslo/v1\nkind: SLO",
])
def test_an_slo_list_that_is_a_scalar_lists_nothing(head: str, spec: str) -> None:
    """`slos: 1` in a Sloth object, or `objectives: 3` in an OpenSLO one, was iterated
    as it came and was an internal error on every SLO rule."""
    assert_scans_cleanly({"k8s/slos.yaml": f"{head}\nmetadata: {{name: c}}\nspec:\n  service: c\n  {spec}\n"})
