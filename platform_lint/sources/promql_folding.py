"""PromQL's constant folding: what an expression of numbers alone comes to (`vector(1) > 2`
is always empty), for the parser in `promql`. None stands for a value that depends on series."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Value = list[float] | float | None  # None: depends on series, or unknown

SET_OPS = ("or", "and", "unless")


class FoldError(ValueError):
    """An operation PromQL refuses between these operands (the parser gives it its place)."""


_FOLDS: dict[str, Callable[[Sequence[float]], float]] = {
    "sum": sum, "min": min, "max": max, "avg": lambda v: sum(v) / len(v),
    "count": len, "group": lambda v: 1.0,
}


def aggregate(name: str, value: Value) -> Value:
    """An aggregation over a constant vector (one sample, no labels)."""
    if not isinstance(value, list) or name not in _FOLDS:
        return None
    return [float(_FOLDS[name](value))] if value else []


def negate(value: Value) -> Value:
    if isinstance(value, float):
        return -value
    if isinstance(value, list):
        return [-v for v in value]
    return None


_Op = Callable[[float, float], float]
_ARITH: dict[str, _Op] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a)),
    "%": lambda a, b: math.fmod(a, b) if b else math.nan,
    "^": lambda a, b: a ** b if not (a < 0 and b != int(b)) else math.nan,
    "atan2": math.atan2,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def binary(op: str, left: Value, right: Value, is_bool: bool) -> Value:
    """Fold constants; None (a value that depends on series) stays None."""
    if op in SET_OPS:
        if isinstance(left, float) or isinstance(right, float):
            raise FoldError(f"set operator {op!r} not allowed between scalars")
        if op == "or":
            return left if isinstance(left, list) and left else right if left is not None else None
        if right is None or left is None:
            return [] if left == [] else None
        if op == "and":
            return left if right else []
        return [] if right else left
    if op in _COMPARE and isinstance(left, float) and isinstance(right, float) and not is_bool:
        raise FoldError("comparisons between scalars must use the bool modifier")
    if left is None or right is None:
        return None
    if op in _COMPARE:
        test = _COMPARE[op]
        if isinstance(left, float) and isinstance(right, float):
            return float(test(left, right))
        if isinstance(left, list) and isinstance(right, float):
            pairs = [(v, test(v, right)) for v in left]
        elif isinstance(left, float) and isinstance(right, list):
            pairs = [(v, test(left, v)) for v in right]
        else:
            assert isinstance(left, list) and isinstance(right, list)
            pairs = [(a, test(a, b)) for a, b in zip(left, right, strict=False)]
        return [float(ok) for _v, ok in pairs] if is_bool else [v for v, ok in pairs if ok]
    fn = _ARITH[op]
    try:
        if isinstance(left, float) and isinstance(right, float):
            return float(fn(left, right))
        if isinstance(left, list) and isinstance(right, float):
            return [float(fn(v, right)) for v in left]
        if isinstance(left, float) and isinstance(right, list):
            return [float(fn(left, v)) for v in right]
        assert isinstance(left, list) and isinstance(right, list)
        return [float(fn(a, b)) for a, b in zip(left, right, strict=False)]
    except (OverflowError, ValueError, ZeroDivisionError):
        return None
