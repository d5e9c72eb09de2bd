"""Start-up stays cheap: a one-file run imports only what judging that file needs.

Counted by module, never timed: each case runs `platform-lint check FILE` (as
pre-commit does, in the file's folder) in a fresh interpreter and lists what it
imported. The second run is the one asserted: the first fills the validated-rules
cache, and only a run that meets new rule files may need jsonschema.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_lint.discovery import path_matcher, plain_regex

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example-repo"

# Never needed to judge one plain file: other commands' machinery, other sources' parsers.
NEVER = (
    "platform_lint.audit", "platform_lint.readiness", "platform_lint.readiness_cli",
    "platform_lint.helm.command", "platform_lint.helm.render", "platform_lint.helm.executor",
    "platform_lint.helm.settings", "platform_lint.kustomize.load", "platform_lint.kustomize.build",
    "platform_lint.ownership", "platform_lint.newonly",
    "platform_lint.report.sarif_report", "platform_lint.report.json_report",
    "jsonschema", "referencing", "pathspec", "shutil", "sqlite3",
    # `records` builds the start-up path's classes; dataclass compiles each method at import
    "dataclasses",
    # a plain call (flags and paths) runs without click (`check_cmd`), nor what click imports
    "click", "inspect", "gettext", "uuid",
)

YAML_NEVER = ("platform_lint.sources.hcl_lark", "platform_lint.sources.hcl_tree_sitter",
              "platform_lint.sources.promql", "hcl2", "lark", "tree_sitter")
TERRAFORM_NEVER = ("platform_lint.sources.kubernetes", "platform_lint.sources.pipelines", "hcl2", "lark")

_LIST_IMPORTS = """
import json, sys
from platform_lint.console import main
listing = sys.argv.pop(1)
code = main()
with open(listing, "w") as out:
    json.dump(sorted(sys.modules), out)
raise SystemExit(code)
"""


def _imported(path: Path, tmp_path: Path, *flags: str) -> set[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PLATFORM_LINT_CACHE_DIR": str(tmp_path / "results")}
    listing = tmp_path / "modules.json"
    for _ in range(2):
        command = [sys.executable, "-c", _LIST_IMPORTS, str(listing), "check", *flags, path.name]
        done = subprocess.run(command, check=False, cwd=path.parent, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode in (0, 1), done.stderr
    return set(json.loads(listing.read_text()))


def _loaded(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(f"{b}.") for b in banned))


@pytest.mark.parametrize(("path", "banned"), [
    (EXAMPLE / "k8s/gateway/deployment.yaml", NEVER + YAML_NEVER),
    (EXAMPLE / ".github/workflows/deploy.yml", NEVER + YAML_NEVER),
    (EXAMPLE / "terraform/database.tf", NEVER + TERRAFORM_NEVER),
], ids=["manifest", "workflow", "terraform"])
def test_one_file_run_imports_only_what_it_needs(path: Path, banned: tuple[str, ...], tmp_path: Path) -> None:
    modules = _imported(path, tmp_path)
    assert "platform_lint.engine" in modules  # the run did scan
    assert _loaded(modules, banned) == []
    fresh = _imported(path, tmp_path, "--no-cache")  # as bench/goals.py runs it: the file judged afresh
    assert "platform_lint.engine" in fresh and _loaded(fresh, banned) == []


def test_a_folder_outside_a_git_checkout_is_scanned_without_subprocess(tmp_path: Path) -> None:
    # A named file is a change, whose acting team asks `git config user.email`; a folder is not.
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "deployment.yaml").write_bytes((EXAMPLE / "k8s/gateway/deployment.yaml").read_bytes())
    modules = _imported(folder, tmp_path, "--no-cache")
    assert "platform_lint.engine" in modules
    assert _loaded(modules, ("subprocess",)) == []


def test_a_run_with_an_unchanged_config_imports_no_jsonschema(tmp_path: Path) -> None:
    """The config's verdict is remembered by digest (`config._validate`): only the first
    run with these bytes validates them."""
    repo = tmp_path / "repo"
    repo.mkdir()
    manifest = repo / "deployment.yaml"
    manifest.write_bytes((EXAMPLE / "k8s/gateway/deployment.yaml").read_bytes())
    config = "exclude: [vendor/]\nrules:\n  image-tag-latest: {severity: error}\n"
    (repo / ".platform-lint.yaml").write_text(config)
    banned = NEVER + YAML_NEVER
    modules = _imported(manifest, tmp_path)
    assert "platform_lint.config" in modules and _loaded(modules, banned) == []
    (repo / ".platform-lint.yaml").write_text("exclude: [vendor/, build/]\n")  # new bytes, learnt in turn
    modules = _imported(manifest, tmp_path)
    assert _loaded(modules, banned) == []


# Shapes `plain_regex` takes on and shapes it leaves to pathspec.
PATTERNS = (
    "test/", "/test/", "a/b", "a/b/", "/a", "a", "*.md", "a/*/b", "**/a", "**/a/b/", "*a*",
    "a.b-c_d", "foo/", "a*/", "/*.md", "docs/charters/*.md", "*.test.yaml", "**/charts/*/ci/",
    "**/*/x", "*/x", "a*b*c/d", "_a", "-a", ".a", "a.", "/a/b/c/", "**/a*", "e2e/",
    "*", "*/", "a/*", "a/**", "a/**/b", "**", "a//b", "a/b/*", "x/*/", "/*/", "**/*", "/**/a",
    "!a", "a?", "[ab]", "a\\*", " a", "a ", "./a", "a/../b", "#a", "***", "a/**/",
)
PATHS = (
    "a", "a/b", "a/b/c", "x/a", "x/a/b", "test/x.yaml", "x/test/y", "xtest/y", "test", "docs/a.md",
    "a.md", "x/y.md", "docs/charters/p.md", "docs/charters/x/p.md", "charts/web/ci/v.yaml",
    "x/charts/web/ci/v.yaml", "charts/ci/v.yaml", "k/x", "z/k/x", "a.b-c_d/e", "s.test.yaml",
    "q/s.test.yaml/r", "aXb/c", "aXbYc/d", "_a", "-a/b", ".a", "x/a.", "a/b/c/d", "ab", "b/ab/c",
    "/a", "./a", "./x/a/b",
)


def test_plain_patterns_compile_as_pathspec_does() -> None:
    import pathspec

    for pattern in PATTERNS:
        ours = plain_regex(pattern)
        if ours is None:
            continue
        theirs = pathspec.PathSpec.from_lines("gitignore", [pattern]).patterns[0].regex
        assert theirs is not None and ours == theirs.pattern, pattern


def test_path_matcher_answers_as_pathspec_does() -> None:
    import pathspec

    plain = [p for p in PATTERNS if plain_regex(p) is not None]
    assert len(plain) > 20 and any(plain_regex(p) is None for p in PATTERNS)
    pattern_sets = [[p] for p in PATTERNS if not p.startswith("#")] + [plain, ["test/", "!test/x.yaml"]]
    for patterns in pattern_sets:
        ours = path_matcher(patterns)
        spec = pathspec.PathSpec.from_lines("gitignore", patterns)
        assert ours is not None
        for path in PATHS:
            assert ours(path) == spec.match_file(path), (patterns, path)


_COLLECTOR = """
import gc, json, sys
from platform_lint import cli, console, run
held = []
real = run.Run.scan
def scan(self):
    held.append([gc.isenabled(), gc.get_freeze_count()])  # by the time the scan starts, set-up is over
    return real(self)
run.Run.scan = scan
sys.argv = ["platform-lint", *sys.argv[1:]]
if sys.argv[1] == "caller-disabled":
    gc.disable()
code = console.main() if sys.argv[1] == "check" else cli.main(sys.argv[2:])
print(json.dumps({"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                  "during_scan": held}))
"""


@pytest.mark.parametrize("how", ["console", "in-process", "caller-disabled"])
def test_the_collector_is_off_through_set_up_and_on_for_the_scan(how: str, tmp_path: Path) -> None:
    """The command leaves set-up's objects out of every collection; `main` called in a
    process of its own (a test, an embedding program) leaves the collector alone."""
    manifest = EXAMPLE / "k8s/gateway/deployment.yaml"
    args = ["check", "--no-cache", manifest.name] if how == "console" else [how, "check", "--no-cache",
                                                                          manifest.name]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", _COLLECTOR, *args], check=False, cwd=manifest.parent,
                          env=env, capture_output=True, text=True, timeout=120)
    state = json.loads(done.stdout.splitlines()[-1])
    assert state["code"] == 1
    # a caller that turned the collector off itself gets it back as it left it
    kept_on = how != "caller-disabled"
    [[enabled, frozen_then]] = state["during_scan"]
    assert state["enabled"] is kept_on and enabled is kept_on
    assert (frozen_then > 0) is (how == "console")
    # and what the scan left alive is out of the collection at exit
    assert (state["frozen"] > frozen_then) is (how == "console")


def test_other_commands_run_with_the_collector_on(tmp_path: Path) -> None:
    code = ("import gc, sys; from platform_lint import console; sys.argv = ['platform-lint', 'rules'];"
            " import platform_lint.cli as cli; real = cli.click.echo; seen = []\n"
            "cli.click.echo = lambda *a, **k: seen.append(gc.isenabled())\n"
            "console.main(); print(all(seen) and bool(seen))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "True", done.stderr


_WARN_AFTER = """
import sys, warnings
from platform_lint.console import main
sys.argv = ["platform-lint", "rules"]
code = main()
warnings.warn("probe-warning", FutureWarning)
raise SystemExit(code)
"""


@pytest.mark.parametrize(("flags", "shown"), [((), False), (("-W", "default"), True)])
def test_the_command_shows_python_warnings_only_when_asked(flags: tuple[str, ...], shown: bool,
                                                           tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, *flags, "-c", _WARN_AFTER], check=False, capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("probe-warning" in done.stderr) is shown
