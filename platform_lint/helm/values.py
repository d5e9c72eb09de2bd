"""Chart values: reading YAML as Helm does, coalescing defaults, globals and `--set`.

Helm reads values through JSON, so every number becomes a float64 (Python
float); map keys are strings; timestamps stay strings. User values override
chart defaults, a null user value deletes the default, subchart values live
under the subchart's name (or alias) and `global` flows down from the parent.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

from platform_lint.helm.errors import TemplateError
from platform_lint.helm.executor import GoObject


@cache
def _loader(reused_anchors: bool = False) -> Any:
    """PyYAML's safe loader reading YAML 1.1 as go-yaml v2 does: no timestamps. With
    `reused_anchors`, the pure-Python loader, where an anchor given again names the later
    node (as in go-yaml and YAML 1.2; libyaml's composer refuses it)."""
    import yaml

    base: Any = yaml.SafeLoader if reused_anchors else yaml.CSafeLoader

    class Loader(base):  # type: ignore[misc]
        if reused_anchors:
            def compose_node(self, parent: Any, index: Any) -> Any:
                event = self.peek_event()
                if not isinstance(event, yaml.AliasEvent) and event.anchor is not None:
                    self.anchors.pop(event.anchor, None)
                return super().compose_node(parent, index)

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


MAX_NODES = 1_000_000


class _Budget:
    """Counts values as aliases expand: `&a [*b, *b, ...]` nests grow exponentially."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_NODES

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TemplateError(f"YAML expands to more than {MAX_NODES} values (aliases?)")


def _jsonish(v: Any, budget: _Budget | None = None) -> Any:
    if budget is None:
        budget = _Budget()
    budget.take()
    if isinstance(v, dict):
        return {_key(k): _jsonish(x, budget) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonish(x, budget) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, (str, float)):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, float) and k == int(k):
        return str(int(k))
    return str(k)


def parse_yaml(text: str, name: str = "") -> Any:
    """One YAML document as Helm's sigs.k8s.io/yaml would decode it."""
    try:
        return _jsonish(_load(text))
    except RecursionError:
        raise TemplateError("YAML nested too deeply", name, 1) from None
    except TemplateError as exc:
        raise TemplateError(exc.message, name, 1) from None
    except (ValueError, OverflowError):
        # what PyYAML's constructor (or `_key`) cannot make a number of: `0b_`, `0x_`, an
        # int past Python's digit limit, a `.nan` or `.inf` key
        raise TemplateError("cannot parse YAML: a number that cannot be read", name, 1) from None
    except Exception as exc:
        import yaml

        if not isinstance(exc, yaml.YAMLError):
            raise
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise TemplateError(f"cannot parse YAML: {problem}", name, line) from None


def _load(text: str) -> Any:
    """PyYAML's `yaml.load` of `text` under `_loader`: read without PyYAML when the
    document is of the common shape (`values_yaml`), else by PyYAML itself."""
    from platform_lint.helm import values_yaml

    try:
        return values_yaml.read(text)
    except Exception:  # unusual, or an error: what PyYAML reads decides
        import yaml

        try:
            return yaml.load(text, Loader=_loader())
        except yaml.composer.ComposerError as exc:
            if not str(exc.context).startswith("found duplicate anchor"):
                raise
            return yaml.load(text, Loader=_loader(reused_anchors=True))


def load_values(text: str, name: str) -> dict[str, Any]:
    data = parse_yaml(text, name) if text.strip() else {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TemplateError("values must be a YAML mapping", name, 1)
    return data


def merge_user(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps for -f files and --set: `over` wins, maps merge deeply."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_user(out[k], v)
        else:
            out[k] = v
    return out


def coalesce_tables(dst: dict[str, Any], src: dict[str, Any], merge: bool = False) -> dict[str, Any]:
    """Fill `dst` (user values) from `src` (defaults); a null in `dst` deletes the key."""
    for k, sv in src.items():
        if k in dst:
            dv = dst[k]
            if dv is None and not merge:
                del dst[k]
            elif isinstance(dv, dict) and isinstance(sv, dict):
                coalesce_tables(dv, sv, merge)
        else:
            dst[k] = copied(sv)
    return dst


_ATOMS = frozenset({str, float, int, bool, type(None)})


def copied(v: Any, memo: dict[int, Any] | None = None) -> Any:
    """A deep copy of values: maps and lists copied all the way down, strings and numbers
    shared. As `copy.deepcopy`, a map or list reached twice is copied once and cycles are
    kept: a template's `list $a $a`, nested thirty deep, costs thirty copies, not 2**30."""
    kind = type(v)
    if kind is dict or kind is list:
        if memo is None:
            memo = {}
        done = memo.get(id(v))
        if done is not None:
            return done
        if kind is dict:
            table: dict[Any, Any] = {}
            memo[id(v)] = table
            for k, x in v.items():  # strings and numbers, most values, without a call
                table[k] = x if type(x) in _ATOMS else copied(x, memo)
            return table
        items: list[Any] = []
        memo[id(v)] = items
        for x in v:
            items.append(x if type(x) in _ATOMS else copied(x, memo))
        return items
    if kind in _ATOMS or isinstance(v, GoObject):  # Helm's objects: nothing changes them
        return v
    return copy.deepcopy(v, memo)


def coalesce_globals(dest: dict[str, Any], parent: dict[str, Any]) -> None:
    dg = dest.get("global")
    dg = dict(dg) if isinstance(dg, dict) else {}
    sg = parent.get("global")
    if isinstance(sg, dict):
        for k, v in sg.items():
            if isinstance(v, dict):
                vv = copied(v)
                cur = dg.get(k)
                if isinstance(cur, dict):
                    coalesce_tables(vv, cur, merge=True)
                dg[k] = vv
            elif not isinstance(dg.get(k), dict):
                dg[k] = v
    dest["global"] = dg


def lookup_path(values: dict[str, Any], path: str) -> Any:
    cur: Any = values
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


# --- --set (helm's strvals) ------------------------------------------------------------

_INDEX = re.compile(r"^(.*?)\[(\d+)\]$")


def _typed(text: str, as_string: bool) -> Any:
    if as_string:
        return text
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.fullmatch(r"[-+]?(0|[1-9][0-9]*)", text):
        return int(text)
    return text


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i : i + 2])
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def parse_set(expr: str, into: dict[str, Any], as_string: bool = False) -> dict[str, Any]:
    """Apply one `--set a.b=c,d[0]=e,f={x,y}` expression to `into`."""
    for assignment in _split_unescaped(expr, ","):
        if not assignment:
            continue
        key, eq, raw = assignment.partition("=")
        if not eq:
            raise ValueError(f"key {key!r} has no value")
        value: Any
        if raw.startswith("{") and raw.endswith("}"):
            value = [_typed(_unescape(x), as_string) for x in _split_unescaped(raw[1:-1], ",") if x != ""]
        else:
            value = _typed(_unescape(raw), as_string)
        _assign(into, _split_unescaped(key, "."), value)
    return into


def _assign(cur: dict[str, Any], parts: list[str], value: Any) -> None:
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        m = _INDEX.match(part)
        if m:
            name, idx = _unescape(m.group(1)), int(m.group(2))
            if idx > 65536:
                raise ValueError(f"index of {idx} is greater than maximum supported index")
            lst = cur.get(name)
            lst = list(lst) if isinstance(lst, list) else []
            while len(lst) <= idx:
                lst.append(None)
            if last:
                lst[idx] = value
                cur[name] = lst
                return
            if not isinstance(lst[idx], dict):
                lst[idx] = {}
            cur[name] = lst
            cur = lst[idx]
            continue
        name = _unescape(part)
        if last:
            cur[name] = value
            return
        nxt = cur.get(name)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[name] = nxt
        cur = nxt
