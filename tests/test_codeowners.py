"""CODEOWNERS matching and parsing: the shared conformance data and our own vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint.ownership import codeowners as co

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CONFORMANCE = CORPUS / "codeowners-patterns.json"


def _conformance() -> list[tuple[str, str, bool]]:
    if not CONFORMANCE.is_file():
        return []
    cases = json.loads(CONFORMANCE.read_text())
    return [(c["pattern"], path, want) for c in cases for path, want in c["paths"].items()]


@pytest.mark.skipif(not CONFORMANCE.is_file(), reason="shared corpus not present")
def test_conformance_data_has_all_153_expectations() -> None:
    assert len(_conformance()) == 153


@pytest.mark.parametrize(("pattern", "path", "want"), _conformance())
def test_conformance(pattern: str, path: str, want: bool) -> None:
    assert co.compile_pattern(pattern).matches(path) is want


@pytest.mark.parametrize(("pattern", "path", "want"), [
    # `docs/*` is files directly in docs/, not below (pathspec gets this wrong)
    ("docs/*", "docs/a.md", True),
    ("docs/*", "docs/sub/a.md", False),
    ("/docs/*", "docs/sub/a.md", False),
    ("docs/", "docs/sub/a.md", True),
    ("docs/**", "docs/sub/a.md", True),
    ("*.js", "src/app/index.js", True),
    ("*.js", "src/app/index.jsx", False),
    # case-sensitive paths
    ("/Docs/", "docs/a.md", False),
    ("README.md", "readme.md", False),
    # brackets are literal; escaped space
    ("/apps/[id]/page.tsx", "apps/[id]/page.tsx", True),
    ("/apps/[id]/page.tsx", "apps/i/page.tsx", False),
    ("my\\ file.txt", "docs/my file.txt", True),
    # leading slash on the path is tolerated
    ("/src/", "/src/main.go", True),
])
def test_own_pattern_vectors(pattern: str, path: str, want: bool) -> None:
    assert co.compile_pattern(pattern).matches(path) is want


GITHUB = """\
# Default owners
*       @acme/platform   # everything else
/docs/  @acme/docs
*.md    docs@acme.example
/docs/generated/
/src/   @alice @acme/app
"""


def test_last_match_wins_and_explicitly_unowned_differs_from_unmatched() -> None:
    parsed = co.parse(GITHUB, ".github/CODEOWNERS")
    assert parsed.flavour == "github" and not parsed.issues

    def decide(path: str) -> tuple[int, tuple[str, ...]] | None:
        entries = parsed.decide(path)
        return (entries[0].line, entries[0].owner_names) if entries else None

    assert decide("go.mod") == (2, ("@acme/platform",))
    assert decide("docs/intro.txt") == (3, ("@acme/docs",))
    assert decide("docs/intro.md") == (4, ("docs@acme.example",))
    assert decide("docs/generated/api.md") == (5, ())  # explicitly unowned
    assert decide("src/main.go") == (6, ("@alice", "@acme/app"))
    assert co.parse("/src/ @a\n").decide("lib/x.go") == []  # unmatched


def test_inline_comment_and_token_columns() -> None:
    entry = co.parse("/api/   @acme/api  # the API team\n").entries[0]
    assert entry.owner_names == ("@acme/api",)
    assert (entry.pattern_token.col, entry.pattern_token.end_col) == (1, 6)
    assert (entry.owners[0].col, entry.owners[0].end_col) == (9, 18)


@pytest.mark.parametrize(("line", "col", "fragment"), [
    ("!docs/internal/ @acme/docs", 1, "negation"),
    ("src/v[0-9]/ @acme/api", 1, "character ranges"),
    ("[!a]bc @acme/api", 1, "character ranges"),
    ("\\#notes.md @acme/docs", 1, "escaping '#'"),
    ("/ops/ ops-team", 7, "not a @user"),
    ("/ops/ @acme/ops @", 17, "not a @user"),
])
def test_github_syntax_errors_are_reported_at_their_line_and_skipped(
    line: str, col: int, fragment: str
) -> None:
    parsed = co.parse(f"* @acme/platform\n{line}\n", ".github/CODEOWNERS")
    [issue] = parsed.issues
    assert (issue.line, issue.col) == (2, col)
    assert fragment in issue.message
    assert [e.line for e in parsed.entries] == [1]  # the host skips the bad line


def test_literal_brackets_like_route_segments_are_not_errors() -> None:
    assert co.parse("/apps/[param]/ @a\n/apps/[param-id]/ @a\n").issues == []


GITLAB = """\
* @acme/platform

[Documentation] @acme/docs
/docs/
/docs/api/ @acme/api-docs
/docs/ @acme/writers

^[Security][2] @acme/security
*.tf

[documentation]
/README.md
"""


def test_gitlab_sections_defaults_optional_approvals_and_combination() -> None:
    parsed = co.parse(GITLAB, "CODEOWNERS")
    assert parsed.flavour == "gitlab"
    security = parsed.sections[1]
    assert (security.name, security.optional, security.approvals) == ("Security", True, 2)
    assert [o.text for o in security.defaults] == ["@acme/security"]

    def owners(path: str) -> list[tuple[str | None, tuple[str, ...]]]:
        return [(e.section, e.owner_names) for e in parsed.decide(path)]

    # last match wins within a section; sections combine
    assert owners("docs/api/x.md") == [(None, ("@acme/platform",)),
                                       ("Documentation", ("@acme/writers",))]
    assert owners("infra/main.tf") == [(None, ("@acme/platform",)),
                                       ("Security", ("@acme/security",))]
    # a pattern without owners takes the section's defaults; same-named sections merge
    readme = parsed.decide("README.md")
    assert [(e.section, e.owner_names, e.inherited) for e in readme] == [
        (None, ("@acme/platform",), False), ("documentation", (), False)]


def test_gitlab_defaults_inherited_by_entries_without_owners() -> None:
    parsed = co.parse("[Docs] @acme/docs\n/docs/\n", ".gitlab/CODEOWNERS")
    [entry] = parsed.decide("docs/a.md")
    assert entry.owner_names == ("@acme/docs",) and entry.inherited


def test_flavour_detection_and_forcing() -> None:
    assert co.detect_flavour(".github/CODEOWNERS", "[Docs]\n") == "github"
    assert co.detect_flavour("CODEOWNERS", "[Docs] @a\n/docs/\n") == "gitlab"
    assert co.detect_flavour(".gitlab/CODEOWNERS", "* @a\n") == "gitlab"
    # on GitHub a section header is just an odd pattern, never a section
    assert co.parse("[Docs] @a/b\n", "CODEOWNERS", "github").sections == []


def test_host_reads_the_first_file_found_in_its_own_order() -> None:
    files = {"CODEOWNERS", "docs/CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS"}
    assert co.active_file(files, "github") == ".github/CODEOWNERS"
    assert co.active_file(files - {".github/CODEOWNERS"}, "github") == "CODEOWNERS"
    assert co.active_file({"docs/CODEOWNERS", "src/CODEOWNERS"}, "github") == "docs/CODEOWNERS"
    assert co.active_file(files, "gitlab") == "CODEOWNERS"
    assert co.active_file({".gitlab/CODEOWNERS"}, None) == ".gitlab/CODEOWNERS"
    assert co.active_file({"src/CODEOWNERS"}, None) is None
