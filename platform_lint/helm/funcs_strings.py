"""Sprig's string, regex, encoding and hashing functions."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from typing import Any

from platform_lint.helm.errors import FuncError
from platform_lint.helm.executor import Func
from platform_lint.helm.funcs_core import strval, to_strings


def _go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def quote(*args: Any) -> str:
    return " ".join(_go_quote(strval(a)) for a in args if a is not None)


def squote(*args: Any) -> str:
    return " ".join(f"'{strval(a)}'" for a in args if a is not None)


def trunc(c: int, value: Any) -> str:
    s = strval(value)
    if c < 0 and len(s) + c > 0:
        return s[len(s) + c :]
    if c >= 0 and len(s) > c:
        return s[:c]
    return s


def indent(n: int, s: Any) -> str:
    """Bounded as `repeat` is: the pad is written once per line."""
    text = strval(s)
    if n * (text.count("\n") + 1) > MAX_STRING:
        raise FuncError(f"result larger than {MAX_STRING} characters")
    pad = " " * n
    return pad + text.replace("\n", "\n" + pad)


def nindent(n: int, s: Any) -> str:
    return "\n" + indent(n, s)


def _go_title(s: str) -> str:
    out = []
    prev = " "
    for ch in s:
        out.append(ch.upper() if not (prev.isalnum() or prev in "_'") else ch)
        prev = ch
    return "".join(out)


def _untitle(s: str) -> str:
    out = []
    prev = " "
    for ch in s:
        out.append(ch.lower() if prev.isspace() else ch)
        prev = ch
    return "".join(out)


def _camel(s: str) -> str:
    parts = re.split(r"[_\s-]+", s)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _snake(s: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return re.sub(r"[\s-]+", "_", s).lower()


def _kebab(s: str) -> str:
    return _snake(s).replace("_", "-")


def split(sep: str, s: Any) -> dict[str, str]:
    return {f"_{i}": p for i, p in enumerate(strval(s).split(sep))}


def splitn(sep: str, n: int, s: Any) -> dict[str, str]:
    return {f"_{i}": p for i, p in enumerate(strval(s).split(sep, n - 1))}


def split_list(sep: str, s: Any) -> list[str]:
    return strval(s).split(sep) if sep else list(strval(s))


def join(sep: str, v: Any) -> str:
    return sep.join(to_strings(v))


def _go_re(pattern: str) -> Any:
    """Go's regexp is RE2: the same engine here, so a pattern from values runs in linear time."""
    from platform_lint.safe_regex import UnsafePattern, compile_pattern

    try:
        return compile_pattern(pattern)
    except UnsafePattern as exc:
        raise FuncError(str(exc)) from None


_GO_TEMPLATE = re.compile(r"\$(\$|\{(\w+)\}|(\w+))")


def _go_expand(repl: str) -> Any:
    """Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; an unknown group is empty."""

    def expand(m: Any) -> str:
        def group(g: re.Match[str]) -> str:
            if g.group(1) == "$":
                return "$"
            name = g.group(2) or g.group(3)
            try:
                value = m.group(int(name) if name.isdigit() else name)
            except (IndexError, KeyError, ValueError):
                return ""
            return str(value or "")

        return _GO_TEMPLATE.sub(group, repl)

    return expand


def regex_replace_all(pattern: str, s: Any, repl: str) -> str:
    return str(_go_re(pattern).sub(_go_expand(repl), strval(s)))


def regex_replace_literal(pattern: str, s: Any, repl: str) -> str:
    return str(_go_re(pattern).sub(lambda _m: repl, strval(s)))


def regex_find_all(pattern: str, s: Any, n: int) -> list[str]:
    found = [m.group() for m in _go_re(pattern).finditer(strval(s))]
    return found if n < 0 else found[:n]


def regex_find(pattern: str, s: Any) -> str:
    m = _go_re(pattern).search(strval(s))
    return m.group() if m else ""


def regex_split(pattern: str, s: Any, n: int) -> list[str]:
    return [str(p) for p in _go_re(pattern).split(strval(s), maxsplit=0 if n < 0 else max(n - 1, 0))]


def substr(start: int, end: int, value: Any) -> str:
    s = strval(value)
    if start < 0:
        return s[:end]
    if end < 0 or end > len(s):
        return s[start:]
    return s[start:end]


def abbrev(width: int, value: Any) -> str:
    s = strval(value)
    if width < 4 or len(s) <= width:
        return s
    return s[: width - 3] + "..."


def wrap(width: int, s: Any) -> str:
    words = strval(s).split()
    lines: list[str] = []
    cur = ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def b64dec(s: Any) -> str:
    try:
        return base64.b64decode(strval(s)).decode("utf-8", "replace")
    except ValueError as exc:
        return str(exc)


def _hash(name: str) -> Func:
    return lambda s: hashlib.new(name, strval(s).encode()).hexdigest()


def _re_match(pattern: str, s: Any) -> bool:
    return _go_re(pattern).search(strval(s)) is not None


MAX_STRING = 8 * 1024 * 1024


def repeat(n: int, value: Any) -> str:
    """Bounded: a template cannot blow memory up before the output budget sees it."""
    text = strval(value)
    if n * len(text) > MAX_STRING:
        raise FuncError(f"result larger than {MAX_STRING} characters")
    return text * max(n, 0)


def _uuid4() -> str:
    import uuid  # for the one function that needs it, not for every chart

    return str(uuid.uuid4())


FUNCS: dict[str, Func] = {
    "quote": quote, "squote": squote,
    "trim": lambda s: strval(s).strip(" \t\n\r\v\f\x85\xa0"),
    "trimAll": lambda cut, s: strval(s).strip(cut),
    "trimSuffix": lambda suf, s: strval(s)[: -len(suf)] if suf and strval(s).endswith(suf) else strval(s),
    "trimPrefix": lambda pre, s: strval(s)[len(pre):] if pre and strval(s).startswith(pre) else strval(s),
    "trunc": trunc, "indent": indent, "nindent": nindent,
    "upper": lambda s: strval(s).upper(), "lower": lambda s: strval(s).lower(),
    "title": lambda s: _go_title(strval(s)), "untitle": lambda s: _untitle(strval(s)),
    "camelcase": lambda s: _camel(strval(s)), "snakecase": lambda s: _snake(strval(s)),
    "kebabcase": lambda s: _kebab(strval(s)),
    "swapcase": lambda s: strval(s).swapcase(),
    "replace": lambda old, new, s: strval(s).replace(old, new),
    "repeat": repeat,
    "contains": lambda sub, s: sub in strval(s),
    "hasPrefix": lambda pre, s: strval(s).startswith(pre),
    "hasSuffix": lambda suf, s: strval(s).endswith(suf),
    "nospace": lambda s: re.sub(r"\s", "", strval(s)),
    "initials": lambda s: "".join(w[0] for w in strval(s).split()),
    "substr": substr, "abbrev": abbrev, "wrap": wrap,
    "wrapWith": lambda width, sep, s: wrap(width, s).replace("\n", sep),
    "cat": lambda *a: " ".join(strval(x) for x in a if x is not None),
    "split": split, "splitn": splitn, "splitList": split_list, "join": join,
    "sortAlpha": lambda v: sorted(to_strings(v)),
    "plural": lambda one, many, n: one if n == 1 else many,
    "regexMatch": _re_match, "mustRegexMatch": _re_match,
    "regexFind": regex_find, "mustRegexFind": regex_find,
    "regexFindAll": regex_find_all, "mustRegexFindAll": regex_find_all,
    "regexReplaceAll": regex_replace_all, "mustRegexReplaceAll": regex_replace_all,
    "regexReplaceAllLiteral": regex_replace_literal, "mustRegexReplaceAllLiteral": regex_replace_literal,
    "regexSplit": regex_split, "mustRegexSplit": regex_split,
    "regexQuoteMeta": lambda s: re.escape(strval(s)),
    "b64enc": lambda s: base64.b64encode(strval(s).encode()).decode(),
    "b64dec": b64dec,
    "b32enc": lambda s: base64.b32encode(strval(s).encode()).decode(),
    "sha1sum": _hash("sha1"), "sha256sum": _hash("sha256"), "sha512sum": _hash("sha512"),
    "adler32sum": lambda s: str(zlib.adler32(strval(s).encode())),
    "uuidv4": _uuid4,
}
