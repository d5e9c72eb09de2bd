"""The per-file result cache: hits, misses, corrupt and foreign entries, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint.engine import ScanResult
from platform_lint.result_cache import ResultCache
from platform_lint.run import Run
from repo_helpers import DEPLOYMENT

TOKEN = "ghp_" + "Qv7" * 12
TERRAFORM = """resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
"""
WITH_SECRET = f"""apiVersion: v1
kind: Pod
metadata:
  name: leaky
spec:
  containers:
    - name: app
      image: app@sha256:{"a" * 64}
      env:
        - name: GITHUB_TOKEN
          value: {TOKEN}
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("PLATFORM_LINT_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "k8s").mkdir(parents=True)
    (root / "k8s" / "web.yaml").write_text(DEPLOYMENT)
    (root / "k8s" / "leaky.yaml").write_text(WITH_SECRET)
    (root / "main.tf").write_text(TERRAFORM)
    (root / "notes.txt").write_text("nothing to see\n")
    return root


def _scan(root: Path) -> tuple[ScanResult, ResultCache]:
    run = Run.prepare((root, None), None, (), (), None, None, jobs=1, cache=True)
    assert run.options.cache is not None
    return run.scan(), run.options.cache


def _report(result: ScanResult) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.rglob("*.json"))


def test_second_run_reads_every_file_but_the_secret_one_from_the_cache(
    repo: Path, cache_dir: Path
) -> None:
    first, cold = _scan(repo)
    assert (cold.hits, cold.misses) == (0, 4)
    second, warm = _scan(repo)
    assert (warm.hits, warm.misses) == (3, 1)  # the file holding a secret is never stored
    assert _report(second) == _report(first)
    rules = {f.rule_id for f in first.findings}
    assert "recreate-deploy-strategy" in rules
    assert any(r.startswith("hardcoded-") for r in rules)


def test_an_edited_file_misses_and_the_rest_still_hit(repo: Path, cache_dir: Path) -> None:
    _scan(repo)
    (repo / "k8s" / "web.yaml").write_text(DEPLOYMENT.replace("Recreate", "RollingUpdate"))
    result, cache = _scan(repo)
    assert (cache.hits, cache.misses) == (2, 2)
    assert "recreate-deploy-strategy" not in {f.rule_id for f in result.findings}


def test_a_changed_rule_setting_misses(repo: Path, cache_dir: Path) -> None:
    _scan(repo)
    (repo / ".platform-lint.yaml").write_text("rules:\n  recreate-deploy-strategy: {severity: note}\n")
    _, cache = _scan(repo)
    assert cache.hits == 0


def test_corrupt_and_foreign_entries_are_ignored_and_replaced(repo: Path, cache_dir: Path) -> None:
    first, _ = _scan(repo)
    entries = _entries(cache_dir)
    assert len(entries) == 3
    entries[0].write_bytes(b"\x00{not json")
    entries[1].write_text(json.dumps({"format": "platform-lint-file-verdict/1", "key": "other",
                                      "verdict": {}}))
    good = json.loads(entries[2].read_text())
    good["verdict"]["findings"] = [["forged", "three", "x", [1, 1, 1, 2], "m", "f", "c", {}]]
    entries[2].write_text(json.dumps(good))
    second, cache = _scan(repo)
    assert (cache.hits, cache.misses) == (0, 4)
    assert _report(second) == _report(first)
    third, cache = _scan(repo)  # the bad entries were rewritten
    assert cache.hits == 3
    assert _report(third) == _report(first)


def test_no_secret_text_in_the_cache(repo: Path, cache_dir: Path) -> None:
    (repo / "config.yaml").write_text(f"password: {TOKEN}\n")
    result, _ = _scan(repo)
    assert any(f.rule_id.startswith("hardcoded") for f in result.findings)
    entries = _entries(cache_dir)
    assert entries, "something was cached"
    for entry in entries:
        data = entry.read_bytes()
        assert TOKEN.encode() not in data and TOKEN[4:20].encode() not in data


def test_no_cache_reads_and_writes_nothing(repo: Path, cache_dir: Path) -> None:
    run = Run.prepare((repo, None), None, (), (), None, None, jobs=1, cache=False)
    assert run.options.cache is None
    run.scan()
    assert not cache_dir.exists()


def test_concurrent_writers_leave_whole_entries(repo: Path, cache_dir: Path) -> None:
    first, _ = _scan(repo)
    run = Run.prepare((repo, None), None, (), (), None, None, jobs=2, cache=True)
    for entry in _entries(cache_dir):
        entry.unlink()
    both = [run.scan(), run.scan()]  # two pools writing the same entries
    assert all(_report(r) == _report(first) for r in both)
    assert not list(cache_dir.rglob("*.tmp"))
    for entry in _entries(cache_dir):
        json.loads(entry.read_text())
