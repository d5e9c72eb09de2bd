from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(autouse=True, scope="session")
def _result_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Per-file results go to a folder of the test session, not the user's cache."""
    import os

    os.environ["PLATFORM_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("result-cache"))
