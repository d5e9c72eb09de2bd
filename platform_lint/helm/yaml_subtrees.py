"""One large rendered YAML document read in pieces of its block mappings, each piece once per chart.

A chart's values sets often render one large document (a CRD of half a megabyte)
that differs between sets only in an annotation or a service name. Such a
document is cut at the keys of its block mappings (the document's own keys,
then those of a large entry whose value is a block mapping, and so on): each
large entry is read on its own, or cut again, and consecutive small entries
together. A piece is parsed as the text the parser would meet there: the key
lines of its ancestors (so indentation and paths are those of the whole), its
own lines, and a stand-in key at the indentation of the line after it (so a
collection ends where it ends in the whole text). Its spans then move by whole
lines only. A mapping cut apart is given the span `yaml_tree` gives it: from
its first key to the token after it.

`Subtrees.read` returns exactly the one document `parse_yaml` returns, or None
when the text is not cut (small, tab indentation, a key that is not plain, an
anchor or alias, any problem in a piece): the caller parses it whole.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from platform_lint.model import Path, Span
from platform_lint.sources.yaml_tree import YamlDocument, _span, parse_yaml

MIN_LINES = 48
"""An entry at least this long is read (or cut) on its own; shorter ones are read together."""

_STAND_IN = "\ue0ff"
"""The key standing for the line after a piece (a private-use character; a text holding it is not cut)."""
_KEY_LINE = re.compile(r" *([A-Za-z0-9_][A-Za-z0-9_./-]*):(?: |$)")
_OPEN_KEY = re.compile(r" *([A-Za-z0-9_][A-Za-z0-9_./-]*): *")
"""A key whose value is the block below it."""
_DOCUMENT_START = re.compile(r"---(?: +#.*| *)")
_TAB_INDENT = re.compile(r"^ *\t", re.M)

Entry = tuple[int, int, int]
"""An entry of a mapping: the line of its key, and the lines it covers (from, to)."""


class _NotCut(Exception):
    """The text cannot be cut here: it is parsed whole."""


class Subtrees:
    """The pieces parsed so far (by their text), and their spans placed (by text and line shift)."""

    def __init__(self) -> None:
        self._parsed: dict[str, YamlDocument | None] = {}
        self._placed: dict[tuple[str, int], tuple[dict[Path, Span], dict[Path, Span]]] = {}

    def read(self, text: str) -> YamlDocument | None:
        """What `parse_yaml(text)` returns as its one document, built from pieces; None when not cut."""
        lines = text.split("\n")
        if len(lines) < 2 * MIN_LINES or _STAND_IN in text or _tab_indent(text) or _anchors(text):
            return None
        contents = (i for i, line in enumerate(lines) if _content(line))
        first = next(contents, None)
        if first is not None and _DOCUMENT_START.fullmatch(lines[first]):
            first = next(contents, None)
        if first is None or not _KEY_LINE.match(lines[first]) or lines[first].startswith(" "):
            return None
        end = (len(lines) - 1 if lines[-1] == "" else len(lines), 0)  # the stream's end, as libyaml marks it
        out = YamlDocument(data=None)
        offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
        try:
            out.data = _Level(self, _Text(text, lines, offsets, out, end), (), [], 0, end).build(
                0, len(lines), first)
        except _NotCut:
            return None
        return out

    def parsed(self, text: str) -> YamlDocument | None:
        if text not in self._parsed:
            docs, problems = parse_yaml(text)
            self._parsed[text] = docs[0] if len(docs) == 1 and not problems else None
        return self._parsed[text]

    def placed(self, text: str, doc: YamlDocument, depth: int, shift: int) -> tuple[
            dict[Path, Span], dict[Path, Span]]:
        """The piece's spans below `depth`, moved `shift` lines, the stand-in's left out."""
        key = (text, shift)
        if key not in self._placed:
            self._placed[key] = (_moved(doc.spans, depth, shift), _moved(doc.key_spans, depth, shift))
        return self._placed[key]


class _Text:
    """The document being cut: its text, lines, where each line starts, what is built of it."""

    def __init__(self, text: str, lines: list[str], offsets: list[int], out: YamlDocument,
                 end: tuple[int, int]) -> None:
        self.text = text
        self.lines = lines
        self.offsets = offsets
        self.out = out
        self.end = end
        """The end of the stream, as libyaml marks it."""


class _Level:
    """One block mapping being cut: its path, the key lines leading to it, where it ends."""

    def __init__(self, pieces: Subtrees, whole: _Text, path: Path, header: list[int], indent: int,
                 after: tuple[int, int]) -> None:
        self.pieces = pieces
        self.whole = whole
        self.text, self.lines, self.offsets = whole.text, whole.lines, whole.offsets
        self.out = whole.out
        self.end = whole.end
        self.path = path
        self.header = header
        """The lines of the keys leading here, outermost first."""
        self.indent = indent
        """The column of this mapping's keys."""
        self.after = after
        """Where the first token after this mapping is (0-based line and column), or the stream's end."""

    def build(self, start: int, stop: int, first: int) -> dict[str, Any]:
        """The mapping on lines `start` to `stop`, whose first key is on line `first`."""
        entries = self._entries(start, stop, first)
        self.out.spans[self.path] = Span.point(1)  # its place in the order, before its entries
        data: dict[str, Any] = {}
        run: list[Entry] = []
        for i, entry in enumerate(entries):
            _key_line, lo, hi = entry
            if hi - lo < MIN_LINES:
                run.append(entry)
                continue
            if run:
                self._read(run, (lo, self.indent), data)
                run = []
            following = (hi, self.indent) if i + 1 < len(entries) else self.after
            if not self._cut(entry, following, data):
                self._read([entry], following, data)
        if run:
            self._read(run, self.after, data)
        head = self.out.key_spans[(*self.path, _key(self.lines[first]))]
        self.out.spans[self.path] = _span(_Node(_Mark(head.line - 1, head.col - 1), _Mark(*self.after)))
        return data

    def _entries(self, start: int, stop: int, first: int) -> list[Entry]:
        lines, offsets = self.lines, self.offsets
        starts: list[int] = []
        # the lines that hold something no deeper than this mapping's keys: its keys, and
        # the items of a sequence written at its key's indentation (`key:` then `- x`)
        for i, column in _shallow_lines(self.text, offsets, first, stop, self.indent):
            if column != self.indent:
                raise _NotCut
            if lines[i].startswith("-", self.indent):
                if not starts:
                    raise _NotCut
                continue
            if not _KEY_LINE.match(lines[i]):
                raise _NotCut
            starts.append(i)
        if not starts or starts[0] != first:
            raise _NotCut
        bounds = [start, *starts[1:], stop]
        return [(key_line, bounds[i], bounds[i + 1]) for i, key_line in enumerate(starts)]

    def _cut(self, entry: Entry, following: tuple[int, int], data: dict[str, Any]) -> bool:
        """Read a large entry whose value is a block mapping by cutting that mapping in turn."""
        key_line, _lo, hi = entry
        lines = self.lines
        found = _OPEN_KEY.fullmatch(lines[key_line])
        body = next((i for i in range(key_line + 1, hi) if _content(lines[i])), None)
        if found is None or body is None:
            return False
        width = len(lines[body]) - len(lines[body].lstrip(" "))
        if width <= self.indent or not _KEY_LINE.match(lines[body]):
            return False
        key = found.group(1)
        if key in data:
            raise _NotCut
        col = len(lines[key_line]) - len(lines[key_line].lstrip(" "))
        self.out.key_spans[(*self.path, key)] = Span(key_line + 1, col + 1, key_line + 1, col + 1 + len(key))
        level = _Level(self.pieces, self.whole, (*self.path, key), [*self.header, key_line], width, following)
        data[key] = level.build(key_line + 1, hi, body)
        return True

    def _read(self, run: list[Entry], following: tuple[int, int], data: dict[str, Any]) -> None:
        """Parse a run of this mapping's entries as one piece and add them."""
        lines = self.lines
        start, stop = run[0][1], run[-1][2]
        text_lines = [lines[i] for i in self.header] + lines[start:stop]
        if following != self.end:
            text_lines.append(" " * following[1] + _STAND_IN + ": 0")
        text = "\n".join(text_lines)
        doc = self.pieces.parsed(text)
        if doc is None:
            raise _NotCut
        node = doc.data
        for key in self.path:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise _NotCut
        keys = [k for k in node if k != _STAND_IN]
        if keys != [_key(lines[key_line]) for key_line, _lo, _hi in run] or any(k in data for k in keys):
            raise _NotCut
        for k in keys:
            data[k] = node[k]
        spans, key_spans = self.pieces.placed(text, doc, len(self.path), start - len(self.header))
        self.out.spans.update(spans)
        self.out.key_spans.update(key_spans)


class _Mark:
    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


class _Node:
    """What `yaml_tree._span` reads of a parser node."""

    __slots__ = ("end_mark", "start_mark")

    def __init__(self, start_mark: _Mark, end_mark: _Mark) -> None:
        self.start_mark = start_mark
        self.end_mark = end_mark


def _tab_indent(text: str) -> bool:
    """Whether a line is indented with a tab (a regex starting at `^` is tried at every
    character: it is not run on the many texts without a tab)."""
    return "\t" in text and _TAB_INDENT.search(text) is not None


def _anchors(text: str) -> bool:
    """Whether the text may hold an anchor or an alias, which tie pieces together (an alias
    across pieces, a name given twice): a `&` or `*` after a space, a bracket, a comma or
    at a line's start, not followed by a space (`a && b` in a CEL rule, `a * b`, are no anchor)."""
    for mark in "&*":  # found by `str.find`, many times quicker than a regex's character class
        start = text.find(mark)
        while start >= 0:
            if start == 0 or text[start - 1] in " \t[{,\n":  # (a run of `&` and `*` starts here)
                end = start + 1
                while end < len(text) and text[end] in "&*":
                    end += 1
                if end < len(text) and text[end] not in " \t\n":
                    return True
            start = text.find(mark, start + 1)
    return False


def _shallow_lines(text: str, offsets: list[int], first: int, stop: int, indent: int) -> Iterator[
        tuple[int, int]]:
    """Each line from `first` to `stop` holding something at a column no deeper than `indent`,
    and that column. The lines after the first are found by the line break before them: a
    pattern that starts with a character is searched for by a quick scan for it, where one
    that starts at a line's start (`^` in MULTILINE) is tried at every character."""
    end = offsets[stop]
    head = _line_start(indent).match(text, offsets[first], end)
    if head is not None:
        yield first, head.end() - head.start()
    for found in _shallow(indent).finditer(text, offsets[first], end):
        yield bisect.bisect_right(offsets, found.start() + 1) - 1, found.end() - found.start() - 1


@lru_cache(maxsize=64)
def _shallow(indent: int) -> re.Pattern[str]:
    """A line break and the line after it, up to something at a column no deeper than `indent`."""
    return re.compile(f"\\n {{0,{indent}}}(?=[^ \\n#])")


@lru_cache(maxsize=64)
def _line_start(indent: int) -> re.Pattern[str]:
    """A line from its start, up to something at a column no deeper than `indent`."""
    return re.compile(f" {{0,{indent}}}(?=[^ \\n#])")


def _key(line: str) -> str:
    found = _KEY_LINE.match(line)
    assert found is not None
    return found.group(1)


def _content(line: str) -> bool:
    stripped = line.lstrip(" ")
    return bool(stripped) and not stripped.startswith("#")


def _moved(spans: dict[Path, Span], depth: int, shift: int) -> dict[Path, Span]:
    return {path: Span(s.line + shift, s.col, s.end_line + shift, s.end_col) for path, s in spans.items()
            if len(path) > depth and path[depth] != _STAND_IN}
