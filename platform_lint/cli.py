"""Command line: parse arguments, load config and rules, call the engine,
pick a reporter, return the exit code (0 clean, 1 findings, 2 error)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import click

from platform_lint import __version__, check_cmd
from platform_lint.check_cmd import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from platform_lint.collector import set_up_done
from platform_lint.errors import writing
from platform_lint.report import FORMATS

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "cli", "main"]


class UsageError(click.UsageError):
    exit_code = EXIT_ERROR


class _Commands(click.Group):
    """Commands whose modules are imported only when they run (or `--help` lists them),
    so `check` never pays for `audit`, `render` or `readiness`."""

    LAZY: ClassVar[dict[str, str]] = {
        "audit": "platform_lint.audit.cli:audit",
        "render": "platform_lint.helm.command:render_command",
        "readiness": "platform_lint.readiness_cli:readiness",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.LAZY:
            return super().get_command(ctx, cmd_name)
        import importlib

        module, attr = self.LAZY[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="platform-lint")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Policy-as-code guardrails: ownership, secrets, deploy safety, delivery pipelines."""
    if ctx.invoked_subcommand != "check":
        set_up_done()  # `check` holds the collector off through its own set-up


def _target(paths: Sequence[str]) -> tuple[Path, list[str] | None]:
    try:
        return check_cmd.targets(paths)
    except check_cmd.CheckUsage as exc:
        raise UsageError(str(exc)) from None


RULE_DIR_OPTION = click.option(
    "--rule-dir", "rule_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
    help="Also load the rules in this directory (may lie outside the repository).")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format (default: github inside GitHub Actions, else text).")
@click.option("--select", multiple=True, help="Only these rule ids or categories (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or categories (comma-separated).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True),
              help="Configuration file (default: .platform-lint.yaml or pyproject.toml at the root).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--baseline", type=click.Path(dir_okay=False, exists=True),
              help="Report only findings that are not in this baseline file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--show-skipped", is_flag=True, help="List the files skipped on purpose, with reasons.")
@click.option("--team", help="The acting team (else $PLATFORM_LINT_TEAM, else found from git "
              "user.email or $GITHUB_ACTOR in the charters).")
@click.option("--diff", "diff_base", metavar="BASE",
              help="Check what changed from BASE to HEAD (renames count under both paths).")
@click.option("--changed-files", type=click.Path(dir_okay=False, allow_dash=True),
              help="Check the change listed in this file (git name-status lines or paths; - reads stdin).")
@click.option("--staged", is_flag=True, help="Check the change staged for commit.")
@RULE_DIR_OPTION
@click.option("--new-only", is_flag=True, help="With --diff or --staged: only findings the change "
              "introduced (not in a scan of BASE read from git; moved findings are not new).")
@click.option("--filter", "line_filter", type=click.Choice(["added-lines"]),
              help="With --diff or --staged: only findings on lines the change adds or changes.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]),
              help="The lowest severity that fails the run (default: fail_on in the config, else warning).")
@click.option("--sarif-file", type=click.Path(dir_okay=False),
              help="Also write the report as SARIF to this file, whatever --format is.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes to judge files with; 0: the cores available (one for less than "
              "512 KB to judge). The output is the same for any number.")
@click.option("--group-by", type=click.Choice(["rule", "file"]),
              help="Text: findings under a heading per rule or per file, with counts.")
@click.option("--include-examples", is_flag=True,
              help="Report findings in test, example and docs paths (config `contexts:`) too.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the per-file result cache (in the user cache folder, "
              "or $PLATFORM_LINT_CACHE_DIR).")
def check(**params: Any) -> None:
    """Check PATHS (default: the current directory) against the policy pack.

    Named files are checked as a change (what pre-commit passes); --diff,
    --changed-files and --staged describe the change instead.
    """
    try:
        code = check_cmd.run_check(check_cmd.CheckArgs(**params))
    except check_cmd.CheckUsage as exc:
        raise UsageError(str(exc)) from None
    raise SystemExit(code)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--output-dir", type=click.Path(file_okay=False),
              help="With --format markdown: write one page per rule and an index there "
              "(docs/rules/ in this repository), removing pages of rules that are gone.")
def rules_command(fmt: str, output_dir: str | None) -> None:
    """List the rules: id, severity, category and title; or their full docs."""
    from platform_lint import rule_docs
    from platform_lint.rules import load_rules

    rules = load_rules()
    if output_dir is not None:
        if fmt != "markdown":
            raise UsageError("--output-dir needs --format markdown")
        with writing(f"the rule pages to {output_dir}"):
            written, removed = rule_docs.write_pages(rules.values(), Path(output_dir))
        click.echo(f"{output_dir}: {len(rules)} rule pages and the index; "
                   f"{len(written)} written, {len(removed)} removed")
        return
    if fmt == "json":
        import json

        click.echo(json.dumps(rule_docs.catalogue(rules.values()), indent=2))
        return
    if fmt == "markdown":
        click.echo("\n".join(rule_docs.pages(rules.values()).values()), nl=False)
        return
    width = max(len(r) for r in rules)
    for rule in sorted(rules.values(), key=lambda r: (r.category, r.id)):
        click.echo(f"{rule.id:<{width}}  {rule.severity!s:<7}  {rule.category:<17}  {rule.title}")


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation."""
    from platform_lint.rule_docs import markdown
    from platform_lint.rules import load_rules

    rules = load_rules()
    if rule_id not in rules:
        raise UsageError(f"unknown rule {rule_id!r}; `platform-lint rules` lists them")
    click.echo(markdown(rules[rule_id]))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, exists=True), default=".")
@click.option("--force", is_flag=True, help="Replace an existing configuration.")
def init(directory: str, force: bool) -> None:
    """Write a starter .platform-lint.yaml for the repository in DIRECTORY (and a
    .pre-commit-config.yaml entry if it has none)."""
    from platform_lint.init_cmd import init as write_starter

    with writing(f"the starter files in {directory}"):
        told = write_starter(Path(directory), force=force)
    for line in told:
        click.echo(line)


@cli.group()
def baseline() -> None:
    """Accept today's findings so that only new ones are reported."""


@baseline.command("create")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              default=".platform-lint-baseline.json", show_default=True)
@RULE_DIR_OPTION
def baseline_create(paths: tuple[str, ...], config_path: str | None, output: str,
                    rule_dirs: tuple[str, ...]) -> None:
    """Write every current finding to a baseline file (no line numbers, no secrets)."""
    from platform_lint.baseline import baseline_text
    from platform_lint.run import Run

    run = Run.prepare(_target(paths), config_path, (), (), None, None, rule_dirs)
    result = run.scan()
    if result.errors:
        for error in result.errors:
            click.echo(f"internal error: {error}", err=True)
        raise SystemExit(EXIT_ERROR)
    # Hidden ones too, so that a later `--include-examples` run keeps them accepted.
    findings = [*result.findings, *(s.finding for s in result.hidden)]
    with writing(f"the baseline to {output}"):
        Path(output).write_text(baseline_text(findings), encoding="utf-8")
    click.echo(f"wrote {len(findings)} findings to {output}")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=".",
              help="The repository root (default: the current directory).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def owners(paths: tuple[str, ...], root: str, config_path: str | None, fmt: str) -> None:
    """Who owns each PATH, which CODEOWNERS or charter line decided it, and whom to escalate to."""
    from platform_lint.changes import repository_path
    from platform_lint.config import load_config
    from platform_lint.config_files import find_config
    from platform_lint.ownership.explain import explain as explain_owners
    from platform_lint.ownership.explain import load_model, render

    base = Path(root)
    config = load_config(Path(config_path) if config_path else find_config(base))
    section = config.sections.get("ownership", {})
    model = load_model(base, charters=config.charters, flavour=section.get("flavour"),
                       teams=section.get("teams"), max_size=config.max_file_size)
    answers = explain_owners(model, [repository_path(p) for p in paths])
    if fmt == "json":
        import json

        click.echo(json.dumps(answers, indent=2, sort_keys=True))
    else:
        click.echo(render(answers), nl=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; no traceback ever reaches the user. A plain
    `check` call runs without click (`check_cmd.main`)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    code = check_cmd.main(args)
    return code if code is not None else click_main(args)


def click_main(args: list[str]) -> int:
    """Any call, read by click."""
    try:
        cli.main(args=args, prog_name="platform-lint", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_ERROR
    except Exception as exc:
        return check_cmd.failed(exc)
    return EXIT_CLEAN
