"""Terraform's HCL read through python-hcl2's lark tree: the reference builder.

`HclBuilder` turns the tree into plain data with a span for every key and value
(the data shape is described in `terraform`); `hcl_tree_sitter` builds exactly the
same from tree-sitter's faster tree and falls back to `parse_hcl_lark` for text it
does not parse cleanly, so syntax errors keep python-hcl2's messages and positions.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from typing import Any

from platform_lint.go_strings import valid_rune
from platform_lint.model import Path, Span
from platform_lint.sources.yaml_tree import Problem

_LABELS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
}
_UNESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class _Positions:
    """Character offsets to 1-based line/column."""

    def __init__(self, text: str) -> None:
        self.text = text
        lengths = (len(line) + 1 for line in text.split("\n")[:-1])
        self.starts = list(itertools.accumulate(lengths, initial=0))

    def span(self, start: int, end: int) -> Span:
        text, starts = self.text, self.starts
        while end > start and text[end - 1] in " \t\r\n":
            end -= 1
        line = bisect.bisect_right(starts, start)
        end_line = bisect.bisect_right(starts, end - 1) if end > start else line
        return Span(line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1)


def _is_newline(node: Any) -> bool:
    return getattr(node, "data", None) == "new_line_or_comment" or getattr(
        node, "type", None
    ) == "NL_OR_COMMENT"


def _edge_token(node: Any, last: bool) -> Any:
    """The first (or last) token of a subtree, skipping newlines and comments."""
    while hasattr(node, "children"):
        children = [c for c in node.children if not _is_newline(c)]
        node = children[-1 if last else 0]
    return node


def unescape(text: str) -> str:
    if "\\" not in text and "$${" not in text and "%%{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            point = int(code[1:], 16)  # a surrogate or past U+10FFFF is U+FFFD, as Go writes it
            return chr(point) if valid_rune(point) else "\ufffd"
        return _ESCAPES.get(code, "\\" + code)

    return _UNESCAPE.sub(one, text).replace("$${", "${").replace("%%{", "%{")


class HclBuilder:
    def __init__(self, text: str) -> None:
        self.pos = _Positions(text)
        self.text = text
        self.spans: dict[Path, Span] = {}
        self.key_spans: dict[Path, Span] = {}
        self.problems: list[Problem] = []

    # --- positions and text
    def bounds(self, node: Any) -> tuple[int, int]:
        first, last = _edge_token(node, False), _edge_token(node, True)
        return first.start_pos, last.end_pos

    def span(self, node: Any) -> Span:
        return self.pos.span(*self.bounds(node))

    def source(self, node: Any) -> str:
        start, end = self.bounds(node)
        return self.text[start:end].strip()

    # --- values
    def value(self, node: Any, path: Path) -> Any:
        start, end = self.bounds(node)
        self.spans[path] = self.pos.span(start, end)
        literal = self._literal(node, path)
        return literal if literal is not NOT_LITERAL else "${" + self.text[start:end].strip() + "}"

    def _literal(self, node: Any, path: Path) -> Any:
        kind = node.data
        if kind == "expr_term":
            inner = [c for c in node.children if hasattr(c, "data") and not _is_newline(c)]
            if len(node.children) != 1 or not inner:
                return NOT_LITERAL  # parenthesised expression
            return self._literal(inner[0], path)
        if kind == "int_lit":
            return int(node.children[0])
        if kind == "float_lit":
            return float(node.children[0])
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(node.children[0])]
        if kind == "string":
            return self._string(node)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return heredoc_text(str(node.children[0]), trim=kind.endswith("_trim"))
        if kind == "tuple":
            items = [c for c in node.children if hasattr(c, "data") and not _is_newline(c)]
            return [self.value(item, (*path, i)) for i, item in enumerate(items)]
        if kind == "object":
            return self._object(node, path)
        if kind == "unary_op" and str(node.children[0]) == "-":
            number = self._literal(node.children[1], path)
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return -number
        return NOT_LITERAL

    def _string(self, node: Any) -> str:
        parts = [c for c in node.children if getattr(c, "data", None) == "string_part"]
        pieces = [p.children[0] for p in parts]
        if all(getattr(piece, "type", "") in _PLAIN_STRING_PARTS for piece in pieces):
            return unescape("".join(str(piece) for piece in pieces))
        start, end = self.bounds(node)
        return self.text[start + 1 : end - 1]  # a template: its text between the quotes

    def _object(self, node: Any, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for elem in node.children:
            if getattr(elem, "data", None) != "object_elem":
                continue
            key_node, value_node = elem.children[0], elem.children[-1]
            key = self._object_key(key_node)
            child = (*path, key)
            self.key_spans[child] = self.span(key_node)
            out[key] = self.value(value_node, child)
        return out

    def _object_key(self, node: Any) -> str:
        inner = node.children[0]
        if inner.data == "keyword":
            return str(inner.children[0])
        if inner.data == "expr_term" and len(inner.children) == 1:
            term = inner.children[0]
            if term.data == "identifier":
                return str(term.children[0])
            if term.data == "string":
                return self._string(term)
        return "${" + self.source(inner) + "}"

    # --- bodies and blocks
    def name(self, node: Any) -> str:
        if node.data == "string":
            return self._string(node)
        return str(_edge_token(node, False))

    def block_parts(self, node: Any) -> tuple[str, list[str], Span, Any]:
        """(type, labels, header span, body tree) of a block."""
        heads = []
        body = None
        for child in node.children:
            if getattr(child, "data", None) == "body":
                body = child
                break
            if hasattr(child, "data") and not _is_newline(child):
                heads.append(child)
        start = self.bounds(heads[0])[0]
        end = self.bounds(heads[-1])[1]
        labels = [self.name(h) for h in heads[1:]]
        return self.name(heads[0]), labels, self.pos.span(start, end), body

    def body(self, node: Any, path: Path, out: dict[str, Any]) -> None:
        for child in node.children:
            kind = getattr(child, "data", None)
            if kind == "attribute":
                self.attribute(child, path, out)
            elif kind == "block":
                self.nested_block(child, path, out)

    def attribute_parts(self, node: Any) -> tuple[Any, Any]:
        return node.children[0], node.children[-1]

    def attribute(self, node: Any, path: Path, out: dict[str, Any]) -> None:
        key_node, value_node = self.attribute_parts(node)
        key = self.name(key_node)
        child = (*path, key)
        if key in out:
            self.problems.append(
                Problem(self.span(key_node), f"duplicate attribute {key!r} (the later value wins)")
            )
        self.key_spans[child] = self.span(key_node)
        out[key] = self.value(value_node, child)

    def nested_block(self, node: Any, path: Path, out: dict[str, Any]) -> None:
        kind, labels, header, body_node = self.block_parts(node)
        existing = out.setdefault(kind, [])
        if not isinstance(existing, list) or (existing and not isinstance(existing[0], dict)):
            self.problems.append(Problem(header, f"block {kind!r} has the name of an attribute"))
            return
        block_path: Path = (*path, kind, len(existing))
        self.key_spans.setdefault((*path, kind), header)
        entry: dict[str, Any] = {}
        existing.append(entry)
        self.mark_block(block_path, header, node)
        target = entry
        for label in labels:
            block_path = (*block_path, label)
            self.mark_block(block_path, header, node)
            target[label] = {}
            target = target[label]
        if body_node is not None:
            self.body(body_node, block_path, target)

    def mark_block(self, path: Path, header: Span, node: Any) -> None:
        self.key_spans[path] = header
        self.spans[path] = self.span(node)


class _NotLiteral:
    pass


NOT_LITERAL: Any = _NotLiteral()
_PLAIN_STRING_PARTS = ("STRING_CHARS", "ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE")


def heredoc_text(token: str, trim: bool) -> str:
    lines = token.split("\n")
    body = [line.rstrip("\r") for line in lines[1:-2]]  # drop `<<EOF`, the marker line, ""
    if trim:
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents, default=0)
        body = [line[cut:] for line in body]
    return "".join(line + "\n" for line in body)


def parse_hcl_lark(text: str) -> tuple[dict[str, Any], HclBuilder]:
    import hcl2
    from lark.exceptions import UnexpectedInput

    builder = HclBuilder(text)
    data: dict[str, Any] = {}
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        # The grammar lets an item follow another on its line (`a = "x" b c`) and fails
        # later, on a later line: the item that should have started a new line is at fault.
        stack = getattr(getattr(exc, "state", None), "value_stack", None) or []
        items = [c for v in stack for c in (v.children if _is_body(v) else [v])]
        joined = _joined(items)
        builder.problems.append(_syntax_problem(exc, builder.pos) if joined is None else joined)
        return data, builder
    for body in tree.find_pred(_is_body):
        joined = _joined(body.children)
        if joined is not None:  # `b = 2 c {}` parses, as an attribute and a block
            builder.problems.append(joined)
    top = tree.children[0]
    for child in top.children:
        kind = getattr(child, "data", None)
        if kind == "attribute":
            builder.attribute(child, (), data)
        elif kind == "block":
            top_block(builder, child, data)
    return data, builder


def _is_body(node: Any) -> bool:
    data = getattr(node, "data", "")
    return isinstance(data, str) and (data == "body" or data.startswith("__body_star"))


def _joined(items: Iterable[Any]) -> Problem | None:
    """Where an item of a body starts on the line another one ends on, if anywhere:
    HCL ends each argument and block with a newline."""
    previous: Any = None
    for item in items:
        if _unterminated(previous) and not _is_newline(item):
            token = _edge_token(item, last=False)
            line, col = getattr(token, "line", None), getattr(token, "column", None)
            if isinstance(line, int) and isinstance(col, int):
                return Problem(Span.point(line, col), f"HCL syntax error: unexpected {_shown(token)}: "
                               "an argument or block must end with a newline")
        previous = item
    return None


def _unterminated(item: Any) -> bool:
    """An argument or block not ended by a newline of its own (a heredoc's is)."""
    return getattr(item, "data", None) in ("attribute", "block") and not str(
        _edge_token(item, last=True)).endswith("\n")


def _shown(token: Any) -> str:
    """A token as a message may quote it: a long one could be a secret, so only its kind and length."""
    if not str(token).strip():
        return "end of line" if "\n" in str(token) else repr(str(token))
    first = str(token).strip().splitlines()[0]
    return repr(first) if len(first) <= 5 else f"{token.type.lower()} of {len(first)} characters"


def _syntax_problem(exc: Any, pos: _Positions) -> Problem:
    last_line = max(len(pos.starts) - 1, 1) if pos.text.endswith("\n") else len(pos.starts)
    line = max(int(getattr(exc, "line", 1) or 1), 1)
    col = max(int(getattr(exc, "column", 1) or 1), 1)
    if line > last_line:  # at the end of the file: point just after its last character
        line = last_line
        start = pos.starts[line - 1]
        end = pos.starts[line] if line < len(pos.starts) else len(pos.text)
        col = len(pos.text[start:end].rstrip("\r\n")) + 1
    token = getattr(exc, "token", None)
    if token is not None and token.type == "$END":
        what = "unexpected end of file"
    elif token is not None:
        what = f"unexpected {_shown(token)}"
    else:
        what = f"unexpected character {getattr(exc, 'char', '?')!r}"
    return Problem(Span.point(line, col), f"HCL syntax error: {what}")


def top_block(builder: HclBuilder, node: Any, data: dict[str, Any]) -> None:
    kind, labels, header, body_node = builder.block_parts(node)
    wanted = _LABELS.get(kind)
    if wanted is not None and len(labels) != wanted:
        builder.problems.append(
            Problem(header, f"a {kind} block takes {wanted} label(s), found {len(labels)}")
        )
        return
    body: dict[str, Any] = {}
    if kind == "locals":
        path: Path = ("locals",)
        body = data.setdefault("locals", {})
        builder.key_spans.setdefault(path, header)
        builder.spans.setdefault(path, builder.span(node))
    elif kind == "provider" or not labels:
        group = data.setdefault(kind, {}) if labels else data
        key = labels[0] if labels else kind
        blocks = group.setdefault(key, [])
        path = (kind, labels[0], len(blocks)) if labels else (kind, len(blocks))
        blocks.append(body)
        builder.mark_block(path, header, node)
    else:
        target = data.setdefault(kind, {})
        for label in labels[:-1]:
            target = target.setdefault(label, {})
        path = (kind, *labels)
        if labels[-1] in target:
            builder.problems.append(Problem(header, f"duplicate {kind} {'.'.join(labels)!r}"))
            return
        target[labels[-1]] = body
        builder.mark_block(path, header, node)
    if body_node is not None:
        builder.body(body_node, path, body)
