"""YAML text to plain data with a span for every key and value.

Reads ruamel.yaml's parser events (its libyaml-based C parser when
ruamel.yaml.clib is present) and composes and builds the values itself, one
document at a time in two passes: `yaml_events.compose` links the events into
nodes (a scalar is its own event, a collection a `Collection`) and checks
anchors and aliases as ruamel's composer does; `_Builder` walks the nodes into data and
spans. Skipping ruamel's node graph skips its per-scalar resolver and its node
and tag objects, over half of the time this took; plain scalars are typed by
their first character with YAML 1.2's core rules (`yaml_scalars`). Building
from events keeps every position, keeps keys as their source text (so GitHub's
`on:` stays "on" and never becomes True), lets us report duplicate keys, and
resolves `<<` merge keys the way GitLab CI uses them.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from typing import Any

from platform_lint import budget
from platform_lint.budget import OverBudget
from platform_lint.collector import building
from platform_lint.model import Document, Path, Span, source_lines
from platform_lint.records import field, record
from platform_lint.sources.yaml_events import MAX_ALIAS_NODES, AliasBomb, Collection, compose
from platform_lint.sources.yaml_scalars import scalar_value

_MERGE_TAG = "tag:yaml.org,2002:merge"


@record(frozen=True)
class Problem:
    """A syntax or structure problem found while reading a file."""

    span: Span
    message: str


@record()
class YamlDocument:
    data: Any
    spans: dict[Path, Span] = field(default_factory=dict)
    key_spans: dict[Path, Span] = field(default_factory=dict)


Position = Callable[[Any], tuple[int, int]]
"""A parser mark to its (line, column), both 0-based, as editors count lines."""


def _positions(text: str) -> Position | None:
    """How to place ruamel's marks in `text`: None when a mark's own line and
    column are right. ruamel also breaks lines at NEL, U+2028 and U+2029, which
    editors and GitHub do not: in a text holding one of them, marks are placed
    by their character offset instead."""
    if "\x85" not in text and "\u2028" not in text and "\u2029" not in text:
        return None  # `in` is a C search; a regex character class tests each character in turn
    starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def by_offset(mark: Any) -> tuple[int, int]:
        line = bisect.bisect_right(starts, mark.index) - 1
        return line, mark.index - starts[line]

    return by_offset


_BREAK = re.compile(r"\r\n|\r|\n")


def _place(mark: Any, position: Position | None) -> tuple[int, int]:
    return (mark.line, mark.column) if position is None else position(mark)


def _span(node: Any, position: Position | None = None) -> Span:
    start, end = node.start_mark, node.end_mark
    if position is None:
        start_line, start_col, end_line, end_col = start.line, start.column, end.line + 1, end.column + 1
    else:
        (start_line, start_col), (end_line, end_col) = position(start), position(end)
        end_line, end_col = end_line + 1, end_col + 1
    if end_col == 1 and end_line > start_line + 1:
        # Block values end at column 0 of the next line; keep the span on its own lines.
        end_line -= 1
        end_col = start_col + 2 if end_line == start_line + 1 else 1
    if end_line < start_line + 1 or (end_line == start_line + 1 and end_col <= start_col + 1):
        end_line, end_col = start_line + 1, start_col + 2  # an empty node (`key:`, `? `)
    return Span(start_line + 1, start_col + 1, end_line, end_col)


def _is_merge(key: Any) -> bool:
    """A `<<` key (plain, or tagged `!!merge`)."""
    scalar = type(key) is not Collection
    tag = key.ctag if scalar else key.tag
    if tag is None or str(tag) == "!":
        return scalar and key.value == "<<" and key.implicit[0]
    return str(tag) == _MERGE_TAG


def _fits(meter: budget.Meter, nodes: int, scalar_bytes: int) -> bool:
    """Whether a document of this size cannot cross the file's node or character budget."""
    limits = meter.budgets
    return meter.nodes + nodes <= limits.nodes and meter.scalar_bytes + scalar_bytes <= limits.scalar_bytes


class _Builder:
    """Data and spans from one document's nodes. `meter` counts every node as
    it is built, to stop at the one that crosses a budget; without it (a
    document that cannot cross one) `nodes` and `scalar_bytes` count them and
    `clock` is asked for the time every 1,024 nodes."""

    def __init__(self, position: Position | None, *, anchored: bool, merges: bool,
                 meter: budget.Meter | None, clock: budget.Meter | None) -> None:
        self.position = position
        self.doc = YamlDocument(data=None)
        self.problems: list[Problem] = []
        self._active: set[int] = set()
        self._seen: set[int] | None = set() if anchored else None
        """Nodes built so far; only an anchored document can build one twice."""
        self._merges = merges
        self._repeats = 0
        """Nodes built a second time or more: what aliases (and merges) expanded."""
        self.meter = meter
        self.clock = clock
        self.nodes = 0
        self.scalar_bytes = 0
        self.aliases = 0
        self._expanding = 0

    def build(self, node: Any, path: Path) -> Any:
        if self._seen is not None:
            if id(node) in self._seen:
                return self._again(node, path)
            self._seen.add(id(node))
        scalar = type(node) is not Collection
        if self.meter is not None:
            self._count(node, False)
        else:
            self.nodes += 1
            if scalar:
                self.scalar_bytes += len(node.value)
            if not self.nodes & 1023 and self.clock is not None:
                self._tick(node)
        if scalar:  # the common case, inline
            start, end = node.start_mark, node.end_mark
            if start.line == end.line and end.column > start.column and self.position is None:
                self.doc.spans[path] = Span(start.line + 1, start.column + 1, start.line + 1, end.column + 1)
            else:
                self.doc.spans[path] = _span(node, self.position)
            return scalar_value(node)
        return self._build(node, path)

    def plain(self, root: Any) -> Any:
        """The document built as `build` builds it, for the common case: no
        anchors (no node built twice), no merge keys, marks placed by their own
        line and column, no meter to count against node by node. In closures,
        without `build`'s questions at every node: a third fewer instructions
        on a large manifest."""
        spans, key_spans, problems = self.doc.spans, self.doc.key_spans, self.problems
        clock, tick = self.clock, self._tick
        nodes = scalar_bytes = 0

        def value(node: Any, path: Path) -> Any:
            nonlocal nodes, scalar_bytes
            nodes += 1
            if type(node) is Collection:
                if not nodes & 1023 and clock is not None:
                    tick(node)
                spans[path] = _span(node)
                if node.id == "sequence":
                    return [value(item, path + (i,)) for i, item in enumerate(node.value)]  # noqa: RUF005, F821
                return mapping(node.value, path)  # noqa: F821 (emptied only once the document is built)
            scalar_bytes += len(node.value)
            if not nodes & 1023 and clock is not None:
                tick(node)
            start, end = node.start_mark, node.end_mark
            line = start.line
            if line == end.line and end.column > start.column:
                spans[path] = Span(line + 1, start.column + 1, line + 1, end.column + 1)
            else:
                spans[path] = _span(node)
            return scalar_value(node)

        def mapping(items: list[Any], path: Path) -> dict[str, Any]:
            out: dict[str, Any] = {}
            pairs = iter(items)
            for key_node, value_node in zip(pairs, pairs, strict=False):
                if type(key_node) is Collection:
                    key, key_span = _flow_text(key_node), _span(key_node)
                else:
                    key = key_node.value
                    start, end = key_node.start_mark, key_node.end_mark
                    line = start.line
                    if line == end.line and end.column > start.column:
                        key_span = Span(line + 1, start.column + 1, line + 1, end.column + 1)
                    else:
                        key_span = _span(key_node)
                if key in out:  # without merges, the keys seen so far
                    problems.append(_duplicate(key, key_span))
                child = path + (key,)  # noqa: RUF005  (concatenation: half the cost of unpacking)
                key_spans[child] = key_span
                out[key] = value(value_node, child)  # noqa: F821
            return out

        try:
            return value(root, ())
        finally:
            self.nodes += nodes
            self.scalar_bytes += scalar_bytes
            # The closures call themselves through their cells (and hold this builder
            # through `tick`): emptied, the document is freed when its reader drops it,
            # not left, with every span of it, for the cycle collector to find.
            del value, mapping

    def _again(self, node: Any, path: Path) -> Any:
        """A node built before, through an alias or a merge."""
        if not self._expanding:
            self.aliases += 1  # an alias (or merge) of the document, in reading order
        if self.meter is not None:
            self._count(node, True)
        self._repeats += 1
        if self._repeats > MAX_ALIAS_NODES:
            raise AliasBomb
        self._expanding += 1
        try:
            return self._build(node, path)
        finally:
            self._expanding -= 1

    def _count(self, node: Any, repeat: bool) -> None:
        """The node against the file's budget; past it, at the node, or at the
        alias whose expansion crossed it (which `parse_yaml` places)."""
        assert self.meter is not None
        try:
            self.meter.node(0 if type(node) is Collection else len(node.value))
        except OverBudget as over:
            if repeat or self._expanding:
                over.alias = self.aliases
            else:
                over.span = Span.point(*(n + 1 for n in _place(node.start_mark, self.position)))
            raise

    def _tick(self, node: Any) -> None:
        assert self.clock is not None
        self.clock.check(Span.point(*(n + 1 for n in _place(node.start_mark, self.position))))

    def _build(self, node: Any, path: Path) -> Any:
        self.doc.spans[path] = _span(node, self.position)
        if type(node) is not Collection:
            return scalar_value(node)
        if id(node) in self._active:
            self.problems.append(Problem(_span(node, self.position), "recursive alias"))
            return None
        self._active.add(id(node))
        try:
            if node.id == "sequence":
                build = self.build
                return [build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: Collection, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        items = iter(node.value)
        explicit = list(zip(items, items, strict=False))
        if self._merges:
            pairs = explicit
            explicit = [(k, v) for k, v in pairs if not _is_merge(k)]
            for key_node, value_node in pairs:
                if _is_merge(key_node):
                    sequence = getattr(value_node, "id", "") == "sequence"
                    sources = value_node.value if sequence else [value_node]
                    for source in reversed(sources):  # earlier sources take precedence
                        self._merge(source, path, out)
        seen: set[str] = set()
        key_spans = self.doc.key_spans
        position = self.position
        build = self.build
        for key_node, value_node in explicit:
            if type(key_node) is not Collection:
                key = key_node.value
                start, end = key_node.start_mark, key_node.end_mark
                if start.line == end.line and end.column > start.column and position is None:
                    key_span = Span(start.line + 1, start.column + 1, start.line + 1, end.column + 1)
                else:
                    key_span = _span(key_node, position)
            else:
                key = _flow_text(key_node)
                key_span = _span(key_node, position)
            if key in seen:
                self.problems.append(_duplicate(key, key_span))
            seen.add(key)
            child = (*path, key)
            key_spans[child] = key_span
            out[key] = build(value_node, child)
        return out

    def _merge(self, source: Any, path: Path, out: dict[str, Any]) -> None:
        if getattr(source, "id", "") != "mapping":
            self.problems.append(Problem(_span(source, self.position),
                                         "merge key '<<' needs a mapping"))
            return
        if id(source) in self._active:  # `&a {<<: *a}`: the mapping being built
            self.problems.append(Problem(_span(source, self.position), "recursive alias"))
            return
        out.update(self._mapping(source, path))


def _duplicate(key: str, span: Span) -> Problem:
    return Problem(span, f"duplicate key {key!r} (the later value wins)")


def _flow_text(node: Collection) -> str:
    return f"<{node.id} key at line {node.start_mark.line + 1}>"


def parse_yaml(text: str) -> tuple[list[YamlDocument], list[Problem]]:
    """Every document in `text`, and the problems found. On a syntax error the
    documents before it are kept and the error is reported at its position."""
    docs, problems, _ = read_yaml(text)
    return docs, problems


def read_yaml(text: str) -> tuple[list[YamlDocument], list[Problem], bool]:
    """`parse_yaml`, and whether the whole text had to be read again by ruamel's own parser
    (a `:` in a flow scalar), which places some spans differently from the C parser."""
    if too_deep(text):
        # ruamel's C parser recurses without a guard: 50,000 '[' crash the process.
        return [], [Problem(Span.point(1), f"nested more than {MAX_DEPTH} levels deep: not parsed")], False
    position = _positions(text)
    # Nothing built here forms a reference cycle, but the hundreds of thousands of
    # spans, paths and values a large file makes would run the cycle collector over
    # everything alive, again and again (a third of the time with a scan's documents
    # alive): it is held off while building (`collector.building`).
    with building():
        docs, problems, flow_colon = _load(text, position, pure=False)
        if flow_colon:
            # libyaml's scanner refuses a `:` inside a plain scalar in flow context
            # (`ports: [frontend:80]`), which YAML 1.2 and go-yaml (what kubectl
            # reads with) take as one string; ruamel's own scanner reads it so.
            docs, problems, _ = _load(text, position, pure=True)
    return docs, problems, flow_colon


def _events(text: str, *, pure: bool) -> tuple[Callable[[], Any], bool]:
    """How to read the next event of `text`, and whether that is ruamel's C parser."""
    if not pure:
        try:
            from _ruamel_yaml import CParser  # type: ignore[import-not-found]  # ruamel.yaml.clib
        except ImportError:
            pass
        else:
            return CParser(text).get_event, True
    from ruamel.yaml import YAML

    return iter(YAML(typ="safe", pure=True).parse(text)).__next__, False


def _load(text: str, position: Position | None, *, pure: bool,
          ) -> tuple[list[YamlDocument], list[Problem], bool]:
    """The documents and problems, and whether the text stopped at a `:` in a flow scalar."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    get, c_parser = _events(text, pure=pure)
    # A merge key is a plain `<<` or tagged as one (`!!merge`, `!<tag:yaml.org,2002:merge>`,
    # a `%TAG` handle, %-escapes): texts with none of those spellings skip looking for them.
    merges = "<<" in text or ("!" in text and ("merge" in text or "%" in text))
    docs: list[YamlDocument] = []
    problems: list[Problem] = []
    try:
        for node, anchored, nodes, scalar_bytes in compose(get, c_parser):
            meter = budget.current()
            exact = meter is not None and (anchored or not _fits(meter, nodes, scalar_bytes))
            builder = _Builder(position, anchored=anchored, merges=merges,
                               meter=meter if exact else None, clock=meter)
            plain = position is None and not anchored and not merges and not exact
            try:
                builder.doc.data = builder.plain(node) if plain else builder.build(node, ())
            except AliasBomb:
                problems.append(_alias_bomb(text, node.start_mark.line, position, pure=pure))
                continue
            except OverBudget as over:
                if over.span is None:
                    over.span = _nth_alias(text, node.start_mark.line, over.alias, position, pure=pure)
                raise
            finally:
                if meter is not None and not exact:
                    meter.nodes += builder.nodes
                    meter.scalar_bytes += builder.scalar_bytes
            docs.append(builder.doc)
            problems.extend(builder.problems)
    except (YAMLError, RecursionError) as exc:
        if c_parser and isinstance(exc, MarkedYAMLError) and exc.problem == _FLOW_COLON:
            return docs, problems, True
        problems.append(_unreadable(exc, text, position))
    return docs, problems, False


def _unreadable(exc: Exception, text: str, position: Position | None) -> Problem:
    """Where and why the parser stopped reading `text`."""
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = _place(mark, position) if mark is not None else (0, 0)
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return Problem(_inside(text, line + 1, col + 1), f"YAML syntax error: {detail}")
    if isinstance(exc, ReaderError):  # a character YAML does not allow, at an offset into the text
        return Problem(_at_offset(text, exc.position),
                       f"YAML syntax error: character U+{exc.character:04X} is not allowed")
    if isinstance(exc, RecursionError):
        return Problem(Span.point(1), "nested too deeply to parse")
    return Problem(Span.point(1), "YAML error: the file could not be read as YAML")


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


def _alias_bomb(text: str, first_line: int, position: Position | None, *, pure: bool) -> Problem:
    """The refusal of a document whose aliases expand too far, at its first alias."""
    at = _nth_alias(text, first_line, 1, position, pure=pure)
    return Problem(at, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes: not parsed")


def _nth_alias(text: str, first_line: int, n: int, position: Position | None, *, pure: bool) -> Span:
    """Where the `n`th alias of the document starting at `first_line` is (its start without one)."""
    from ruamel.yaml.events import AliasEvent, StreamEndEvent

    get, _c_parser = _events(text, pure=pure)
    seen = 0
    while type(event := get()) is not StreamEndEvent:
        if type(event) is AliasEvent and event.start_mark.line >= first_line:
            seen += 1
            if seen >= n:
                line, col = _place(event.start_mark, position)
                return Span.point(line + 1, col + 1)
    return Span.point(first_line + 1)


MAX_DEPTH = 400
"""Deeper flow nesting is reported, not parsed (deeper block nesting hits Python's recursion limit)."""

_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKETS = bytes(c for c in range(256) if c not in _DEPTH_STEP)


def too_deep(text: str) -> bool:
    """Whether `[` and `{` nest more than `MAX_DEPTH` deep (those in strings too:
    an upper bound), in C loops; a text with fewer brackets than that is not counted.
    The brackets are picked out of the UTF-8 bytes (no other character's bytes
    look like one) by `bytes.translate`, many times faster than a regex."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    brackets = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    return max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


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
