"""The whole-run memo (`run_memo`): a warm run's output is a cold run's, byte for
byte, in every format; every input of the key invalidates it; a corrupt or
foreign entry is a miss; no entry holds a secret; the warm path imports no engine."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_parallel import _repositories
from test_result_cache import TOKEN, WITH_SECRET

from platform_lint import run_memo
from platform_lint.cli import main
from platform_lint.run import Run
from repo_helpers import DEPLOYMENT, git, make_repo, write

RULE = """id: configmap-named-latest-{n}
title: A ConfigMap named latest
severity: warning
category: resilience
scope:
  documents: [kubernetes]
  kinds: [ConfigMap]
schema:
  properties:
    metadata:
      properties:
        name: {{not: {{const: latest}}}}
message: "{{path}}: {{error}}"
docs:
  summary: No ConfigMap is named latest.
  why: A name that moves says nothing.
  fix: Name it by what it holds.
  bad: "name: latest"
  good: "name: web-settings"
"""


class Prepared:
    """How many runs set up a scan (a memo hit sets up none)."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def prepared(monkeypatch: pytest.MonkeyPatch) -> Prepared:
    counter = Prepared()
    original = Run.prepare.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Run], /, *args: object, **kwargs: object) -> Run:
        counter.count += 1
        run: Run = original(cls, *args, **kwargs)
        return run

    monkeypatch.setattr(Run, "prepare", classmethod(counting))
    return counter


@pytest.fixture
def memo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PLATFORM_LINT_CACHE_DIR", str(cache))
    for name in run_memo.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return cache / "runs"


def _aged() -> None:
    """Let what a test just wrote age past the racy window (see `run_memo._racy`)."""
    time.sleep(2 * run_memo._FINE_NS / 1e9)


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    out, _err = capsys.readouterr()
    return code, out


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    root = make_repo(tmp_path / "repo")
    write(root, {"k8s/web.yaml": DEPLOYMENT, ".gitignore": "ignored/\n",
                 "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: latest}\n"})
    git(root, "add", "-A").check_returncode()
    git(root, "commit", "-q", "-m", "init").check_returncode()
    _aged()
    yield root


@pytest.mark.parametrize("corpus_repo", _repositories(), ids=lambda p: p.name)
def test_a_warm_run_prints_what_a_cold_run_does_in_every_format(
    corpus_repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(corpus_repo)
    for fmt, extra in (("text", ["--show-skipped"]), ("json", ["--include-examples"]),
                       ("sarif", []), ("github", [])):
        for entry in memo_dir.glob("*.json"):
            entry.unlink()
        before = prepared.count
        cold = check(capsys, "--format", fmt, *extra, ".")
        warm = check(capsys, "--format", fmt, *extra, ".")
        assert prepared.count == before + 1, f"{fmt}: the second run was not answered by the memo"
        assert warm == cold, fmt


def test_an_unchanged_repository_is_answered_from_the_memo(
    repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = check(capsys, str(repo))
    assert cold[0] == 1 and "recreate-deploy-strategy" in cold[1]
    assert len(list(memo_dir.glob("*.json"))) == 1
    assert check(capsys, str(repo)) == cold
    assert check(capsys, "--format", "json", str(repo))[0] == 1
    assert prepared.count == 1
    check(capsys, "--no-cache", str(repo))
    assert prepared.count == 2


def _hits_after(change: Callable[[], object], repo: Path, capsys: pytest.CaptureFixture[str],
                prepared: Prepared, *args: str) -> tuple[bool, str]:
    """Whether the run after `change` was a memo hit, and its output."""
    check(capsys, *args, str(repo))
    change()
    before = prepared.count
    _code, out = check(capsys, *args, str(repo))
    return prepared.count == before, out


def _change(name: str, repo: Path, baseline: Path, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> None:
    web = repo / "k8s" / "web.yaml"
    if name == "edit":
        web.write_text(DEPLOYMENT.replace("Recreate", "Rolling"))
    elif name == "add":
        write(repo, {"k8s/new.yaml": DEPLOYMENT.replace("web", "new")})
    elif name == "remove":
        web.unlink()
    elif name == "config":
        write(repo, {".platform-lint.yaml": "ignore: [recreate-deploy-strategy]\n"})
    elif name == "force-add-ignored":  # the index decides what is listed
        write(repo, {"ignored/x.yaml": DEPLOYMENT})
        _aged()
        check(capsys, "--baseline", str(baseline), str(repo))
        git(repo, "add", "-f", "ignored/x.yaml").check_returncode()
    elif name == "team-variable":
        monkeypatch.setenv("PLATFORM_LINT_TEAM", "payments")
    elif name == "actor":
        monkeypatch.setenv("CI", "true")
        monkeypatch.setenv("GITHUB_ACTOR", "octo")
    else:
        assert name == "baseline"
        main(["baseline", "create", str(repo), "-o", str(baseline)])
        capsys.readouterr()


@pytest.mark.parametrize("change", [
    "edit", "add", "remove", "config", "force-add-ignored", "team-variable", "actor", "baseline",
])
def test_each_input_of_the_key_invalidates_the_memo(
    change: str, repo: Path, memo_dir: Path, prepared: Prepared, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1, "findings": []}\n')
    _aged()
    cold = check(capsys, "--baseline", str(baseline), str(repo))
    hit, out = _hits_after(lambda: _change(change, repo, baseline, capsys, monkeypatch), repo,
                           capsys, prepared, "--baseline", str(baseline))
    assert not hit, change
    if change in ("edit", "remove", "config", "baseline"):
        assert out != cold[1]
    if change == "force-add-ignored":
        assert "ignored/x.yaml" in out
    _aged()
    check(capsys, "--baseline", str(baseline), str(repo))
    before = prepared.count
    assert check(capsys, "--baseline", str(baseline), str(repo))[1] == check(
        capsys, "--no-cache", "--baseline", str(baseline), str(repo))[1]
    assert prepared.count == before + 1, "settled again, the memo answers"


def test_options_and_user_rules_are_part_of_the_key(
    repo: Path, memo_dir: Path, prepared: Prepared, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rules = tmp_path / "rules"
    write(rules, {"latest.yaml": RULE.format(n=1)})
    _aged()
    first = check(capsys, "--rule-dir", str(rules), str(repo))
    assert "configmap-named-latest-1" in first[1]
    (rules / "latest.yaml").write_text(RULE.format(n=2))
    hit, out = _hits_after(lambda: None, repo, capsys, prepared, "--rule-dir", str(rules))
    assert not hit and "configmap-named-latest-2" in out
    for options in (["--select", "recreate-deploy-strategy"], ["--ignore", "deploy-safety"],
                    ["--include-examples"], ["--team", "payments"]):
        before = prepared.count
        check(capsys, *options, str(repo))
        assert prepared.count == before + 1, options


def test_a_run_about_a_change_is_never_answered_from_the_memo(
    repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--staged` and `--diff` ask git what changed and who is acting: never memoised."""
    (repo / "k8s" / "web.yaml").write_text(DEPLOYMENT.replace("web", "api"))
    git(repo, "add", "k8s/web.yaml").check_returncode()
    _aged()
    for args in (["--staged"], ["--diff", "HEAD"], ["--staged"], [str(repo / "k8s" / "web.yaml")]):
        before = prepared.count
        cwd = os.getcwd()
        os.chdir(repo)
        try:
            check(capsys, *args)
        finally:
            os.chdir(cwd)
        assert prepared.count == before + 1, args
    assert not list(memo_dir.glob("*.json"))


def test_the_date_is_part_of_the_key(
    repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An exemption expiring today is applied today and reported tomorrow: a memo
    of today's run must not answer tomorrow's."""
    today = dt.date.today()
    write(repo, {".platform-lint.yaml": (
        "exemptions:\n  - rule: recreate-deploy-strategy\n    paths: [k8s/web.yaml]\n"
        f"    reason: migration\n    expires: '{today.isoformat()}'\n")})
    _aged()
    cold = check(capsys, str(repo))
    assert "recreate-deploy-strategy" not in cold[1].split("expired")[0]
    assert check(capsys, str(repo)) == cold
    assert prepared.count == 1
    monkeypatch.setattr(run_memo, "_today", lambda: today + dt.timedelta(days=1))
    check(capsys, str(repo))
    assert prepared.count == 2


def test_a_file_written_within_the_racy_window_is_not_trusted(
    repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "k8s" / "web.yaml").write_text(DEPLOYMENT.replace("web", "api"))
    check(capsys, str(repo))
    assert not list(memo_dir.glob("*.json")), "a stat that may not show the next write is not used"


@pytest.mark.parametrize("damage", ["garbage", "other-key", "other-format", "wrong-type", "empty",
                                    "no-such-severity"])
def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(
    damage: str, repo: Path, memo_dir: Path, prepared: Prepared,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cold = check(capsys, str(repo))
    (entry,) = memo_dir.glob("*.json")
    stored = json.loads(entry.read_text())
    damaged = {
        "garbage": b"{\x00not json",
        "other-key": json.dumps({**stored, "key": "0" * 64}).encode(),
        "other-format": json.dumps({**stored, "format": "platform-lint-run-memo/0"}).encode(),
        "wrong-type": json.dumps({**stored, "result": {**stored["result"], "files_scanned": "2"}}).encode(),
        "empty": b"",
        "no-such-severity": json.dumps({**stored, "fail_on": 7}).encode(),
    }[damage]
    entry.write_bytes(damaged)
    assert check(capsys, str(repo)) == cold
    assert prepared.count == 2
    assert json.loads(entry.read_text()) == stored


def test_a_temporary_file_left_by_a_run_that_died_is_passed_over_then_pruned(
    repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = check(capsys, str(repo))
    (entry,) = memo_dir.glob("*.json")
    left = memo_dir / f"{entry.name}.4242.0badc0de.tmp"
    left.write_text('{"format": "platform-lint-run-memo/1", "key": "half')
    assert check(capsys, str(repo)) == cold and prepared.count == 1
    old = time.time() - 7200
    os.utime(left, (old, old))
    check(capsys, "--select", "recreate-deploy-strategy", str(repo))  # a new entry: the folder is pruned
    assert not left.exists() and entry.exists()


def test_no_entry_holds_a_secret(
    repo: Path, memo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/leaky.yaml": WITH_SECRET})
    _aged()
    out = check(capsys, "--format", "json", "--include-examples", str(repo))[1]
    assert "hardcoded-" in out and TOKEN not in out
    (entry,) = memo_dir.glob("*.json")
    text = entry.read_text()
    assert TOKEN not in text and TOKEN[4:20] not in text


def test_entries_are_bounded(repo: Path, memo_dir: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_memo, "MAX_ENTRIES", 2)
    for rule in ("recreate-deploy-strategy", "image-tag-latest", "supply-chain", None):
        check(capsys, *(["--ignore", rule] if rule else []), str(repo))
    assert len(list(memo_dir.glob("*.json"))) == 2


def test_the_warm_path_imports_no_engine_parser_or_rule(repo: Path, memo_dir: Path) -> None:
    program = ("import sys; from platform_lint.cli import main; code = main(['check', '--format', "
               "'json', sys.argv[1]]); print(sorted(m for m in sys.modules if m.startswith("
               "'platform_lint')))")
    env = {**os.environ, "PLATFORM_LINT_CACHE_DIR": str(memo_dir.parent)}
    subprocess.run([sys.executable, "-c", program, str(repo)], env=env, capture_output=True, check=False)
    done = subprocess.run([sys.executable, "-c", program, str(repo)], env=env, capture_output=True,
                          text=True, check=False)
    modules = done.stdout.strip().splitlines()[-1]
    for heavy in ("platform_lint.engine", "platform_lint.sources", "platform_lint.rules'",
                  "platform_lint.checks", "platform_lint.config'", "platform_lint.per_file"):
        assert heavy not in modules, heavy
    assert "platform_lint.run_memo" in modules


def test_a_config_or_baseline_that_is_not_a_regular_file_turns_the_memo_off(
    repo: Path, memo_dir: Path, tmp_path: Path
) -> None:
    """A pipe (`--config <(...)`) reads once: the memo must not take its bytes from the scan."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for option in ("config_path", "baseline"):
        opened = run_memo.RunMemo.open(repo, **{"config_path": None, "baseline": None, option: str(pipe)},
                                       select=(), ignore=(), team=None, rule_dirs=(),
                                       include_examples=False)
        assert opened is None, option


def test_a_config_found_outside_the_repository_is_not_read_for_the_key(
    repo: Path, memo_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("ignore: [recreate-deploy-strategy]\n")
    (repo / ".platform-lint.yaml").symlink_to(outside)
    assert run_memo.RunMemo.open(repo, config_path=None, baseline=None, select=(), ignore=(),
                                 team=None, rule_dirs=(), include_examples=False) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_an_entry_someone_else_wrote_is_never_trusted(
    repo: Path, memo_dir: Path, prepared: Prepared, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = check(capsys, str(repo))
    (entry,) = memo_dir.glob("*.json")
    os.chown(entry, 65534, 65534)
    assert check(capsys, str(repo)) == cold
    assert prepared.count == 2
    assert memo_dir.stat().st_mode & 0o077 == 0, "the memo folder is the user's alone"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
                    reason="needs root and setpriv to drop the right to read others' files")
def test_a_file_the_run_cannot_read_is_not_answered_from_another_runs_memo(
    repo: Path, memo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file = repo / "k8s" / "web.yaml"
    os.chown(secret_file, 65534, 65534)
    secret_file.chmod(0o600)
    _aged()
    check(capsys, str(repo))  # remembered by a run that may read every file
    assert list(memo_dir.glob("*.json"))
    env = {**os.environ, "PLATFORM_LINT_CACHE_DIR": str(memo_dir.parent)}
    limited = ["/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
               "-dac_override,-dac_read_search", sys.executable, "-m", "platform_lint",
               "check", "--show-skipped", str(repo)]
    warm = subprocess.run(limited, env=env, capture_output=True, text=True, check=False)
    cold = subprocess.run([*limited, "--no-cache"], env=env, capture_output=True, text=True, check=False)
    assert "unreadable" in cold.stdout
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
