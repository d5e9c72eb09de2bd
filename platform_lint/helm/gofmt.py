"""Go's `fmt` as templates see it: %v printing, Sprintf verbs, truthiness, float text."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any


def truth(v: Any) -> bool:
    """Go template truth: false, 0, nil and empty strings, lists and maps are false."""
    if v is None:
        return False
    if isinstance(v, (bool, int, float, str, list, dict, tuple, bytes)):
        return bool(v)
    return True


def go_float(f: float, verb: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form below 1e-4 or from 1e6."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    sign, digits_t, exp = Decimal(repr(f)).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    assert isinstance(exp, int)
    e10 = len(digits) + exp - 1
    neg = "-" if sign else ""
    if e10 < -4 or e10 >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mant}e{'-' if e10 < 0 else '+'}{abs(e10):02d}"
    if exp >= 0:
        return neg + digits + "0" * exp
    point = len(digits) + exp
    if point > 0:
        return neg + digits[:point] + "." + digits[point:]
    return neg + "0." + "0" * (-point) + digits


def value_text(v: Any, nested: bool = False) -> str:
    """fmt's %v of a value."""
    if v is None:
        return "<nil>"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: (0, k) if isinstance(k, str) else (1, str(k)))
        return "map[" + " ".join(f"{value_text(k, True)}:{value_text(v[k], True)}" for k in keys) + "]"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(value_text(x, True) for x in v) + "]"
    if isinstance(v, bytes):
        return "[" + " ".join(str(b) for b in v) + "]"
    text = getattr(v, "go_string", None)
    if callable(text):
        return str(text())
    return str(v)


def write_value(v: Any, out: list[str], top: bool = False) -> None:
    """What `{{ value }}` writes: nil prints as `<no value>` (Helm then blanks it)."""
    if v is None and top:
        out.append("<no value>")
    else:
        out.append(value_text(v))


def sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    parts: list[str] = []
    for i, a in enumerate(args):
        if i > 0 and not isinstance(a, str) and not isinstance(args[i - 1], str):
            parts.append(" ")
        parts.append(value_text(a))
    return "".join(parts)


def sprintln(*args: Any) -> str:
    return " ".join(value_text(a) for a in args) + "\n"


_VERB = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d+)?)?([a-zA-Z%])")


def go_type(v: Any) -> str:
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    return type(v).__name__


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf for the verbs charts use (v s d q t f e g x X o b c T %%), flags, width, precision."""
    out: list[str] = []
    pos = 0
    argi = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        text = _format_one(verb, flags, None if prec is None else int(prec or 0), arg)
        if width:
            w = int(width)
            if "-" in flags:
                text = text.ljust(w)
            elif "0" in flags and verb in "dfeEgGxXob" and not isinstance(arg, str):
                sign = text[0] if text[:1] in "+-" else ""
                text = sign + text[len(sign):].rjust(w - len(sign), "0")
            else:
                text = text.rjust(w)
        out.append(text)
    out.append(fmt[pos:])
    if argi < len(args):
        extra = ", ".join(f"{go_type(a)}={value_text(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _bad(verb: str, arg: Any) -> str:
    return f"%!{verb}({go_type(arg)}={value_text(arg)})"


def _format_one(verb: str, flags: str, prec: int | None, arg: Any) -> str:
    if verb == "T":
        return go_type(arg)
    if verb == "v":
        if "+" in flags or "#" in flags:
            return value_text(arg)
        return value_text(arg)
    if verb == "s":
        if isinstance(arg, (int, float, bool)) or arg is None:
            return _bad(verb, arg) if arg is not None else "%!s(<nil>)"
        text = value_text(arg)
        return text[:prec] if prec is not None else text
    if verb == "q":
        if isinstance(arg, str):
            return json.dumps(arg, ensure_ascii=False) if "#" not in flags or "`" in arg else f"`{arg}`"
        if isinstance(arg, int) and not isinstance(arg, bool):
            return "'" + chr(arg) + "'"
        return _bad(verb, arg)
    if verb == "t":
        return ("true" if arg else "false") if isinstance(arg, bool) else _bad(verb, arg)
    if verb in "dxXobc":
        if isinstance(arg, bool) or not isinstance(arg, int):
            if verb in "xX" and isinstance(arg, str):
                h = arg.encode().hex()
                return h.upper() if verb == "X" else h
            return _bad(verb, arg)
        sign = "+" if "+" in flags and arg >= 0 else ""
        if verb == "d":
            return sign + str(arg)
        if verb == "c":
            return chr(arg)
        base = {"x": "x", "X": "X", "o": "o", "b": "b"}[verb]
        return sign + format(arg, base)
    if verb in "feEgG":
        if isinstance(arg, bool) or not isinstance(arg, (int, float)):
            return _bad(verb, arg)
        if isinstance(arg, int):
            return _bad(verb, arg)
        sign = "+" if "+" in flags and arg >= 0 else ""
        if verb in "gG" and prec is None:
            return sign + go_float(arg)
        p = 6 if prec is None else prec
        text = format(arg, f".{p}{verb}")
        if verb in "eE":
            text = re.sub(r"([eE][+-])(\d)$", r"\g<1>0\2", text)
        return sign + text
    return f"%!{verb}({go_type(arg)}={value_text(arg)})"
