"""The HTML audit report in a real headless Chromium: it renders its tables and SVG charts, sorts,
logs no console error, and needs nothing from the network."""

from __future__ import annotations

import re
import runpy
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_helpers import push
from chromium_helpers import Browser, chromium_binary
from platform_lint.cli import main
from repo_helpers import commit, write

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "audit"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two audits of the example repositories, a finding fixed and one added in between."""
    base = tmp_path_factory.mktemp("html")
    inventory = runpy.run_path(str(EXAMPLES / "make_repos.py"))["make"](base / "repos")
    store, cache = base / "audit.db", base / "cache"
    run = ["audit", "run", str(inventory), "--store", str(store), "--cache", str(cache)]
    assert main(run) == 0
    work = base / "repos" / "work" / "checkout-web"
    text = (work / "k8s" / "web.yaml").read_text().replace("replicas: 1", "replicas: 3")
    write(work, {"k8s/web.yaml": text, "k8s/cron.yaml": (EXAMPLES / "payments-api" / "deploy" /
                                                        "deployment.yaml").read_text()})
    commit(work, "scale up, add a job").check_returncode()
    push(work, base / "repos" / "checkout-web.git")
    assert main(run) == 0
    out = base / "report.html"
    assert main(["audit", "report", "--store", str(store), "--format", "html", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium_binary()
    opened = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield opened
    finally:
        opened.close()


def test_report_is_self_contained(report: Path) -> None:
    page = report.read_text()
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", page), "the report must load nothing"
    assert "default-src 'none'" in page


def test_chromium_renders_tables_and_charts_without_errors(
        report: Path, browser: Browser, tmp_path: Path) -> None:
    browser.open(report.as_uri())
    assert browser.evaluate("document.documentElement.getAttribute('data-ready')") == "1"
    assert browser.errors() == []
    tables = browser.evaluate(
        "Array.from(document.querySelectorAll('table.sortable')).map(t => "
        "[t.closest('section').id, t.tBodies[0].rows.length, t.getBoundingClientRect().height])")
    by_id = {name: (rows, height) for name, rows, height in tables}
    assert by_id["repositories"][0] == 3 and by_id["teams"][0] >= 4
    assert by_id["new-since"][0] >= 1 and by_id["fixed-since"][0] == 1
    assert all(height > 20 for _, height in by_id.values())
    charts = browser.evaluate(
        "Array.from(document.querySelectorAll('svg.chart')).map(s => [s.getAttribute('class'), "
        "s.querySelectorAll('rect').length, s.querySelectorAll('polyline').length, "
        "s.getBoundingClientRect().width, s.getBoundingClientRect().height])")
    kinds = [c[0] for c in charts]
    assert kinds == ["chart bars", "chart bars", "chart trend"]
    assert all(c[1] > 0 for c in charts[:2]) and charts[2][2] >= 2
    assert all(c[3] > 100 and c[4] > 50 for c in charts)

    png = browser.screenshot()
    (tmp_path / "report.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 1000 and height > 1200 and len(png) > 20_000


def test_tables_sort_on_click(report: Path, browser: Browser) -> None:
    browser.open(report.as_uri())
    column = ("(() => { const t = document.querySelector('#rules table');"
              " const i = Array.from(t.tHead.rows[0].cells).findIndex(c => c.textContent === '{name}');"
              " return Array.from(t.tBodies[0].rows).map(r => r.cells[i].textContent); })()")

    def click(name: str) -> None:
        browser.evaluate("Array.from(document.querySelectorAll('#rules th'))"
                         f".find(c => c.textContent === '{name}').click()")

    click("total")
    totals = [int(v) for v in browser.evaluate(column.replace("{name}", "total"))]
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[-1]
    click("total")
    assert [int(v) for v in browser.evaluate(column.replace("{name}", "total"))] == sorted(totals)
    click("rule")
    names = browser.evaluate(column.replace("{name}", "rule"))
    assert names == sorted(names)
    assert browser.errors() == []


def test_the_error_check_sees_console_errors_and_exceptions(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><script>console.error('bad ' + 'thing'); undefinedCall();</script>")
    browser.open(page.as_uri())
    errors = browser.errors()
    assert any("bad thing" in e for e in errors) and any("Uncaught" in e for e in errors)
