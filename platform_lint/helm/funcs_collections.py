"""Sprig's list and dict functions, with mergo's merge semantics for `merge`/`mergeOverwrite`."""

from __future__ import annotations

from typing import Any

from platform_lint.helm.errors import FuncError
from platform_lint.helm.executor import Func
from platform_lint.helm.funcs_core import empty, strval
from platform_lint.helm.values import copied

_MISSING = object()


def _as_list(v: Any, name: str) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    raise FuncError(f"Cannot {name} on type {type(v).__name__}")


def go_dict(*kv: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(kv), 2):
        out[strval(kv[i])] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


def merge_into(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> dict[str, Any]:
    """mergo.Merge (WithOverride when `overwrite`) on map[string]interface{}."""
    for k, sv in src.items():
        dv = dst.get(k, _MISSING)
        if isinstance(sv, dict) and isinstance(dv, dict):
            merge_into(dv, sv, overwrite)
            continue
        if sv is None:
            if overwrite:
                dst[k] = None
            continue
        if dv is _MISSING or overwrite or empty(dv):
            dst[k] = sv
    return dst


def merge(dst: Any, *srcs: Any) -> Any:
    for s in srcs:
        if isinstance(s, dict):
            merge_into(dst, s, False)
    return dst


def merge_overwrite(dst: Any, *srcs: Any) -> Any:
    for s in srcs:
        if isinstance(s, dict):
            merge_into(dst, s, True)
    return dst


def uniq(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in _as_list(v, "uniq"):
        if x not in out:
            out.append(x)
    return out


def without(v: Any, *omit: Any) -> list[Any]:
    return [x for x in _as_list(v, "without") if x not in omit]


def has(needle: Any, haystack: Any) -> bool:
    return haystack is not None and needle in _as_list(haystack, "has")


def first(v: Any) -> Any:
    items = _as_list(v, "first")
    return items[0] if items else None


def last(v: Any) -> Any:
    items = _as_list(v, "last")
    return items[-1] if items else None


def dig(*args: Any) -> Any:
    *keys, default, d = args
    cur = d
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return default
        cur = cur[k]
    return cur


MAX_LIST = 1_000_000


def _range(start: int, stop: int, step: int = 1) -> list[int]:
    """A bounded range: `until 1e12` is an error, not a machine brought down."""
    r = range(start, stop, step) if step else range(0)
    if len(r) > MAX_LIST:
        raise FuncError(f"list longer than {MAX_LIST} items")
    return list(r)


def until_step(start: int, stop: int, step: int) -> list[int]:
    return _range(start, stop, step)


def seq(*args: int) -> str:
    if len(args) == 1:
        nums = _range(1, args[0] + 1) if args[0] > 0 else _range(1, args[0] - 1, -1)
    elif len(args) == 2:
        a, b = args
        nums = _range(a, b + 1) if b >= a else _range(a, b - 1, -1)
    else:
        a, step, b = args
        nums = _range(a, b + (1 if step > 0 else -1), step)
    return " ".join(map(str, nums))


def keys(*ds: Any) -> list[str]:
    out: list[str] = []
    for d in ds:
        out.extend(d.keys())
    return sorted(out)


def pick(d: dict[str, Any], *ks: str) -> dict[str, Any]:
    return {k: d[k] for k in ks if k in d}


def omit(d: dict[str, Any], *ks: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ks}


def go_set(d: dict[str, Any], k: str, v: Any) -> dict[str, Any]:
    d[k] = v
    return d


def unset(d: dict[str, Any], k: str) -> dict[str, Any]:
    d.pop(k, None)
    return d


def chunk(size: int, v: Any) -> list[list[Any]]:
    items = _as_list(v, "chunk")
    return [items[i : i + size] for i in range(0, len(items), size)]


FUNCS: dict[str, Func] = {
    "list": lambda *a: list(a), "tuple": lambda *a: list(a),
    "append": lambda v, x: [*_as_list(v, "append"), x], "push": lambda v, x: [*_as_list(v, "push"), x],
    "mustAppend": lambda v, x: [*_as_list(v, "append"), x],
    "mustPush": lambda v, x: [*_as_list(v, "push"), x],
    "prepend": lambda v, x: [x, *_as_list(v, "prepend")],
    "mustPrepend": lambda v, x: [x, *_as_list(v, "prepend")],
    "first": first, "mustFirst": first, "last": last, "mustLast": last,
    "rest": lambda v: _as_list(v, "rest")[1:], "mustRest": lambda v: _as_list(v, "rest")[1:],
    "initial": lambda v: _as_list(v, "initial")[:-1], "mustInitial": lambda v: _as_list(v, "initial")[:-1],
    "uniq": uniq, "mustUniq": uniq, "without": without, "mustWithout": without,
    "has": has, "mustHas": has,
    "compact": lambda v: [x for x in _as_list(v, "compact") if not empty(x)],
    "mustCompact": lambda v: [x for x in _as_list(v, "compact") if not empty(x)],
    "concat": lambda *ls: [x for lst in ls for x in _as_list(lst, "concat")],
    "reverse": lambda v: _as_list(v, "reverse")[::-1], "mustReverse": lambda v: _as_list(v, "reverse")[::-1],
    "chunk": chunk, "mustChunk": chunk,
    "until": lambda n: _range(0, n) if n >= 0 else _range(0, n, -1),
    "untilStep": until_step, "seq": seq,
    "dict": go_dict, "get": lambda d, k: d.get(k, "") if isinstance(d, dict) else "",
    "set": go_set, "unset": unset, "hasKey": lambda d, k: isinstance(d, dict) and k in d,
    "keys": keys, "values": lambda d: list(d.values()),
    "pluck": lambda k, *ds: [d[k] for d in ds if isinstance(d, dict) and k in d],
    "pick": pick, "omit": omit, "dig": dig,
    "merge": merge, "mustMerge": merge,
    "mergeOverwrite": merge_overwrite, "mustMergeOverwrite": merge_overwrite,
    "deepCopy": copied, "mustDeepCopy": copied,
}
