"""The alerting rules on the corpus: manifests with Prometheus rules, and Helm charts that
ship PrometheusRules (rendered with their rules switched on). Prints every
finding of the alerting rules; bench/readiness/FINDINGS.md records them checked by hand.

    .venv/bin/python bench/readiness/corpus_alerting.py [../shared/corpus]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "corpus"
OTEL = "helm/open-telemetry+opentelemetry-helm-charts/charts"
GRAFANA = "helm/grafana+helm-charts/charts"

# name -> (chart, render arguments)
CHARTS = {
    "opentelemetry-collector": (f"{OTEL}/opentelemetry-collector", [
        "--set", "mode=deployment", "--set", "image.repository=otel/opentelemetry-collector-k8s",
        "--set", "prometheusRule.enabled=true", "--set", "prometheusRule.defaultRules.enabled=true",
        "--set", "serviceMonitor.enabled=true"]),
    "opentelemetry-operator": (f"{OTEL}/opentelemetry-operator", [
        "--set", "manager.prometheusRule.enabled=true",
        "--set", "manager.prometheusRule.defaultRules.enabled=true",
        "--set", "manager.serviceMonitor.enabled=true"]),
    "promtail": (f"{GRAFANA}/promtail", ["-f", str(HERE / "promtail-rules-values.yaml")]),
}
DIRECTORIES = {"kubernetes-examples-vllm-hpa": "kubernetes+examples/AI/vllm-deployment/hpa"}
ALERTING = ("alert-without-runbook,alert-without-for,alert-without-severity,alert-never-fires,"
            "invalid-recording-rule,alertmanager-critical-route-notifies-nobody,alertmanager-no-receiver,"
            "alertmanager-send-resolved-disabled,monitoring-without-alerting")


def lint(path: Path) -> str:
    out = subprocess.run([sys.executable, "-m", "platform_lint", "check", str(path), "--select", ALERTING,
                          "--no-cache", "--exit-zero"], capture_output=True, text=True, check=False)
    return out.stdout + out.stderr


def main() -> int:
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (chart, args) in CHARTS.items():
            rendered = subprocess.run([sys.executable, "-m", "platform_lint", "render", str(CORPUS / chart),
                                       "--release-name", "example", *args],
                                      capture_output=True, text=True, check=False)
            target = Path(tmp) / name
            target.mkdir()
            (target / "rendered.yaml").write_text(rendered.stdout)
            alerts = rendered.stdout.count("- alert:")
            print(f"== {name} (rendered: {alerts} alerts)\n{lint(target)}")
        for name, rel in DIRECTORIES.items():
            print(f"== {name}\n{lint(CORPUS / rel)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
