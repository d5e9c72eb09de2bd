"""Rendered YAML parsed a document at a time (`helm.yaml_pieces`) reads exactly as `parse_yaml`."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_lint.helm.chart import load_dir
from platform_lint.helm.render import Options, render
from platform_lint.helm.settings import ChartSettings
from platform_lint.helm.yaml_pieces import ParseCache
from platform_lint.sources.helm_chart import _value_sets
from platform_lint.sources.yaml_tree import parse_yaml

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "helm"


def _same(cache: ParseCache, text: str) -> None:
    got_docs, got_problems = cache.parse(text)
    want_docs, want_problems = parse_yaml(text)
    assert [(d.data, d.spans, d.key_spans) for d in got_docs] == [
        (d.data, d.spans, d.key_spans) for d in want_docs]
    assert got_problems == want_problems


BIG = "".join(f"  k{i}:\n    - {i}\n" for i in range(50))
TEXTS = [
    "",
    "# only a comment\n",
    "a: 1\n",
    f"---\n# Source: c/templates/a.yaml\nkind: A\nspec:\n{BIG}---\n# Source: c/templates/b.yaml\nkind: B\n",
    f"kind: A\n---\n---\nkind: C\nspec:\n{BIG}",
    f"--- # comment\nkind: A\nspec:\n{BIG}\n\n---\nkind: B\ndata: |\n  x\n  --- not a marker\n",
    "kind: A\n---\nkind: B\nkind: B\n---\nkind: C\n",  # a duplicate key in the second
    "kind: A\n---\nkind: [B\n---\nkind: C\n",  # a syntax error in the second
    "%YAML 1.2\n---\nkind: A\n---\nkind: B\n",
    "kind: A\n...\nkind: B\n---\nkind: C\n",
    "a: &x {b: 1}\n---\nc: *x\n",  # an anchor does not cross documents
    "kind: A\r\n---\r\nkind: B\r\n",
    "kind: A\n---\nkind: B\n---\nkind: A\n---\nkind: B",
    "kind: A\n----\nkind: B\n--- \nkind: C\n---\tkind: D\n---",  # no marker, then markers, one at the end
]


@pytest.mark.parametrize("text", TEXTS)
def test_pieces_read_as_the_whole(text: str) -> None:
    cache = ParseCache()
    _same(cache, text)
    _same(cache, "kind: Z\n---\n" + text)  # the same documents again, cached, lines later


def test_a_repeated_document_is_parsed_once_and_placed_by_its_line() -> None:
    cache = ParseCache()
    doc = f"---\nkind: A\nspec:\n{BIG}"
    cache.placed(doc)
    placed, problems = cache.placed("kind: B\n" + doc)
    assert problems == []
    assert [lines for _doc, lines in placed] == [0, 1]
    assert placed[1][0] is cache.placed(doc)[0][0][0]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/helm not present")
def test_every_rendered_corpus_manifest_reads_as_the_whole() -> None:
    checked: set[str] = set()
    for chart_yaml in sorted(CORPUS.glob("*/charts/*/Chart.yaml")):
        chart = load_dir(chart_yaml.parent)
        files = {str(p.relative_to(chart_yaml.parent)): b"" for p in chart_yaml.parent.glob("ci/*")}
        cache = ParseCache()
        for vset in _value_sets("", files, ChartSettings()):
            values = [(f, (chart_yaml.parent / f).read_text()) for f in vset.files]
            options = Options(release_name="release-name", values_files=values)
            for manifest in render(chart, options).manifests:
                if manifest.text not in checked:  # the cache still sees every one
                    _same(cache, manifest.text)
                    checked.add(manifest.text)
                else:
                    cache.parse(manifest.text)
    assert len(checked) >= 150
