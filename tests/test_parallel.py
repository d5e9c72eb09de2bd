"""`check --jobs N` gives byte-identical output for every N, on every corpus repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS
from platform_lint.run import Run


def _repositories() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    helm = CORPUS / "helm"
    tops = [p for p in CORPUS.iterdir() if p.is_dir() and p != helm]
    charts = [p for p in helm.iterdir() if p.is_dir()] if helm.is_dir() else []
    return sorted(tops + charts)


def _report(repo: Path, jobs: int) -> str:
    run = Run.prepare((repo, None), None, (), (), None, None, jobs=jobs, cache=False)
    return json.dumps(run.scan().to_dict(), indent=1)


@pytest.mark.parametrize("repo", _repositories(), ids=lambda p: p.name)
def test_one_and_two_processes_give_the_same_report(repo: Path) -> None:
    one = _report(repo, 1)
    assert json.loads(one)["summary"]["files_scanned"] > 0
    assert _report(repo, 2) == one


def test_corpus_present_or_skipped(corpus: Path) -> None:
    assert _repositories(), "the corpus has repositories to compare"
