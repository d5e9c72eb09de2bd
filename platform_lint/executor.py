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
    fn: Callable[[C, U], R], units: Sequence[U], *, jobs: int, context: C, first: Sequence[int] = ()
) -> Iterator[R | Failed]:
    """`fn(context, unit)` for each unit, in the order of `units`. `first`: the indices of
    units to start before the others, each on its own (the largest, so that no worker is
    left running one of them after the rest are done); the results stay in order."""
    if jobs <= 1 or len(units) <= 1:
        for index, unit in enumerate(units):
            yield _call(fn, context, index, unit)
        return
    yield from _Pool(fn, context, min(jobs, len(units))).run(units, first)


def _call(fn: Callable[[C, U], R], context: C, index: int, unit: U) -> R | Failed:
    try:
        return fn(context, unit)
    except Exception as exc:  # one bad unit must not take the run down
        return Failed(index, f"{type(exc).__name__}: {exc}")


# In each worker process: the function and context, installed once.
_WORKER: dict[str, Any] = {}


def _install(fn: Callable[..., Any], context: Any) -> None:
    _WORKER.update(fn=fn, context=context)


def _run_chunk(indices: Sequence[int], chunk: Sequence[Any]) -> list[Any]:
    fn, context = _WORKER["fn"], _WORKER["context"]
    return [_call(fn, context, index, unit) for index, unit in zip(indices, chunk, strict=True)]


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

    def run(self, units: Sequence[U], first: Sequence[int]) -> Iterator[R | Failed]:
        # Chunks amortise pickling; several per worker keep the load balanced.
        size = max(1, min(64, len(units) // (self.workers * 8)))
        chunks = _plan(len(units), first, size)
        while chunks:
            chunks = yield from self._run_chunks(units, chunks)

    def _run_chunks(
        self, units: Sequence[U], chunks: list[list[int]]
    ) -> Generator[R | Failed, None, list[list[int]]]:
        """Run the chunks (started in their order; together they hold every unit not yet
        yielded, each chunk a run of consecutive ones) and yield the results in the units'
        order; returns the chunks left to run. When the pool breaks, the chunk that was
        waited on is re-run one unit at a time and the rest is left for a fresh pool."""
        from concurrent.futures.process import BrokenProcessPool

        owner = {index: c for c, chunk in enumerate(chunks) for index in chunk}
        order = sorted(owner)
        pending: dict[int, Future[list[Any]]] = {}
        started = 0
        waited = 0
        with self._executor(self.workers) as pool:
            try:
                position = 0
                while position < len(order):
                    waited = owner[order[position]]
                    # chunks in flight bound the results held; the one waited on is always started
                    while started < len(chunks) and (len(pending) < self.workers * 4 or waited >= started):
                        pending[started] = pool.submit(_run_chunk, chunks[started],
                                                       [units[i] for i in chunks[started]])
                        started += 1
                    results = pending.pop(waited).result()
                    yield from results
                    position += len(results)
            except BrokenProcessPool:
                for other in pending.values():
                    other.cancel()
            else:
                return []
        yield from self._isolated(units, chunks[waited])
        return [chunk for c, chunk in enumerate(chunks) if c != waited and (c in pending or c >= started)]

    def _isolated(self, units: Sequence[U], indices: Sequence[int]) -> Iterator[R | Failed]:
        from concurrent.futures.process import BrokenProcessPool

        pool = self._executor(1)
        try:
            for index in indices:
                try:
                    yield pool.submit(_run_chunk, [index], [units[index]]).result()[0]
                except BrokenProcessPool:
                    yield Failed(index, "the worker process died")
                    pool.shutdown(wait=True)
                    pool = self._executor(1)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _plan(count: int, first: Sequence[int], size: int) -> list[list[int]]:
    """The chunks to start, in order: each of `first` alone, then runs of at most `size`
    consecutive other units."""
    alone = [index for index in dict.fromkeys(first) if 0 <= index < count]
    chunks = [[index] for index in alone]
    skip = set(alone)
    run: list[int] = []
    for index in range(count):
        if index in skip or len(run) == size:
            if run:
                chunks.append(run)
            run = []
        if index not in skip:
            run.append(index)
    if run:
        chunks.append(run)
    return chunks
