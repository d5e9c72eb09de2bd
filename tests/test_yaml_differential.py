"""`parse_yaml` reads every YAML text exactly as the reader it replaced
(tests/yaml_reference.py: ruamel's composer and resolver, a span builder over
its nodes): the same documents with the same Python types, spans and key spans
in the same order, the same problems, and the same budget metering (nodes and
scalar characters used, the budget crossed and where). Compared on edge cases
written here, on generated texts, on every YAML file of ../shared/corpus and
on the corpus charts' rendered output (skipped when the corpus is absent)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml_reference
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_lint.budget import Budgets, OverBudget, metered
from platform_lint.sources.yaml_tree import YamlDocument, parse_yaml

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

Parser = Callable[[str], Any]


def _doc(doc: YamlDocument) -> Any:
    """The document's data, its types written out (`repr` tells 1, 1.0, True and "1"
    apart, and NaN equals NaN), and its spans in their order."""
    return repr(doc.data), list(doc.spans.items()), list(doc.key_spans.items())


def reading(parse: Parser, text: str, budgets: Budgets | None = None) -> Any:
    """All that `parse` makes of `text` under `budgets`, and what it used of them."""
    with metered(budgets or Budgets()) as meter:
        try:
            docs, problems = parse(text)
        except OverBudget as over:
            return "over budget", over.measure, over.span, meter.nodes, meter.scalar_bytes
    return [_doc(d) for d in docs], problems, meter.nodes, meter.scalar_bytes


def assert_same(text: str, budgets: Budgets | None = None) -> None:
    assert reading(parse_yaml, text, budgets) == reading(yaml_reference.parse_yaml, text, budgets), text[:300]


EDGE_CASES = [
    "",
    "\n",
    "# only a comment\n",
    "a: 1\n",
    "on: push\noff: 1\nyes: y\nno: n\ny: Yes\nn: NO\n",
    "a: [yes, no, on, off, y, n, True, FALSE, tRue, ~, null, Null, NULL, nUll, '']\n",
    "i: [0, -1, +2, 0o17, 017, 0x1F, 0b101, 1_000, 0_7, _1, '-_', -_, +, -, 0xZ, 0o9, 08, 09.5]\n",
    "f: [1.5, -1., .5, +.5, 1e3, 1E+3, 1.e-3, .inf, -.Inf, +.INF, .NaN, .nan, 1_0.5, ., .e1, 1.2.3]\n",
    "t: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, 12:30:00, 1:20]\n",
    "v: [=, <<, '<<', \"=\", !, !!, a b, 'x\n\n y', \"\\t\\u00e9\\x41\"]\n",
    "s: !!str 12\ni: !!int '12'\nj: !!int 0x10\nk: !!float 1\nb: !!bool yes\nn: !!null x\nz: ! 12\n"
    "c: !custom 3\nd: !foo:int 4\ne: !<tag:yaml.org,2002:int> 5\nm: !!map {a: 1}\nq: !!seq [1]\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!int 3\nb: !e!x y\n",
    "base: &base {a: 1, b: 2}\nx:\n  <<: *base\n  b: 3\ny:\n  <<: [*base, {c: 4}]\n  a: 0\n",
    "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc: {<<: [*a, *b], z: 3}\nd: {<<: *a, <<: *b}\n",
    "a: {<<: 1}\nb: {<<: [1, {x: 1}]}\nc: {'<<': {x: 1}}\nd: {!!merge m: {x: 2}}\ne: {! <<: {x: 3}}\n",
    "a: {!<tag:yaml.org,2002:merge> m: {x: 1}, y: 2}\nb: {!!%6Derge m: {x: 3}}\n",
    "%TAG !m! tag:yaml.org,2002:\n---\na: {!m!merge x: {y: 1}}\n",
    "%TAG ! tag:yaml.org,2002:\n---\na: {!merge x: {y: 1}, !str z: 1}\n",
    "a: &x 1\nb: *x\nc: [*x, *x]\nd: &y [*x]\ne: {k: *y}\n",
    "a: &a [1, *a]\n",
    "a: &a {b: *a}\n",
    "a: &a {<<: *a}\n",
    "k: &k key\n*k : v\n",
    "&k a: 1\nb: *k\n",
    "? &c [x, y]\n: 1\nz: *c\n",
    "m: &m {<<: &n {a: 1}}\nx: *n\ny: *m\n",
    "a: &x 1\nb: &x 2\nc: *x\n",
    "a: *nothing\n",
    "d: [p:1]\na: &x 1\nb: &x 2\nc: *x\n",
    "d: [p:1]\na: *y\n",
    "a: 1\na: 2\nb: {c: 1, c: [1], c: {d: 1}}\n",
    "a: {x: 1}\na: 2\n",
    "? [a, b]\n: 1\n? {c: d}\n: 2\n[e]: 3\n? |\n  lit\n: 4\n",
    "- a\n- - b\n  - c\n- {d: e}\n- []\n- {}\n- \n-\n",
    "a:\nb: ~\nc: ''\n? d\n",
    "a: |\n  one\n  two\n\nb: >-\n  folded\n  text\n\n\nc: |+\n  keep\n\n",
    "a: 'it''s'\nb: \"line\\nbreak\"\nc: plain\n  continued\n",
    "---\na: 1\n---\nb: 2\n...\n---\n- c\n",
    "--- 1\n--- [a]\n--- {b: c}\n---\n",
    "%YAML 1.1\n---\na: yes\nb: 0o17\nc: 017\n",
    "%YAML 1.2\n---\na: yes\n",
    "%YAML 1.1\n---\nb: [p:1]\na: yes\n...\n%YAML 1.2\n---\nc: yes\n",
    "ports: [frontend:80]\nm: {a:b}\nc: [{name: web, image: nginx:1.25}]\nx: [a:]\n",
    "a: 1\n---\nports: [frontend:80, admin:9090]\n---\nb: [x\n",
    "a: [b\n",
    "a: {b: 1\n",
    "a: b: c\n",
    "a:\n\t- tab\n",
    "a: 1\n\tb: 2\n",
    "\ta: 1\n",
    "a: 1 # c\n#x\nb:   2   \n",
    "\ufeffa: 1\n",
    "a: 1\n\ufeffb: 2\n",
    "a: x\x00y\n",
    "a: \x07\n",
    "a: \"\\x00\"\n",
    "a: 1\r\nb: 2\r\n",
    "a: 1\rb: 2\r",
    "a: x\x85b: y\n",
    "a: x\u2028b: y\nc: [1,\u2029 2]\n",
    "a: \"x\u2028y\"\nb: 1\n",
    "é: ü\n日本: 語\n'😀': [😀]\n",
    "a: [1, 2,]\n",
    "[a, b]: c\n",
    "{a: 1}\n",
    "a: [[[[[[1]]]]]]\n",
    "a: " + "x" * 100_000 + "\n",
    "a: |\n" + "  line\n" * 2000,
    "- " + "\n- ".join(str(i) for i in range(3000)) + "\n",
    "".join(f"k{i}: &a{i} v{i}\n" for i in range(50)) + "".join(f"r{i}: *a{i}\n" for i in range(50)),
    "a: !!binary aGk=\nb: !!timestamp 2001-12-14\nc: !!set {x, y}\nd: !!omap [a: 1]\n",
    "a: @x\n",
    "a: `x\n",
    "- a\nb: c\n",
    "a:\n  - b\n  c: d\n",
    "key: value\n...\n...\n",
    "---\n--- !x\n",
    "&a\n",
    "!t\n",
    "*a\n",
    "? \n",
    ": v\n",
    "a: 'unclosed\n",
    "a: \"unclosed\n",
    "x: &x\ny: *x\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_an_edge_case_reads_as_before(text: str) -> None:
    assert_same(text)


DEEP = [
    "".join("  " * i + "a:\n" for i in range(n)) + "  " * n + "x\n" for n in (100, 250, 1000)
] + ["[" * 300 + "]" * 300 + "\n", "[" * 401 + "]" * 401 + "\n"]


@pytest.mark.parametrize("text", DEEP, ids=["block-100", "block-250", "block-1000", "flow-300", "flow-401"])
def test_deep_nesting_reads_as_before(text: str) -> None:
    """Block nesting deeper than Python's recursion limit allows (about 330 levels,
    less when called deeper in the stack) is refused by both; how many nodes were
    counted before the limit struck may differ by one level, not the outcome."""
    assert reading(parse_yaml, text)[:2] == reading(yaml_reference.parse_yaml, text)[:2]


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 7))

BUDGETED = [
    "a: 1\n---\n" + BOMB,
    "x: 1\n" + BOMB[:200] + "\n",
    "base: &b {k: v, l: [1, 2, 3]}\nu: {<<: *b}\nw: *b\n" * 3,
    "".join(f"k{i}: {'v' * i}\n" for i in range(200)),
    "a: [" + ", ".join(["item"] * 3000) + "]\n---\nb: 1\n",
]


@pytest.mark.parametrize("text", BUDGETED)
@pytest.mark.parametrize("budgets", [Budgets(), Budgets(nodes=50), Budgets(nodes=1500),
                                     Budgets(scalar_bytes=400), Budgets(nodes=10, scalar_bytes=10)])
def test_budget_metering_is_as_before(text: str, budgets: Budgets) -> None:
    assert_same(text, budgets)


_WORDS = ["a", "b", "on", "yes", "no", "y", "~", "null", "true", "False", "1", "-2", "0o7", "017", "0x1F",
          "1_0", "1.5", ".inf", ".NaN", "1e3", "2001-12-14", "<<", "=", "x:y", "http://h:1/p", "'q'",
          '"d\\n"', "é", "", " ", "#c", "-", "?", ":", ",", "[", "]", "{", "}", "&a", "&b", "*a", "*b",
          "!!str", "!!int", "!!merge", "!", "!t", "|", ">-", "---", "...", "%YAML 1.2", "\t", "\\"]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        indent = "  " * draw(st.integers(0, 3))
        parts = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5))
        joiner = draw(st.sampled_from([" ", ": ", ", ", "- ", ""]))
        lines.append(indent + joiner.join(parts))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_texts())
def test_a_generated_text_reads_as_before(text: str) -> None:
    assert_same(text)


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_every_corpus_yaml_file_reads_as_before() -> None:
    files = _corpus_files()
    assert len(files) > 500
    for path in files:
        assert_same(path.read_text(errors="replace"))


_DOC_START = re.compile(r"^---(?=[ \t\n]|$)", re.M)


def _rendered_charts() -> Iterator[str]:
    """Every manifest the corpus charts render, for their defaults and each `ci/` values
    file, a `---` document at a time as `helm.yaml_pieces` parses them."""
    from platform_lint.helm.chart import load_dir
    from platform_lint.helm.render import Options, render
    from platform_lint.helm.settings import ChartSettings
    from platform_lint.sources.helm_chart import _value_sets

    for chart_yaml in sorted((CORPUS / "helm").glob("*/charts/*/Chart.yaml")):
        root = chart_yaml.parent
        files = {str(p.relative_to(root)): b"" for p in root.glob("ci/*")}
        for vset in _value_sets("", files, ChartSettings()):
            values = [(f, (root / f).read_text()) for f in vset.files]
            for manifest in render(load_dir(root), Options(release_name="release-name",
                                                           values_files=values)).manifests:
                starts = [0, *(m.start() for m in _DOC_START.finditer(manifest.text) if m.start() > 0)]
                for start, end in zip(starts, [*starts[1:], len(manifest.text)], strict=True):
                    yield manifest.text[start:end]


@pytest.mark.skipif(not (CORPUS / "helm").is_dir(), reason="../shared/corpus/helm not present")
def test_every_rendered_corpus_manifest_reads_as_before() -> None:
    texts = set(_rendered_charts())
    assert len(texts) >= 150
    for text in texts:
        assert_same(text)


def test_a_parse_leaves_no_reference_cycle_for_the_collector() -> None:
    """Large texts are read with the cycle collector paused (`read_yaml`, a chart's
    rendering): a parsed document must be freed by reference counting alone when its
    reader drops it, with all its spans, not left for the collector."""
    import gc

    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        docs, problems = parse_yaml("a:\n  b: [1, 2]\n  c: {d: x}\n---\n- e\n")
        assert len(docs) == 2 and not problems
        del docs
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_an_anchor_given_again_names_the_later_node() -> None:
    """As YAML 1.2 and Kubernetes' go-yaml read it (libyaml's composer refuses it)."""
    docs, problems = parse_yaml("a: &x 1\nb: &x [2]\nc: *x\n")
    assert problems == [] and docs[0].data == {"a": 1, "b": [2], "c": [2]}


@pytest.mark.parametrize("text", ["a: &x {k: 1}\nb: &x\n  <<: *x\n  y: 2\n",
                                  "b: &x\n  <<: [*x]\n  y: 2\n"])
def test_a_mapping_merging_itself_is_a_recursive_alias_not_an_unreadable_document(text: str) -> None:
    """`&x {<<: *x}` names the mapping being read (go-yaml: "contains itself"); with an
    anchor given again it is how one might try to extend the earlier `x`."""
    for parse in (parse_yaml, yaml_reference.parse_yaml):
        docs, problems = parse(text)
        assert [p.message for p in problems] == ["recursive alias"]
        assert docs[-1].data["b"] == {"y": 2}
