"""Terraform's HCL read with tree-sitter's HCL grammar: the fast path.

`parse_hcl` gives exactly what the python-hcl2 (lark) builder in `terraform`
gives: the same data, spans and key spans (tests/test_hcl_differential.py
compares them on every `.tf` of the corpus), at a fraction of the cost, with
no grammar to load at start-up. It returns None, so the lark path decides,
when tree-sitter is not installed or the text does not parse cleanly: syntax
errors keep python-hcl2's messages and positions.

tree-sitter counts bytes; spans count characters, so a file that is not ASCII
has its byte offsets mapped to character offsets.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from platform_lint.budget import checkpoint
from platform_lint.model import Path
from platform_lint.sources.hcl_lark import (
    NOT_LITERAL,
    HclBuilder,
    heredoc_text,
    top_block,
    unescape,
)

_SKIP = frozenset({"comment"})


@functools.cache
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def parse_hcl(text: str) -> tuple[dict[str, Any], HclBuilder] | None:
    try:
        parser = _parser()
    except ImportError:
        return None
    raw = text.encode("utf-8", "surrogatepass")
    tree = parser.parse(raw)
    root = tree.root_node
    if root.has_error:
        return None
    builder = _TreeSitterBuilder(text, raw)
    data: dict[str, Any] = {}
    try:
        for body in _parts(root):
            for child in _items(body, raw):
                checkpoint()  # a file's CPU budget, block by block
                if child.type == "attribute":
                    builder.attribute(child, (), data)
                elif child.type == "block":
                    top_block(builder, child, data)
    except _Lenient:
        return None
    return data, builder


class _Lenient(Exception):
    """tree-sitter accepted what HCL forbids: python-hcl2 reports it."""


def _items(body: Any, raw: bytes) -> list[Any]:
    """A body's attributes and blocks; HCL ends each with a newline, tree-sitter-hcl
    does not insist, so two on one line (no newline between them in `raw`) send
    the text to python-hcl2."""
    items = _parts(body)
    for before, after in itertools.pairwise(items):
        if raw.find(b"\n", before.end_byte, after.start_byte) < 0:
            raise _Lenient
    return items


def _parts(node: Any) -> list[Any]:
    return [c for c in node.children if c.type not in _SKIP]


def _only_child(node: Any) -> Any:
    """The one child of `node` that is not a comment, or None when it has more."""
    children = node.children
    if len(children) == 1:
        return children[0]  # a comment is never all of an expression or a literal
    inner = _parts(node)
    return inner[0] if len(inner) == 1 else None


class _TreeSitterBuilder(HclBuilder):
    """The lark builder's assembly (blocks, attributes, problems), reading tree-sitter nodes."""

    def __init__(self, text: str, raw: bytes) -> None:
        super().__init__(text)
        self.raw = raw
        self.chars = None if len(raw) == len(text) else _char_offsets(raw)

    def bounds(self, node: Any) -> tuple[int, int]:
        if self.chars is None:
            return node.start_byte, node.end_byte
        return self.chars[node.start_byte], self.chars[node.end_byte]

    def _literal(self, node: Any, path: Path) -> Any:
        kind = node.type
        if kind in ("expression", "literal_value"):
            inner = _only_child(node)
            if inner is None:
                return NOT_LITERAL  # parenthesised, or a reference with attributes
            return self._literal(inner, path)
        if kind == "numeric_lit":
            number = self.source(node)
            return float(number) if any(c in number for c in ".eE") else int(number)
        if kind == "bool_lit":
            return self.source(node) == "true"
        if kind == "null_lit":
            return None
        if kind == "string_lit":
            return self._string(node)
        if kind == "template_expr":
            inner = _parts(node)[0]
            if inner.type == "quoted_template":
                return self._string(inner)
            if inner.type == "heredoc_template":
                start, end = self.bounds(inner)
                trim = _parts(inner)[0].text == b"<<-"
                return heredoc_text(self.text[start:end] + "\n", trim=trim)
            return NOT_LITERAL
        if kind == "collection_value":
            return self._literal(_parts(node)[0], path)
        if kind == "tuple":
            items = [c for c in _parts(node) if c.type == "expression"]
            return [self.value(item, (*path, i)) for i, item in enumerate(items)]
        if kind == "object":
            return self._object(node, path)
        if kind == "operation":
            unary = _parts(node)[0]
            if unary.type == "unary_operation" and _parts(unary)[0].type == "-":
                number = self._literal(_parts(unary)[1], path)
                if isinstance(number, (int, float)) and not isinstance(number, bool):
                    return -number
        return NOT_LITERAL

    def _string(self, node: Any) -> str:
        start, end = self.bounds(node)
        inner = self.text[start + 1 : end - 1]
        return unescape(inner) if node.type == "string_lit" else inner

    def _object(self, node: Any, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for elem in _parts(node):
            if elem.type != "object_elem":
                continue
            key_node, value_node = elem.child_by_field_name("key"), elem.child_by_field_name("val")
            key = self._object_key(key_node)
            child = (*path, key)
            self.key_spans[child] = self.span(key_node)
            out[key] = self.value(value_node, child)
        return out

    def _object_key(self, node: Any) -> str:
        inner = _parts(node)
        if len(inner) == 1:
            term = inner[0]
            if term.type == "variable_expr":
                return self.source(term)
            if term.type == "literal_value":
                lit = _parts(term)[0]
                if lit.type == "string_lit":
                    return self._string(lit)
                return self.source(lit)
        return "${" + self.source(node) + "}"

    def name(self, node: Any) -> str:
        if node.type == "string_lit":
            return self._string(node)
        return self.source(node)

    def block_parts(self, node: Any) -> tuple[str, list[str], Any, Any]:
        heads = []
        body = None
        for child in _parts(node):
            if child.type == "block_start":
                continue
            if child.type in ("body", "block_end"):
                body = child if child.type == "body" else None
                break
            heads.append(child)
        start = self.bounds(heads[0])[0]
        end = self.bounds(heads[-1])[1]
        labels = [self.name(h) for h in heads[1:]]
        return self.name(heads[0]), labels, self.pos.span(start, end), body

    def body(self, node: Any, path: Path, out: dict[str, Any]) -> None:
        for child in _items(node, self.raw):
            if child.type == "attribute":
                self.attribute(child, path, out)
            elif child.type == "block":
                self.nested_block(child, path, out)

    def attribute_parts(self, node: Any) -> tuple[Any, Any]:
        children = node.children  # name = value: a comment can only come between
        return children[0], children[-1]


def _char_offsets(raw: bytes) -> list[int]:
    """Character offset of each byte offset (and of the end)."""
    out = [0] * (len(raw) + 1)
    chars = 0
    for i, byte in enumerate(raw):
        out[i] = chars
        if byte & 0xC0 != 0x80:  # not a continuation byte: a character starts here
            chars += 1
    out[len(raw)] = chars
    return out
