"""The YAML reader as it was before it read parser events (ruamel's C composer,
its versioned resolver, a span builder over ruamel's nodes): kept only as the
reference that tests/test_yaml_differential.py compares `parse_yaml` with."""

# mypy: disable-error-code="no-untyped-def"
from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from platform_lint import budget
from platform_lint.budget import OverBudget
from platform_lint.model import Path, Span
from platform_lint.sources.yaml_events import MAX_ALIAS_NODES, AliasBomb
from platform_lint.sources.yaml_scalars import tagged_value
from platform_lint.sources.yaml_tree import (
    _FLOW_COLON,
    MAX_DEPTH,
    Problem,
    YamlDocument,
    _unreadable,
    too_deep,
)

_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    return node.value if node.style else tagged_value(node.tag, node.value)


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
                raise AliasBomb
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
        if id(source) in self._active:  # `&a {<<: *a}`: the mapping being built
            self.problems.append(Problem(_span(source, self.position), "recursive alias"))
            return
        out.update(self._mapping(source, path))


def _flow_text(node: Any) -> str:
    return f"<{node.id} key at line {node.start_mark.line + 1}>"


def parse_yaml(text: str) -> tuple[list[YamlDocument], list[Problem]]:
    """Every document in `text`, and the problems found. On a syntax error the
    documents before it are kept and the error is reported at its position."""
    if too_deep(text):
        # ruamel's C composer recurses without a guard: 50,000 '[' crash the process.
        return [], [Problem(Span.point(1), f"nested more than {MAX_DEPTH} levels deep: not parsed")]
    position = _positions(text)
    docs, problems, refused = _load(text, position, pure=False)
    if refused:
        # libyaml's scanner refuses a `:` inside a plain scalar in flow context
        # (`ports: [frontend:80]`), and its composer an anchor given again, both of which
        # YAML 1.2 and go-yaml (what kubectl reads with) take (one string; the later node);
        # ruamel's own scanner and composer read them so.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel's ReusedAnchorWarning
            docs, problems, _ = _load(text, position, pure=True)
    return docs, problems


def _load(text: str, position: Position, *, pure: bool) -> tuple[list[YamlDocument], list[Problem], bool]:
    """The documents and problems, and whether the C parser stopped at what the pure one
    reads (a `:` in a flow scalar, an anchor given again)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

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
            except AliasBomb:
                problems.append(_alias_bomb(loader, text, node.start_mark.line, position))
                continue
            except OverBudget as over:
                if over.span is None:
                    over.span = _nth_alias(loader, text, node.start_mark.line, over.alias, position)
                raise
            docs.append(builder.doc)
            problems.extend(builder.problems)
    except (YAMLError, RecursionError) as exc:
        if not pure and isinstance(exc, MarkedYAMLError) and (
                exc.problem == _FLOW_COLON or str(exc.context).startswith("found duplicate anchor")):
            return docs, problems, True
        problems.append(_unreadable(exc, text, position))
    return docs, problems, False


def _alias_bomb(loader: Any, text: str, first_line: int, position: Position) -> Problem:
    """The refusal of a document whose aliases expand too far, at its first alias."""
    at = _nth_alias(loader, text, first_line, 1, position)
    return Problem(at, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes: not parsed")


def _nth_alias(loader: Any, text: str, first_line: int, n: int, position: Position) -> Span:
    """Where the `n`th alias of the document starting at `first_line` is (its start without one)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import AliasEvent

    seen = 0
    # a loader of its own: the pure one's parser is still inside the composition that stopped
    for event in YAML(typ="safe", pure=loader.pure).parse(text):
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
