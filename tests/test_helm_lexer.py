"""Go template lexing (`helm.lexer`): each kind of token, and where an action ends."""

from __future__ import annotations

import pytest

from platform_lint.helm.errors import TemplateError
from platform_lint.helm.lexer import split, tokens


def test_each_kind_of_token_is_told_apart() -> None:
    inner = ' $x := .Values.a.b | default .5 -1 0x1F 1.5e3 . "s" `r` \'c\' true nil if (len $x.y) , x_1 '
    got = [(t.kind, t.val) for t in tokens(inner, "t", 1)]
    assert got == [
        ("var", "$x"), ("op", ":="), ("field", ".Values.a.b"), ("op", "|"), ("ident", "default"),
        ("num", ".5"), ("num", "-1"), ("num", "0x1F"), ("num", "1.5e3"), ("dot", "."), ("str", '"s"'),
        ("raw", "`r`"), ("char", "'c'"), ("bool", "true"), ("nil", "nil"), ("kw", "if"), ("op", "("),
        ("ident", "len"), ("var", "$x"), ("field", ".y"), ("op", ")"), ("op", ","), ("ident", "x_1"),
    ]
    assert [t.space_before for t in tokens("$x.y .z", "t", 1)] == [True, False, True]


def test_an_action_ends_at_the_first_brackets_outside_quotes() -> None:
    pieces = split('a{{ "}}" }}b{{ `}}` -}}  c{{ x }}}', "t")
    assert [(p.kind, p.text) for p in pieces] == [
        ("text", "a"), ("action", ' "}}" '), ("text", "b"), ("action", " `}}`"), ("text", "c"),
        ("action", " x "), ("text", "}"),
    ]
    with pytest.raises(TemplateError, match="unclosed action"):
        split("{{ x }", "t")


@pytest.mark.parametrize("src", ['{{ "a\\', '{{ "a', "{{ 'a\\", '{{ "a\\\n" }}'])
def test_a_quote_left_open_at_the_end_or_a_line_break_is_a_template_error(src: str) -> None:
    with pytest.raises(TemplateError, match="unterminated quoted string"):
        split(src, "t")


def test_a_long_action_reads_the_same_as_a_short_one_and_is_not_kept() -> None:
    from platform_lint.helm.lexer import _cached_tokens

    long_inner = " " + " | ".join(f".Values.k{i}" for i in range(200)) + " "
    before = _cached_tokens.cache_info()
    got = tokens(long_inner, "t", 1)
    assert _cached_tokens.cache_info() == before
    assert [t.val for t in got if t.kind == "field"] == [f".Values.k{i}" for i in range(200)]
    short = " .Values.only_in_this_test "
    assert tokens(short, "t", 1) == tokens(short, "t", 1)
    after = _cached_tokens.cache_info()
    assert (after.misses, after.hits) == (before.misses + 1, before.hits + 1)
