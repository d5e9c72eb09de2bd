"""Per-file budgets: CPU time, and the size of what the engine builds from one file.

Judging one file (`per_file._judge`) runs under a `Meter`, made current for that
file only. The YAML builder counts every node it builds (aliases re-built
included) and the bytes of their scalars; the per-file code counts objects and
looks at line lengths before parsing; loops over a file's values and rules
(`checkpoint`) compare the process's CPU time with the file's deadline. Past a
limit, `OverBudget` is raised and the file becomes a `file-too-complex` finding
at the line where the limit was crossed; the scan goes on with the next file.

No signals or timers: they break in worker processes and cannot stop C code
anyway. The checks are cooperative, so a file is stopped at the next node,
value or rule after its deadline; what runs between two checks (ruamel's C
scanner, tree-sitter) is linear in a file bounded by `max_file_size`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from platform_lint.model import Span
from platform_lint.records import record

if TYPE_CHECKING:
    from platform_lint.model import Obj

CPU = "cpu_seconds"


@record(frozen=True)
class Budgets:
    """The limits for one file (`budgets:` in the config). The defaults are far
    above what real files need (the largest chart of the corpus: well under a
    second; a 2 MB manifest: about 200,000 nodes)."""

    cpu_seconds: float = 10.0
    nodes: int = 1_000_000
    """YAML nodes built, each alias expansion counted again."""
    scalar_bytes: int = 32 * 1024 * 1024
    """Characters of all scalars built: what every check that reads strings scans."""
    line_length: int = 2 * 1024 * 1024
    """Characters in one line of a structured (YAML, HCL, CODEOWNERS...) file. By
    default as long as the largest file read (`max_file_size`): a 1.8 MB `run:`
    line is judged in well under the CPU budget; a raised `max_file_size` meets it."""
    objects: int = 50_000
    """Objects the rules judge (Kubernetes objects, Terraform blocks...)."""


_WHAT = {
    CPU: "judging it took more than {limit:,g} s of CPU time",
    "nodes": "it builds more than {limit:,} YAML nodes",
    "scalar_bytes": "its values (aliases expanded) add up to more than {limit:,} characters",
    "line_length": "a line is longer than {limit:,} characters",
    "objects": "it holds more than {limit:,} objects",
}


class OverBudget(BaseException):
    """A file went past one of its budgets. A BaseException, so that the
    `except Exception` guards of sources and checks let it through."""

    def __init__(self, measure: str, limit: float, span: Span | None = None) -> None:
        super().__init__(measure)
        self.measure = measure
        self.limit = limit
        self.span = span
        self.alias = 0
        """For a YAML builder: the alias (1, 2... in the document) whose expansion crossed it."""

    def message(self) -> str:
        what = _WHAT[self.measure].format(limit=self.limit)
        unchecked = "it went unchecked" if self.measure == CPU else "its structure went unchecked"
        return f"file too complex to judge: {what} (budgets.{self.measure}); {unchecked}"


class Meter:
    """What one file has used so far."""

    __slots__ = ("budgets", "deadline", "nodes", "scalar_bytes")

    def __init__(self, budgets: Budgets) -> None:
        self.budgets = budgets
        self.deadline = time.process_time() + budgets.cpu_seconds
        self.nodes = 0
        self.scalar_bytes = 0

    def node(self, scalar_length: int) -> None:
        """One more node built (with a scalar of that length); every 1,024th also checks the time."""
        self.nodes += 1
        self.scalar_bytes += scalar_length
        if self.nodes > self.budgets.nodes:
            raise OverBudget("nodes", self.budgets.nodes)
        if self.scalar_bytes > self.budgets.scalar_bytes:
            raise OverBudget("scalar_bytes", self.budgets.scalar_bytes)
        if not self.nodes & 1023:
            self.check()

    def check(self, span: Span | None = None) -> None:
        if time.process_time() > self.deadline:
            raise OverBudget(CPU, self.budgets.cpu_seconds, span)


_CURRENT: ContextVar[Meter | None] = ContextVar("platform_lint_budget_meter", default=None)


def current() -> Meter | None:
    """The meter of the file being judged, None outside one (config and rule files)."""
    return _CURRENT.get()


@contextmanager
def metered(budgets: Budgets) -> Iterator[Meter]:
    """The block judges one file: its meter is current until the block ends."""
    meter = Meter(budgets)
    token = _CURRENT.set(meter)
    try:
        yield meter
    finally:
        _CURRENT.reset(token)


def checkpoint(at: Obj | None = None) -> None:
    """A cooperative deadline check, in loops over one file's values and rules;
    past the deadline the file is stopped at `at` (an object), else at its start."""
    meter = _CURRENT.get()
    if meter is not None and time.process_time() > meter.deadline:
        span = at.doc.locate(at.path, key=True) if at is not None else None
        raise OverBudget(CPU, meter.budgets.cpu_seconds, span)


def check_lines(text: str) -> None:
    """A line longer than the budget, at the column where it crosses it."""
    meter = _CURRENT.get()
    if meter is None:
        return
    limit = meter.budgets.line_length
    if len(text) <= limit:
        return
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > limit:
            raise OverBudget("line_length", limit, Span.point(number, limit + 1))


def check_objects(objects: Sequence[Obj]) -> None:
    """More objects than the budget, at the first one too many."""
    meter = _CURRENT.get()
    if meter is not None and len(objects) > meter.budgets.objects:
        at = objects[meter.budgets.objects]
        raise OverBudget("objects", meter.budgets.objects, at.doc.locate(at.path, key=True))
