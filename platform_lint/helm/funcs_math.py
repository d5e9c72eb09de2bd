"""Sprig's integer and float math, semantic versions (Masterminds semver v3) and crypto stand-ins."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import Any

from platform_lint.helm.errors import FuncError
from platform_lint.helm.executor import Func, GoObject
from platform_lint.helm.funcs_core import strval, to_float, to_int


def _idiv(a: Any, b: Any) -> int:
    x, y = to_int(a), to_int(b)
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _imod(a: Any, b: Any) -> int:
    x, y = to_int(a), to_int(b)
    return x - y * _idiv(x, y)


def _dec(v: Any) -> Decimal:
    """shopspring/decimal's NewFromFloat, which panics on an infinity or NaN (the call's error)."""
    f = to_float(v)
    if not math.isfinite(f):
        text = "NaN" if math.isnan(f) else "+Inf" if f > 0 else "-Inf"
        raise FuncError(f"Cannot create a Decimal from {text}")
    return Decimal(repr(f))


# Exponents no product of floats reaches: shopspring's decimals do not overflow either.
_CONTEXT = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _fold(op: str, first: Any, rest: tuple[Any, ...]) -> float:
    acc = _dec(first)
    for v in rest:
        d = _dec(v)
        if op == "/" and not d:
            raise FuncError("decimal division by 0")
        acc = (_CONTEXT.add(acc, d) if op == "+" else _CONTEXT.subtract(acc, d) if op == "-"
               else _CONTEXT.multiply(acc, d) if op == "*" else _CONTEXT.divide(acc, d))
    return float(acc)


def _whole(how: Callable[[float], int], a: Any) -> float:
    """Go's math.Floor and math.Ceil: an infinity or NaN is itself."""
    f = to_float(a)
    return float(how(f)) if math.isfinite(f) else f


def _round(a: Any, places: Any, *on: Any) -> float:
    """Sprig's round, in float64 as Go computes it: 10^p * a, then up when its fraction
    reaches 0.5 (or the third argument), else down (so -2.4 rounds to -3)."""
    round_on = to_float(on[0]) if on else 0.5
    try:
        power = 10.0 ** to_int(places)
    except OverflowError:
        power = math.inf
    digit = power * to_float(a)
    if math.isfinite(digit):
        digit = float(math.ceil(digit) if math.modf(digit)[0] >= round_on else math.floor(digit))
    if power == 0:  # Go's x / 0
        return math.nan if digit == 0 or math.isnan(digit) else math.copysign(math.inf, digit)
    return digit / power


# --- semver -----------------------------------------------------------------------------

_VERSION = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$"
)


class Version(GoObject):
    __slots__ = ("major", "metadata", "minor", "original", "patch", "pre")

    def __init__(self, text: str) -> None:
        m = _VERSION.match(text.strip())
        if m is None:
            raise FuncError(f"Invalid Semantic Version: {text}")
        self.original = text
        self.major, self.minor, self.patch = (int(m.group(i) or 0) for i in (1, 2, 3))
        self.pre = m.group(4) or ""
        self.metadata = m.group(5) or ""

    def key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def compare(self, other: Version) -> int:
        if self.key() != other.key():
            return -1 if self.key() < other.key() else 1
        return _pre_cmp(self.pre, other.pre)

    def go_field(self, name: str) -> Any:
        fields = {"Major": self.major, "Minor": self.minor, "Patch": self.patch,
                  "Prerelease": self.pre, "Metadata": self.metadata, "Original": self.original}
        if name not in fields:
            raise KeyError(name)
        return fields[name]

    def go_string(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        return text + (f"-{self.pre}" if self.pre else "") + (f"+{self.metadata}" if self.metadata else "")


def _pre_cmp(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return -1 if len(a.split(".")) < len(b.split(".")) else 1


_TERM = re.compile(
    r"^\s*(?:(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)\s*)?"  # one \s* when there is no operator: linear
    r"(v?[0-9xX*]+(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$"
)


def _term_ok(op: str, text: str, v: Version) -> bool:
    core, _, pre = text.lstrip("v").partition("-")
    core = core.split("+")[0]
    parts = core.split(".")
    given = len(parts)
    for i, p in enumerate(parts):
        if p in ("x", "X", "*"):
            given = i
            break
    nums = [int(p) for p in parts[:given]] + [0] * (3 - given)
    c = Version(".".join(map(str, nums)) + (f"-{pre}" if pre else ""))
    if v.pre and not c.pre:
        return False
    if op in ("", "=") and given < 3:
        if given == 0:
            return True
        op = "^" if given == 1 else "~"
    cmp = v.compare(c)
    if op in ("", "="):
        return cmp == 0
    if op == "!=":
        return cmp != 0
    if op == ">":
        return cmp > 0
    if op == "<":
        return cmp < 0
    if op in (">=", "=>"):
        return cmp >= 0
    if op in ("<=", "=<"):
        return cmp <= 0
    if op in ("~", "~>"):
        upper = (c.major + 1, 0, 0) if given <= 1 else (c.major, c.minor + 1, 0)
        return cmp >= 0 and v.key() < upper
    # caret: the left-most non-zero part may not change
    if c.major > 0 or given <= 1:
        upper = (c.major + 1, 0, 0)
    elif c.minor > 0 or given == 2:
        upper = (0, c.minor + 1, 0)
    else:
        upper = (0, 0, c.patch + 1)
    return cmp >= 0 and v.key() < upper


def semver_compare(constraint: str, version: Any) -> bool:
    v = Version(strval(version))
    for alternative in constraint.split("||"):
        alt = re.sub(r"(\S+)\s+-\s+(\S+)", r">=\1, <=\2", alternative.strip())
        alt = re.sub(r"([=!<>~^]+)\s+", r"\1", alt)
        terms = [t for t in re.split(r"[\s,]+", alt) if t]
        ok = True
        for term in terms:
            m = _TERM.match(term)
            if m is None:
                raise FuncError(f"improper constraint: {constraint}")
            if not _term_ok(m.group(1) or "", m.group(2), v):
                ok = False
                break
        if ok:
            return True
    return False


# --- crypto stand-ins -------------------------------------------------------------------


class Cert(GoObject):
    """What genCA/genSignedCert return. The key material is random in Helm too, so
    rendered certificates never match a golden file; these are clearly-marked placeholders."""

    def __init__(self, cn: str) -> None:
        self.cn = cn

    def go_field(self, name: str) -> Any:
        if name == "Cert":
            return _pem("CERTIFICATE", f"platform-lint placeholder for {self.cn}")
        if name == "Key":
            return _pem("RSA PRIVATE KEY", "platform-lint placeholder")
        raise KeyError(name)


def _pem(kind: str, body: str) -> str:
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _rand(which: str) -> Func:
    def rand(n: Any) -> str:
        import secrets  # with string: for the rand* functions, not for every chart
        import string

        alphabet = {"alphanum": string.ascii_letters + string.digits, "alpha": string.ascii_letters,
                    "numeric": string.digits, "ascii": string.printable[:94]}[which]
        return "".join(secrets.choice(alphabet) for _ in range(to_int(n)))

    return rand


FUNCS: dict[str, Func] = {
    "add": lambda *a: sum(to_int(x) for x in a), "add1": lambda a: to_int(a) + 1,
    "sub": lambda a, b: to_int(a) - to_int(b), "mul": lambda *a: math.prod(to_int(x) for x in a),
    "div": _idiv, "mod": _imod,
    "max": lambda *a: max(to_int(x) for x in a), "min": lambda *a: min(to_int(x) for x in a),
    "addf": lambda a, *r: _fold("+", a, r), "add1f": lambda a: _fold("+", a, (1,)),
    "subf": lambda a, *r: _fold("-", a, r), "mulf": lambda a, *r: _fold("*", a, r),
    "divf": lambda a, *r: _fold("/", a, r),
    "maxf": lambda *a: max(to_float(x) for x in a), "minf": lambda *a: min(to_float(x) for x in a),
    "floor": lambda a: _whole(math.floor, a), "ceil": lambda a: _whole(math.ceil, a),
    "round": _round,
    "semver": lambda s: Version(strval(s)),
    "semverCompare": semver_compare,
    "randAlphaNum": _rand("alphanum"), "randAlpha": _rand("alpha"), "randNumeric": _rand("numeric"),
    "randAscii": _rand("ascii"),
    "genCA": lambda cn, days: Cert(strval(cn)),
    "genSelfSignedCert": lambda cn, ips, alts, days: Cert(strval(cn)),
    "genSignedCert": lambda cn, ips, alts, days, ca: Cert(strval(cn)),
    "htpasswd": lambda user, pw, *_: f"{strval(user)}:$2a$10$platform-lint-placeholder",
    "genPrivateKey": lambda typ: Cert("key").go_field("Key"),
}
