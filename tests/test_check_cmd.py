"""A plain `check` call runs without click (`check_cmd`) exactly as click runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from platform_lint import check_cmd, cli
from platform_lint.records import fields

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example-repo"


def _click_args(argv: list[str]) -> check_cmd.CheckArgs:
    command = cli.cli.get_command(click.Context(cli.cli), "check")
    assert command is not None
    with command.make_context("check", argv) as ctx:
        return check_cmd.CheckArgs(**ctx.params)


def test_parameters_and_flags_are_cli_options() -> None:
    command = cli.cli.get_command(click.Context(cli.cli), "check")
    assert command is not None
    named = fields(check_cmd.CheckArgs)
    assert named is not None and [f.name for f in named] == [p.name for p in command.params]
    flags = {o: p.name for p in command.params if isinstance(p, click.Option) and p.is_flag for o in p.opts}
    assert flags == check_cmd.FLAGS
    assert _click_args([]) == check_cmd.CheckArgs()  # the same defaults


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "a.yaml"], ["check", "--no-cache", "a.yaml", "b.tf"],
    ["check", "a", "--exit-zero", "a"],
    ["check", "--staged", "--new-only"], ["check", "--include-examples", "--show-skipped", "--no-cache", ""],
])
def test_plain_calls_read_as_click_reads_them(argv: list[str]) -> None:
    assert check_cmd.plain_check(argv) == _click_args(argv[1:])


def _reading(param: click.Option) -> check_cmd.OptionValue:
    """What `check_cmd` must know of an option's type to read its value as click does."""
    kind = param.type
    assert param.nargs == 1 and param.envvar is None and param.callback is None and not param.secondary_opts
    if isinstance(kind, click.Choice):
        assert kind.case_sensitive
        return check_cmd.OptionValue(param.name or "", param.multiple, choices=tuple(kind.choices))
    if isinstance(kind, click.IntRange):
        assert kind.max is None and not kind.min_open and not kind.clamp and isinstance(kind.min, int)
        return check_cmd.OptionValue(param.name or "", param.multiple, minimum=kind.min)
    if isinstance(kind, click.Path):
        assert kind.readable and not (kind.writable or kind.executable or kind.resolve_path or kind.type)
        return check_cmd.OptionValue(param.name or "", param.multiple,
                                     path=(kind.exists, kind.file_okay, kind.dir_okay, kind.allow_dash))
    assert kind is click.STRING
    return check_cmd.OptionValue(param.name or "", param.multiple)


def test_options_with_values_are_read_as_their_click_types_read_them() -> None:
    command = cli.cli.get_command(click.Context(cli.cli), "check")
    assert command is not None
    options = {o: _reading(p) for p in command.params if isinstance(p, click.Option) and not p.is_flag
               for o in p.opts}
    assert options == check_cmd._options()
    paths = command.params[0]
    assert isinstance(paths, click.Argument) and _reading_path(paths) == (False, True, True, False)


def _reading_path(param: click.Argument) -> tuple[bool, bool, bool, bool]:
    kind = param.type
    assert isinstance(kind, click.Path) and kind.readable and not (kind.writable or kind.resolve_path)
    return kind.exists, kind.file_okay, kind.dir_okay, kind.allow_dash


CONFIG, RULES = str(ROOT / "pyproject.toml"), str(ROOT / "rules")


@pytest.mark.parametrize("argv", [
    ["check", "--jobs", "1", "a"], ["check", "--jobs=2", "-j", "3"], ["check", "-j0"],
    ["check", "-j", " +1_0 "],
    ["check", "--format", "json", "-o", "out.json", "."], ["check", "--format=sarif", "-oout", "--output=o2"],
    ["check", "--select", "a,b", "--select=c", "--ignore", "d", "x", "--ignore", "e"],
    ["check", "--config", CONFIG, "--baseline", CONFIG, "--team", "", "--diff", "main", "--staged"],
    ["check", "--changed-files", "list.txt", "--rule-dir", RULES, "--rule-dir", str(EXAMPLE)],
    ["check", "--filter", "added-lines", "--fail-on", "note", "--sarif-file", "s", "--group-by", "file"],
    ["check", "--team=", "--diff=a=b", "-o=x", "--format", "text", "--format", "github"],
])
def test_options_with_values_read_as_click_reads_them(argv: list[str]) -> None:
    assert check_cmd.plain_check(argv) == _click_args(argv[1:])


@pytest.mark.parametrize("argv", [
    [], ["rules"], ["check", "-h"], ["check", "--help"], ["check", "--", "a"], ["check", "-"],
    ["check", "--no-cach"], ["--version"], ["check", "--no-cache=1"], ["check", "-x"],
    ["check", "a\x00b"],  # no file system takes the name: click reports it
    ["check", "--jobs"], ["check", "-o"], ["check", "--jobs", "-1"], ["check", "--jobs", "x"],
    ["check", "-j=1"],
    ["check", "--format", "xml"], ["check", "--format="], ["check", "--fail-on", "Error"],
    ["check", "--config", "no-such-file"], ["check", "--config", str(EXAMPLE)],
    ["check", "--baseline", RULES],
    ["check", "--rule-dir", CONFIG], ["check", "--output", str(EXAMPLE)], ["check", "--config", "a\x00b"],
    ["check", "--team", "--no-cache"],  # a value starting with `-`: left to click
    ["check", "--changed-files", "-"], ["check", "--jobs", "1", "--new-only", "-j"],
])
def test_other_calls_go_to_click(argv: list[str]) -> None:
    assert check_cmd.plain_check(argv) is None


def _run(args: list[str], *, plain: bool, tmp_path: Path) -> tuple[int, str, str]:
    """The installed command's way (`console.main`), or click's for the same call."""
    code = ("import sys; from platform_lint import cli, console; how = sys.argv.pop(1)\n"
            "raise SystemExit(console.main() if how == 'plain' else cli.click_main(sys.argv[1:]))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    how = "plain" if plain else "click"
    done = subprocess.run([sys.executable, "-c", code, how, *args], check=False, cwd=EXAMPLE, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args", [
    ["check", "--no-cache", "k8s/gateway/deployment.yaml", "terraform/database.tf"],
    ["check", "--exit-zero", ".github/workflows/deploy.yml"],
    ["check", "--no-cache", "--jobs", "1", "--format=json", "--fail-on", "error", "--select", "secrets", "."],
    ["check", "--new-only", "k8s/gateway/deployment.yaml"],  # a usage error: click reports it
    ["check", "../../README.md"],  # outside the current directory: a usage error
], ids=["findings", "exit-zero", "options", "usage-error", "dash"])
def test_plain_calls_print_and_exit_as_click_does(args: list[str], tmp_path: Path) -> None:
    plain = _run(args, plain=True, tmp_path=tmp_path)
    assert plain == _run(args, plain=False, tmp_path=tmp_path)
    assert plain[1] or plain[2]  # something was said


@pytest.mark.parametrize("text", ["plain\n", "", "é ✓ \u2028 no newline", "\x1b[31mred\x1b[0m\n"])
def test_reports_are_written_as_click_echo_writes_them(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    click.echo(text, nl=False)
    theirs = capsys.readouterr()
    check_cmd.emit(text, None)  # escapes off a terminal: left to click, which strips them
    assert capsys.readouterr() == theirs


def test_shell_completion_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_PLATFORM_LINT_COMPLETE", "bash_source")
    assert check_cmd.plain_check(["check", "a.yaml"]) is None


def test_a_closed_pipe_ends_quietly_as_under_click(tmp_path: Path) -> None:
    """A reader that went away (`platform-lint check . | head -0`): exit 1, nothing on
    stderr, no warning even with warnings as errors."""
    code = ("import sys; from platform_lint import cli, console; how = sys.argv.pop(1)\n"
            "raise SystemExit(console.main() if how == 'plain' else cli.click_main(sys.argv[1:]))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    outcomes = []
    for how in ("plain", "click"):
        read, write = os.pipe()
        os.close(read)
        done = subprocess.run([sys.executable, "-W", "error", "-c", code, how, "check", "--no-cache",
                               "k8s/gateway/deployment.yaml"], check=False, cwd=EXAMPLE, env=env,
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
        os.close(write)
        outcomes.append((done.returncode, done.stderr))
    assert outcomes[0] == outcomes[1] == (1, "")


@pytest.mark.parametrize("how", ["plain", "click"])
def test_a_report_that_cannot_be_written_is_a_user_error(how: str, tmp_path: Path) -> None:
    """`-o` into a missing folder, or onto a full device: exit 2 with the reason, not "a bug"."""
    code = ("import sys; from platform_lint import cli, console; how = sys.argv.pop(1)\n"
            "raise SystemExit(console.main() if how == 'plain' else cli.click_main(sys.argv[1:]))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    cases = [(tmp_path / "missing" / "report.txt", "No such file or directory")]
    if Path("/dev/full").exists():
        cases.append((Path("/dev/full"), "No space left on device"))
    for target, reason in cases:
        done = subprocess.run([sys.executable, "-c", code, how, "check", "--no-cache", "-o", str(target),
                               "k8s/gateway/deployment.yaml"], check=False, cwd=EXAMPLE, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2
        assert done.stderr == f"platform-lint: cannot write the report to {target}: {reason}\n"


def test_no_standard_output_at_all_is_no_crash(tmp_path: Path) -> None:
    """Started with standard output closed (`>&-`): nothing to write to, as click.echo sees it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "platform_lint", "check", "--no-cache",
                           "k8s/gateway/deployment.yaml"], check=False, cwd=EXAMPLE, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert done.stderr == ""


def test_a_report_holding_a_lone_surrogate_is_written_with_its_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.txt"
    check_cmd.emit("x.tf:1:1: note [r] bucket 'b\udcff'\n", str(report))
    assert report.read_text(encoding="utf-8") == "x.tf:1:1: note [r] bucket 'b\\udcff'\n"
    check_cmd.emit("caf\u00e9 \udcff\n", None)
    assert capsys.readouterr().out == "caf\u00e9 \\udcff\n"
