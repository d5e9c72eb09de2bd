"""Secrets quoted by messages that are not the secret rules' own: real CLI runs,
every output and the user cache folder searched for the secret's text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from repo_helpers import PROJECT, write

TOKEN = "ghp_" + "hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"
WEAK = "bluefalcon"
"""A password the structure-aware checks report in a values file, though free text would pass it."""


def _run_everything(repo: Path, home: Path) -> str:
    """The text of every output of `check` on `repo`, twice (the second answered from the
    caches), and of every file the runs left in the user cache folder."""
    env = {**os.environ, "XDG_CACHE_HOME": str(home), "PLATFORM_LINT_CACHE_DIR": str(home / "results"),
           "PYTHONPATH": str(PROJECT), "GITHUB_STEP_SUMMARY": str(home / "summary.md")}
    shown = []
    for fmt in ("text", "json", "sarif", "github", "text"):
        command = [sys.executable, "-m", "platform_lint", "check", "--format", fmt, "--exit-zero"]
        done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        shown += [done.stdout, done.stderr]
    kept = [p for p in home.rglob("*") if p.is_file() and p.suffix != ".marshal"]  # .marshal: regexes
    shown += [p.read_text(errors="replace") for p in kept]
    return "\n".join(shown)


def _pieces(secret: str, size: int = 8) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


CHART = "apiVersion: v2\nname: web\nversion: 1.0.0\n"
TEMPLATE = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n"
            "data:\n  port: {{ .Values.port | quote }}\n")


def test_a_values_schema_error_never_quotes_a_secret_of_the_values(tmp_path: Path) -> None:
    """jsonschema quotes the value it refuses, and the chart cut the message at 200
    characters: a token cut there was no longer recognised, and a weak password (which
    the secret rules report in values.yaml) was never recognised in free text."""
    repo = tmp_path / "repo"
    write(repo, {
        "chart/Chart.yaml": CHART,
        "chart/templates/cm.yaml": TEMPLATE,
        "chart/values.yaml": f'note: "{"x" * 170} {TOKEN}"\nauth:\n  password: {WEAK}\nport: 80\n',
        "chart/values.schema.json": '{"type": "object", "properties": {"note": {"maxLength": 10},'
                                    ' "auth": {"properties": {"password": {"type": "integer"}}}}}',
    })
    shown = _run_everything(repo, tmp_path / "home")
    assert "values do not match values.schema.json at note" in shown
    assert "values do not match values.schema.json at auth.password" in shown
    assert "hardcoded password in `password`" in shown  # the secret rule reports it
    assert not [p for p in _pieces(TOKEN[4:]) if p in shown]
    assert WEAK not in shown


def test_a_template_error_never_quotes_a_secret_of_the_values(tmp_path: Path) -> None:
    """`fail` (or `required`) may print a value: the chart's problem at the template is
    written by the chart's unit, which knew nothing of what values.yaml's own unit found."""
    repo = tmp_path / "repo"
    write(repo, {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": f"db:\n  password: {WEAK}\n",
        "chart/templates/check.yaml": (
            '{{- if lt (len .Values.db.password) 12 }}\n'
            '{{- fail (printf "db.password %s is too short" .Values.db.password) }}\n{{- end }}\n'),
    })
    shown = _run_everything(repo, tmp_path / "home")
    assert "db.password [password (10 chars)] is too short" in shown
    assert WEAK not in shown
