"""A pipeline step's shell commands, and evidence of what a step does.

Shared by the recognisers (`deploys`, `artifacts`): commands are joined over
`\\` continuations with comments dropped, and searched in one linear pass.
Pure functions over the model: no I/O.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from platform_lint.model import Path
from platform_lint.records import record
from platform_lint.safe_regex import AnyOf
from platform_lint.sources.pipeline_model import Step


@record(frozen=True)
class Evidence:
    """Why an answer is yes: a label, and where it was seen (`path` in `file`).

    `line` is the command inside `step.run` that matched, when a command did, and
    `anchor` the text of its first source line (a command may continue over several).
    """

    what: str
    path: Path
    file: str
    step: Step | None = None
    line: str | None = None
    anchor: str | None = None


_COMMENT = re.compile(r"(?:^|(?<!\s)\s+)#")


def _uncommented(text: str) -> str:
    """`text` without a trailing comment: from a `#` at the start or after
    whitespace with no quote after it (one after it puts the `#` in a string).
    Found from the last quote on, in one pass: `(^|\\s+)#[^'"`]*$` searched from
    every `#` again to the line's end."""
    after = max(text.rfind(quote) for quote in "'\"`") + 1
    found = _COMMENT.search(text, after)
    return text if found is None else text[: found.start()]


def command_lines(step: Step) -> list[tuple[str, str]]:
    """The step's shell commands as (command, its first source line): `\\`
    continuations joined, comments dropped."""
    return list(_command_lines(step.run or ""))


@lru_cache(maxsize=32)
def _command_lines(run: str) -> tuple[tuple[str, str], ...]:
    """Memoised: each recogniser asks for the same step's commands."""
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for raw in run.splitlines():
        text = raw.strip()
        if text.endswith("\\"):
            pending.append(text[:-1].strip())
            continue
        parts = [*pending, _uncommented(text).strip()]
        pending = []
        command = " ".join(p for p in parts if p)
        if command:
            out.append((command, parts[0] or command))
    if pending:
        out.append((" ".join(pending), pending[0]))
    return tuple(out)


def commands(step: Step) -> list[str]:
    """The step's shell commands, one per logical line."""
    return [command for command, _first in command_lines(step)]


def rx(*parts: str) -> AnyOf:
    """Alternatives matched in one linear pass (RE2): commands can be megabytes long."""
    return AnyOf(parts, ignore_case=True)


def matching(step: Step, pattern: AnyOf) -> tuple[str, str] | None:
    """The first of the step's commands (with its first source line) that `pattern` finds."""
    run = step.run or ""
    return _matching(run, pattern) if len(run) <= _MEMO_CHARS else _first_match(run, pattern)


_MEMO_CHARS = 8192
"""Steps up to this long are memoised (2,048 answers, so at most 16 M characters of text kept)."""


@lru_cache(maxsize=2048)
def _matching(run: str, pattern: AnyOf) -> tuple[str, str] | None:
    """Memoised by the step's text and the pattern (itself, not its text): the
    recognisers ask the same question of a step for several rules (about 4.6 times
    each on the corpus' pipelines)."""
    return _first_match(run, pattern)


def _first_match(run: str, pattern: AnyOf) -> tuple[str, str] | None:
    return next((found for found in _command_lines(run) if pattern.search(found[0])), None)


def command_evidence(what: str, step: Step, found: tuple[str, str]) -> Evidence:
    """Evidence for the command `found` (as given by `command_lines`) in `step`."""
    return Evidence(what, step.at("run"), step.file, step, found[0], found[1])


def step_evidence(what: str, step: Step) -> Evidence:
    """Evidence at the step's `uses` (else its `run`)."""
    return Evidence(what, step.at("uses" if step.uses else "run"), step.file, step)


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() not in ("", "false"))


def positional_arguments(args: str, flags_with_value: Collection[str]) -> list[str] | None:
    """The arguments of one shell command that are not flags (nor a flag's value), up to
    the next `&&`, `||`, `;` or `|`; None when the text does not split as shell words."""
    try:
        words = shlex.split(args)
    except ValueError:
        return None
    positional: list[str] = []
    skip = False
    for word in words:
        if word in ("&&", "||", ";", "|"):
            break
        if skip:
            skip = False
        elif word in flags_with_value:
            skip = True
        elif not word.startswith("-"):
            positional.append(word)
    return positional
