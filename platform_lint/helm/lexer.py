"""Go text/template lexing: text and actions, then the tokens inside an action.

`split` cuts a template into text pieces and actions (applying `{{-`/`-}}`
trimming and dropping comments); `tokens` turns one action's inner text into
tokens. Both keep the 1-based line each piece starts on, for error findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from platform_lint.helm.errors import TemplateError

_SPACE = " \t\r\n"


@dataclass(slots=True)
class Piece:
    kind: str  # "text" | "action"
    text: str
    line: int


def split(src: str, name: str) -> list[Piece]:
    """Text and action pieces of a template, trimming whitespace as `{{-`/`-}}` ask."""
    pieces: list[Piece] = []
    pos = 0
    line = 1
    n = len(src)
    trim_next = False
    while pos < n:
        start = src.find("{{", pos)
        if start < 0:
            text = src[pos:]
            if trim_next:
                text = text.lstrip(_SPACE)
            if text:
                pieces.append(Piece("text", text, line))
            break
        text = src[pos:start]
        text_line = line
        line += text.count("\n")
        trim_left = start + 2 < n and src[start + 2] == "-" and start + 3 < n and src[start + 3] in _SPACE
        if trim_next:
            stripped = text.lstrip(_SPACE)
            text_line += text.count("\n") - stripped.count("\n")
            text = stripped
        if trim_left:
            text = text.rstrip(_SPACE)
        if text:
            pieces.append(Piece("text", text, text_line))
        inner_start = start + (3 if trim_left else 2)
        end, trim_right = _action_end(src, inner_start, name, line)
        inner = src[inner_start:end]
        action_line = line
        line += src.count("\n", start, end + 2 + (2 if trim_right else 0))
        body = inner.strip(_SPACE)
        if not body.startswith("/*"):
            pieces.append(Piece("action", inner, action_line))
        elif not body.endswith("*/"):
            raise TemplateError("comment ends before closing delimiter", name, action_line)
        pos = end + (4 if trim_right else 2)
        trim_next = trim_right
    return pieces


_ACTION_STOP = re.compile(r"[\"'`]|\}\}")
"""What can end an action or begin a quote in it (found by the regex engine, not character
by character in Python)."""


def _action_end(src: str, pos: int, name: str, line: int) -> tuple[int, bool]:
    """Index of the closing `}}` (or of ` -}}`'s space) and whether it trims."""
    n = len(src)
    i = pos
    if src.startswith("/*", src_skip(src, i)):
        close = src.find("*/", i)
        if close < 0:
            raise TemplateError("unclosed comment", name, line)
        i = close + 2
    while (stop := _ACTION_STOP.search(src, i)) is not None:
        i = stop.start()
        c = src[i]
        if c in {'"', "'"}:
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                if j == n or src[j] == "\n":
                    raise TemplateError("unterminated quoted string", name, line)
                j += 1
            if j == n:
                raise TemplateError("unterminated quoted string", name, line)
            i = j + 1
            continue
        if c == "`":
            j = src.find("`", i + 1)
            if j < 0:
                raise TemplateError("unterminated raw quoted string", name, line)
            i = j + 1
            continue
        if i - 2 >= pos and src[i - 1] == "-" and src[i - 2] in _SPACE:  # `}}`
            return i - 2, True
        return i, False
    raise TemplateError("unclosed action", name, line)


def src_skip(src: str, i: int) -> int:
    while i < len(src) and src[i] in _SPACE:
        i += 1
    return i


@dataclass(slots=True, frozen=True)
class Tok:
    kind: str  # str, raw, char, num, kw, ident, field, var, dot, op, bool, nil
    val: str
    space_before: bool


KEYWORDS = frozenset(
    {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
)

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<var>\$[A-Za-z0-9_]*)
  | (?P<op>:=|=|\||\(|\)|,)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\]|\\.)+')
  | (?P<num>[+-]?(?:
        0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?[pP][+-]?\d+
      | 0[xX][0-9a-fA-F_]+ | 0[oO][0-7_]+ | 0[bB][01_]+
      | (?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))
  | (?P<dot>\.)
    """,
    re.VERBOSE,
)
"""The alternatives begin with different characters (but `num` and `dot`, in this order, and
`field`): they are tried the most common first, the costly `num` late."""


_CACHED_TEXT_MAX = 512
"""Longer action texts are read each time, so the cache stays small (4,096 texts of at most
this many characters) whatever the templates hold."""


def tokens(inner: str, name: str, line: int) -> list[Tok]:
    """The tokens of an action's inner text. The same short text recurs across templates
    and charts (`include "chart.fullname" .`, `.Values.x`): it is read once per process."""
    try:
        if len(inner) <= _CACHED_TEXT_MAX:
            return list(_cached_tokens(inner))
        return list(_tokens(inner))
    except _Unexpected as exc:
        raise TemplateError(f"unexpected {exc.args[0]!r} in command", name, line) from None


class _Unexpected(Exception):
    """A character that begins no token (the exception's argument)."""


def _tokens(inner: str) -> tuple[Tok, ...]:
    out: list[Tok] = []
    pos = 0
    space = True
    n = len(inner)
    while pos < n:
        m = _TOKEN.match(inner, pos)
        if m is None:
            raise _Unexpected(inner[pos])
        kind = m.lastgroup or ""
        val = m.group()
        pos = m.end()
        if kind == "space":
            space = True
            continue
        if kind == "ident":
            if val in KEYWORDS:
                kind = "kw"
            elif val in ("true", "false"):
                kind = "bool"
            elif val == "nil":
                kind = "nil"
        out.append(Tok(kind, val, space))
        space = False
    return tuple(out)


_cached_tokens = lru_cache(maxsize=4096)(_tokens)
