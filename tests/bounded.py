"""Bounds on time and memory measured in the test process itself.

CPU seconds come from `resource.getrusage` (user + system time of this
process, which other processes on a busy machine do not inflate the way they
inflate wall-clock time); memory is the peak of Python allocations under
`tracemalloc`. Bounds in tests are generous: they tell linear from quadratic
and bounded from exponential, not fast from slow.
"""

from __future__ import annotations

import resource
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from platform_lint.cli import main

T = TypeVar("T")
MB = 1 << 20


@dataclass(slots=True)
class Cost:
    cpu_seconds: float = 0.0
    peak_bytes: int = 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def measure(*, memory: bool = True) -> Iterator[Cost]:
    """CPU time and (with `memory`) peak traced allocation of the block."""
    cost = Cost()
    if memory:
        tracemalloc.start()
    started = _cpu()
    try:
        yield cost
    finally:
        cost.cpu_seconds = _cpu() - started
        if memory:
            cost.peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def cpu_seconds(fn: Callable[[], T]) -> tuple[T, float]:
    """`fn()` and the CPU seconds it took, without tracing memory (which slows Python code)."""
    with measure(memory=False) as cost:
        value = fn()
    return value, cost.cpu_seconds


def check(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, Cost]:
    """`platform-lint check root args` in process: exit code, stdout + stderr, and its cost."""
    with measure() as cost:
        code = main(["check", str(root), *args])
    out, err = capsys.readouterr()
    return code, out + err, cost


def assert_no_exception_text(output: str) -> None:
    for marker in ("Traceback", "Error:", "Exception", 'File "'):
        assert marker not in output, output[-2000:]
