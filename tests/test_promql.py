"""The PromQL parser: what an expression watches, constants, and error offsets."""

from __future__ import annotations

import time
import warnings

import pytest

from platform_lint.sources.promql import PromQLError, contradictions, parse


@pytest.mark.parametrize(("text", "metrics", "jobs"), [
    ('sum(rate(http_requests_total{job="api"}[5m])) by (code) > 0', {"http_requests_total"},
     [("=", "api")]),
    ("sum by (le) (rate(x_bucket[5m:1m] offset 1h))", {"x_bucket"}, []),
    ('a / on(x) group_left(y) b{job=~"w.*"}', {"a", "b"}, [("=~", "w.*")]),
    (":node_memory:sum > bool 1", {":node_memory:sum"}, []),
    ('{"my.metric", job="x"}', {"my.metric"}, [("=", "x")]),
    ('x{job=~"a\\\\.b\\x2e", job!="\\u00e9\\n"}', {"x"}, [("=~", "a\\.b."), ("!=", "\u00e9\n")]),
    ("max_over_time(rate(x[5m])[1h:]) @ end()", {"x"}, []),
    ('label_replace(x, "pod", "$1", "exported_pod", "(.+)")', {"x"}, []),
])
def test_metrics_and_jobs(text: str, metrics: set[str], jobs: list[tuple[str, str]]) -> None:
    parsed = parse(text)
    assert parsed.metrics == metrics
    assert parsed.jobs() == jobs
    assert parsed.constant is None


@pytest.mark.parametrize(("text", "value"), [
    ("vector(0)", [0.0]),
    ("vector(1) > 2", []),
    ("absent(vector(1))", []),
    ("(vector(1) and vector(0)) or vector(2)", [1.0]),
    ("-1", -1.0),
    ("count(vector(3)) == 1", [1.0]),
])
def test_constants_are_folded(text: str, value: object) -> None:
    assert parse(text).constant == value


@pytest.mark.parametrize(("text", "offset"), [
    ("x +* y", 3),
    ("rate(x[5m]", 10),
    ('foo{a=~"("}', 7),
    ('foo{a!~"(?=x)y"}', 7),
    ("1 > 2", 2),
    ('{job=""}', 0),
    ("x[5m:1q]", 5),
    ("sum(x) by", 9),
    # Prometheus's lexer refuses an escape Go does not know, in any string
    ('rate(x{code=~"5\\d\\d"}[5m])', 13),
    ('label_replace(x, "a", "\\1", "b", "(.*)")', 22),
])
def test_syntax_errors_carry_their_offset(text: str, offset: int) -> None:
    with pytest.raises(PromQLError) as caught:
        parse(text)
    assert caught.value.offset == offset


def test_templated_and_logql_expressions_are_not_judged() -> None:
    assert parse('rate(x{job="{{ .Release.Name }}"}[5m]) +').unjudged == "templated"
    logql = 'sum(rate({app="foo"} |= "error" [5m])) by (job) / sum(rate({app="foo"}[5m])) > 0.05'
    assert parse(logql).unjudged == "LogQL"
    assert parse('count_over_time({namespace="prod"} | json [5m]) > 0').unjudged == "LogQL"
    assert parse('rate({app="foo"}[5m]) > 1').unjudged is None


def test_contradicting_matchers() -> None:
    (selector,) = parse('up{job="a", job="b"}').selectors
    assert contradictions(selector) == "job cannot equal both 'a' and 'b'"
    (selector,) = parse('up{job="a", job=~"b.*"}').selectors
    assert contradictions(selector) is not None
    (selector,) = parse('up{job="a", job!="b"}').selectors
    assert contradictions(selector) is None


@pytest.mark.parametrize("regex", ["[[a]x", "\\\\Qa.b\\\\E", "(?i)Err.*", "a{2,3}|[[:alpha:]]+"])
def test_label_regexes_are_read_as_prometheus_reads_them(regex: str) -> None:
    """RE2's syntax, as Prometheus's: no Python warning (`[[` is a nested set to `re`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (selector,) = parse(f'up{{job=~"{regex}"}}').selectors
    assert selector.matchers[0].value == regex.replace("\\\\", "\\")


@pytest.mark.parametrize(("text", "contradicts"), [
    ('up{job="a", job=~"[[:alpha:]]+"}', False),  # `re` reads `[[:alph]` and then `]+`
    ('up{job="a.b", job=~`\\Qa.b\\E`}', False),  # `re` refuses `\Q`: no verdict
    ('up{job="axb", job=~`\\Qa.b\\E`}', True),
    ('up{job="x", job!~"\\\\pL"}', True),  # a Unicode class: `re` refuses `\p`
])
def test_label_regexes_are_matched_as_prometheus_matches_them(text: str, contradicts: bool) -> None:
    """A value is judged against the regex by RE2, which read it, with no Python warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (selector,) = parse(text).selectors
        assert (contradictions(selector) is not None) is contradicts


def test_a_label_regex_is_matched_in_linear_time() -> None:
    """`(a|aa)+` against 40 `a`s and a `!` backtracks for seconds in `re` (twice as long
    for each `a` more)."""
    (selector,) = parse('up{job="' + "a" * 40 + '!", job=~"(a|aa)+"}').selectors
    started = time.perf_counter()
    assert contradictions(selector) is not None
    assert time.perf_counter() - started < 1


def test_a_selector_whose_only_regex_matches_empty_text_is_refused() -> None:
    """`[[:alpha:]]*` matches "": alone, the selector has no non-empty matcher."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PromQLError):
            parse('{job=~"[[:alpha:]]*"}')


def test_an_invalid_long_regex_is_named_not_repeated() -> None:
    regex = "(" + "a" * 5000
    with pytest.raises(PromQLError) as caught:
        parse(f'up{{job=~"{regex}"}}')
    message = caught.value.message
    assert "invalid regular expression" in message and "missing )" in message
    assert len(message) < 250
