"""The cyclic garbage collector, for a process that builds large object graphs that live on.

What platform-lint builds (modules, rules, parsed documents, rendered charts) holds
almost no reference cycles, so each pass of the collector over it is wasted: in a
one-file run set-up's passes came to about a twentieth of the whole, in a chart scan
the passes after each chart's rendering a tenth. Two measures, only in a process the
installed command owns (`take_over`, from `console.main`); a program calling
`cli.main` keeps its own collector settings and gets the collector back as it left it:

- The collector is off from the first import to the end of set-up (`set_up_done`), and
  what set-up built is frozen (`gc.freeze`): no later collection walks it.
- `building()` holds the collector off while a parser or a chart's rendering builds its
  objects; afterwards what is alive is frozen too, so the young collections that follow
  do not walk hundreds of thousands of survivors only to find nothing.

Freezing keeps a reference cycle alive until the permanent generation is swept, and a
hostile template can build cycles (a dict set into itself). Memory stays bounded: once
the process's peak resident size has grown by `SWEEP_GROWTH` since the last sweep, the
frozen objects are collected once (`gc.unfreeze`, `gc.collect`) and frozen again. Where
the peak size cannot be read (no `resource` module) nothing is frozen after set-up.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SWEEP_GROWTH = 64 * 1024 * 1024
"""Bytes of growth in peak resident size after which frozen objects are swept once."""

_state: dict[str, bool] = {"owned": False, "paused": False}
_last_sweep: dict[int, int] = {}
"""Per process id (a forked worker starts afresh), the peak size in bytes at its last sweep."""


def take_over() -> None:
    """The installed command owns the collector: off until set-up is done."""
    gc.disable()
    _state.update(owned=True, paused=True)


def set_up_done() -> None:
    """Set-up built what lives as long as the process: it is left out of every later
    collection, the one at exit too, and the collector runs from here on. Nothing
    changes unless `take_over` turned the collector off."""
    if _state["paused"]:
        _state["paused"] = False
        gc.freeze()
        gc.enable()


def finish() -> None:
    """The command's work is done: what it leaves alive stays out of the collection at
    exit, which would walk all of it only to find what the process's end frees anyway."""
    if _state["owned"]:
        gc.freeze()


@contextmanager
def building() -> Iterator[None]:
    """The collector off while the block builds objects that hold no reference cycle;
    after it, in an owned process, those objects are frozen (see the module's note)."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        yield
    finally:
        if collecting:
            if _state["owned"]:
                _freeze_survivors()
            gc.enable()


def _freeze_survivors() -> None:
    try:
        import resource
    except ImportError:  # Windows: no peak size to bound the frozen cycles by
        return
    # ru_maxrss is in bytes on macOS, KiB elsewhere
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    pid = os.getpid()
    last = _last_sweep.setdefault(pid, peak)
    if peak - last >= SWEEP_GROWTH:
        gc.unfreeze()
        gc.collect()
        _last_sweep[pid] = peak
    gc.freeze()
