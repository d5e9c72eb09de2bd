"""changes.py against real git repositories made in temporary directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from platform_lint.changes import (
    Acting,
    ChangedFile,
    ChangeError,
    acting_team,
    change_document,
    diff_files,
    parse_changed_files,
    staged_files,
)
from platform_lint.cli import main
from platform_lint.config import Config
from platform_lint.discovery import discover
from platform_lint.engine import ScanOptions, scan_files
from platform_lint.rules import load_rules
from repo_helpers import commit, git, make_repo, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is required")

OWNERSHIP = {
    ".github/CODEOWNERS": "* @acme/platform\n/services/billing/ @acme/payments\n",
    "docs/charters/platform.md": (
        "---\nmembers: [plat@acme.example]\n---\n# Charter: Platform\n\n"
        "**Owner:** `platform`\n**Escalation:** `release-captain`\n\n"
        "## Owned Surfaces\n- **/platform/**: tooling\n"
    ),
    "docs/charters/payments.md": (
        "---\nmembers: [pay@acme.example]\n---\n# Charter: Payments\n\n"
        "**Owner:** `payments`\n**Escalation:** `payments-oncall`\n\n"
        "## Owned Surfaces\n- **/services/billing/**: billing\n"
    ),
    "platform/retry.py": "def retry(fn):\n    return fn()\n",
    "platform/old.sh": "echo old\n",
    "services/billing/invoice.py": "TOTAL = 0\n",
}


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "repo", email="plat@acme.example")
    write(path, OWNERSHIP)
    commit(path, "initial").check_returncode()
    return path


def test_staged_files_with_statuses(repo: Path) -> None:
    write(repo, {"services/billing/invoice.py": "TOTAL = 1\n", "platform/new.py": "X = 1\n"})
    git(repo, "rm", "-q", "platform/old.sh").check_returncode()
    git(repo, "add", "services/billing/invoice.py", "platform/new.py").check_returncode()
    write(repo, {"platform/unstaged.py": "Y = 1\n"})
    assert sorted(staged_files(repo), key=lambda f: f.path) == [
        ChangedFile("platform/new.py", "added"),
        ChangedFile("platform/old.sh", "deleted"),
        ChangedFile("services/billing/invoice.py", "modified"),
    ]


def test_diff_counts_a_rename_under_both_paths(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "move").check_returncode()
    git(repo, "mv", "platform/retry.py", "services/billing/retry.py").check_returncode()
    git(repo, "rm", "-q", "platform/old.sh").check_returncode()
    commit(repo, "move retry into billing").check_returncode()
    files = diff_files(repo, "main")
    assert sorted(files, key=lambda f: f.path) == [
        ChangedFile("platform/old.sh", "deleted"),
        ChangedFile("services/billing/retry.py", "renamed", "platform/retry.py"),
    ]
    tree, _ = discover(repo, None, max_size=1 << 20)
    rules = load_rules()
    chosen = [rules["cross-team-edit"]]

    def findings(team: str) -> list[tuple[str, str]]:
        change = change_document(files, Acting(team, "--team"), "change")
        result = scan_files(str(repo), tree, [], Config(), chosen,
                            ScanOptions(extra_documents=[change]))
        return sorted((f.path, f.message) for f in result.findings)

    # Platform moved its file into Payments' surface: caught at the new path
    [(path, message)] = findings("platform")
    assert path == "services/billing/retry.py"
    assert "Payments" in message and "payments-oncall" in message
    assert ".github/CODEOWNERS:2" in message and "renamed from platform/retry.py" in message
    # Payments making the same move crossed into Platform's surface: caught at the old
    # path and at the deletion
    assert [p for p, _ in findings("payments")] == ["platform/old.sh", "platform/retry.py"]


def test_diff_against_an_unknown_base_is_a_change_error(repo: Path) -> None:
    with pytest.raises(ChangeError, match="no-such-branch"):
        diff_files(repo, "no-such-branch")


def test_acting_team_order_explicit_env_then_git_identity(repo: Path) -> None:
    env = {"PLATFORM_LINT_TEAM": "payments", "GITHUB_ACTOR": "octocat"}
    assert acting_team("search", repo, env) == Acting("search", "--team")
    assert acting_team(None, repo, env) == Acting("payments", "PLATFORM_LINT_TEAM")
    assert acting_team(None, repo, {"GITHUB_ACTOR": "octocat"}) == Acting(
        None, "", "plat@acme.example", None)  # GITHUB_ACTOR only counts in CI
    assert acting_team(None, repo, {"CI": "true", "GITHUB_ACTOR": "octocat"}) == Acting(
        None, "", "plat@acme.example", "octocat")


def test_changed_files_list_formats() -> None:
    text = "# comment\nsrc/a.py\nA\tsrc/b.py\nD src/c.py\nR087\told/d.py\tnew/d.py\n\n"
    assert parse_changed_files(text) == [
        ChangedFile("src/a.py"), ChangedFile("src/b.py", "added"),
        ChangedFile("src/c.py", "deleted"), ChangedFile("new/d.py", "renamed", "old/d.py"),
    ]


def test_changed_files_written_with_a_leading_dot_slash_name_repository_paths() -> None:
    text = "./platform/a.py\nM\t./services/billing/b.py\nR100\t./platform/c.py\t./services/c.py\n"
    assert parse_changed_files(text) == [
        ChangedFile("platform/a.py"), ChangedFile("services/billing/b.py"),
        ChangedFile("services/c.py", "renamed", "platform/c.py"),
    ]


def test_owners_of_a_dot_slash_path_keeps_its_leading_dot_folder(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {".github/CODEOWNERS": "* @acme/platform\n/.github/ @acme/ci\n"})
    commit(repo, "ci owns .github").check_returncode()
    assert main(["owners", "--root", str(repo), "./.github/workflows/ci.yml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(".github/workflows/ci.yml: owned\n")
    assert "decided by .github/CODEOWNERS:2 '/.github/'" in out
