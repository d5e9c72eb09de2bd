"""Runs a composite action's steps the way a GitHub runner does, locally.

Parses `action.yml`, evaluates `${{ }}` expressions (inputs, github, runner,
steps, env; `==`, `!=`, `&&`, `||`, `!`, `always()`, `success()`,
`failure()`), gives each `run:` step the files and variables a runner
provides (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_ENV`,
`GITHUB_PATH`, `GITHUB_EVENT_PATH`...) and runs it with bash as
`shell: bash` does (`bash --noprofile --norc -eo pipefail`). `uses:` steps are
not run: they are recorded with their evaluated inputs, for the test to judge.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_lint.sources.yaml_tree import parse_yaml

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|"
                    r"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*(?:\(\))?))")


@dataclass
class StepRun:
    name: str
    ran: bool
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    exit_code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    summary: str
    failed: bool

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


class _Evaluator:
    def __init__(self, contexts: Mapping[str, Any], status: str) -> None:
        self.contexts, self.status = contexts, status

    def substitute(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: _text(self.evaluate(m.group(1))), text)

    def evaluate(self, expression: str) -> Any:
        tokens = [t for t in _TOKEN.findall(expression) if any(t)]
        value, rest = self._or(tokens)
        assert not rest, f"cannot evaluate {expression!r}"
        return value

    def _or(self, tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
        left, tokens = self._and(tokens)
        while tokens and tokens[0][1] == "||":
            right, tokens = self._and(tokens[1:])
            left = left or right
        return left, tokens

    def _and(self, tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
        left, tokens = self._compare(tokens)
        while tokens and tokens[0][1] == "&&":
            right, tokens = self._compare(tokens[1:])
            left = left and right
        return left, tokens

    def _compare(self, tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
        left, tokens = self._unary(tokens)
        if tokens and tokens[0][1] in ("==", "!="):
            op = tokens[0][1]
            right, tokens = self._unary(tokens[1:])
            same = _text(left).lower() == _text(right).lower()  # GitHub compares strings case-blind
            return (same if op == "==" else not same), tokens
        return left, tokens

    def _unary(self, tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
        string, op, name = tokens[0]
        if op == "!":
            value, rest = self._unary(tokens[1:])
            return not value, rest
        if op == "(":
            value, rest = self._or(tokens[1:])
            return value, rest[1:]
        if string:
            return string[1:-1].replace("''", "'"), tokens[1:]
        return self._name(name), tokens[1:]

    def _name(self, name: str) -> Any:
        if name.endswith("()"):
            return {"always()": True, "success()": self.status == "success",
                    "failure()": self.status == "failure"}[name]
        if name in ("true", "false"):
            return name == "true"
        node: Any = self.contexts
        for part in name.split("."):
            node = node.get(part, "") if isinstance(node, Mapping) else ""
        return node


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def read_outputs(path: Path) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as the runner reads them."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        name, _, value = line.partition("=")
        out[name] = value
        i += 1
    return out


def run_action(action_dir: Path, workspace: Path, runner_temp: Path, inputs: Mapping[str, str],
               event_name: str, event: Mapping[str, Any], env: Mapping[str, str]) -> ActionRun:
    docs, problems = parse_yaml((action_dir / "action.yml").read_text(encoding="utf-8"))
    assert not problems, problems
    action = docs[0].data
    assert action["runs"]["using"] == "composite"
    given = {name: str(spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}
    given.update(inputs)
    event_path = runner_temp / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    summary = runner_temp / "step_summary.md"
    summary.write_text("")
    base_env = {
        **env,
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_dir), "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path), "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(runner_temp), "RUNNER_OS": "Linux",
    }
    steps_context: dict[str, Any] = {}
    contexts: dict[str, Any] = {
        "inputs": given,
        "github": {"action_path": str(action_dir), "event_name": event_name, "event": event,
                   "workspace": str(workspace), "sha": env.get("GITHUB_SHA", "")},
        "runner": {"temp": str(runner_temp), "os": "Linux"},
        "steps": steps_context,
        "env": base_env,
    }
    status = "success"
    done: list[StepRun] = []
    extra_path: list[str] = []
    for index, step in enumerate(action["runs"]["steps"]):
        evaluate = _Evaluator(contexts, status)
        name = step.get("name", f"step {index}")
        condition = str(step.get("if", "success()"))
        if not evaluate.evaluate(condition.removeprefix("${{").removesuffix("}}")):
            done.append(StepRun(name, ran=False, uses=step.get("uses")))
            continue
        if "uses" in step:
            with_ = {k: evaluate.substitute(str(v)) for k, v in step.get("with", {}).items()}
            done.append(StepRun(name, ran=True, uses=step["uses"], with_=with_))
            continue
        assert step.get("shell") == "bash", f"{name}: composite run steps must name their shell"
        files = {key: runner_temp / f"{key.lower()}-{index}" for key in ("GITHUB_OUTPUT", "GITHUB_ENV",
                                                                          "GITHUB_PATH")}
        for path in files.values():
            path.write_text("")
        step_env = {**base_env, **{k: evaluate.substitute(str(v)) for k, v in step.get("env", {}).items()},
                    **{k: str(v) for k, v in files.items()}}
        step_env["PATH"] = os.pathsep.join([*extra_path, env.get("PATH", os.defpath)])
        script = runner_temp / f"step-{index}.sh"
        script.write_text(evaluate.substitute(step["run"]), encoding="utf-8")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=step_env, capture_output=True, text=True, check=False)
        outputs = read_outputs(files["GITHUB_OUTPUT"])
        base_env.update(read_outputs(files["GITHUB_ENV"]))
        extra_path = [*files["GITHUB_PATH"].read_text().split(), *extra_path]
        if "id" in step:
            steps_context[step["id"]] = {"outputs": outputs,
                                         "outcome": "success" if proc.returncode == 0 else "failure"}
        done.append(StepRun(name, True, None, {}, proc.returncode, proc.stdout, proc.stderr, outputs))
        if proc.returncode != 0:
            status = "failure"
    final = _Evaluator(contexts, status)
    outputs = {name: final.substitute(str(spec.get("value", "")))
               for name, spec in action.get("outputs", {}).items()}
    return ActionRun(done, outputs, summary.read_text(encoding="utf-8"), status == "failure")
