"""Go template builtins and Sprig's type, default and comparison functions."""

from __future__ import annotations

import math
import re
import urllib.parse
from typing import Any

from platform_lint.helm.errors import FuncError, TemplateError
from platform_lint.helm.executor import Func
from platform_lint.helm.gofmt import go_type, sprint, sprintf, sprintln, truth, value_text


def empty(v: Any) -> bool:
    """Sprig's `empty`: nil, zero numbers, false and empty strings/lists/maps."""
    return not truth(v)


def strval(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return value_text(v)


def to_int(v: Any) -> int:
    """spf13/cast ToInt as Sprig calls it: bad input is 0."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return 0 if math.isnan(v) or math.isinf(v) else int(v)
    if isinstance(v, str):
        s = v.strip()
        try:
            return int(s, 0) if s.lower().startswith(("0x", "0o", "0b")) else int(s, 10)
        except ValueError:
            try:
                return int(float(s))
            except ValueError:
                return 0
    return 0


def to_float(v: Any) -> float:
    if v is None:
        return 0.0
    if isinstance(v, (bool, int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return 0.0
    return 0.0


def kind_of(v: Any) -> str:
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "slice"
    if isinstance(v, dict):
        return "map"
    return "struct"


def _basic(v: Any) -> str:
    """Go's basic kind of a value (text/template `basicKind`); `other` for maps, slices, objects."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "nil" if v is None else "other"


def eq(a: Any, *bs: Any) -> bool:
    """Go's `eq`: values of different basic kinds do not compare (`eq 1.0 1` is an error,
    and Helm reads every number in a values file as a float64), nil equals only nil."""
    if not bs:
        raise FuncError("missing argument for comparison")
    ka = _basic(a)
    for b in bs:
        kb = _basic(b)
        if ka != kb and "nil" not in (ka, kb):
            raise FuncError("incompatible types for comparison")
        if "nil" in (ka, kb):
            if a is None and b is None:
                return True
            continue
        if ka == "other":
            if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
                if type(a) is not type(b):
                    raise FuncError(f"non-comparable types {go_type(a)}, {go_type(b)}")
                raise FuncError(f"non-comparable type {go_type(b)}")
            if a is b:
                return True
            continue
        if a == b:
            return True
    return False


def ne(a: Any, b: Any) -> bool:
    return not eq(a, b)


def _ordered(a: Any, b: Any) -> tuple[Any, Any]:
    ka, kb = _basic(a), _basic(b)
    if ka not in ("int", "float", "string") or kb not in ("int", "float", "string"):
        raise FuncError("invalid type for comparison")
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    return a, b


def lt(a: Any, b: Any) -> bool:
    x, y = _ordered(a, b)
    return bool(x < y)


def le(a: Any, b: Any) -> bool:
    x, y = _ordered(a, b)
    return bool(x <= y)


def gt(a: Any, b: Any) -> bool:
    x, y = _ordered(a, b)
    return bool(x > y)


def ge(a: Any, b: Any) -> bool:
    x, y = _ordered(a, b)
    return bool(x >= y)


def go_len(v: Any) -> int:
    if v is None:
        raise FuncError("len of nil pointer")
    if isinstance(v, str):
        return len(v.encode("utf-8"))
    if isinstance(v, (list, tuple, dict, bytes)):
        return len(v)
    raise FuncError(f"len of type {go_type(v)}")


def index(v: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(v, dict):
            v = v.get(k)
        elif isinstance(v, (list, tuple, str)):
            if isinstance(k, bool) or not isinstance(k, int):
                raise FuncError(f"cannot index slice/array with type {go_type(k)}")
            if not 0 <= k < len(v):
                raise FuncError(f"index out of range: {k}")
            v = v[k] if not isinstance(v, str) else ord(v[k])
        elif v is None:
            raise FuncError("index of untyped nil")
        else:
            raise FuncError(f"can't index item of type {go_type(v)}")
    return v


def go_slice(v: Any, *idx: int) -> Any:
    if not idx:
        return v
    start = idx[0]
    end = idx[1] if len(idx) > 1 else len(v)
    return v[start:end]


def default(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


def coalesce(*vs: Any) -> Any:
    for v in vs:
        if not empty(v):
            return v
    return None


def ternary(a: Any, b: Any, cond: Any) -> Any:
    return a if truth(cond) else b


def fail(msg: Any) -> Any:
    raise TemplateError(strval(msg))


def to_strings(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return [strval(x) for x in v if x is not None]
    return [strval(v)]


def js_escape(*args: Any) -> str:
    s = sprint(*args)
    out = []
    for ch in s:
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in "<>&=" or ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def type_is(t: str, v: Any) -> bool:
    return go_type(v) == t


def kind_is(k: str, v: Any) -> bool:
    return kind_of(v) == k


def deep_equal(a: Any, b: Any) -> bool:
    return bool(a == b and type(a) is type(b))


def _html_escape(text: str) -> str:
    import html  # for the one function that needs it, not for every chart

    return html.escape(text)


FUNCS: dict[str, Func] = {
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "not": lambda v: not truth(v),
    "len": go_len, "index": index, "slice": go_slice,
    "print": sprint, "printf": sprintf, "println": sprintln,
    "html": lambda *a: _html_escape(sprint(*a)),
    "js": js_escape,
    "urlquery": lambda *a: urllib.parse.quote_plus(sprint(*a)),
    "default": default, "empty": empty, "coalesce": coalesce, "ternary": ternary,
    "fail": fail,
    "int": to_int, "int64": to_int, "atoi": to_int,
    "float64": to_float,
    "toString": strval, "toStrings": to_strings,
    "toDecimal": lambda v: int(strval(v), 8) if re.fullmatch(r"[0-7]+", strval(v)) else 0,
    "kindOf": kind_of, "kindIs": kind_is, "typeOf": go_type, "typeIs": type_is,
    "typeIsLike": lambda t, v: go_type(v) in (t, t.lstrip("*")),
    "deepEqual": deep_equal,
    "all": lambda *vs: all(truth(v) for v in vs),
    "any": lambda *vs: any(truth(v) for v in vs),
}
