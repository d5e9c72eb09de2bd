"""`platform-lint audit run|report|export`: the commands; the work is in the modules beside this one."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from platform_lint.audit.store import Store

FORMATS = ("text", "markdown", "json", "csv", "html")
DEFAULT_STORE = "platform-lint-audit.db"
_store_option = click.option("--store", "store_path", type=click.Path(dir_okay=False), default=DEFAULT_STORE,
                             show_default=True, help="The SQLite results store.")


def _default_cache() -> Path:
    from platform_lint.cache_home import user_cache_root

    return user_cache_root() / "audit"


@click.group()
def audit() -> None:
    """Audit many repositories: parallel, resumable, incremental, reported per team and rule."""


@audit.command("run")
@click.argument("inventory", required=False)
@click.option("--discover", "discover_dir", type=click.Path(file_okay=False, exists=True),
              help="Audit every git repository under this folder of clones.")
@_store_option
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False),
              help="Where fetched repositories are mirrored (default: ~/.cache/platform-lint/audit).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Repositories at once (default: the cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run on this Dask cluster (platform-lint[dask]).")
@click.option("--timeout", "time_limit", type=click.FloatRange(min=0.1), default=600.0, show_default=True,
              help="Seconds one repository may take; past it, it is recorded as timed out.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True),
              help="The policy every repository is judged by (default: the built-in defaults).")
@click.option("--select", multiple=True, help="Only these rule ids or categories (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or categories (comma-separated).")
@click.option("--resume", is_flag=True, help="Go on with the last unfinished audit, skipping what is stored.")
def run_command(inventory: str | None, discover_dir: str | None, store_path: str, cache_dir: str | None,
                jobs: int | None, scheduler: str | None, time_limit: float, config_path: str | None,
                select: tuple[str, ...], ignore: tuple[str, ...], resume: bool) -> None:
    """Scan every repository of INVENTORY (a file, or - for URLs on stdin) or of --discover DIR.

    Exit code 0 when every repository was scanned, 1 when some failed or timed out.
    """
    from platform_lint.audit.executors import DaskExecutor, Executor, ProcessPool
    from platform_lint.audit.inventory import Entry, discover_repositories, read_inventory
    from platform_lint.audit.progress import for_stream
    from platform_lint.audit.report_data import report_data
    from platform_lint.audit.reports import headline
    from platform_lint.audit.runner import Policy, default_jobs, run_audit
    from platform_lint.audit.store import Store
    from platform_lint.check_cmd import split
    from platform_lint.cli import EXIT_CLEAN, EXIT_FINDINGS, UsageError
    from platform_lint.run import FINGERPRINT_KEY_VARIABLE

    if inventory and discover_dir:
        raise UsageError("give an INVENTORY or --discover DIR, not both")
    if not (inventory or discover_dir or resume):
        raise UsageError("give an INVENTORY (a file, or - for stdin) or --discover DIR")
    if jobs and scheduler:
        raise UsageError("--jobs is for the local pool; a Dask cluster has its own workers")
    entries: list[Entry] | None = None
    if discover_dir:
        entries = discover_repositories(Path(discover_dir))
    elif inventory:
        entries = read_inventory(inventory, sys.stdin.read() if inventory == "-" else None)
    policy = Policy(Path(config_path) if config_path else None, split(select), split(ignore),
                    os.environ.get(FINGERPRINT_KEY_VARIABLE, ""))
    executor: Executor = (DaskExecutor(scheduler, time_limit) if scheduler
                          else ProcessPool(jobs or default_jobs(), time_limit))
    store = Store(Path(store_path))
    try:
        cache = Path(cache_dir) if cache_dir else _default_cache()
        outcome = run_audit(store, entries, policy, executor, cache, for_stream(sys.stderr),
                            resume=resume, time_limit=time_limit)
        click.echo(headline(report_data(store, outcome.audit_id)))
    finally:
        store.close()
    raise SystemExit(EXIT_FINDINGS if outcome.failed else EXIT_CLEAN)


@audit.command("report")
@_store_option
@click.option("--audit", "audit_id", type=int, help="Which audit (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to a file.")
def report_command(store_path: str, audit_id: int | None, fmt: str, output: str | None) -> None:
    """Findings per repository, rule and owning team; new and fixed ones; the trend over audits."""
    from platform_lint.audit.report_data import report_data
    from platform_lint.audit.reports import render
    from platform_lint.check_cmd import emit

    store = _open(store_path)
    try:
        emit(render(fmt, report_data(store, audit_id)), output)
    finally:
        store.close()


@audit.command("export")
@_store_option
@click.option("--audit", "audit_id", type=int, help="Which audit (default: the latest).")
@click.option("--sarif-dir", type=click.Path(file_okay=False), required=True,
              help="Write one SARIF file per repository here.")
def export_command(store_path: str, audit_id: int | None, sarif_dir: str) -> None:
    """One SARIF 2.1.0 file per scanned repository, ready for code-scanning upload."""
    from platform_lint.audit.sarif_export import export_sarif

    store = _open(store_path)
    try:
        written = export_sarif(store, audit_id, Path(sarif_dir))
    finally:
        store.close()
    click.echo(f"wrote {len(written)} SARIF files to {sarif_dir}")


def _open(store_path: str) -> Store:
    from platform_lint.audit.store import Store
    from platform_lint.cli import UsageError

    if not Path(store_path).is_file():
        raise UsageError(f"{store_path}: no audit store here (run `platform-lint audit run` first)")
    return Store(Path(store_path))
