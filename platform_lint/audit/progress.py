"""Audit progress: a tqdm bar on a terminal, one plain line per repository otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO

from platform_lint.audit.unit import Result


class Progress(Protocol):
    def start(self, total: int, already: int) -> None: ...
    def advance(self, name: str, result: Result) -> None: ...
    def close(self) -> None: ...


def describe(name: str, result: Result) -> str:
    status = result["status"]
    if status in ("failed", "timeout"):
        return f"{status} {name}: {result.get('error')}"
    commit = (result.get("commit") or "")[:12]
    findings = "carried over" if status == "reused" else f"{len(result.get('findings', ()))} findings"
    return f"{status} {name} {commit} ({findings}, {result.get('duration', 0):.1f} s)"


class Lines:
    """For logs and CI: `[done/total] status name ...` per repository, on stderr."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.done = self.total = 0
        self.started = time.monotonic()

    def start(self, total: int, already: int) -> None:
        self.total, self.done = total, already
        if already:
            self.stream.write(f"resuming: {already} of {total} repositories already stored\n")

    def advance(self, name: str, result: Result) -> None:
        self.done += 1
        self.stream.write(f"[{self.done}/{self.total}] {describe(name, result)}\n")
        self.stream.flush()

    def close(self) -> None:
        pass


class Bar:
    """A terminal bar: done / failed / remaining with an ETA; failures are printed above it."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.failed = 0
        self.bar: Any = None

    def start(self, total: int, already: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=already, file=self.stream, unit="repo", dynamic_ncols=True,
                        desc="audit", bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"
                        " {postfix}")

    def advance(self, name: str, result: Result) -> None:
        if result["status"] in ("failed", "timeout"):
            self.failed += 1
            self.bar.write(describe(name, result), file=self.stream)
        left = self.bar.total - self.bar.n - 1
        self.bar.set_postfix_str(f"failed {self.failed}, {left} left", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def for_stream(stream: TextIO = sys.stderr) -> Progress:
    return Bar(stream) if stream.isatty() else Lines(stream)
