"""`platform-lint check` without click: the command's work, and a plain call run directly.

click, with what it imports (inspect, gettext, uuid), was about a seventh of a one-file
run's instructions. `cli.check` hands its parameters to `run_check`. A call of only flags
and paths (`platform-lint check --no-cache a.yaml`, as pre-commit makes it) is read by
`plain_check` as click reads it and run by `main` without importing click; any other
call, and a usage error, goes to click, which reads or reports it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_lint.records import record

if TYPE_CHECKING:
    from platform_lint.rules import Rule
    from platform_lint.run_memo import RunMemo
    from platform_lint.scan_result import ScanResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class CheckUsage(Exception):
    """A usage error of `check`: click reports it with the command's usage line."""


@record(frozen=True)
class CheckArgs:
    """`check`'s parameters, named and defaulted as its click options are."""

    paths: tuple[str, ...] = ()
    fmt: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_path: str | None = None
    output: str | None = None
    baseline: str | None = None
    exit_zero: bool = False
    show_skipped: bool = False
    team: str | None = None
    diff_base: str | None = None
    changed_files: str | None = None
    staged: bool = False
    rule_dirs: tuple[str, ...] = ()
    new_only: bool = False
    line_filter: str | None = None
    fail_on: str | None = None
    sarif_file: str | None = None
    jobs: int = 0
    group_by: str | None = None
    include_examples: bool = False
    no_cache: bool = False


FLAGS = {"--exit-zero": "exit_zero", "--show-skipped": "show_skipped", "--staged": "staged",
         "--new-only": "new_only", "--include-examples": "include_examples", "--no-cache": "no_cache"}
"""`check`'s options that take no value (`tests/test_check_cmd.py` holds them to cli's)."""


def plain_check(argv: Sequence[str]) -> CheckArgs | None:
    """`check` with only flags and paths, read as click reads it; None for any other call
    (another command, an option with a value, `--help`, `--`, a path `click.Path` refuses)."""
    if not argv or argv[0] != "check" or "_PLATFORM_LINT_COMPLETE" in os.environ:
        return None  # another command, or click's shell completion asking
    flags: dict[str, Any] = {}
    paths: list[str] = []
    for arg in argv[1:]:
        if arg in FLAGS:
            flags[FLAGS[arg]] = True
            continue
        if arg.startswith("-"):
            return None
        try:
            os.stat(arg)
        except OSError:
            pass
        except ValueError:
            return None  # a NUL in the name: click reports it
        else:
            if not os.access(arg, os.R_OK):
                return None  # click.Path says it is not readable
        paths.append(arg)
    return CheckArgs(paths=tuple(paths), **flags)


def main(argv: Sequence[str]) -> int | None:
    """A plain call (`plain_check`) run as `cli.main` runs it, errors reported alike; None
    when click must read the call: any other call, or a usage error (nothing has been
    written or changed by then), which click then reports."""
    args = plain_check(argv)
    if args is None:
        return None
    try:
        return run_check(args)
    except CheckUsage:
        return None
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except (EOFError, KeyboardInterrupt):
        import click  # as click's main and `cli.main` report it

        click.echo(file=sys.stderr)
        click.echo("aborted", err=True)
        return EXIT_ERROR
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            return failed(exc)
        # a closed pipe, as click's main handles it: the flush at exit must not report it
        sys.stdout, sys.stderr = _QuietOnClosedPipe(sys.stdout), _QuietOnClosedPipe(sys.stderr)
        return 1
    except Exception as exc:
        return failed(exc)


class _QuietOnClosedPipe:
    """A stream whose `flush` passes over a reader that has gone away (EPIPE)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def flush(self) -> None:
        import errno

        try:
            self._stream.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def failed(exc: Exception) -> int:
    """An error no traceback shows: a PlatformLintError's message, else only the type."""
    from platform_lint.errors import PlatformLintError

    if isinstance(exc, PlatformLintError):
        error(str(exc))
    else:  # its text could quote a file or a secret
        error(f"internal error ({type(exc).__name__}), a bug in platform-lint: please report it")
    return EXIT_ERROR


def error(message: str) -> None:
    """Report on stderr; an error quoting a config or rule value may quote a secret."""
    import click

    from platform_lint.secrets.identity import scrub

    click.echo(f"platform-lint: {scrub(message)}", err=True)


def run_check(args: CheckArgs) -> int:
    """Check the paths against the policy pack, write the report, return the exit code."""
    from platform_lint.console import set_up_done
    from platform_lint.copies import file_digests
    from platform_lint.report import ReportContext, default_format, render
    from platform_lint.targets import display_base, shown

    if (args.new_only or args.line_filter) and not (args.diff_base or args.staged):
        raise CheckUsage("--new-only and --filter need --diff BASE or --staged")
    target = targets(args.paths)
    memo = None
    if target[1] is None and not (args.no_cache or args.diff_base or args.changed_files or args.staged):
        from platform_lint.run_memo import RunMemo  # a plain whole-tree scan, remembered

        memo = RunMemo.open(target[0], config_path=args.config_path, select=split(args.select),
                            ignore=split(args.ignore), baseline=args.baseline, team=args.team,
                            rule_dirs=args.rule_dirs, include_examples=args.include_examples)
    recalled = memo.recall() if memo is not None else None
    if recalled is not None:
        set_up_done()
        result, rules, config_fail_on = recalled
    else:
        result, rules, config_fail_on = _scan(target, memo, args)
    fmt = args.fmt or default_format()
    terminal = args.output is None and fmt == "text" and sys.stdout.isatty()
    base = display_base(target[0])
    ctx = ReportContext(
        rules=rules,
        display=lambda path: shown(base, path),
        color=terminal and "NO_COLOR" not in os.environ,
        show_skipped=args.show_skipped,
        env=dict(os.environ),
        group_by=args.group_by,
        width=_terminal_width() if terminal else None,
        digests=file_digests(target[0], result.findings) if fmt == "text" else {},
    )
    emit(render(fmt, result, ctx), args.output)
    if args.sarif_file:
        emit(render("sarif", result, ctx), args.sarif_file)
    if fmt == "github":
        from platform_lint.report.github_report import write_step_summary

        write_step_summary(result, ctx)
    if result.errors:
        return EXIT_ERROR
    from platform_lint.finding import Severity

    threshold = Severity.parse(args.fail_on) if args.fail_on else Severity(config_fail_on)
    failing = any(f.severity >= threshold for f in result.findings)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _scan(target: tuple[Path, list[str] | None], memo: RunMemo | None,
          args: CheckArgs) -> tuple[ScanResult, Mapping[str, Rule], int]:
    """`check`'s scan, remembered in `memo` when there is one: the result, the rules
    and the config's `fail_on`."""
    from platform_lint.changes import ChangeRequest
    from platform_lint.console import set_up_done
    from platform_lint.run import Run
    from platform_lint.scan_progress import terminal_progress

    request = ChangeRequest(args.team, args.diff_base, args.changed_files, args.staged)
    run = Run.prepare(target, args.config_path, split(args.select), split(args.ignore), args.baseline,
                      request, args.rule_dirs, jobs=args.jobs, cache=not args.no_cache,
                      progress=terminal_progress(), include_examples=args.include_examples)
    set_up_done()
    if args.new_only or args.line_filter:
        from platform_lint.newonly import scan_change

        return scan_change(run, request, new_only=args.new_only, line_filter=args.line_filter,
                           within=target[1]), run.all_rules, int(run.config.fail_on)
    if memo is not None:
        memo.before_scan(run)
    result = run.scan()
    if memo is not None:
        memo.remember(result)
    return result, run.all_rules, int(run.config.fail_on)


def split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def targets(paths: Sequence[str]) -> tuple[Path, list[str] | None]:
    """The scan root and, when files rather than one directory were named, those files."""
    from platform_lint.targets import TargetError, scan_target

    try:
        return scan_target(paths)
    except TargetError as exc:
        raise CheckUsage(str(exc)) from None


def _terminal_width() -> int:
    import shutil  # with bz2 and lzma: not for a run whose output is not a terminal

    return shutil.get_terminal_size().columns


def emit(text: str, output: str | None) -> None:
    """The report to `output`, else to standard output as `click.echo` writes it there."""
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
        return
    stream = sys.stdout
    if "\x1b" in text or not _written_as_is(stream):
        import click  # it strips terminal escapes off a pipe, or mends an ASCII stream

        click.echo(text, nl=False)
        return
    stream.write(text)
    stream.flush()


def _written_as_is(stream: object) -> bool:
    """`click.echo` writes text to `stream` unchanged (a text stream, not ASCII)."""
    import codecs

    encoding, errors = getattr(stream, "encoding", None), getattr(stream, "errors", None)
    if not isinstance(encoding, str) or errors is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return True
