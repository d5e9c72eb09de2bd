"""Map a function over units of work with N processes, results in input order.

    for outcome in map_units(judge, units, jobs=4, context=settings):
        if isinstance(outcome, Failed): ...

`fn(context, unit)` must be a top-level (picklable) function; `context` is
handed to each worker process once, each unit and result is pickled. With
`jobs <= 1` everything runs in this process, with no pool to start.

Results come back in the order of `units` whatever order the workers finish
in, so a caller that folds them gets the same answer for every N. A unit
whose call raises becomes a `Failed` with the exception's type and message
(never a traceback); a unit that kills its worker process (a crash in a C
extension, the kernel's OOM killer) becomes a `Failed` too, found by re-running
the units of the broken pool one at a time, and the other units still run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from platform_lint.records import record

if TYPE_CHECKING:  # imported when a pool is started: one process needs neither
    from concurrent.futures import Future, ProcessPoolExecutor

C = TypeVar("C")
U = TypeVar("U")
R = TypeVar("R")


@record(frozen=True)
class Failed:
    """A unit that raised or whose worker died: `index` into the units, and why."""

    index: int
    message: str


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def map_units(
    fn: Callable[[C, U], R], units: Sequence[U], *, jobs: int, context: C
) -> Iterator[R | Failed]:
    """`fn(context, unit)` for each unit, in the order of `units`."""
    if jobs <= 1 or len(units) <= 1:
        for index, unit in enumerate(units):
            yield _call(fn, context, index, unit)
        return
    yield from _Pool(fn, context, min(jobs, len(units))).run(units)


def _call(fn: Callable[[C, U], R], context: C, index: int, unit: U) -> R | Failed:
    try:
        return fn(context, unit)
    except Exception as exc:  # one bad unit must not take the run down
        return Failed(index, f"{type(exc).__name__}: {exc}")


# In each worker process: the function and context, installed once.
_WORKER: dict[str, Any] = {}


def _install(fn: Callable[..., Any], context: Any) -> None:
    _WORKER.update(fn=fn, context=context)


def _run_chunk(start: int, chunk: Sequence[Any]) -> list[Any]:
    fn, context = _WORKER["fn"], _WORKER["context"]
    return [_call(fn, context, start + i, unit) for i, unit in enumerate(chunk)]


def _mp_context() -> Any:
    import multiprocessing

    # fork shares the context without pickling it and starts in milliseconds;
    # elsewhere (macOS, Windows) spawn is the safe choice.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


class _Pool(Generic[C, U, R]):
    def __init__(self, fn: Callable[[C, U], R], context: C, workers: int) -> None:
        self.fn, self.context, self.workers = fn, context, workers

    def _executor(self, workers: int) -> ProcessPoolExecutor:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_mp_context(),
            initializer=_install,
            initargs=(self.fn, self.context),
        )

    def run(self, units: Sequence[U]) -> Iterator[R | Failed]:
        # Chunks amortise pickling; several per worker keep the load balanced.
        size = max(1, min(64, len(units) // (self.workers * 8)))
        done = 0
        while done < len(units):
            done = yield from self._run_from(units, done, size)

    def _run_from(
        self, units: Sequence[U], begin: int, size: int
    ) -> Generator[R | Failed, None, int]:
        """Run units from `begin` on; returns where the next attempt starts. When
        the pool breaks, the chunk that was waited on is re-run one unit at a
        time and the rest starts again in a fresh pool."""
        from concurrent.futures.process import BrokenProcessPool

        starts = iter(range(begin, len(units), size))
        pending: dict[int, Future[list[Any]]] = {}
        position = begin
        with self._executor(self.workers) as pool:

            def submit() -> None:
                start = next(starts, None)
                if start is not None:
                    pending[start] = pool.submit(_run_chunk, start, units[start : start + size])

            try:
                for _ in range(self.workers * 4):  # chunks in flight bound the results held
                    submit()
                while pending:
                    results = pending.pop(position).result()
                    yield from results
                    position += len(results)
                    submit()
            except BrokenProcessPool:
                for other in pending.values():
                    other.cancel()
            else:
                return position
        end = min(position + size, len(units))
        yield from self._isolated(units, position, end)
        return end

    def _isolated(self, units: Sequence[U], begin: int, end: int) -> Iterator[R | Failed]:
        from concurrent.futures.process import BrokenProcessPool

        pool = self._executor(1)
        try:
            for index in range(begin, end):
                try:
                    yield pool.submit(_run_chunk, index, [units[index]]).result()[0]
                except BrokenProcessPool:
                    yield Failed(index, "the worker process died")
                    pool.shutdown(wait=True)
                    pool = self._executor(1)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
