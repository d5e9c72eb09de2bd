"""YAML text to plain data with a span for every key and value.

Uses ruamel.yaml's composer (the libyaml-based one when ruamel.yaml.clib is
present) and builds values ourselves from the node graph. Building from nodes
rather than constructed objects keeps every position, keeps keys as their
source text (so GitHub's `on:` stays "on" and never becomes True), lets us
report duplicate keys, and resolves `<<` merge keys the way GitLab CI uses them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from platform_lint.model import Path, Span

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


def _span(node: Any) -> Span:
    start, end = node.start_mark, node.end_mark
    end_line, end_col = end.line + 1, end.column + 1
    if end_col == 1 and end_line > start.line + 1:
        # Block values end at column 0 of the next line; keep the span on its own lines.
        end_line -= 1
        end_col = start.column + 2 if end_line == start.line + 1 else 1
    return Span(start.line + 1, start.column + 1, end_line, end_col)


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
    def __init__(self) -> None:
        self.doc = YamlDocument(data=None)
        self.problems: list[Problem] = []
        self._active: set[int] = set()
        self._seen: set[int] = set()
        self._repeats = 0
        """Nodes built a second time or more: what aliases (and merges) expanded."""

    def build(self, node: Any, path: Path) -> Any:
        if id(node) in self._seen:
            self._repeats += 1
            if self._repeats > MAX_ALIAS_NODES:
                raise _AliasBomb
        else:
            self._seen.add(id(node))
        self.doc.spans[path] = _span(node)
        if node.id == "scalar":
            return _scalar(node)
        if id(node) in self._active:
            self.problems.append(Problem(_span(node), "recursive alias"))
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
                self.problems.append(
                    Problem(_span(key_node), f"duplicate key {key!r} (the later value wins)")
                )
            seen.add(key)
            child = (*path, key)
            self.doc.key_spans[child] = _span(key_node)
            out[key] = self.build(value_node, child)
        return out

    def _merge(self, source: Any, path: Path, out: dict[str, Any]) -> None:
        if source.id != "mapping":
            self.problems.append(Problem(_span(source), "merge key '<<' needs a mapping"))
            return
        out.update(self._mapping(source, path))


def _flow_text(node: Any) -> str:
    return f"<{node.id} key at line {node.start_mark.line + 1}>"


def parse_yaml(text: str) -> tuple[list[YamlDocument], list[Problem]]:
    """Every document in `text`, and the problems found. On a syntax error the
    documents before it are kept and the error is reported at its position."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    loader = YAML(typ="safe", pure=False)
    loader.Resolver = _resolver_class()
    docs: list[YamlDocument] = []
    problems: list[Problem] = []
    if _bracket_depth(text) > MAX_DEPTH:
        # ruamel's C composer recurses without a guard: 50,000 '[' crash the process.
        return docs, [Problem(Span.point(1), f"nested more than {MAX_DEPTH} levels deep: not parsed")]
    try:
        for node in loader.compose_all(text):
            if node is None:
                continue
            builder = _Builder()
            try:
                builder.doc.data = builder.build(node, ())
            except _AliasBomb:
                problems.append(_alias_bomb(loader, text, node.start_mark.line))
                continue
            docs.append(builder.doc)
            problems.extend(builder.problems)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.append(Problem(Span.point(line, col), f"YAML syntax error: {detail}"))
    except YAMLError as exc:
        problems.append(Problem(Span.point(1), f"YAML error: {exc}"))
    except RecursionError:
        problems.append(Problem(Span.point(1), "nested too deeply to parse"))
    return docs, problems


def _alias_bomb(loader: Any, text: str, first_line: int) -> Problem:
    """The refusal of a document whose aliases expand too far, at its first alias."""
    from ruamel.yaml.events import AliasEvent

    at = Span.point(first_line + 1)
    for event in loader.parse(text):
        if isinstance(event, AliasEvent) and event.start_mark.line >= first_line:
            at = Span.point(event.start_mark.line + 1, event.start_mark.column + 1)
            break
    return Problem(at, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes: not parsed")


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


def _bracket_depth(text: str) -> int:
    """The deepest nesting of `[` and `{` (those in strings too: an upper bound), in C loops."""
    brackets = re.findall(r"[\[\]{}]", text)
    return max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)
