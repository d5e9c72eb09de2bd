"""Rendering the corpus charts as the real `helm template` did (see ../shared/corpus/helm/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_lint.helm.chart import load_dir
from platform_lint.helm.conformance import run
from platform_lint.helm.render import Options, render

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "helm"
CONFORMANCE_MD = Path(__file__).resolve().parents[1] / "bench" / "helm" / "CONFORMANCE.md"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/helm not present")


def test_golden_renderings_match_object_by_object(capsys: pytest.CaptureFixture[str]) -> None:
    report = run(CORPUS)
    with capsys.disabled():
        print(f"\nhelm conformance: {report.identical}/{report.total} objects identical")
    assert report.total >= 190
    assert report.identical / report.total >= 0.95
    listed = CONFORMANCE_MD.read_text(encoding="utf-8")
    for diff in report.differences:
        # every remaining difference is explained in bench/helm/CONFORMANCE.md
        assert f"{diff.example} {diff.source}" in listed, diff


def test_grafana_charts_render_with_defaults_and_ci_values() -> None:
    charts = sorted(p.parent for p in (CORPUS / "grafana+helm-charts" / "charts").glob("*/Chart.yaml"))
    assert len(charts) >= 5
    rendered = 0
    for chart_dir in charts:
        chart = load_dir(chart_dir)
        for values in [None, *sorted((chart_dir / "ci").glob("*values.yaml"))]:
            files = [(str(values), values.read_text())] if values else []
            result = render(chart, Options(release_name="example", values_files=files))
            assert result.errors == [], (chart_dir.name, values)
            assert result.manifests
            rendered += 1
    assert rendered >= 12
