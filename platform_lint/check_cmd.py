"""`platform-lint check` without click: the command's work, and a plain call run directly.

click, with what it imports (inspect, gettext, uuid), was about a seventh of a one-file
run's instructions. `cli.check` hands its parameters to `run_check`. A call of flags,
options with values and paths (`check --no-cache a.yaml`, as pre-commit makes it, or
`check --jobs 1 --format json .`) is read by `plain_check` as click reads it and run by
`main` without importing click; any other call, and a usage error, goes to click, which
reads or reports it."""

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


@record(frozen=True)
class OptionValue:
    """How click reads the value of one of `check`'s options: the parameter it sets, whether
    it repeats, and its type's checks (a `Choice`'s choices, an `IntRange`'s minimum, or a
    `Path`'s exists, file_okay, dir_okay and allow_dash)."""

    name: str
    multiple: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    path: tuple[bool, bool, bool, bool] | None = None

    def read(self, value: str) -> str | int:
        """The value as click's type converts it; ValueError where click refuses it."""
        if self.choices:
            if value not in self.choices:
                raise ValueError(value)
        elif self.minimum is not None:
            number = int(value)  # click's `INT` is `int`
            if number < self.minimum:
                raise ValueError(value)
            return number
        elif self.path is not None:
            _check_path(value, *self.path)
        return value


def _options() -> dict[str, OptionValue]:
    from platform_lint.report import FORMATS

    def path(exists: bool = False, file_okay: bool = True, dir_okay: bool = True,
             allow_dash: bool = False) -> tuple[bool, bool, bool, bool]:
        return exists, file_okay, dir_okay, allow_dash

    output = OptionValue("output", path=path(dir_okay=False))
    jobs = OptionValue("jobs", minimum=0)
    return {
        "--format": OptionValue("fmt", choices=tuple(FORMATS)),
        "--select": OptionValue("select", multiple=True),
        "--ignore": OptionValue("ignore", multiple=True),
        "--config": OptionValue("config_path", path=path(exists=True, dir_okay=False)),
        "--output": output, "-o": output,
        "--baseline": OptionValue("baseline", path=path(exists=True, dir_okay=False)),
        "--team": OptionValue("team"),
        "--diff": OptionValue("diff_base"),
        "--changed-files": OptionValue("changed_files", path=path(dir_okay=False, allow_dash=True)),
        "--rule-dir": OptionValue("rule_dirs", multiple=True, path=path(exists=True, file_okay=False)),
        "--filter": OptionValue("line_filter", choices=("added-lines",)),
        "--fail-on": OptionValue("fail_on", choices=("error", "warning", "note")),
        "--sarif-file": OptionValue("sarif_file", path=path(dir_okay=False)),
        "--jobs": jobs, "-j": jobs,
        "--group-by": OptionValue("group_by", choices=("rule", "file")),
    }


def _check_path(value: str, exists: bool = False, file_okay: bool = True, dir_okay: bool = True,
                allow_dash: bool = False) -> None:
    """ValueError where `click.Path` refuses the value (readable, the default, included)."""
    import stat

    if allow_dash and file_okay and value == "-":
        return
    try:
        mode = os.stat(value).st_mode  # a NUL in the name raises ValueError
    except OSError:
        if exists:
            raise ValueError(value) from None
        return
    if (not file_okay and stat.S_ISREG(mode)) or (not dir_okay and stat.S_ISDIR(mode)) \
            or not os.access(value, os.R_OK):
        raise ValueError(value)


def plain_check(argv: Sequence[str]) -> CheckArgs | None:
    """`check` read as click reads it, for a call of flags, options with values and paths;
    None for any other call (another command, `--help`, `--`, a value starting with `-`,
    one that click's type refuses, and anything else click would report)."""
    if not argv or argv[0] != "check" or "_PLATFORM_LINT_COMPLETE" in os.environ:
        return None  # another command, or click's shell completion asking
    params: dict[str, Any] = {}
    repeated: dict[str, list[Any]] = {}
    paths: list[str] = []
    options: dict[str, OptionValue] | None = None
    rest = list(reversed(argv[1:]))
    try:
        while rest:
            arg = rest.pop()
            if arg in FLAGS:
                params[FLAGS[arg]] = True
                continue
            if not arg.startswith("-"):
                _check_path(arg)
                paths.append(arg)
                continue
            options = options or _options()
            name, value = _option(arg, options, rest)
            if name is None:
                return None
            option = options[name]
            if option.multiple:
                repeated.setdefault(option.name, []).append(option.read(value))
            else:
                params[option.name] = option.read(value)
    except ValueError:
        return None
    params.update((name, tuple(values)) for name, values in repeated.items())
    return CheckArgs(paths=tuple(paths), **params)


def _option(arg: str, options: Mapping[str, OptionValue], rest: list[str]) -> tuple[str | None, str]:
    """The option `arg` names and its value, taken as click's parser takes them (`--opt=v`,
    `--opt v`, `-ov`, `-o v`; the next argument is taken off `rest`); (None, "") for
    anything else, and for a value starting with `-`, which click may read otherwise."""
    if arg.startswith("--"):
        name, equals, value = arg.partition("=")
        attached = bool(equals)
    else:
        name, value = arg[:2], arg[2:]
        attached = bool(value)
    if name not in options:
        return None, ""
    if not attached:
        if not rest:
            return None, ""  # no value left: click reports it
        value = rest.pop()
    return (None, "") if value.startswith("-") else (name, value)


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
    from platform_lint.collector import set_up_done
    from platform_lint.copies import file_digests
    from platform_lint.report import ReportContext, default_format, render
    from platform_lint.targets import display_base, shown

    if (args.new_only or args.line_filter) and not (args.diff_base or args.staged):
        raise CheckUsage("--new-only and --filter need --diff BASE or --staged")
    if sum(map(bool, (args.diff_base, args.changed_files, args.staged))) > 1:
        raise CheckUsage("--diff, --changed-files and --staged each describe the change: give one")
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
    terminal = args.output is None and fmt == "text" and sys.stdout is not None and sys.stdout.isatty()
    # pre-commit gives a hook a pseudo-terminal (of no size) only for colour: whole lines there
    fitted = terminal and not os.environ.get("PRE_COMMIT")
    base = display_base(target[0])
    ctx = ReportContext(
        rules=rules,
        display=lambda path: shown(base, path),
        color=terminal and "NO_COLOR" not in os.environ,
        show_skipped=args.show_skipped,
        env=dict(os.environ),
        group_by=args.group_by,
        width=_terminal_width() if fitted else None,
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
    from platform_lint.collector import set_up_done
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
    """The report to `output`, else to standard output as `click.echo` writes it there.
    A lone surrogate that a scanned file's text carried this far is written as its
    escape (`\\udcff`): no report fails on it."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if output is not None:
        from platform_lint.errors import writing

        with writing(f"the report to {output}"):
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
