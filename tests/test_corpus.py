"""Every real-world repository in ../shared/corpus: exit 0 or 1, never 2, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS

REPOS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("name", REPOS)
def test_check_corpus_repository(name: str, corpus: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "platform_lint", "check", str(corpus / name), "--format", "json"],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert '"errors": []' in done.stdout
    # A templated file outside a chart's templates/ (Go or Jinja actions) is a
    # counted skip, never a parse error (a chart's templates are rendered).
    templated = [f"{f['path']}:{f['line']}" for f in json.loads(done.stdout)["findings"]
                 if f["rule"] == "parse-error" and f["path"].endswith((".yaml", ".yml"))
                 and "/templates/" not in f"/{f['path']}"
                 and _TEMPLATE_MARK.search((corpus / name / f["path"]).read_text(errors="replace"))]
    assert templated == []
    # Real files stay well within the default per-file budgets.
    assert '"rule": "file-too-complex"' not in done.stdout


_TEMPLATE_MARK = re.compile(r"\{\{|\{%")
