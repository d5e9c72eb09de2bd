"""Prometheus rule files, PrometheusRule objects, Alertmanager and scrape
configuration, wrongly typed anywhere (PromQL of any text too): a finding or
nothing, never a crash."""

from __future__ import annotations

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
