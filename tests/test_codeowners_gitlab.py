"""GitLab's reading of CODEOWNERS patterns, which is not GitHub's.

GitLab normalises each pattern and matches it with Ruby's `File.fnmatch`
(`FNM_PATHNAME | FNM_DOTMATCH`) against `/path`: a pattern not starting with
`/` gets `/**/` in front (so `ee/docs/` matches at any depth), one ending in
`/` gets `**/*` after, `*` alone is `/**/*`, a leading `\\#` is `#`, and
brackets are character classes. A pattern without a trailing `/` therefore
matches a file of that name only, never what is below a directory of that
name (ee/lib/gitlab/code_owners/file.rb, `normalize_pattern`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from platform_lint.ownership import codeowners as co
from platform_lint.ownership.explain import explain, load_model
from repo_helpers import commit, make_repo, write


@pytest.mark.parametrize(("pattern", "path", "want"), [
    # relative paths float: `internal/README.md` is `/**/internal/README.md`
    ("internal/README.md", "internal/README.md", True),
    ("internal/README.md", "docs/internal/README.md", True),
    ("internal/README.md", "docs/api/internal/README.md", True),
    ("ee/docs/", "ee/docs/a.md", True),
    ("ee/docs/", "x/ee/docs/sub/a.md", True),
    ("docs/*", "x/docs/a.md", True),
    ("docs/*", "docs/sub/a.md", False),
    ("/docs/*", "x/docs/a.md", False),
    # without a trailing `/` a pattern names files, not what a directory holds
    ("/docs", "docs", True),
    ("/docs", "docs/a.md", False),
    ("README", "src/README", True),
    ("README", "README/x.md", False),
    ("/docs/", "docs/a/b.md", True),
    ("lib/", "src/lib/x.rb", True),
    # `**` is recursive only as `**/`; elsewhere it is `*`
    ("/docs/**/*.md", "docs/a.md", True),
    ("/docs/**/*.md", "docs/a/b/c.md", True),
    ("/docs/**", "docs/a.md", True),
    ("/docs/**", "docs/a/b.md", False),
    ("*", "a/b/.c", True),
    ("*.rb", "app/.x.rb", True),
    # character classes and the `\#` escape work on GitLab
    ("/src/v[0-9]/", "src/v1/a.go", True),
    ("/src/v[0-9]/", "src/vx/a.go", False),
    ("/src/v[!0-9]/", "src/vx/a.go", True),
    ("\\#file_with_pound.rb", "app/#file_with_pound.rb", True),
    ("path\\ with\\ spaces/", "a/path with spaces/b", True),
])
def test_gitlab_pattern_vectors(pattern: str, path: str, want: bool) -> None:
    assert co.compile_pattern(pattern, "gitlab").matches(path) is want
    parsed = co.parse(f"{pattern} @owner\n", ".gitlab/CODEOWNERS")
    assert not parsed.issues
    assert bool(parsed.decide(path)) is want  # the indexed matcher agrees


def test_github_reading_is_unchanged() -> None:
    assert not co.compile_pattern("internal/README.md").matches("docs/internal/README.md")
    assert co.compile_pattern("/docs").matches("docs/a.md")
    assert co.parse("\\#x @a\n", ".github/CODEOWNERS").issues


@pytest.mark.skipif(shutil.which("git") is None, reason="git is required")
def test_owners_explains_a_gitlab_file_as_gitlab_reads_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo, {
        ".gitlab/CODEOWNERS": "* @acme/platform\n\n[Docs]\ninternal/ @acme/docs\n"
                              "/config @acme/ops\n",
        "services/internal/a.py": "A = 1\n",
        "config/app.yaml": "a: 1\n",
    })
    commit(repo, "initial").check_returncode()
    [nested, config] = explain(load_model(repo), ["services/internal/a.py", "config/app.yaml"])
    assert nested["owners"] == ["@acme/platform", "@acme/docs"]
    assert [d["line"] for d in nested["decided_by"]] == [1, 4]
    assert config["owners"] == ["@acme/platform"]  # `/config` names a file, not the folder


GITLAB_EXCLUSIONS = """\
* @acme/platform
!*.lock

[Ruby] @acme/ruby
*.rb
!/config/
/config/app.rb @acme/ops
"""


def test_gitlab_exclusion_leaves_a_path_out_of_its_section_wherever_it_stands() -> None:
    parsed = co.parse(GITLAB_EXCLUSIONS, ".gitlab/CODEOWNERS")
    assert not parsed.issues  # `!` is GitLab's exclusion (17.10), not an error there

    def owners(path: str) -> list[tuple[int, str | None, tuple[str, ...]]]:
        return [(e.line, e.section, e.owner_names) for e in parsed.decide(path)]

    assert owners("Gemfile.lock") == [(2, None, ())]  # excluded: no approval needed
    assert owners("lib/a.rb") == [(1, None, ("@acme/platform",)), (5, "Ruby", ("@acme/ruby",))]
    # an exclusion wins in its section even above a later matching line
    assert owners("config/app.rb") == [(1, None, ("@acme/platform",)), (6, "Ruby", ())]
    assert co.parse("!*.lock\n", ".github/CODEOWNERS").issues  # GitHub has no `!`


@pytest.mark.skipif(shutil.which("git") is None, reason="git is required")
def test_owners_names_the_exclusion_line_that_leaves_a_path_unowned(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo, {".gitlab/CODEOWNERS": GITLAB_EXCLUSIONS, "Gemfile.lock": "x\n"})
    commit(repo, "initial").check_returncode()
    [answer] = explain(load_model(repo), ["Gemfile.lock"])
    assert answer["state"] == "unowned"
    assert answer["decided_by"] == [{"file": ".gitlab/CODEOWNERS", "line": 2,
                                     "pattern": "!*.lock", "owners": [], "section": None}]


def test_an_exclusion_above_a_catch_all_is_not_shadowed() -> None:
    from platform_lint.checks import ownership as checks
    from platform_lint.model import Obj
    from platform_lint.sources import codeowners as codeowners_source

    doc = codeowners_source.document(".gitlab/CODEOWNERS", "!*.lock\n/a/ @x\n* @acme/all\n")
    spec = checks.CHECKS["shadowed-codeowners-pattern"]
    hits = list(spec.fn([Obj(doc=doc, kind="codeowners", name=doc.path, value=doc.data)], {}))
    assert [h.span.line for h in hits if h.span] == [2]


def test_gitlab_keeps_a_line_with_an_owner_it_cannot_read() -> None:
    # GitLab's docs: "LICENSE @legal this_does_not_match janedoe@gitlab.com":
    # everything that is not a user, group or email is ignored, the rest owns
    parsed = co.parse("LICENSE @legal this_does_not_match janedoe@gitlab.com\n", "CODEOWNERS",
                      "gitlab")
    [issue] = parsed.issues
    assert "this_does_not_match" in issue.message
    assert [e.owner_names for e in parsed.decide("LICENSE")] == [("@legal", "janedoe@gitlab.com")]
    github = co.parse("LICENSE @legal this_does_not_match\n", ".github/CODEOWNERS")
    assert github.decide("LICENSE") == []  # GitHub skips the line
