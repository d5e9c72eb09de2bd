"""Answers the set rules of one scan share: what several rules would each compute
from the very same objects (Terraform's module contexts), computed once.

The memo exists only inside `scan_memo()`, which the engine holds around one
scan's set rules; outside it `remembered` just computes. Keys name inputs by
identity, and each entry holds its inputs, so no id is reused while the memo lives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_MEMO: ContextVar[dict[Hashable, tuple[object, Any]] | None] = ContextVar(
    "platform_lint_scan_memo", default=None)


@contextmanager
def scan_memo() -> Iterator[None]:
    """A fresh memo for what runs inside, dropped on leaving."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def remembered(key: Hashable, inputs: object, compute: Callable[[], T]) -> T:
    """`compute()`, once per scan for `key`; `inputs` (what the key names by id) is
    kept alive with the answer."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    entry = memo.get(key)
    if entry is None:
        entry = memo[key] = (inputs, compute())
    answer: T = entry[1]
    return answer
