"""A large rendered document read in pieces of its mappings (`helm.yaml_subtrees`) reads exactly
as `parse_yaml` reads it whole: the same data, spans and key spans, in the same order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_lint.helm import yaml_subtrees
from platform_lint.helm.yaml_subtrees import Subtrees
from platform_lint.sources.yaml_tree import parse_yaml


def _same(pieces: Subtrees, text: str) -> bool:
    """Whether the text was cut; when it was, it must read as the whole."""
    got = pieces.read(text)
    if got is None:
        return False
    want, problems = parse_yaml(text)
    assert problems == [] and len(want) == 1
    assert got.data == want[0].data
    assert list(got.spans.items()) == list(want[0].spans.items())
    assert list(got.key_spans.items()) == list(want[0].key_spans.items())
    return True


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_subtrees, "MIN_LINES", 3)


def _crd(note: str, service: str) -> str:
    versions = "".join(f"  - name: v{i}\n    schema:\n      type: object\n      x: {i}\n" for i in range(20))
    return (f"---\n# Source: op/templates/crd.yaml\napiVersion: v1\nkind: CRD\nmetadata:\n  annotations:\n"
            f"    note: {note}\n  name: x\nspec:\n  conversion:\n    service: {service}\n    path: /c\n"
            f"  group: g\n\n  # the versions\n  versions:\n{versions}")


def test_documents_differing_in_small_entries_share_their_large_ones(small_pieces: None) -> None:
    pieces = Subtrees()
    assert _same(pieces, _crd("a", "s1"))
    parsed = len(pieces._parsed)
    assert _same(pieces, _crd("b\n    extra: 1", "s2"))  # one line more above the versions
    assert _same(pieces, _crd("a", "s1").removesuffix("\n"))
    assert len(pieces._parsed) - parsed <= 4  # the versions were not parsed again
    big = max(pieces._parsed, key=len)
    assert "versions:" in big and "conversion" not in big


CASES = [
    "a:\n  b:\n    c: 1\n    d: 2\n  e: 3\nf: 4\n",
    "a:\n  b:\n  - 1\n  - 2\n  c:\n    d: 1\n    e: [1,\n      2]\ng: 1\n",
    "a:\n  b: |\n    x\n    y: 1\n\n  c:\n    d: 1\n    e: 2\n# end\n",
    "a:\n  b: 1\n  c: 2\n  d: 3\n  e: 4\n\n\n",
    "a:\n    b: 1\n    c: 2\n    d:\n      e: 1\n      f: 2\n  # odd\nz: 1",
    "a:\n  b: x\ty\n  c: p && q\n  d: 2 * 3\n  e: '**'\n  f: x&y*z\n",  # no tab indent, anchor or alias
]
FALLBACKS = [
    "a:\n  b: &x 1\n  c: 2\n  d: 3\nz:\n  y: *x\n  w: 1\n  v: 2\n",  # an anchor used in another piece
    "a:\n  b: 1\n  c: 2\n  d: 3\na:\n  e: 1\n  f: 2\n  g: 3\n",  # a duplicate key across pieces
    'a:\n  b: "x\n  c: y"\n  d: 1\n  e: 2\n',  # a quoted scalar over lines that look like keys
    "a:\n  b: 1\n  c: 2\n\tz: 1\n",  # tab indentation
    "a:\n  b: x\ty\n  c: 2\n  d:\n   \t e: 1\n",
    "a:\n  b: [&x 1]\n  c: 2\n  d: 3\nz:\n  y: 1\n  w:\n  - *x\n",  # an anchor after a bracket
    "a:\n  b: &*x 1\n  c: 2\n  d: 3\nz:\n  y: 1\n  w: 2\n",  # a run of both marks
    "a:\n  b: 1\n  c: 2\n  d: 3\n \ue0ff: 1\n",
    '"a":\n  b: 1\n  c: 2\n  d: 3\n',
    "- a\n- b\n- c\n- d\n",
    "a:\n  b: 1\n  c: 2\n  d: 3\n bad: 1\n",
]


@pytest.mark.parametrize("text", CASES)
def test_cut_documents_read_as_the_whole(small_pieces: None, text: str) -> None:
    assert _same(Subtrees(), text)


@pytest.mark.parametrize("text", FALLBACKS)
def test_documents_not_cut_are_left_to_the_whole_parse(small_pieces: None, text: str) -> None:
    assert not _same(Subtrees(), text)


_KEYS = st.sampled_from(["a", "b", "name", "on", "x.y/z", "k8s", "1", "null", "spec", "a"])
_SCALARS = st.sampled_from(["1", "x", '"q"', "'s'", "[1, 2]", "{a: 1}", "&n 1", "*n", "!!str 3", "~", "",
                            "yes", "x # c", '"two\n  lines"', "|\n  block\n\n  text", ">-\n  folded",
                            "[1,\n  2]"])


def _tree(depth: int) -> st.SearchStrategy[list[tuple[str, Any]]]:
    leaf = _SCALARS
    if depth == 0:
        return st.lists(st.tuples(_KEYS, leaf), min_size=1, max_size=4)
    child = st.one_of(leaf, _tree(depth - 1), st.lists(leaf, min_size=1, max_size=3))
    return st.lists(st.tuples(_KEYS, child), min_size=1, max_size=5)


def _render(entries: list[tuple[str, Any]], indent: int, out: list[str], extras: list[str]) -> None:
    pad = " " * indent
    for i, (key, value) in enumerate(entries):
        if extras[i % len(extras)] == "comment":
            out.append(f"{pad}# note {i}")
        elif extras[i % len(extras)] == "blank":
            out.append("")
        if isinstance(value, str):
            lines = value.split("\n")
            out.append(f"{pad}{key}: {lines[0]}".rstrip(" ") if lines[0] else f"{pad}{key}:")
            out.extend(pad + line if line else "" for line in lines[1:])
        elif value and isinstance(value[0], str):
            out.append(f"{pad}{key}:")
            out.extend(f"{pad}- {item}".rstrip(" ") for item in value if "\n" not in item)
        else:
            out.append(f"{pad}{key}:")
            _render(value, indent + extras[0].count("n") + 2, out, extras[1:] + extras[:1])


@settings(max_examples=300, deadline=None)
@given(_tree(3), st.lists(st.sampled_from(["", "comment", "blank", "none"]), min_size=1, max_size=5),
       st.booleans(), st.booleans())
def test_any_mapping_cut_reads_as_the_whole(entries: list[tuple[str, Any]], extras: list[str],
                                             start: bool, newline: bool) -> None:
    out: list[str] = ["---", "# Source: c/templates/x.yaml"] if start else []
    _render(entries, 0, out, extras)
    text = "\n".join(out) + ("\n" if newline else "")
    docs, problems = parse_yaml(text)
    saved = yaml_subtrees.MIN_LINES
    yaml_subtrees.MIN_LINES = 2
    try:
        got = Subtrees().read(text)
    finally:
        yaml_subtrees.MIN_LINES = saved
    if problems or len(docs) != 1:
        assert got is None
        return
    if got is not None:
        assert got.data == docs[0].data
        assert list(got.spans.items()) == list(docs[0].spans.items())
        assert list(got.key_spans.items()) == list(docs[0].key_spans.items())
