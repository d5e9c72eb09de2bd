"""A small PromQL parser: enough to know what an expression watches.

It reads the whole Prometheus grammar (selectors, ranges, subqueries,
offsets, `@`, functions, aggregations with `by`/`without`, binary operators
with `bool`, `on`/`ignoring` and `group_left`/`group_right`) and yields the
vector selectors with their label matchers, and a constant value when the
expression reads no series at all. A syntax error carries the offset in the
expression text where it was found, so it can be reported at its line.

Hand-written rather than the `promql-parser` wheel (a Rust binding of the
Prometheus grammar): that one reports errors without a position ("invalid
promql query"), and a native extension would load on the pre-commit path.
"""

from __future__ import annotations

import math
import re

from platform_lint.go_strings import unquote
from platform_lint.records import field, record
from platform_lint.safe_regex import UnsafePattern, compile_pattern, fullmatch
from platform_lint.sources import promql_folding as folding
from platform_lint.sources.promql_folding import Value

_TOKEN = re.compile(
    r"""(?P<ws>\s+|\#[^\n]*)
    |(?P<duration>(?:\d+(?:ms|[smhdwy]))+)(?![A-Za-z0-9_])
    |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
    |(?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
    |(?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],:@])
    """,
    re.X,
)

_DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
AGGREGATIONS = frozenset({
    "sum", "avg", "count", "min", "max", "stddev", "stdvar", "topk", "bottomk",
    "quantile", "count_values", "group", "limitk", "limit_ratio",
})
_COMPARISONS = ("==", "!=", "<=", "<", ">=", ">")
# Binary operator precedence, loosest first; `^` is right-associative.
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",), ("and", "unless"), _COMPARISONS, ("+", "-"), ("*", "/", "%", "atan2"), ("^",),
)
_TEMPLATE = re.compile(r"\{\{|\$\{|\$__")
# A Loki ruler file has the same `groups:` shape, with LogQL: a log selector and a pipeline.
_LOGQL = re.compile(r"\}\s*(\|[=~]|!=\s*\"|!~\s*\"|\|\s*(json|logfmt|regexp|pattern|unpack|line_format|"
                    r"label_format|unwrap|drop|keep|decolorize)\b)")


class PromQLError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@record(frozen=True)
class Matcher:
    label: str
    op: str
    value: str


@record(frozen=True)
class Selector:
    metric: str | None
    matchers: tuple[Matcher, ...]
    offset: int

    def values(self, label: str) -> list[tuple[str, str]]:
        """(operator, value) of every matcher on `label`."""
        return [(m.op, m.value) for m in self.matchers if m.label == label]


@record()
class Expression:
    """What an expression watches, once parsed."""

    text: str
    selectors: list[Selector] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)
    constant: list[float] | float | None = None
    """The value when the expression reads no series: a scalar, or the samples of
    an instant vector (empty when it can never return anything)."""
    unjudged: str | None = None
    """Why it was not judged: `{{ }}` or `${...}` templating, or LogQL (a Loki rule)."""

    @property
    def metrics(self) -> set[str]:
        return {s.metric for s in self.selectors if s.metric}

    def jobs(self) -> list[tuple[str, str]]:
        return [v for s in self.selectors for v in s.values("job")]



@record()
class _Tok:
    kind: str
    text: str
    offset: int


def parse(text: str) -> Expression:
    """Parse `text`; raises `PromQLError` with the offset of the fault."""
    out = Expression(text=text)
    if _TEMPLATE.search(text):
        out.unjudged = "templated"
        return out
    if _LOGQL.search(text):
        out.unjudged = "LogQL"
        return out
    parser = _Parser(text, out)
    value = parser.expression()
    if parser.peek().kind != "eof":
        tok = parser.peek()
        raise PromQLError(f"unexpected {tok.text!r} after a complete expression", tok.offset)
    out.constant = value if not out.selectors else None
    return out


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise PromQLError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup or ""
        if kind == "string":
            try:  # Prometheus's lexer accepts Go's escapes and no other
                unquote(m.group())
            except ValueError:
                raise PromQLError("a quoted string holds an escape sequence PromQL does not accept",
                                  pos) from None
        if kind != "ws":
            out.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    out.append(_Tok("eof", "end of expression", len(text)))
    return out


class _Parser:
    def __init__(self, text: str, out: Expression) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.out = out

    # -- token helpers
    def peek(self, ahead: int = 0) -> _Tok:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok.kind in ("op", "ident") and tok.text.lower() == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str, what: str) -> _Tok:
        tok = self.peek()
        if tok.text != text:
            raise PromQLError(f"expected {text!r} {what}, found {tok.text!r}", tok.offset)
        return self.take()

    # -- grammar
    def expression(self, level: int = 0) -> Value:
        if level == len(_LEVELS):
            return self.unary()
        left = self.expression(level + 1)
        while True:
            tok = self.peek()
            op = tok.text.lower() if tok.kind in ("op", "ident") else ""
            if op not in _LEVELS[level]:
                return left
            self.take()
            is_bool = self.accept("bool")
            if is_bool and op not in _COMPARISONS:
                raise PromQLError("bool modifier can only be used on comparison operators", tok.offset)
            self.vector_matching()
            right = self.expression(level if op == "^" else level + 1)
            try:
                left = folding.binary(op, left, right, is_bool)
            except folding.FoldError as exc:
                raise PromQLError(str(exc), tok.offset) from None

    def vector_matching(self) -> None:
        if self.accept("on") or self.accept("ignoring"):
            self.labels()
        if (self.accept("group_left") or self.accept("group_right")) and self.peek().text == "(":
            self.labels()

    def labels(self) -> list[str]:
        self.expect("(", "before a label list")
        names: list[str] = []
        while self.peek().text != ")":
            tok = self.take()
            if tok.kind not in ("ident", "string"):
                raise PromQLError(f"expected a label name, found {tok.text!r}", tok.offset)
            names.append(tok.text)
            if not self.accept(","):
                break
        self.expect(")", "to close the label list")
        return names

    def unary(self) -> Value:
        tok = self.peek()
        if tok.text in ("-", "+"):
            self.take()
            value = self.unary()
            return folding.negate(value) if tok.text == "-" else value
        return self.postfix(self.primary())

    def postfix(self, value: Value) -> Value:
        while True:
            tok = self.peek()
            if tok.text == "[":
                self.take()
                self.duration("a range")
                step = self.peek()
                if step.text.startswith(":"):  # `:`, or `:1m` lexed as one metric-like name
                    self.take()
                    if step.text != ":" and not _DURATION.fullmatch(step.text[1:]):
                        raise PromQLError(f"expected a subquery step, found {step.text[1:]!r}",
                                          step.offset + 1)
                    if step.text == ":" and self.peek().text != "]":
                        self.duration("a subquery step")
                self.expect("]", "to close the range")
                value = None
            elif tok.kind == "ident" and tok.text.lower() == "offset":
                self.take()
                self.accept("-")
                self.duration("an offset")
            elif tok.text == "@":
                self.take()
                nxt = self.take()
                if nxt.kind != "number" and nxt.text not in ("start", "end"):
                    raise PromQLError("expected a timestamp, start() or end() after @", nxt.offset)
                if nxt.kind == "ident":
                    self.expect("(", "after @ start/end")
                    self.expect(")", "after @ start/end")
            else:
                return value

    def duration(self, what: str) -> None:
        tok = self.take()
        if tok.kind not in ("duration", "number"):
            raise PromQLError(f"expected a duration for {what}, found {tok.text!r}", tok.offset)

    def primary(self) -> Value:
        tok = self.peek()
        if tok.kind == "number":
            self.take()
            return _number(tok.text)
        if tok.kind == "duration":
            self.take()
            return None
        if tok.kind == "string":
            self.take()
            return None
        if tok.text == "(":
            self.take()
            value = self.expression()
            self.expect(")", "to close the parenthesis")
            return value
        if tok.text == "{":
            return self.selector(None, tok.offset)
        if tok.kind == "ident":
            name = tok.text
            low = name.lower()
            if low in ("inf", "nan"):
                self.take()
                return math.inf if low == "inf" else math.nan
            if low in AGGREGATIONS:
                return self.aggregation()
            if self.peek(1).text == "(":
                return self.call()
            self.take()
            return self.selector(name, tok.offset)
        raise PromQLError(f"unexpected {tok.text!r}", tok.offset)

    def aggregation(self) -> Value:
        name = self.take().text.lower()
        if self.accept("by") or self.accept("without"):
            self.labels()
        open_tok = self.expect("(", f"after {name}")
        args = self.arguments(open_tok)
        if self.accept("by") or self.accept("without"):
            self.labels()
        self.out.functions.add(name)
        if not args:
            raise PromQLError(f"{name}() needs an argument", open_tok.offset)
        return folding.aggregate(name, args[-1])

    def call(self) -> Value:
        name_tok = self.take()
        name = name_tok.text
        open_tok = self.take()
        args = self.arguments(open_tok)
        self.out.functions.add(name)
        if name == "vector" and len(args) == 1 and isinstance(args[0], float):
            return [args[0]]
        if name == "scalar" and len(args) == 1 and isinstance(args[0], list):
            return args[0][0] if len(args[0]) == 1 else math.nan
        if name == "absent" and len(args) == 1 and isinstance(args[0], list):
            return [] if args[0] else [1.0]
        return None

    def arguments(self, open_tok: _Tok) -> list[Value]:
        args: list[Value] = []
        while self.peek().text != ")":
            if self.peek().kind == "eof":
                raise PromQLError("unclosed parenthesis", open_tok.offset)
            args.append(self.expression())
            if not self.accept(","):
                break
        if self.peek().text != ")":
            tok = self.peek()
            raise PromQLError(f"expected ',' or ')' in the argument list, found {tok.text!r}", tok.offset)
        self.take()
        return args

    def selector(self, metric: str | None, offset: int) -> Value:
        matchers: list[Matcher] = []
        if self.peek().text == "{":
            open_tok = self.take()
            while self.peek().text != "}":
                matchers.append(self.matcher(open_tok))
                if not self.accept(","):
                    break
            self.expect("}", "to close the label matchers")
        if metric is None:
            names = [m for m in matchers if m.op == ""]
            if names:
                metric = unquote(names[0].value)
            matchers = [m for m in matchers if m.op != ""]
            if metric is None and not any(m.op in ("=", "=~") and m.value and not _matches_empty(m)
                                          for m in matchers):
                raise PromQLError("a vector selector must contain at least one non-empty matcher",
                                  offset)
        for m in matchers:
            if m.label == "__name__" and m.op == "=" and metric is None:
                metric = m.value
        self.out.selectors.append(Selector(metric, tuple(matchers), offset))
        return None

    def matcher(self, open_tok: _Tok) -> Matcher:
        tok = self.take()
        if tok.kind == "string" and self.peek().text in (",", "}"):
            return Matcher("__name__", "", tok.text)  # {"metric.name"}
        if tok.kind not in ("ident", "string"):
            raise PromQLError(f"expected a label name, found {tok.text!r}", tok.offset)
        op = self.take()
        if op.text not in ("=", "!=", "=~", "!~"):
            raise PromQLError(f"expected a label matcher operator after {tok.text!r}, found {op.text!r}",
                              op.offset)
        value = self.take()
        if value.kind != "string":
            raise PromQLError(f"expected a quoted label value, found {value.text!r}", value.offset)
        text = unquote(value.text)
        if op.text in ("=~", "!~"):
            try:  # Prometheus's regexes are RE2's: `\Q...\E` is one, a lookahead is not
                compile_pattern(text)
            except UnsafePattern as exc:
                reason = f"invalid regular expression {_clip(text)!r}: {_clip(exc.reason)}"
                raise PromQLError(reason, value.offset) from None
        label = unquote(tok.text) if tok.kind == "string" else tok.text
        return Matcher(label, op.text, text)


def _matches_empty(m: Matcher) -> bool:
    # RE2, which the parser checked the regex with (Python's `re` reads other syntax)
    return bool(fullmatch(m.value, "")) if m.op == "=~" else m.value == ""


def _clip(text: str, most: int = 80) -> str:
    """`text`, cut to `most` characters: a message names a long regex, it does not repeat it."""
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def _number(text: str) -> float:
    return float(int(text, 16)) if text.lower().startswith("0x") else float(text)


def contradictions(selector: Selector) -> str | None:
    """Why `selector` can match no series at all, if it cannot."""
    by_label: dict[str, list[Matcher]] = {}
    if selector.metric:
        by_label["__name__"] = [Matcher("__name__", "=", selector.metric)]
    for m in selector.matchers:
        by_label.setdefault(m.label, []).append(m)
    for label, found in by_label.items():
        equal = {m.value for m in found if m.op == "="}
        if len(equal) > 1:
            return f"{label} cannot equal both " + " and ".join(repr(v) for v in sorted(equal))
        for value in equal:
            for m in found:
                if not _admits(m, value):
                    return f'{label}="{value}" contradicts {label}{m.op}"{m.value}"'
    return None


def _admits(m: Matcher, value: str) -> bool:
    if m.op == "=":
        return m.value == value
    if m.op == "!=":
        return m.value != value
    hit = bool(fullmatch(m.value, value))  # RE2, as the parser checked it
    return hit if m.op == "=~" else not hit
