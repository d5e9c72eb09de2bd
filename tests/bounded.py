"""Bounds on time and memory measured in the test process itself.

CPU seconds come from `resource.getrusage` (user + system time of this
process, which other processes on a busy machine do not inflate the way they
inflate wall-clock time); memory is the peak of Python allocations under
`tracemalloc`, or, for runs that tracing would slow too much, how far the
process's peak resident size (`ru_maxrss`) grew. Bounds in tests are generous: they tell linear from quadratic
and bounded from exponential, not fast from slow.
"""

from __future__ import annotations

import resource
import signal
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

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


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


Memory = Literal["traced", "rss", "none"]


@contextmanager
def measure(*, memory: Memory = "traced") -> Iterator[Cost]:
    """CPU time and peak memory of the block: traced allocations, or the growth of
    the process's peak resident size (an upper bound on what the block added)."""
    cost = Cost()
    if memory == "traced":
        tracemalloc.start()
    rss = _peak_rss()
    started = _cpu()
    try:
        yield cost
    finally:
        cost.cpu_seconds = _cpu() - started
        if memory == "traced":
            cost.peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        elif memory == "rss":
            cost.peak_bytes = _peak_rss() - rss


class OverBudget(Exception):
    """The block used more CPU time than it was given."""


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block once this process has spent `seconds` of CPU time in it
    (SIGPROF counts CPU, not wall-clock, time; Python's `re` checks for signals,
    so even a catastrophic regex is stopped), raising `OverBudget`."""
    def expire(signum: int, frame: object) -> None:
        raise OverBudget

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def cpu_seconds(fn: Callable[[], T]) -> tuple[T, float]:
    """`fn()` and the CPU seconds it took, without tracing memory (which slows Python code)."""
    with measure(memory="none") as cost:
        value = fn()
    return value, cost.cpu_seconds


def check(
    capsys: pytest.CaptureFixture[str], root: Path, *args: str, memory: Memory = "traced"
) -> tuple[int, str, Cost]:
    """`platform-lint check root args` in process: exit code, stdout + stderr, and its cost."""
    with measure(memory=memory) as cost:
        code = main(["check", str(root), *args])
    out, err = capsys.readouterr()
    return code, out + err, cost


def assert_no_exception_text(output: str) -> None:
    for marker in ("Traceback", "Error:", "Exception", 'File "'):
        assert marker not in output, output[-2000:]
