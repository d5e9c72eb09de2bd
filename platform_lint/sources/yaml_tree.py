"""YAML text to plain data with a span for every key and value.

Uses ruamel.yaml's composer (the libyaml-based one when ruamel.yaml.clib is
present) and builds values ourselves from the node graph. Building from nodes
rather than constructed objects keeps every position, keeps keys as their
source text (so GitHub's `on:` stays "on" and never becomes True), lets us
report duplicate keys, and resolves `<<` merge keys the way GitLab CI uses them.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from platform_lint import budget
from platform_lint.budget import OverBudget
from platform_lint.model import Document, Path, Span, source_lines

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class Problem:
    """A syntax or structure problem found while reading a file."""

    span: Span
    message: str


@dataclass(slots=True)
class YamlDocument:
    data: Any
    spans: dict[Path, Span] = field(default_factory=dict)
    key_spans: dict[Path, Span] = field(default_factory=dict)


Position = Callable[[Any], tuple[int, int]]
"""A parser mark to its (line, column), both 0-based, as editors count lines."""


def _mark_position(mark: Any) -> tuple[int, int]:
    return mark.line, mark.column


def _positions(text: str) -> Position:
    """How to place ruamel's marks in `text`. ruamel also breaks lines at NEL,
    U+2028 and U+2029, which editors and GitHub do not: in a text holding one
    of them, marks are placed by their character offset instead."""
    if not _ODD_BREAKS.search(text):
        return _mark_position
    starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def by_offset(mark: Any) -> tuple[int, int]:
        line = bisect.bisect_right(starts, mark.index) - 1
        return line, mark.index - starts[line]

    return by_offset


_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_BREAK = re.compile(r"\r\n|\r|\n")


def _span(node: Any, position: Position = _mark_position) -> Span:
    (start_line, start_col), (end_line, end_col) = position(node.start_mark), position(node.end_mark)
    end_line, end_col = end_line + 1, end_col + 1
    if end_col == 1 and end_line > start_line + 1:
        # Block values end at column 0 of the next line; keep the span on its own lines.
        end_line -= 1
        end_col = start_col + 2 if end_line == start_line + 1 else 1
    if (end_line, end_col) <= (start_line + 1, start_col + 1):  # an empty node (`key:`, `? `)
        end_line, end_col = start_line + 1, start_col + 2
    return Span(start_line + 1, start_col + 1, end_line, end_col)


def _scalar(node: Any) -> Any:
    tag: str = node.tag
    text: str = node.value
    if tag.endswith(":str") or node.style:
        return text
    if tag.endswith(":int"):
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            try:
                return int(text, 8) if text.startswith("0") else text
            except ValueError:
                return text
    if tag.endswith(":float"):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            lowered = text.lower()
            if lowered in (".inf", "+.inf"):
                return float("inf")
            if lowered == "-.inf":
                return float("-inf")
            return float("nan") if lowered == ".nan" else text
    if tag.endswith(":bool"):
        return _BOOL.get(text.lower(), text)
    if tag.endswith(":null"):
        return None
    return text


MAX_ALIAS_NODES = 100_000
"""How many nodes aliases may add to a document, over those written out. A few
hundred bytes of nested aliases (`a: &a [x, x]`, `b: &b [*a, *a]`, ...) expand
exponentially: a "billion laughs" file is refused, not built."""


class _AliasBomb(Exception):
    """Aliases expanded past `MAX_ALIAS_NODES`."""


class _Builder:
    def __init__(self, position: Position) -> None:
        self.position = position
        self.doc = YamlDocument(data=None)
        self.problems: list[Problem] = []
        self._active: set[int] = set()
        self._seen: set[int] = set()
        self._repeats = 0
        """Nodes built a second time or more: what aliases (and merges) expanded."""
        self.meter = budget.current()
        self.aliases = 0
        self._expanding = 0

    def build(self, node: Any, path: Path) -> Any:
        repeat = id(node) in self._seen
        if repeat and not self._expanding:
            self.aliases += 1  # an alias (or merge) of the document, in reading order
        if self.meter is not None:
            self._count(node, repeat)
        if repeat:
            self._repeats += 1
            if self._repeats > MAX_ALIAS_NODES:
                raise _AliasBomb
            self._expanding += 1
            try:
                return self._build(node, path)
            finally:
                self._expanding -= 1
        self._seen.add(id(node))
        return self._build(node, path)

    def _count(self, node: Any, repeat: bool) -> None:
        """The node against the file's budget; past it, at the node, or at the
        alias whose expansion crossed it (which `parse_yaml` places)."""
        assert self.meter is not None
        try:
            self.meter.node(len(node.value) if node.id == "scalar" else 0)
        except OverBudget as over:
            if repeat or self._expanding:
                over.alias = self.aliases
            else:
                over.span = Span.point(*(n + 1 for n in self.position(node.start_mark)))
            raise

    def _build(self, node: Any, path: Path) -> Any:
        self.doc.spans[path] = _span(node, self.position)
        if node.id == "scalar":
            return _scalar(node)
        if id(node) in self._active:
            self.problems.append(Problem(_span(node, self.position), "recursive alias"))
            return None
        self._active.add(id(node))
        try:
            if node.id == "sequence":
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: Any, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        explicit = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if value_node.id == "sequence" else [value_node]
                for source in reversed(sources):  # earlier sources take precedence
                    self._merge(source, path, out)
        seen: set[str] = set()
        for key_node, value_node in explicit:
            key = str(key_node.value) if key_node.id == "scalar" else _flow_text(key_node)
            if key in seen:
                self.problems.append(Problem(_span(key_node, self.position),
                                             f"duplicate key {key!r} (the later value wins)"))
            seen.add(key)
            child = (*path, key)
            self.doc.key_spans[child] = _span(key_node, self.position)
            out[key] = self.build(value_node, child)
        return out

    def _merge(self, source: Any, path: Path, out: dict[str, Any]) -> None:
        if source.id != "mapping":
            self.problems.append(Problem(_span(source, self.position),
                                         "merge key '<<' needs a mapping"))
            return
        out.update(self._mapping(source, path))


def _flow_text(node: Any) -> str:
    return f"<{node.id} key at line {node.start_mark.line + 1}>"


def parse_yaml(text: str) -> tuple[list[YamlDocument], list[Problem]]:
    """Every document in `text`, and the problems found. On a syntax error the
    documents before it are kept and the error is reported at its position."""
    if bracket_depth(text) > MAX_DEPTH:
        # ruamel's C composer recurses without a guard: 50,000 '[' crash the process.
        return [], [Problem(Span.point(1), f"nested more than {MAX_DEPTH} levels deep: not parsed")]
    position = _positions(text)
    docs, problems, flow_colon = _load(text, position, pure=False)
    if flow_colon:
        # libyaml's scanner refuses a `:` inside a plain scalar in flow context
        # (`ports: [frontend:80]`), which YAML 1.2 and go-yaml (what kubectl
        # reads with) take as one string; ruamel's own scanner reads it so.
        docs, problems, _ = _load(text, position, pure=True)
    return docs, problems


def _load(text: str, position: Position, *, pure: bool) -> tuple[list[YamlDocument], list[Problem], bool]:
    """The documents and problems, and whether the text stopped at a `:` in a flow scalar."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    loader = YAML(typ="safe", pure=pure)
    loader.Resolver = _resolver_class()
    docs: list[YamlDocument] = []
    problems: list[Problem] = []
    try:
        for node in loader.compose_all(text):
            if node is None:
                continue
            builder = _Builder(position)
            try:
                builder.doc.data = builder.build(node, ())
            except _AliasBomb:
                problems.append(_alias_bomb(loader, text, node.start_mark.line, position))
                continue
            except OverBudget as over:
                if over.span is None:
                    over.span = _nth_alias(loader, text, node.start_mark.line, over.alias, position)
                raise
            docs.append(builder.doc)
            problems.extend(builder.problems)
    except MarkedYAMLError as exc:
        if not pure and exc.problem == _FLOW_COLON:
            return docs, problems, True
        mark = exc.problem_mark or exc.context_mark
        line, col = position(mark) if mark is not None else (0, 0)
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.append(Problem(_inside(text, line + 1, col + 1), f"YAML syntax error: {detail}"))
    except ReaderError as exc:  # a character YAML does not allow, at an offset into the text
        problems.append(Problem(_at_offset(text, exc.position),
                                f"YAML syntax error: character U+{exc.character:04X} is not allowed"))
    except YAMLError:
        problems.append(Problem(Span.point(1), "YAML error: the file could not be read as YAML"))
    except RecursionError:
        problems.append(Problem(Span.point(1), "nested too deeply to parse"))
    return docs, problems, False


_FLOW_COLON = "found unexpected ':'"


def _inside(text: str, line: int, col: int) -> Span:
    """A point at `line`:`col`, moved back to the end of the text when a parser
    places it past the last line (an unclosed bracket is noticed at the end)."""
    lines = source_lines(text)
    if not lines:
        return Span.point(1)
    if line > len(lines):
        line, col = len(lines), len(lines[-1]) + 1
    return Span.point(line, max(1, min(col, len(lines[line - 1]) + 1)))


def _at_offset(text: str, offset: int) -> Span:
    """The point at character `offset` of `text`, lines counted as editors count them."""
    before = text[: max(offset, 0)]
    breaks = list(_BREAK.finditer(before))
    start = breaks[-1].end() if breaks else 0
    return _inside(text, len(breaks) + 1, len(before) - start + 1)


def _alias_bomb(loader: Any, text: str, first_line: int, position: Position) -> Problem:
    """The refusal of a document whose aliases expand too far, at its first alias."""
    at = _nth_alias(loader, text, first_line, 1, position)
    return Problem(at, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes: not parsed")


def _nth_alias(loader: Any, text: str, first_line: int, n: int, position: Position) -> Span:
    """Where the `n`th alias of the document starting at `first_line` is (its start without one)."""
    from ruamel.yaml.events import AliasEvent

    seen = 0
    for event in loader.parse(text):
        if isinstance(event, AliasEvent) and event.start_mark.line >= first_line:
            seen += 1
            if seen >= n:
                line, col = position(event.start_mark)
                return Span.point(line + 1, col + 1)
    return Span.point(first_line + 1)


@cache
def _resolver_class() -> type:
    """ruamel's resolver asks for the YAML version on every scalar, through two
    failing attribute lookups under the C parser: over half the time of a large
    file. The version cannot change within a load, so it is asked once."""
    from ruamel.yaml.resolver import VersionedResolver

    class OnceResolver(VersionedResolver):
        _version: Any = None

        @property
        def processing_version(self) -> Any:
            if self._version is None:
                self._version = super().processing_version
            return self._version

    return OnceResolver


MAX_DEPTH = 400
"""Deeper flow nesting is reported, not parsed (deeper block nesting hits Python's recursion limit)."""

_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def bracket_depth(text: str) -> int:
    """The deepest nesting of `[` and `{` (those in strings too: an upper bound), in C loops."""
    brackets = re.findall(r"[\[\]{}]", text)
    return max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def one_document(path: str, text: str, kind: str, error: type[Exception]) -> Document:
    """A file that must hold exactly one YAML document (a rule file, a criteria file),
    as a Document of `kind`; else `error` naming the file and line."""
    docs, problems = parse_yaml(text)
    if problems:
        p = problems[0]
        raise error(f"{path}:{p.span.line}:{p.span.col}: {p.message}")
    if len(docs) != 1:
        raise error(f"{path}:1:1: a {kind} file holds exactly one YAML document")
    return Document(path=path, kind=kind, data=docs[0].data, spans=docs[0].spans,
                    key_spans=docs[0].key_spans)
