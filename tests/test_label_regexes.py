"""Label regexes in Alertmanager routes, alert expressions and SLO queries are RE2's
(Go's regexp, as Prometheus and Alertmanager read them), matched by RE2: no Python
warning, no backtracking on text from the scanned files."""

from __future__ import annotations

import time
import warnings

from platform_lint.checks.alerting import _job_read, _matches_critical
from platform_lint.checks.slo import _covers
from platform_lint.model import Document, Obj
from platform_lint.sources.slo import SLO


def _slo(query: str) -> SLO:
    obj = Obj(Document(path="slo.yaml", kind="yaml", data={}), kind="SLO", name="checkout")
    return SLO(obj=obj, name="checkout-availability", at=(), service=None, queries=(query,))


def test_route_and_job_regexes_are_read_as_re2_reads_them() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # `re` warns of a nested set at `[[`
        assert _matches_critical({"matchers": ['severity=~"[[:alpha:]]+"']}, "critical")
        assert _matches_critical({"match_re": {"severity": r"\Qcritical\E"}}, "critical")
        assert _job_read("api", [("=~", "[[:alpha:]]+")])
        assert _covers(_slo('sum(rate(x{job=~"[[:alpha:]]+"}[5m]))'), {"api"})


def test_route_and_job_regexes_are_matched_in_linear_time() -> None:
    """`(a|aa)+$`-like regexes against 40 characters backtrack for seconds in `re`."""
    name = "a" * 40 + "!"
    started = time.perf_counter()
    assert not _matches_critical({"match_re": {"severity": "(a|aa)+"}}, name)
    assert not _job_read(name, [("=~", "(a|aa)+")])
    assert not _covers(_slo('x{job=~"(a|aa)+"}'), {name})
    assert time.perf_counter() - started < 1
