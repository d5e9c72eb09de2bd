"""Go text/template execution over Python data.

Values are plain Python: dict (Go map, keys in sorted order when ranged or
printed), list, str, int, float (Go's float64, as every number from a values
file is), bool, None (nil). Helm's objects (`.Files`, `.Capabilities`...)
are `GoObject`s exposing fields and methods by name.

Bounds: include/template depth, total output size and loop iterations are
capped; hitting one raises `RenderLimit` at the template line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from platform_lint.helm import trace
from platform_lint.helm.errors import FuncError, RenderLimit, TemplateError
from platform_lint.helm.gofmt import go_type, truth, write_value
from platform_lint.helm.parser import (
    Action,
    Branch,
    Call,
    Chain,
    Cmd,
    Dot,
    Field,
    Ident,
    Lit,
    Loop,
    Node,
    Operand,
    Pipe,
    Text,
    Var,
)

MAX_DEPTH = 60
MAX_OUTPUT = 16 * 1024 * 1024
MAX_ITERATIONS = 2_000_000

Func = Callable[..., Any]


class GoObject:
    """A Go struct-like value: `go_field(name)` for fields, methods as `go_method(name)`."""

    def go_field(self, name: str) -> Any:
        raise KeyError(name)

    def go_method(self, name: str) -> Func | None:
        return None


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Template:
    """A named template's nodes and the file it was defined in."""

    __slots__ = ("file", "nodes")

    def __init__(self, nodes: list[Node], file: str) -> None:
        self.nodes = nodes
        self.file = file


class Budget:
    """Shared bounds for one chart rendering."""

    __slots__ = ("iterations", "output")

    def __init__(self) -> None:
        self.output = 0
        self.iterations = 0


class Executor:
    def __init__(self, templates: dict[str, Template], funcs: dict[str, Func], budget: Budget | None = None):
        self.templates = templates
        self.funcs = funcs
        self.budget = budget or Budget()
        self.depth = 0
        self.file = ""
        self.line = 0
        self.tracer: trace.Tracer | None = None
        """Set for a traced rendering: output carries origin markers (see `trace`)."""
        self.dot_values: trace.ValuesPath | None = None
        """Traced: the `.Values` path dot stands for inside `with`/`range` over values."""

    # --- entry points -------------------------------------------------------------

    def execute(self, name: str, dot: Any) -> str:
        tpl = self.templates.get(name)
        if tpl is None:
            raise TemplateError(f'no template "{name}" associated with template', self.file, self.line)
        return self.run_nodes(tpl.nodes, tpl.file, dot)

    def run_nodes(self, nodes: list[Node], file: str, dot: Any) -> str:
        if self.depth >= MAX_DEPTH:
            raise RenderLimit(f"template nesting deeper than {MAX_DEPTH} (include/template recursion?)",
                              self.file, self.line)
        saved = (self.file, self.line)
        saved_values, self.dot_values = self.dot_values, None
        self.depth += 1
        self.file = file
        out: list[str] = []
        try:
            self.walk(nodes, dot, [["$", dot]], out)
        except (_Break, _Continue):
            raise TemplateError("break or continue outside range", self.file, self.line) from None
        finally:
            self.depth -= 1
        self.file, self.line = saved
        self.dot_values = saved_values
        return "".join(out)

    # --- walking ------------------------------------------------------------------

    def write(self, out: list[str], text: str) -> None:
        self.budget.output += len(text)
        if self.budget.output > MAX_OUTPUT:
            raise RenderLimit(f"rendered output larger than {MAX_OUTPUT // (1024 * 1024)} MiB",
                              self.file, self.line)
        out.append(text)

    def walk(self, nodes: list[Node], dot: Any, scope: list[list[Any]], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                self.write(out, node.text if self.tracer is None else self.tracer.text(node, self.file))
            elif isinstance(node, Action):
                self.line = node.line
                value = self.pipe(node.pipe, dot, scope)
                if not node.pipe.decls:
                    parts: list[str] = []
                    if self.tracer is not None:
                        parts.append(self.tracer.action(node.pipe, self.file, node.line, self.dot_values))
                    write_value(value, parts, top=True)
                    self.write(out, "".join(parts))
            elif isinstance(node, Branch):
                self.branch(node, dot, scope, out)
            elif isinstance(node, Call):
                self.line = node.line
                arg = self.pipe(node.pipe, dot, scope) if node.pipe is not None else None
                self.write(out, self.execute(node.name, arg))
                self.line = node.line
            else:
                assert isinstance(node, Loop)
                raise _Break() if node.kind == "break" else _Continue()

    def branch(self, node: Branch, dot: Any, scope: list[list[Any]], out: list[str]) -> None:
        self.line = node.line
        mark = len(scope)
        if node.kind == "range":
            self.range(node, dot, scope, out)
            del scope[mark:]
            return
        value = self.pipe(node.pipe, dot, scope)
        outer = self.dot_values
        try:
            if self.truth(value):
                if node.kind == "with" and self.tracer is not None:
                    self.dot_values = self.tracer.values_path(node.pipe, outer)
                self.walk(node.body, value if node.kind == "with" else dot, scope, out)
            elif node.orelse is not None:
                self.walk(node.orelse, dot, scope, out)
        finally:
            del scope[mark:]
            self.dot_values = outer

    def range(self, node: Branch, dot: Any, scope: list[list[Any]], out: list[str]) -> None:
        pipe = node.pipe
        value = self.pipe(Pipe(pipe.cmds), dot, scope)
        if isinstance(value, GoObject):
            from platform_lint.helm.funcs_helm import APIVersions, Files

            if isinstance(value, (Files, APIVersions)):  # a Go map and a Go slice
                value = value.go_data()
        items: list[tuple[Any, Any]]
        if isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value, key=_map_key)]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(max(value, 0))]
        elif value is None:
            items = []
        else:
            raise TemplateError(f"range can't iterate over {go_type(value)}", self.file, node.line)
        if not items:
            if node.orelse is not None:
                self.walk(node.orelse, dot, scope, out)
            return
        budget = self.budget
        mark = len(scope)
        outer = self.dot_values
        base = self.tracer.values_path(pipe, outer) if self.tracer is not None else None
        for key, elem in items:
            if base is not None:
                self.dot_values = (*base, key)
            budget.iterations += 1
            if budget.iterations > MAX_ITERATIONS:
                raise RenderLimit(f"more than {MAX_ITERATIONS} range iterations", self.file, node.line)
            if len(pipe.decls) == 1:
                scope.append([pipe.decls[0], elem])
            elif len(pipe.decls) == 2:
                scope.append([pipe.decls[0], key])
                scope.append([pipe.decls[1], elem])
            try:
                self.walk(node.body, elem, scope, out)
            except _Break:
                del scope[mark:]
                break
            except _Continue:
                pass
            finally:
                self.dot_values = outer
            del scope[mark:]

    # --- pipelines ----------------------------------------------------------------

    def pipe(self, pipe: Pipe, dot: Any, scope: list[list[Any]]) -> Any:
        value: Any = None
        first = True
        for cmd in pipe.cmds:
            value = self.command(cmd, dot, scope, value, first)
            first = False
        if pipe.decls:
            name = pipe.decls[0]
            if pipe.assign:
                for entry in reversed(scope):
                    if entry[0] == name:
                        entry[1] = value
                        break
                else:
                    raise TemplateError(f"undefined variable: {name}", self.file, self.line)
            else:
                scope.append([name, value])
        return value

    def command(self, cmd: Cmd, dot: Any, scope: list[list[Any]], final: Any, first: bool) -> Any:
        head = cmd.args[0]
        rest = cmd.args[1:]
        if isinstance(head, Ident):
            return self.call(head.name, rest, dot, scope, final, first)
        if isinstance(head, (Field, Var, Chain)) and (rest or not first):
            return self.method_call(head, rest, dot, scope, final, first)
        if rest or not first:
            raise TemplateError(f"can't give argument to non-function {_describe(head)}",
                                self.file, self.line)
        return self.arg(head, dot, scope)

    def call(self, name: str, rest: list[Operand], dot: Any, scope: list[list[Any]], final: Any,
             first: bool) -> Any:
        if name in ("and", "or"):
            # Go evaluates and/or lazily, stopping at the first deciding argument.
            value: Any = None
            operands: list[Any] = list(rest)
            if not first:
                operands.append(Lit(final))
            if not operands:
                raise TemplateError(f"wrong number of args for {name}: want at least 1 got 0",
                                    self.file, self.line)
            for op in operands:
                value = self.arg(op, dot, scope)
                if self.truth(value) != (name == "and"):
                    return value
            return value
        fn = self.funcs.get(name)
        if fn is None:
            raise TemplateError(f'function "{name}" not defined', self.file, self.line)
        args = [self.arg(a, dot, scope) for a in rest]
        if not first:
            args.append(final)
        return self.invoke(name, fn, args)

    def truth(self, value: Any) -> bool:
        return truth(value if self.tracer is None else trace.strip(value))

    def invoke(self, name: str, fn: Func, args: list[Any]) -> Any:
        if self.tracer is not None and name not in trace.TRANSPARENT:
            args = [trace.strip(a) for a in args]
        try:
            return fn(*args)
        except TemplateError as exc:
            if not exc.file:
                exc.file, exc.line = self.file, self.line
            raise
        except RecursionError:
            raise RenderLimit("template recursion too deep", self.file, self.line) from None
        except FuncError as exc:
            raise TemplateError(f"error calling {name}: {exc}", self.file, self.line) from None
        except ZeroDivisionError:
            raise TemplateError(f"error calling {name}: runtime error: integer divide by zero",
                                self.file, self.line) from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
            # Python's own words (`'int' object is not iterable`) are not the user's to read
            kinds = ", ".join(go_type(a) for a in args) or "no arguments"
            raise TemplateError(f"error calling {name}: cannot be called with {kinds}",
                                self.file, self.line) from None

    def method_call(self, head: Field | Var | Chain, rest: list[Operand], dot: Any, scope: list[list[Any]],
                    final: Any, first: bool) -> Any:
        if isinstance(head, Field):
            receiver, names = dot, head.names
        elif isinstance(head, Var):
            receiver, names = self.variable(head.name, scope), head.names
        else:
            receiver, names = self.arg(head.node, dot, scope), head.names
        if not names:
            raise TemplateError(f"can't give argument to non-function {_describe(head)}",
                                self.file, self.line)
        receiver = self.fields(receiver, names[:-1])
        method = receiver.go_method(names[-1]) if isinstance(receiver, GoObject) else None
        if method is None:
            raise TemplateError(f"{names[-1]} has arguments but cannot be invoked as function",
                                self.file, self.line)
        args = [self.arg(a, dot, scope) for a in rest]
        if not first:
            args.append(final)
        return self.invoke(names[-1], method, args)

    def arg(self, node: Operand, dot: Any, scope: list[list[Any]]) -> Any:
        if isinstance(node, Field):
            return self.fields(dot, node.names)
        if isinstance(node, Lit):
            return node.value
        if isinstance(node, Var):
            return self.fields(self.variable(node.name, scope), node.names)
        if isinstance(node, Dot):
            return dot
        if isinstance(node, Pipe):
            mark = len(scope)
            value = self.pipe(node, dot, scope)
            del scope[mark:]
            return value
        if isinstance(node, Chain):
            return self.fields(self.arg(node.node, dot, scope), node.names)
        # a bare identifier used as an argument is a call with no arguments
        return self.call(node.name, [], dot, scope, None, True)

    def variable(self, name: str, scope: list[list[Any]]) -> Any:
        for entry in reversed(scope):
            if entry[0] == name:
                return entry[1]
        raise TemplateError(f"undefined variable: {name}", self.file, self.line)

    def fields(self, value: Any, names: tuple[str, ...]) -> Any:
        """Walk a field chain. Go unwraps a pipeline's, variable's or dot's nil into an
        invalid value whose fields are silently zero, but a nil met inside the chain
        (a map entry that is missing or null) is an error."""
        if value is None:
            return None
        for name in names:
            if isinstance(value, dict):
                value = value.get(name)
            elif isinstance(value, GoObject):
                try:
                    value = value.go_field(name)
                except KeyError:
                    method = value.go_method(name)
                    if method is None:
                        raise TemplateError(f"can't evaluate field {name} in type {type(value).__name__}",
                                            self.file, self.line) from None
                    value = self.invoke(name, method, [])
            elif value is None:
                raise TemplateError(f"nil pointer evaluating interface {{}}.{name}", self.file, self.line)
            else:
                raise TemplateError(f"can't evaluate field {name} in type {go_type(value)}",
                                    self.file, self.line)
        return value


def _map_key(k: Any) -> Any:
    return (0, k) if isinstance(k, str) else (1, str(k))


def _describe(node: Operand) -> str:
    if isinstance(node, Field):
        return "." + ".".join(node.names)
    if isinstance(node, Var):
        return node.name + "".join("." + n for n in node.names)
    return type(node).__name__.lower()
