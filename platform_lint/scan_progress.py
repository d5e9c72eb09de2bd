"""A progress bar for long scans: on a terminal's stderr only, never under pre-commit.

It appears once a scan has run for `DELAY` seconds (tqdm's `delay`), so the
pre-commit case and small repositories never draw one, and it is cleared when
the scan ends, leaving the report as it would be without it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

DELAY = 2.0


def terminal_progress(
    stream: TextIO | None = None, env: Mapping[str, str] | None = None, delay: float = DELAY
) -> Callable[[int, int], None] | None:
    """A `ScanOptions.progress` callback, or None where no bar belongs."""
    stream = stream or sys.stderr
    env = os.environ if env is None else env
    if not stream.isatty() or env.get("PRE_COMMIT") or env.get("TERM") == "dumb":
        return None
    bar: Any = None

    def advance(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, file=stream, unit="file", delay=delay, leave=False,
                       dynamic_ncols=True, desc="checking")
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return advance
