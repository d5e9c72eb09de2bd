"""`platform-lint readiness [PATH]`: the scorecard command (logic in `readiness`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from platform_lint.errors import writing


@click.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--criteria", type=click.Path(dir_okay=False, exists=True),
              help="Criteria file (default: the built-in readiness/levels.yaml).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True),
              help="Configuration file (default: .platform-lint.yaml or pyproject.toml at the root).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the scorecard to a file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when the target level is not reached.")
def readiness(path: str | None, fmt: str, criteria: str | None, config_path: str | None,
              output: str | None, exit_zero: bool) -> None:
    """Score PATH (default: the current directory) against the validation protocol and
    the maturity levels. Exit 1 when the level is below the criteria's target."""
    from platform_lint.readiness import render_text, scorecard
    from platform_lint.run import Run

    root = Path(path) if path else Path.cwd()
    run = Run.prepare((root, None), config_path, (), (), None, jobs=0)
    card = scorecard(run, Path(criteria) if criteria else None)
    text = json.dumps(card.to_dict(), indent=2) + "\n" if fmt == "json" else render_text(card)
    if output:
        with writing(f"the scorecard to {output}"):
            Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if card.errors:
        raise SystemExit(2)
    raise SystemExit(0 if exit_zero or card.level >= card.target else 1)
