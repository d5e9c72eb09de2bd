"""Where units of audit work run: a local process pool, or a Dask cluster.

Either way each repository's unit runs in a process of its own, in a session
of its own, killed with its git children when the repository's time limit runs
out (recorded as `timeout`) and reported as failed when it dies. So a hanging
repository, a crash in a parser or a runaway memory use costs that repository
only, and no process ever holds more than one repository. Locally the unit is
forked from a fork server that has already built every parser and rule
(`warm.py`), so a repository costs a fork, not a Python start-up; on a Dask
worker (a daemon process, which may not fork multiprocessing children) it is a
fresh `python -m platform_lint.audit.unit`. Results come back as plain dicts to
the caller's `done` callback, in the calling thread: the parent alone writes
the store.

This is not `platform_lint.executor.map_units` (the `check --jobs` pool):
that one returns results in input order and cannot stop one unit that hangs;
an audit needs each repository stored as soon as it is done and a time limit
per repository.
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
from typing import TYPE_CHECKING, Any, Protocol

from platform_lint.audit.unit import Result, Task

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

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


def _died(task: Task, exitcode: int | None) -> Result:
    reason = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
    return _failure(task, "failed", f"the scan process died ({reason})", 0.0)


def _forked_unit(conn: Connection, task: Task, environ: dict[str, str]) -> None:
    """In the forked process: a session of its own (so its git children die with it), the
    caller's environment (the fork server's is from when it started), then the unit."""
    os.setsid()
    os.environ.clear()
    os.environ.update(environ)
    from platform_lint.audit.unit import audit_repository

    try:
        conn.send(audit_repository(task))
    finally:
        conn.close()


def run_forked(context: Any, task: Task, limit: float | None) -> Result:
    """One unit in a process forked from the warm fork server of `context`."""
    receive, send = context.Pipe(duplex=False)
    proc = context.Process(target=_forked_unit, args=(send, task, dict(os.environ)),
                           name=f"platform-lint-audit-{task['key']}")
    proc.start()
    send.close()
    try:
        if receive.poll(limit):
            try:
                result: Result = receive.recv()
                return result
            except EOFError:  # it died before answering
                proc.join()
                return _died(task, proc.exitcode)
        return _failure(task, "timeout", f"timed out after {limit:g} s", limit or 0.0)
    finally:
        receive.close()
        if proc.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the unit and whatever git it started
            proc.kill()
        proc.join()


def fork_server() -> Any:
    """A multiprocessing context whose fork server has imported and warmed the scan."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["platform_lint.audit.warm"])
    return context


def _failure(task: Task, status: str, error: str, duration: float) -> Result:
    return {"key": task["key"], "status": status, "commit": None, "error": error, "duration": duration}


class ProcessPool:
    """Up to `jobs` repositories at once on this machine."""

    def __init__(self, jobs: int, limit: float | None) -> None:
        self.jobs = max(1, jobs)
        self.limit = limit

    def run(self, tasks: Sequence[Task], done: Done) -> None:
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        if not tasks:
            return
        context = fork_server()
        # Threads only wait on the unit processes; the work happens in those.
        with ThreadPoolExecutor(self.jobs, thread_name_prefix="platform-lint-audit") as pool:
            pending: set[Future[Result]] = {pool.submit(run_forked, context, t, self.limit) for t in tasks}
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
