"""Go text/template parsing: pieces from the lexer into a tree of nodes.

`parse(src, name)` returns the top-level node list and every `define`d (or
`block`) template found in it. Nodes carry the line they start on.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from platform_lint.go_strings import char, unquote
from platform_lint.helm.errors import TemplateError
from platform_lint.helm.lexer import Tok, split, tokens


@dataclass(slots=True)
class Field:
    names: tuple[str, ...]


@dataclass(slots=True)
class Var:
    name: str
    names: tuple[str, ...] = ()


@dataclass(slots=True)
class Chain:
    node: Operand
    names: tuple[str, ...]


@dataclass(slots=True)
class Ident:
    name: str


@dataclass(slots=True)
class Lit:
    value: Any


@dataclass(slots=True)
class Dot:
    pass


@dataclass(slots=True)
class Cmd:
    args: list[Operand]


@dataclass(slots=True)
class Pipe:
    cmds: list[Cmd]
    decls: list[str] = field(default_factory=list)
    assign: bool = False


Operand = Field | Var | Chain | Ident | Lit | Dot | Pipe


@dataclass(slots=True)
class Text:
    text: str
    line: int


@dataclass(slots=True)
class Action:
    pipe: Pipe
    line: int


@dataclass(slots=True)
class Branch:
    kind: str  # if | with | range
    pipe: Pipe
    body: list[Node]
    orelse: list[Node] | None
    line: int


@dataclass(slots=True)
class Call:
    name: str
    pipe: Pipe | None
    line: int


@dataclass(slots=True)
class Loop:
    kind: str  # break | continue
    line: int


Node = Text | Action | Branch | Call | Loop


@dataclass(slots=True)
class Parsed:
    nodes: list[Node]
    defines: dict[str, list[Node]]


class _Parser:
    def __init__(self, name: str, funcs: Collection[str] | None) -> None:
        self.name = name
        self.funcs = funcs
        self.defines: dict[str, list[Node]] = {}

    def fail(self, msg: str, line: int) -> TemplateError:
        return TemplateError(msg, self.name, line)

    def string(self, tok: Tok, line: int) -> str:
        """A quoted string's value; an escape Go refuses fails the template, as in Go."""
        try:
            return unquote(tok.val)
        except ValueError:
            message = "invalid syntax: a quoted string holds an escape Go does not accept"
            raise self.fail(message, line) from None

    def parse(self, src: str) -> Parsed:
        items = [(p.kind, p.text, p.line) for p in split(src, self.name)]
        self.items = items
        self.i = 0
        nodes, end = self.list_until(set(), 0)
        if end is not None:
            raise self.fail(f"unexpected {{{{{end[0]}}}}}", end[1])
        return Parsed(nodes, self.defines)

    def list_until(self, stops: set[str], depth: int) -> tuple[list[Node], tuple[str, int, list[Tok]] | None]:
        """Nodes up to a stop keyword (end/else); returns the stop and its tokens."""
        out: list[Node] = []
        while self.i < len(self.items):
            kind, text, line = self.items[self.i]
            self.i += 1
            if kind == "text":
                out.append(Text(text, line))
                continue
            toks = tokens(text, self.name, line)
            if not toks:
                raise self.fail("missing value for command", line)
            head = toks[0]
            if head.kind != "kw":
                out.append(Action(self.pipeline(toks, line, decl_ok=True), line))
                continue
            kw = head.val
            if kw in ("end", "else"):
                if kw not in stops:
                    raise self.fail(f"unexpected {{{{{kw}}}}}", line)
                return out, (kw, line, toks[1:])
            if kw in ("if", "with", "range"):
                out.append(self.branch(kw, toks[1:], line, depth))
            elif kw in ("define", "block"):
                name, rest = self.template_name(toks[1:], line, kw)
                body, _end = self.list_until({"end"}, depth + 1)
                if _end is None:
                    raise self.fail(f"unexpected EOF in {kw}", line)
                if kw == "define" and depth > 0:
                    raise self.fail("define inside a control structure", line)
                if name not in self.defines or _has_content(body):
                    self.defines[name] = body
                if kw == "block":
                    out.append(Call(name, self.pipeline(rest, line) if rest else None, line))
            elif kw == "template":
                name, rest = self.template_name(toks[1:], line, kw)
                out.append(Call(name, self.pipeline(rest, line) if rest else None, line))
            else:  # break / continue
                out.append(Loop(kw, line))
        if stops:
            raise self.fail("unexpected EOF", self.items[-1][2] if self.items else 1)
        return out, None

    def branch(self, kw: str, toks: list[Tok], line: int, depth: int) -> Branch:
        pipe = self.pipeline(toks, line, decl_ok=True, range_ok=kw == "range")
        body, stop = self.list_until({"end", "else"}, depth + 1)
        orelse: list[Node] | None = None
        if stop is None:
            raise self.fail(f"unexpected EOF in {kw}", line)
        if stop[0] == "else":
            rest = stop[2]
            if rest and rest[0].kind == "kw" and rest[0].val in ("if", "with"):
                # `else if`/`else with`: a nested branch sharing this one's `end`.
                orelse = [self.branch(rest[0].val, rest[1:], stop[1], depth)]
            else:
                orelse, stop2 = self.list_until({"end"}, depth + 1)
                if stop2 is None:
                    raise self.fail(f"unexpected EOF in {kw}", line)
        return Branch(kw, pipe, body, orelse, line)

    def template_name(self, toks: list[Tok], line: int, kw: str) -> tuple[str, list[Tok]]:
        if not toks or toks[0].kind not in ("str", "raw"):
            raise self.fail(f"unexpected name in {kw}: want a quoted string", line)
        return self.string(toks[0], line), toks[1:]

    def pipeline(self, toks: list[Tok], line: int, decl_ok: bool = False, range_ok: bool = False) -> Pipe:
        decls: list[str] = []
        assign = False
        # $x := ... | $x = ... | $i, $v := ...
        for j, t in enumerate(toks):
            if t.kind == "op" and t.val in (":=", "="):
                left = toks[:j]
                names = [x.val for x in left if x.kind == "var"]
                shape_ok = left and all(
                    (x.kind == "var") if k % 2 == 0 else (x.kind == "op" and x.val == ",")
                    for k, x in enumerate(left)
                )
                if shape_ok and decl_ok and (len(names) == 1 or (range_ok and len(names) == 2)):
                    decls = names
                    assign = t.val == "="
                    toks = toks[j + 1 :]
                break
            if t.kind == "op" and t.val in ("|", "("):
                break
        _pos, pipe = self.cmds(toks, 0, line, nested=False)
        pipe.decls = decls
        pipe.assign = assign
        return pipe

    def cmds(self, toks: list[Tok], pos: int, line: int, nested: bool) -> tuple[int, Pipe]:
        cmds: list[Cmd] = []
        args: list[Operand] = []
        n = len(toks)
        while pos < n:
            t = toks[pos]
            if t.kind == "op" and t.val == ")":
                if not nested:
                    raise self.fail("unexpected right paren", line)
                break
            if t.kind == "op" and t.val == "|":
                if not args:
                    raise self.fail("missing command before |", line)
                cmds.append(Cmd(args))
                args = []
                pos += 1
                continue
            pos, operand = self.operand(toks, pos, line)
            args.append(operand)
        else:
            if nested:
                raise self.fail("unclosed left paren", line)
        if not args:
            raise self.fail("missing value for command", line)
        cmds.append(Cmd(args))
        return pos, Pipe(cmds)

    def operand(self, toks: list[Tok], pos: int, line: int) -> tuple[int, Operand]:
        t = toks[pos]
        pos += 1
        node: Operand
        if t.kind == "op" and t.val == "(":
            pos, node = self.cmds(toks, pos, line, nested=True)
            pos += 1
        elif t.kind == "field":
            node = Field(tuple(t.val[1:].split(".")))
        elif t.kind == "var":
            node = Var(t.val)
        elif t.kind == "dot":
            node = Dot()
        elif t.kind == "ident":
            # As Go's parser does: an unknown function fails the template where it is
            # written, whether or not that branch would run.
            if self.funcs is not None and t.val not in self.funcs and t.val not in _BUILTINS:
                raise self.fail(f'function "{t.val}" not defined', line)
            node = Ident(t.val)
        elif t.kind in ("str", "raw"):
            node = Lit(self.string(t, line) if t.kind == "str" else t.val[1:-1])
        elif t.kind == "char":
            try:
                node = Lit(char(t.val))
            except ValueError:
                raise self.fail(f"malformed character constant: {t.val}", line) from None
        elif t.kind == "num":
            node = Lit(_number(t.val, self, line))
        elif t.kind == "bool":
            node = Lit(t.val == "true")
        elif t.kind == "nil":
            node = Lit(None)
        else:
            raise self.fail(f"unexpected {t.val!r} in operand", line)
        while pos < len(toks) and toks[pos].kind == "field" and not toks[pos].space_before:
            names = tuple(toks[pos].val[1:].split("."))
            pos += 1
            if isinstance(node, Var) and not node.names:
                node = Var(node.name, names)
            elif isinstance(node, Field):
                node = Field(node.names + names)
            else:
                node = Chain(node, names)
        return pos, node


def _number(text: str, p: _Parser, line: int) -> int | float:
    s = text.replace("_", "")
    try:
        low = s.lower().lstrip("+-")
        if low.startswith("0x") and "p" in low:
            return float.fromhex(s)
        if low.startswith(("0x", "0o", "0b")):
            return int(s, 0)
        if any(c in low for c in ".e"):
            return float(s)
        return int(s, 10)
    except ValueError:
        raise p.fail(f"bad number syntax: {text!r}", line) from None


def _has_content(nodes: list[Node]) -> bool:
    return any(not isinstance(n, Text) or n.text.strip() for n in nodes)


_BUILTINS = frozenset({"and", "or"})
"""Functions the executor evaluates itself (lazily), not through the function map."""


def parse(src: str, name: str, funcs: Collection[str] | None = None) -> Parsed:
    """`funcs`: the function names a template may call; None accepts any name."""
    return _Parser(name, funcs).parse(src)
