"""The per-file result cache: hits, misses, corrupt and foreign entries, no secrets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from platform_lint.result_cache import ResultCache
from platform_lint.run import Run
from platform_lint.scan_result import ScanResult
from repo_helpers import DEPLOYMENT, write

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


def test_pruning_keeps_the_folder_bounded_dropping_the_least_recently_used(tmp_path: Path) -> None:
    from platform_lint.result_cache import prune

    folder = tmp_path / "results"
    for i in range(10):
        entry = folder / f"{i:02d}" / "entry.json"
        entry.parent.mkdir(parents=True)
        entry.write_bytes(b"x" * 100)
        os.utime(entry, (1000 + i, 1000 + i))  # entry 0 the least recently used
    dead = folder / "00" / "entry.json.123.ab.tmp"
    dead.write_bytes(b"partial")
    os.utime(dead, (1000, 1000))
    assert prune(folder, max_bytes=2000) == 1  # under the bound: only the dead temporary file
    assert prune(folder, max_bytes=800) == 4  # down to three quarters of the bound (600)
    left = sorted(p.parent.name for p in folder.glob("*/*.json"))
    assert left == ["04", "05", "06", "07", "08", "09"]


def test_a_run_that_wrote_entries_prunes_and_hits_count_as_use(
        repo: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from platform_lint import result_cache

    _first, cache = _scan(repo)
    assert cache.writes >= 3
    assert (cache_dir / "last-prune").exists()
    entries = sorted(cache_dir.glob("*/*.json"))
    for entry in entries:
        os.utime(entry, (1000, 1000))
    _second, cache = _scan(repo)
    assert cache.writes == 0  # nothing new: no prune is due
    assert all(e.stat().st_mtime > 1000 for e in entries)  # every entry was read, so touched
    monkeypatch.setattr(result_cache, "MAX_BYTES", 1)
    (repo / "notes.txt").write_text("changed\n")
    monkeypatch.setattr(result_cache, "PRUNE_AFTER_WRITES", 1)
    _third, cache = _scan(repo)
    assert cache.writes == 1
    assert list(cache_dir.glob("*/*.json")) == []


def test_a_chart_is_read_from_the_cache_until_one_of_its_files_changes(
        tmp_path: Path, cache_dir: Path) -> None:
    from test_helm_check import CHART

    root = tmp_path / "charts"
    write(root, CHART)
    cold, first = _scan(root)
    assert first.writes == len(CHART)  # the chart's verdict too, though it read other files
    # A cross-object rule's finding on a rendered object (kept in the chart's cached
    # verdict) still lands on the values line that set it.
    single = [f for f in cold.findings if f.rule_id == "single-replica-workload"]
    assert [(f.path, f.span.line) for f in single] == [("chart/values.yaml", 1)]
    warm, second = _scan(root)
    assert (second.hits, second.misses) == (len(CHART), 0)
    assert _report(warm) == _report(cold)

    template = root / "chart" / "templates" / "deployment.yaml"
    template.write_text(template.read_text().replace("Recreate", "RollingUpdate"))
    edited, third = _scan(root)
    assert third.misses == 2  # the template itself, and the chart that renders it
    assert "recreate-deploy-strategy" not in {f.rule_id for f in edited.findings}

    (root / "chart" / "templates" / "NOTES.txt").write_text("installed\n")
    _added, fourth = _scan(root)
    assert fourth.misses == 2  # the new file, and the chart whose list of files it joined


def test_kustomize_builds_codeowners_and_skaffold_manifests_are_cached_with_their_models(
    tmp_path: Path, cache_dir: Path
) -> None:
    from test_kept_memory import KUSTOMIZE

    root = tmp_path / "kust"
    write(root, {**KUSTOMIZE, "CODEOWNERS": "* @org/platform\n/prod/ @org/payments\n",
                 "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\n"
                 "build:\n  artifacts:\n    - image: web\nmanifests:\n  rawYaml: [app/*.yaml]\n",
                 "app/web.yaml": DEPLOYMENT})
    first, cold = _scan(root)
    second, warm = _scan(root)
    assert warm.misses == 0 and warm.hits == cold.misses
    assert _report(second) == _report(first)
    assert any(f.path == "prod/replicas.yaml" or f.path.startswith("base/") for f in first.findings)
    # A base the build read changed: the overlay is judged again, from the new base.
    recreate = KUSTOMIZE["base/deployment.yaml"].replace("  replicas: 1\n", "  strategy: {type: Recreate}\n")
    write(root, {"base/deployment.yaml": recreate})
    third, cache = _scan(root)
    assert cache.misses >= 1
    new = {(f.rule_id, f.path) for f in third.findings} - {(f.rule_id, f.path) for f in first.findings}
    assert new == {("recreate-deploy-strategy", "base/deployment.yaml")}
