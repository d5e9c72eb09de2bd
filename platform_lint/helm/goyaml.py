"""YAML and JSON text exactly as Helm's `toYaml`/`toJson` produce it.

Helm marshals with sigs.k8s.io/yaml: Go's encoding/json first, then go-yaml v2
re-emits the JSON. So numbers are JSON numbers (an integral float prints as an
integer), map keys come out in go-yaml's "natural" order (runs of digits compare
as numbers, letters after other characters), strings are plain unless go-yaml
would read them back as something else, multi-line strings are literal blocks,
and long lines fold at column 80. Charts hash this text into annotations, so
every byte counts.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from functools import cmp_to_key, lru_cache
from typing import Any

from platform_lint.helm import words
from platform_lint.helm.errors import FuncError
from platform_lint.helm.gofmt import go_float

WIDTH = 80

# --- go-yaml v2 resolve: would this plain text read back as a non-string? -------------

_BOOL_NULL = frozenset(
    words(
        "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL ~ "
        ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF << "
    )
)
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_GO_INT = re.compile(
    r"^[-+]?(0[xX]_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*|0[oO]_?[0-7]+(_[0-7]+)*|0[bB]_?[01]+(_[01]+)*"
    r"|0_?[0-7]*(_[0-7]+)*|[1-9][0-9]*(_[0-9]+)*)$"
)
_BIN = re.compile(r"^[-+]?0b[01]+$")


def resolves_non_string(s: str) -> bool:
    if s == "" or s in _BOOL_NULL:
        return True
    c = s[0]
    return c in "-+.0123456789" and bool(
        _GO_INT.match(s) or _FLOAT.match(s) or _BIN.match(s) or _BASE60.match(s)
    )


# --- scalar analysis (libyaml's yaml_emitter_analyze_scalar) ---------------------------


def _printable(ch: str) -> bool:
    o = ord(ch)
    return (
        o == 0x0A
        or 0x20 <= o <= 0x7E
        or o == 0x85
        or (0xA0 <= o <= 0xD7FF)
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
        or (0x10000 <= o <= 0x10FFFF)
    )


_NOT_PRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
"""A character `_printable` refuses (the byte-order mark among them), as the gaps
between its ranges: the negated class of those ranges cost 57 M instructions to compile."""
_BREAKS = "\r\n\x85\u2028\u2029"


@lru_cache(maxsize=8192)
def _analyze_short(s: str) -> tuple[bool, bool, bool, bool, bool]:
    return _analyze(s)


def _analyze(s: str) -> tuple[bool, bool, bool, bool, bool]:  # noqa: PLR0915 - one pass, as libyaml
    """(block_plain, single_quoted, block_allowed, multiline, flow_plain) permissions."""
    flow_ind = block_ind = False
    if s.startswith(("---", "...")):
        flow_ind = block_ind = True
    preceded_ws = True
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = line_breaks = False
    prev_space = prev_break = False
    special = _NOT_PRINTABLE.search(s) is not None
    n = len(s)
    for i, ch in enumerate(s):
        followed_ws = i + 1 >= n or s[i + 1] in " \t" or s[i + 1] in _BREAKS
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                flow_ind = block_ind = True
            elif ch in "?:":
                flow_ind = True
                if followed_ws:
                    block_ind = True
            elif ch == "-" and followed_ws:
                flow_ind = block_ind = True
        elif ch in ",?[]{}":
            flow_ind = True
        elif ch == ":":
            flow_ind = True
            if followed_ws:
                block_ind = True
        elif ch == "#" and preceded_ws:
            flow_ind = block_ind = True
        if ch in _BREAKS:
            line_breaks = True
        if ch == " ":
            if i == 0:
                leading_space = True
            if i == n - 1:
                trailing_space = True
            if prev_break:
                break_space = True
            prev_space, prev_break = True, False
        elif ch in _BREAKS:
            if i == 0:
                leading_break = True
            if i == n - 1:
                trailing_break = True
            if prev_space:
                space_break = True
            prev_space, prev_break = False, True
        else:
            prev_space = prev_break = False
        preceded_ws = ch in " \t" or ch in _BREAKS
    flow_plain = block_plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        flow_plain = block_plain = False
    if trailing_space:
        block = False
    if break_space:
        flow_plain = block_plain = single = False
    if space_break or special:
        flow_plain = block_plain = single = block = False
    if line_breaks:
        flow_plain = block_plain = False
    if flow_ind:
        flow_plain = False
    if block_ind:
        block_plain = False
    return block_plain, single, block, line_breaks, flow_plain


# --- emitting -------------------------------------------------------------------------


class _Out:
    __slots__ = ("col", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.col = 0

    def put(self, text: str) -> None:
        self.parts.append(text)
        nl = text.rfind("\n")
        self.col = len(text) - nl - 1 if nl >= 0 else self.col + len(text)

    def indent(self, n: int) -> None:
        self.parts.append("\n" + " " * n)
        self.col = n


def _write_plain(out: _Out, s: str, indent: int, breaks: bool) -> None:
    spaces = False
    buf: list[str] = []
    for i, ch in enumerate(s):
        if ch == " ":
            if breaks and not spaces and out.col + len(buf) > WIDTH and i + 1 < len(s) and s[i + 1] != " ":
                out.put("".join(buf))
                buf = []
                out.indent(indent)
            else:
                buf.append(ch)
            spaces = True
        else:
            buf.append(ch)
            spaces = False
    out.put("".join(buf))


def _write_single(out: _Out, s: str, indent: int, breaks: bool) -> None:
    out.put("'")
    spaces = False
    buf: list[str] = []
    n = len(s)
    for i, ch in enumerate(s):
        if ch == " ":
            if (breaks and not spaces and out.col + len(buf) > WIDTH and 0 < i < n - 1
                    and s[i + 1] != " "):
                out.put("".join(buf))
                buf = []
                out.indent(indent)
            else:
                buf.append(ch)
            spaces = True
        else:
            buf.append("''" if ch == "'" else ch)
            spaces = False
    out.put("".join(buf) + "'")


_DQ_ESC = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
           "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P"}


def _write_double(out: _Out, s: str, indent: int, breaks: bool) -> None:
    out.put('"')
    spaces = False
    buf: list[str] = []
    n = len(s)
    for i, ch in enumerate(s):
        if not _printable(ch) or ch == "\ufeff" or ch in _BREAKS or ch in '"\\':
            esc = _DQ_ESC.get(ch)
            if esc is None:
                o = ord(ch)
                esc = f"x{o:02X}" if o <= 0xFF else (f"u{o:04X}" if o <= 0xFFFF else f"U{o:08X}")
            buf.append("\\" + esc)
            spaces = False
        elif ch == " ":
            if breaks and not spaces and out.col + len(buf) > WIDTH and 0 < i < n - 1:
                out.put("".join(buf))
                buf = []
                out.indent(indent)
                if s[i + 1] == " ":
                    buf.append("\\")
            else:
                buf.append(ch)
            spaces = True
        else:
            buf.append(ch)
            spaces = False
    out.put("".join(buf) + '"')


def _string(out: _Out, s: str, indent: int, key: bool) -> None:
    if _SIMPLE.fullmatch(s) and not resolves_non_string(s):
        out.put(s)  # what the plain style writes of a word with no indicator, space or break
        return
    block_plain, single, block, _multiline, _flow = _analyze_short(s) if len(s) <= 120 else _analyze(s)
    if "\n" in s:
        # the encoder asks for a literal block; the emitter falls back to double quotes
        if block and not key:
            _write_literal_scalar(out, s, indent)
        else:
            _write_double(out, s, indent, not key)
    elif not s or resolves_non_string(s):
        _write_double(out, s, indent, not key)
    elif block_plain:
        _write_plain(out, s, indent, not key)
    elif single:
        _write_single(out, s, indent, not key)
    else:
        _write_double(out, s, indent, not key)


_SIMPLE = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./-]*")


def _write_literal_scalar(out: _Out, s: str, indent: int) -> None:
    hint = "2" if s[0] == " " or s[0] in _BREAKS else ""
    if s[-1] not in _BREAKS:
        chomp = "-"
    elif len(s) == 1 or s[-2] in _BREAKS:
        chomp = "+"
    else:
        chomp = ""
    pieces = [f"|{hint}{chomp}"]
    lines = s.split("\n")
    if s.endswith("\n"):
        lines.pop()
    for line in lines:
        pieces.append("\n" + (" " * indent + line if line else ""))
    out.put("".join(pieces))


def _scalar(out: _Out, v: Any, indent: int, key: bool = False) -> None:
    if v is None:
        out.put("null")
    elif v is True:
        out.put("true")
    elif v is False:
        out.put("false")
    elif isinstance(v, int):
        out.put(str(v))
    elif isinstance(v, float):
        out.put(yaml_float(v))
    elif isinstance(v, str):
        _string(out, v, indent, key)
    else:
        _string(out, str(v), indent, key)


def yaml_float(f: float) -> str:
    if math.isnan(f):
        return ".nan"
    if math.isinf(f):
        return ".inf" if f > 0 else "-.inf"
    if f == int(f) and abs(f) < 1e21:
        return str(int(f))
    return go_float(f)


def _emit(out: _Out, v: Any, indent: int, ctx: str) -> None:
    """Write `v` where the cursor is: ctx is 'top', 'map' (after `key:`) or 'seq' (after `- `)."""
    if isinstance(v, dict) and v:
        keys = sorted(v, key=_natural)
        for i, k in enumerate(keys):
            if ctx == "map" or (i > 0):
                out.indent(indent)
            elif ctx == "top" and i == 0:
                pass
            _scalar(out, k if isinstance(k, str) else str(k), indent, key=True)
            out.put(":")
            _value_after_key(out, v[k], indent)
        return
    if isinstance(v, (list, tuple)) and v:
        for i, item in enumerate(v):
            if ctx == "map" or i > 0:
                out.indent(indent)
            out.put("- ")
            _emit(out, item, indent + 2, "seq")
        return
    if isinstance(v, dict):
        out.put("{}")
    elif isinstance(v, (list, tuple)):
        out.put("[]")
    else:
        _scalar(out, v, indent if ctx == "seq" else indent + 2 if ctx == "top" else indent)


def _value_after_key(out: _Out, v: Any, indent: int) -> None:
    if isinstance(v, dict) and v:
        _emit(out, v, indent + 2, "map")
    elif isinstance(v, (list, tuple)) and v:
        _emit(out, v, indent, "map")
    else:
        out.put(" ")
        _emit(out, v, indent + 2, "seq")


def dump(v: Any) -> str:
    """yaml.Marshal's text (ending in a newline), as Helm's toYaml sees it before trimming."""
    data = to_json_data(v)
    # Templates write the same small values (labels, resources, a security context) in
    # every values set: the text of one is remembered by its JSON text, which tells
    # apart every value and type the writer does (`to_json_data` leaves only JSON's).
    key = json.dumps(data)
    return _dumped(key) if len(key) <= _REMEMBERED else _written(data)


_REMEMBERED = 4_096
"""JSON texts up to this long have their YAML remembered (256 of them: a few MB at most)."""


@lru_cache(maxsize=256)
def _dumped(key: str) -> str:
    return _written(json.loads(key))


def _written(data: Any) -> str:
    out = _Out()
    _emit(out, data, 0, "top")
    out.put("\n")
    return "".join(out.parts)


# --- go-yaml's key order --------------------------------------------------------------


def _natural_cmp(a: str, b: str) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return -1 if ca < cb else 1
        if al or bl:
            return -1 if bl else 1
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if ca < cb else 1
    return (len(a) > len(b)) - (len(a) < len(b))


_natural = cmp_to_key(lambda x, y: _natural_cmp(str(x), str(y)))


# --- JSON as Go's encoding/json writes it ----------------------------------------------


def to_json_data(v: Any) -> Any:
    """Values as they come back from a JSON round trip (what go-yaml then re-emits)."""
    if isinstance(v, dict):
        return {str(k): to_json_data(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json_data(x) for x in v]
    if isinstance(v, float) and not math.isinf(v) and not math.isnan(v) and v == int(v) and abs(v) < 1e21:
        return int(v)
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    data = getattr(v, "go_data", None)
    return to_json_data(data()) if callable(data) else str(v)


def json_float(f: float) -> str:
    if f == int(f) and abs(f) < 1e21:
        return str(int(f))
    a = abs(f)
    if 1e-6 <= a < 1e21:
        text = format(Decimal(repr(f)), "f")
        return text
    text = repr(f)
    m = re.match(r"^(-?[\d.]+)e([+-])0*(\d+)$", text)
    if m:
        return f"{m.group(1)}e{m.group(2)}{m.group(3).zfill(2)}"
    return text


_JSON_ESC = re.compile(r'[\\"\x00-\x1f<>&\u2028\u2029]')


def _json_str(s: str) -> str:
    def esc(m: re.Match[str]) -> str:
        ch = m.group()
        return {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\u{ord(ch):04x}")

    return '"' + _JSON_ESC.sub(esc, s) + '"'


def json_dump(v: Any) -> str:
    """json.Marshal: compact, keys sorted, `<>&` escaped."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v) or math.isnan(v):
            raise FuncError("json: unsupported value: " + go_float(v))
        return json_float(v)
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, dict):
        return "{" + ",".join(_json_str(str(k)) + ":" + json_dump(v[k]) for k in sorted(v, key=str)) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(json_dump(x) for x in v) + "]"
    data = getattr(v, "go_data", None)
    return json_dump(data()) if callable(data) else _json_str(str(v))


def json_pretty(v: Any, indent: str = "    ", level: int = 0) -> str:
    """json.MarshalIndent(v, "", "    ") as toPrettyJson writes it."""
    pad = indent * (level + 1)
    if isinstance(v, dict) and v:
        items = [f"{pad}{_json_str(str(k))}: {json_pretty(v[k], indent, level + 1)}"
                 for k in sorted(v, key=str)]
        return "{\n" + ",\n".join(items) + "\n" + indent * level + "}"
    if isinstance(v, (list, tuple)) and v:
        items = [pad + json_pretty(x, indent, level + 1) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + indent * level + "]"
    return json_dump(v)
