"""Where units of audit work run: a local process pool, or a Dask cluster.

Both run the same thing, `run_isolated(task, limit)`: the unit in a fresh
`python -m platform_lint.audit.unit` process of its own session, killed with
its git children when the repository's time limit runs out (recorded as
`timeout`) or reported as failed when it dies. So a hanging repository, a
crash in a parser or a runaway memory use costs that repository only, and a
worker never holds more than one repository. Results come back as plain
dicts to the caller's `done` callback, in the calling thread: the parent
alone writes the store.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from platform_lint.audit.unit import Result, Task

Done = Callable[[Result], None]


class Executor(Protocol):
    def run(self, tasks: Sequence[Task], done: Done) -> None:
        """Run every task, calling `done` with each result (in any order) in this thread."""


def run_isolated(task: Task, limit: float | None) -> Result:
    """One unit in its own process; a timeout or a crash becomes a result, never an exception."""
    proc = subprocess.Popen([sys.executable, "-m", "platform_lint.audit.unit"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(json.dumps(task).encode(), timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return _failure(task, "timeout", f"timed out after {limit:g} s", limit or 0.0)
    except BaseException:
        _kill_group(proc)
        raise
    try:
        result: Result = json.loads(out)
    except ValueError:
        reason = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        return _failure(task, "failed", f"the scan process died ({reason})", 0.0)
    return result


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _failure(task: Task, status: str, error: str, duration: float) -> Result:
    return {"key": task["key"], "status": status, "commit": None, "error": error, "duration": duration}


class ProcessPool:
    """Up to `jobs` repositories at once on this machine."""

    def __init__(self, jobs: int, limit: float | None) -> None:
        self.jobs = max(1, jobs)
        self.limit = limit

    def run(self, tasks: Sequence[Task], done: Done) -> None:
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        # Threads only wait on the unit processes; the work happens in those.
        with ThreadPoolExecutor(self.jobs, thread_name_prefix="platform-lint-audit") as pool:
            pending: set[Future[Result]] = {pool.submit(run_isolated, t, self.limit) for t in tasks}
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        done(future.result())
            except BaseException:
                for future in pending:
                    future.cancel()
                raise


class DaskExecutor:
    """The same units on a Dask distributed cluster: workers fetch and scan, this client writes.

    A task whose worker dies is run again elsewhere (the scheduler's retries);
    the store keeps one scan per repository and audit, so nothing is doubled.
    """

    def __init__(self, scheduler: str | Any, limit: float | None, retries: int = 2) -> None:
        self.scheduler = scheduler
        self.limit = limit
        self.retries = retries

    def run(self, tasks: Sequence[Task], done: Done) -> None:
        try:
            from distributed import Client, as_completed
        except ImportError:
            from platform_lint.errors import PlatformLintError

            raise PlatformLintError(
                "--scheduler needs Dask: pip install 'platform-lint[dask]'") from None
        client = self.scheduler if isinstance(self.scheduler, Client) else Client(self.scheduler, timeout=30)
        try:
            futures = [client.submit(run_isolated, task, self.limit, pure=False, retries=self.retries,
                                     key=f"platform-lint-audit-{uuid.uuid4().hex}")
                       for task in tasks]
            by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
            for future in as_completed(futures):
                if future.status == "finished":
                    done(future.result())
                else:
                    error = future.exception()
                    done(_failure(by_key[future.key], "failed",
                                  f"the cluster could not run it: {type(error).__name__}", 0.0))
                future.release()  # the result leaves the cluster once stored
        finally:
            if client is not self.scheduler:
                client.close()
