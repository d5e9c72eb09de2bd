"""Where each rendered line came from: invisible markers threaded through a rendering.

A traced rendering writes a marker (a private-use character and a two-character
id) before every line of template text and before every action's output. The
markers travel through `include`, `nindent` and string concatenation untouched;
functions that look at string content see their arguments with markers stripped
(`Executor.invoke`), as do conditions. Afterwards `split` removes the markers
and says, for each output line, which template line (and which `.Values` path,
when an action printed one) wrote each column range.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from platform_lint.helm.parser import Dot, Field, Pipe, Text, Var
from platform_lint.records import record

MARK = "\ue000"
_BASE = 0xE100
_RADIX = 3840
_LAST = 0xF0FF
_MARKER = re.compile("\ue000[\ue100-\uf0ff]{2}")
_MARKER_ID = re.compile("\ue000([\ue100-\uf0ff]{2})")

# Functions whose string results keep their arguments' text (so markers stay meaningful).
# (trim and friends are not: a marker between two spaces would stop them early.)
TRANSPARENT = frozenset({"indent", "nindent", "printf", "print", "toString", "quote", "squote",
                         "upper", "lower", "cat", "include"})


ValuesPath = tuple[str | int, ...]


@record(frozen=True)
class Origin:
    file: str
    line: int
    values: ValuesPath | None = None
    """The `.Values` path an action printed, when it printed one."""


class Tracer:
    def __init__(self) -> None:
        self.origins: list[Origin] = []
        self._ids: dict[Origin, str] = {}
        self._texts: dict[tuple[int, str], tuple[Text, str]] = {}
        self._actions: dict[tuple[int, str, int, ValuesPath | None], tuple[Pipe, str]] = {}
        self._paths: dict[tuple[int, ValuesPath | None], tuple[Pipe, ValuesPath | None]] = {}

    def mark(self, origin: Origin) -> str:
        found = self._ids.get(origin)
        if found is None:
            n = len(self.origins)
            if n >= _RADIX * _RADIX:
                return ""
            self.origins.append(origin)
            found = MARK + chr(_BASE + n // _RADIX) + chr(_BASE + n % _RADIX)
            self._ids[origin] = found
        return found

    def text(self, node: Text, file: str) -> str:
        key = (id(node), file)
        held = self._texts.get(key)
        if held is None:  # the node is kept, so its id names no other
            lines = node.text.split("\n")
            held = self._texts[key] = (node, "\n".join(
                (self.mark(Origin(file, node.line + i)) if part else "") + part
                for i, part in enumerate(lines)))
        return held[1]

    def action(self, pipe: Pipe, file: str, line: int, dot: ValuesPath | None) -> str:
        key = (id(pipe), file, line, dot)
        held = self._actions.get(key)
        if held is None:  # the pipe is kept, so its id names no other
            held = self._actions[key] = (pipe, self.mark(Origin(file, line, self.values_path(pipe, dot))))
        return held[1]

    def values_path(self, pipe: Pipe, dot: ValuesPath | None) -> ValuesPath | None:
        """`values_path(pipe, dot)`, worked out once per pipe and dot."""
        key = (id(pipe), dot)
        held = self._paths.get(key)
        if held is None:
            held = self._paths[key] = (pipe, values_path(pipe, dot))
        return held[1]


def strip(value: Any) -> Any:
    return _MARKER.sub("", value) if isinstance(value, str) and MARK in value else value


def values_path(pipe: Pipe, dot: ValuesPath | None = None) -> ValuesPath | None:
    """The first `.Values.x.y` (or `$.Values.x.y`) a pipeline reads, as ("x", "y"); with
    `dot` (inside `with`/`range` over values) fields of dot count too."""
    for cmd in pipe.cmds:
        for arg in cmd.args:
            if isinstance(arg, Field) and dot is not None:
                return (*dot, *arg.names)
            if isinstance(arg, Dot) and dot is not None:
                return dot
            if isinstance(arg, Field) and arg.names[:1] == ("Values",) and len(arg.names) > 1:
                return arg.names[1:]
            if (isinstance(arg, Var) and arg.name == "$" and arg.names[:1] == ("Values",)
                    and len(arg.names) > 1):
                return arg.names[1:]
            if isinstance(arg, Pipe):
                found = values_path(arg, dot)
                if found is not None:
                    return found
    return None


LineMarks = Sequence[tuple[int, int]]
"""(column, origin index) pairs of one output line, in column order."""

_NO_MARKS: LineMarks = ()


def split(text: str) -> tuple[str, list[LineMarks]]:
    """The text without markers, and each line's markers at their clean columns (most lines,
    written by one action's value, have none: they share one empty tuple)."""
    # text, id, text, id, ..., text: a marker character that begins no marker stays text
    pieces = _MARKER_ID.split(text)
    clean = "".join(pieces[::2]) if len(pieces) > 1 else text
    marks: list[LineMarks] = [_NO_MARKS] * (clean.count("\n") + 1)
    found: list[tuple[int, int]] = []
    row = col = 0
    filling = -1
    for i in range(1, len(pieces), 2):
        before = pieces[i - 1]
        lines = before.count("\n")
        if lines:
            row += lines
            col = len(before) - before.rindex("\n") - 1
        else:
            col += len(before)
        if row != filling:
            marks[row] = found = []
            filling = row
        mark = pieces[i]
        found.append((col, (ord(mark[0]) - _BASE) * _RADIX + ord(mark[1]) - _BASE))
    return clean, marks
