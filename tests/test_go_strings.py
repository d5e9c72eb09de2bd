"""Go string and character literals read as Go's strconv.Unquote reads them:
Helm templates and PromQL (whose lexer accepts the same escapes) both write them."""

from __future__ import annotations

import pytest

from platform_lint.go_strings import char, unquote


@pytest.mark.parametrize(("literal", "value"), [
    ('"plain"', "plain"),
    ('"a\\nb\\t\\\\\\""', 'a\nb\t\\"'),
    ('"\\a\\b\\f\\r\\v"', "\a\b\f\r\v"),
    ('"\\x41\\101\\u00e9\\U0001F600"', "AA\u00e9\U0001F600"),
    ('"\\xc3\\xa9"', "\u00e9"),  # bytes, decoded as UTF-8 as Go's output would be read
    ("'\\''", "'"),
    ("'x'", "x"),
    ("'it''s'", "it''s"),  # PromQL's single-quoted strings hold any number of characters
    ("`raw \\d`", "raw \\d"),
])
def test_unquote_reads_what_go_reads(literal: str, value: str) -> None:
    assert unquote(literal) == value


@pytest.mark.parametrize("literal", [
    '"\\d"',          # not an escape Go knows
    '"\\\'"',         # a single quote is escaped only in a single-quoted literal
    "'\\\"'",         # and a double quote only in a double-quoted one
    '"\\ud800"',      # a surrogate is not a character
    '"\\U00110000"',  # past the last character
    '"\\400"',        # an octal escape past a byte
    '"\\x4"',         # too few digits
    '"\\u12"',
    '"abc\\"',        # the last quote escaped: the literal is not closed
])
def test_unquote_refuses_what_go_refuses(literal: str) -> None:
    with pytest.raises(ValueError, match="invalid syntax"):
        unquote(literal)


def test_an_invalid_byte_sequence_is_replaced_not_kept_as_a_surrogate() -> None:
    value = unquote('"\\xff"')
    assert value == "\ufffd"
    value.encode("utf-8")  # every output can write it


@pytest.mark.parametrize(("literal", "value"), [
    ("'x'", 120), ("'\u00e9'", 0xE9), ("'\\n'", 10), ("'\\''", 39),
    ("'\\xff'", 255), ("'\\377'", 255),  # a byte escape is the byte's value, not U+FFFD
    ("'\\u00e9'", 0xE9), ("'\\U0001F600'", 0x1F600),
])
def test_a_character_constant_is_what_unquotechar_reads(literal: str, value: int) -> None:
    assert char(literal) == value


@pytest.mark.parametrize("literal", ["''", "'ab'", "'\\xc3\\xa9'", "'\\q'", "'\\\"'", "'''", "'\\ud800'"])
def test_a_character_constant_holds_one_character(literal: str) -> None:
    with pytest.raises(ValueError, match="invalid syntax"):
        char(literal)
