"""Terraform: `.tf` (HCL, via python-hcl2's lark tree) and `.tf.json`, one Document per file.

Data shape (the same for both syntaxes)::

    {"resource": {TYPE: {NAME: body}}, "data": {TYPE: {NAME: body}},
     "module" | "variable" | "output": {NAME: body},
     "provider": {NAME: [body, ...]}, "locals": {...all locals blocks merged...},
     "terraform": [body, ...]}

In a body, attributes are plain values and nested blocks are lists of dicts
(`ingress {}` may repeat; a labelled nested block such as `dynamic "x" {}`
becomes `{"dynamic": [{"x": body}]}`). A value that is not a literal keeps its
source text as a Terraform expression: a reference or call `var.x` becomes
"${var.x}", a quoted template keeps its text between the quotes ("a-${var.y}").
So `is_expression` tells literals from expressions, and `resolve` turns
`${var.x}` / `${local.y}` into a literal default where the module has one.

Spans: `key_spans` of a block path is its header (type keyword through the last
label), so a missing attribute reported at the block lands on the header line;
`spans` of a block path is the whole block. Attributes have the name in
`key_spans` and the value expression in `spans`.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_lint.model import Document, Obj, Path, Span, source_lines
from platform_lint.sources import FileReader, Parsed
from platform_lint.sources.yaml_tree import Problem

# block type -> number of labels Terraform requires
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
_NAMED = ("module", "variable", "output")
_UNESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_TEMPLATE_MARKS = ("${", "%{")


def is_expression(value: Any) -> bool:
    """True when `value` is a Terraform expression kept as text, not a literal."""
    return isinstance(value, str) and any(mark in value for mark in _TEMPLATE_MARKS)


# ---------------------------------------------------------------- HCL -> data


class _Positions:
    """Character offsets to 1-based line/column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def span(self, start: int, end: int) -> Span:
        while end > start and self.text[end - 1] in " \t\r\n":
            end -= 1
        line = bisect.bisect_right(self.starts, start)
        end_line = bisect.bisect_right(self.starts, max(end - 1, start))
        end_col = end - self.starts[end_line - 1] + 1
        return Span(line, start - self.starts[line - 1] + 1, end_line, end_col)


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
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
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
        self.spans[path] = self.span(node)
        literal = self._literal(node, path)
        return literal if literal is not NOT_LITERAL else "${" + self.source(node) + "}"

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


def _parse_hcl(text: str) -> tuple[dict[str, Any], HclBuilder]:
    """Parsed by tree-sitter's HCL grammar when it is installed and the text
    parses cleanly; else (and for every syntax error's message) by python-hcl2,
    the reference the tree-sitter builder is tested against."""
    from platform_lint.sources.hcl_tree_sitter import parse_hcl

    fast = parse_hcl(text)
    return fast if fast is not None else parse_hcl_lark(text)


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


# ---------------------------------------------------------------- JSON -> data


def _parse_json(text: str) -> tuple[Any, dict[Path, Span], dict[Path, Span], list[Problem]]:
    from platform_lint.sources.yaml_tree import parse_yaml

    docs, problems = parse_yaml(text.replace("\t", " "))  # tabs are JSON whitespace, not YAML's
    problems = [Problem(p.span, p.message.replace("YAML", "JSON")) for p in problems]
    if not docs:
        return {}, {}, {}, problems
    doc = docs[0]
    if not isinstance(doc.data, dict):
        problems.append(Problem(Span.point(1), "a .tf.json file holds a JSON object"))
        return {}, {}, {}, problems
    spans, key_spans = dict(doc.spans), dict(doc.key_spans)
    data = dict(doc.data)
    for kind in ("provider", "terraform"):
        _listify(data, kind, spans, key_spans)
    return data, spans, key_spans, problems


def _listify(
    data: dict[str, Any], kind: str, spans: dict[Path, Span], keys: dict[Path, Span]
) -> None:
    """JSON may write a block that can repeat as one object; make it a list like HCL's."""
    if kind == "terraform" and isinstance(data.get(kind), dict):
        data[kind] = [data[kind]]
        _move(spans, keys, (kind,), (kind, 0))
    elif kind == "provider" and isinstance(data.get(kind), dict):
        for name, value in list(data[kind].items()):
            if isinstance(value, dict):
                data[kind][name] = [value]
                _move(spans, keys, (kind, name), (kind, name, 0))


def _move(spans: dict[Path, Span], keys: dict[Path, Span], old: Path, new: Path) -> None:
    """Re-key everything below `old` to below `new`; `new` itself gets `old`'s spans."""
    for table in (spans, keys):
        for path in [p for p in table if p[: len(old)] == old]:
            moved = new + path[len(old) :]
            table[moved] = table[path] if path == old else table.pop(path)


# ---------------------------------------------------------------- source API


def load(path: str, text: str, files: FileReader) -> Parsed:
    text = text.removeprefix("\ufeff")
    lines = source_lines(text)
    if path.endswith(".json"):
        data, spans, key_spans, problems = _parse_json(text)
    else:
        data, builder = _parse_hcl(text)
        spans, key_spans, problems = builder.spans, builder.key_spans, builder.problems
    doc = Document(
        path=path, kind="terraform", data=data, spans=spans, key_spans=key_spans, lines=lines
    )
    return Parsed(documents=[doc], problems=problems)


def objects(doc: Document) -> Iterator[Obj]:
    data = doc.data if isinstance(doc.data, dict) else {}
    for section in ("resource", "data"):
        for rtype, named in _dict(data.get(section)).items():
            for name, body in _dict(named).items():
                kind = rtype if section == "resource" else f"data.{rtype}"
                full = f"{rtype}.{name}" if section == "resource" else f"data.{rtype}.{name}"
                yield Obj(doc, kind, full, (section, rtype, name), body)
    for section in _NAMED:
        for name, body in _dict(data.get(section)).items():
            yield Obj(doc, section, name, (section, name), body)
    for name, bodies in _dict(data.get("provider")).items():
        for i, body in enumerate(_list(bodies)):
            alias = _dict(body).get("alias")
            label = f"{name}.{alias}" if isinstance(alias, str) else name
            yield Obj(doc, "provider", label, ("provider", name, i), body)
    if isinstance(data.get("locals"), dict):
        yield Obj(doc, "locals", "locals", ("locals",), data["locals"])
    for i, body in enumerate(_list(data.get("terraform"))):
        yield Obj(doc, "terraform", "terraform", ("terraform", i), body)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------- module values


class _Unknown:
    """A value that cannot be known statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_REFERENCE = re.compile(r"^\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$")


@dataclass(frozen=True, slots=True)
class Module:
    """The variables' literal defaults and the locals of one Terraform module (a directory)."""

    directory: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    locals: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any, _depth: int = 0) -> Any:
        """`value` with a whole-value `${var.x}` / `${local.y}` replaced by what it
        is known to be; `UNKNOWN` for any expression that cannot be known."""
        if not is_expression(value):
            return value
        match = _REFERENCE.match(value)
        if match is None or _depth > 16:
            return UNKNOWN
        table = self.variables if match[1] == "var" else self.locals
        if match[2] not in table:
            return UNKNOWN
        return self.resolve(table[match[2]], _depth + 1)


def module_of(obj: Obj) -> str:
    """The directory (Terraform module) an object's file belongs to."""
    return posixpath.dirname(obj.doc.path)


def modules(objs: Iterable[Obj]) -> dict[str, Module]:
    """A `Module` for each directory holding one of `objs`, from its variable and locals objects."""
    variables: dict[str, dict[str, Any]] = {}
    local_values: dict[str, dict[str, Any]] = {}
    for obj in objs:
        directory = module_of(obj)
        variables.setdefault(directory, {})
        local_values.setdefault(directory, {})
        if obj.kind == "variable" and isinstance(obj.value, dict) and "default" in obj.value:
            variables[directory][obj.name] = obj.value["default"]
        elif obj.kind == "locals" and isinstance(obj.value, dict):
            local_values[directory].update(obj.value)
    return {d: Module(d, variables[d], local_values[d]) for d in variables}
