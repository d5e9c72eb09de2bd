"""Go string literals read as Go's `strconv.Unquote` reads them.

Helm's templates are Go templates, and PromQL's lexer accepts Go's escapes, so a
literal either tool refuses (`"\\d"`, a surrogate `"\\ud800"`) is refused here too,
with Go's "invalid syntax", instead of being read as something else. A
single-quoted literal may hold several characters (PromQL); a Go template checks
that a character constant holds one. `\\x` and octal escapes are bytes, read as
UTF-8 as Go's output would be, an invalid sequence as U+FFFD (never a lone
surrogate, which no output could write).
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[abfnrtv\\'\"])")
_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def unquote(literal: str) -> str:
    """The value of a quoted Go literal (`"..."`, `'...'` or a backquoted raw string);
    ValueError("invalid syntax") for an escape Go does not accept."""
    quote = literal[:1]
    if len(literal) < 2 or quote not in "\"'`" or literal[-1] != quote:
        raise ValueError("invalid syntax")
    body = literal[1:-1]
    if quote == "`" or "\\" not in body:
        return body
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(body):
        if "\\" in body[pos:m.start()]:
            raise ValueError("invalid syntax")  # a backslash no escape begins with
        out += body[pos:m.start()].encode("utf-8", "surrogatepass")
        out += _escaped(m.group()[1:], quote)
        pos = m.end()
    if "\\" in body[pos:]:
        raise ValueError("invalid syntax")
    out += body[pos:].encode("utf-8", "surrogatepass")
    return out.decode("utf-8", "replace")


def char(literal: str) -> int:
    """The value of a Go character constant (`'x'`, `'\\n'`) as `strconv.UnquoteChar`
    reads it: one character, a `\\x` or octal escape its byte's value (`'\\xff'` is
    255); ValueError("invalid syntax") for anything else."""
    body = literal[1:-1] if len(literal) >= 2 and literal[0] == literal[-1] == "'" else ""
    if len(body) == 1 and body not in "\\'":
        return ord(body)
    m = _ESCAPE.fullmatch(body)
    if m is None:
        raise ValueError("invalid syntax")
    escape = body[1:]
    if escape[0] == "x" or escape[0].isdigit():
        return _escaped(escape, "'")[0]
    return ord(_escaped(escape, "'").decode("utf-8"))


def _escaped(escape: str, quote: str) -> bytes:
    head = escape[0]
    if head in "'\"":
        if head != quote:
            raise ValueError("invalid syntax")
        return head.encode()
    if head in _SIMPLE:
        return _SIMPLE[head].encode()
    if head == "x":
        return bytes([int(escape[1:], 16)])
    if head.isdigit():
        value = int(escape, 8)
        if value > 0xFF:
            raise ValueError("invalid syntax")
        return bytes([value])
    code = int(escape[1:], 16)
    if not valid_rune(code):
        raise ValueError("invalid syntax")
    return chr(code).encode("utf-8")


def valid_rune(code: int) -> bool:
    """Go's utf8.ValidRune: a character, not a surrogate half or past U+10FFFF."""
    return code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
