"""`helm.values_yaml` reads a values document exactly as PyYAML's safe loader under
`values._loader` does, or leaves it to PyYAML: compared on every YAML file under a
chart in ../shared/corpus and fixtures/, on documents written here, and on generated
plain scalars."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT
from platform_lint.helm import values_yaml
from platform_lint.helm.errors import TemplateError
from platform_lint.helm.values import _jsonish, _loader, parse_yaml


def _pyyaml(text: str) -> tuple[str, Any]:
    try:
        return "data", yaml.load(text, Loader=_loader())
    except Exception as exc:
        return "error", type(exc)


def _ours(text: str) -> tuple[str, Any] | None:
    """What `values_yaml` reads, None when it leaves the text to PyYAML."""
    try:
        return "data", values_yaml.read(text)
    except values_yaml.Unusual:
        return None
    except Exception as exc:
        return "error", type(exc)


def _same(a: Any, b: Any) -> bool:
    """Equal, with types (1 is not 1.0 nor True), NaN equal to NaN and signs of NaN compared."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b) and math.copysign(1, a) == math.copysign(1, b)) or a == b
    if isinstance(a, dict):
        keys_agree = list(map(repr, a)) == list(map(repr, b))
        return keys_agree and all(_same(a[k], b[k2]) for k, k2 in zip(a, b, strict=True))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _agrees(text: str) -> bool:
    ours = _ours(text)
    if ours is None:
        return True
    theirs = _pyyaml(text)
    # an error of ours is read again by PyYAML (values._load): only data must agree
    return ours[0] == "error" or (theirs[0] == "data" and _same(ours[1], theirs[1]))


def _chart_yaml_files() -> Iterator[Path]:
    for top in (ROOT / "fixtures", *([CORPUS] if CORPUS.is_dir() else [])):
        for chart in top.rglob("Chart.yaml"):
            for path in chart.parent.rglob("*.yaml"):
                if "templates" not in path.relative_to(chart.parent).parts:
                    yield path


def test_every_values_file_of_the_corpus_reads_as_pyyaml_reads_it() -> None:
    files = sorted(set(_chart_yaml_files()))
    if len(files) < 20:
        pytest.skip("../shared/corpus is not here")
    read_here = 0
    for path in files:
        text = path.read_text(errors="replace")
        assert _agrees(text), path
        read_here += _ours(text) is not None
    assert read_here > len(files) // 2  # most values files take the common path


DOCUMENTS = [
    "", "# only a comment\n", "---\n", "a: 1\n", "a:\n", "a: ~\nb: null\nc: Null\nd: NULL\n",
    "on: yes\noff: no\ny: n\nTrue: FALSE\n", "1: a\n1.5: b\n0x1F: c\n-0: d\n",
    "n: 0777\nh: 0x_1F\nb: 0b1010\ns: 1:30\nf: 1:30.5\nu: 1_000\ne: 1.0e+5\nx: 1.0e5\ny: 1e5\n",
    "i: .inf\nj: -.Inf\nk: +.INF\nl: .nan\nm: .NaN\nn: -.5\no: .5\np: 5.\nq: +12\nr: 012_3\n",
    "t: 2001-12-14t21:59:43.10-05:00\nd: 2002-12-14\n", "q: '1'\nr: \"yes\"\ns: |\n  on\nt: >\n  1\n",
    "list: [1, two, 3.0, {a: b}, [c]]\nflow: {a: 1, b: [x, y]}\n", "a: 1\na: 2\nb: 3\n",
    "x: &a 1\ny: *a\n", "base: &b {a: 1}\nmore:\n  <<: *b\n  c: 2\n", "k: !!str 3\n", "k: !custom x\n",
    "? [a, b]\n: c\n", "a: 1\n---\nb: 2\n", "%YAML 1.1\n---\na: 1\n", "ports: [frontend:80]\n",
    "v: =\n", "a: b: c\n", "a:\n\t- b\n", "key: \"unterminated\n", "- a\n- b\n", "plain string\n",
    "a:\n  b:\n    c:\n      d: [1, {e: [2, {f: 3}]}]\n", "x: 0b_\n", "y: ._\n", "z: 0o17\n",
    # PyYAML's float wants a digit right after a leading dot: `._5` is a string, not 0.5
    "y: ._5\n", "._5: v\n", "y: [._0, ._9_9, ._1e+3, .5_, -._5]\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_documents_read_as_pyyaml_reads_them(text: str) -> None:
    assert _agrees(text)


@pytest.mark.parametrize("text", DOCUMENTS)
def test_parse_yaml_gives_what_pyyaml_alone_gives(text: str) -> None:
    """Helm's values of a document, or its error, as if `values._load` were PyYAML alone."""
    try:
        expected: Any = _jsonish(yaml.load(text, Loader=_loader()))
    except (yaml.YAMLError, ValueError, OverflowError):  # numbers PyYAML cannot make: an error too
        expected = TemplateError
    except Exception as exc:
        expected = type(exc)
    try:
        got: Any = parse_yaml(text)
    except Exception as exc:
        got = type(exc)
    assert repr(got) == repr(expected)


def test_unusual_documents_are_left_to_pyyaml() -> None:
    for text in ("x: &a 1\ny: *a\n", "k: !!str 3\n", "a: 1\n---\nb: 2\n", "%YAML 1.1\n---\na: 1\n",
                 "v: =\n", "? [a, b]\n: c\n", "base: &b {a: 1}\nmore:\n  <<: *b\n"):
        assert _ours(text) is None, text
    deep = "a: " + "[" * (values_yaml.MAX_DEPTH + 1) + "]" * (values_yaml.MAX_DEPTH + 1) + "\n"
    assert _ours(deep) is None


def test_parse_yaml_gives_pyyaml_errors_and_helm_values() -> None:
    assert parse_yaml("a: 1\nb: [on, '2']\n0x10: ~\n") == {"a": 1.0, "b": [True, "2"], "16": None}
    with pytest.raises(Exception) as raised:
        parse_yaml("a: [b\n", "values.yaml")
    assert "cannot parse YAML" in str(raised.value)


SCALAR_CHARACTERS = "0123456789_:.+-eExXbBoOinfINFaAnNyYsStTrRuUlL~=<"


def _pyyaml_scalar(value: str) -> tuple[str, Any]:
    """What PyYAML's resolver and constructor under `_loader` make of a plain scalar."""
    loader = _loader()("")
    node = yaml.ScalarNode(loader.resolve(yaml.ScalarNode, value, (True, False)), value)
    try:
        return "data", loader.construct_object(node, deep=True)
    except Exception as exc:
        return "error", type(exc)


def test_every_short_plain_scalar_resolves_as_pyyaml_resolves_it() -> None:
    """Every plain scalar of up to three characters from `SCALAR_CHARACTERS`: where
    `resolved` gives a value (not `Unusual`, not an error), PyYAML gives the same."""
    differing = []
    for length in range(4):
        for chars in itertools.product(SCALAR_CHARACTERS, repeat=length):
            value = "".join(chars)
            try:
                ours = values_yaml.resolved(value)
            except Exception:  # Unusual, or an error: read again by PyYAML
                continue
            theirs = _pyyaml_scalar(value)
            if theirs[0] != "data" or not _same(ours, theirs[1]):
                differing.append((value, ours, theirs))
    assert differing == []


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=SCALAR_CHARACTERS, min_size=0, max_size=10))
def test_plain_scalars_resolve_as_pyyaml_resolves_them(scalar: str) -> None:
    assert _agrees(f"k: {scalar}\n")
    assert _agrees(f"{scalar}: v\n")


@pytest.mark.parametrize("text", ["x: 0b_\n", "x: 0x_\n", ".nan: 1\n", ".inf: 1\n", f"x: {'9' * 5000}\n"])
def test_a_number_that_cannot_be_read_is_a_template_error_not_a_crash(text: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_yaml(text, "values.yaml")
    assert raised.value.message == "cannot parse YAML: a number that cannot be read"
    assert raised.value.file == "values.yaml"


def test_an_anchor_given_again_names_the_later_node_as_in_go_yaml() -> None:
    """libyaml's composer refuses it; Helm's go-yaml (and YAML 1.2) take the later node."""
    assert parse_yaml("a: &x 1\nb: &x {k: v}\nc: *x\nd: [&y 3, &y 4, *y]\n") == {
        "a": 1.0, "b": {"k": "v"}, "c": {"k": "v"}, "d": [3.0, 4.0, 4.0]}
    with pytest.raises(TemplateError, match="undefined alias"):
        parse_yaml("a: &x 1\nb: *z\n")
