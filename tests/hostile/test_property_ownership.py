"""CODEOWNERS files and team charters of any shape, checked together with the
change of the whole repository: a finding or nothing, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from property_support import ANY, assert_scans_cleanly, shaped, vocabulary, yaml_text

WORDS = vocabulary("ownership/charters.py", "ownership/codeowners.py", "checks/ownership.py")

_PATH_CHARS = list("abc/*?![]\\#.-_ ~{}")
PATTERNS = st.one_of(
    st.sampled_from(["*", "/", "**", "/docs/", "src/**/*.py", "!keep", "[abc]", "\\#x", "/a/b/",
                     "docs/*", "**/logs", "/ops/", "*.md", "/**", "a/**/b", "#", "\\"]),
    st.text(alphabet=st.sampled_from(_PATH_CHARS), min_size=1, max_size=12),
)
OWNERS = st.one_of(
    st.sampled_from(["@acme/platform", "@acme/payments", "@alice", "bob@example.com", "@", "@acme/",
                     "team", "@acme/Platform-Engineering", "@@x", "a@b"]),
    st.text(alphabet=st.sampled_from(list("@/.a-_x")), min_size=1, max_size=8),
)
SECTIONS = st.tuples(st.sampled_from(["", "^"]), st.text(alphabet="abc []", max_size=8),
                     st.sampled_from(["", "[0]", "[2]", "[x]", "[-1]"]),
                     st.lists(OWNERS, max_size=2)).map(
    lambda t: f"{t[0]}[{t[1]}]{t[2]} {' '.join(t[3])}".rstrip())
LINES = st.one_of(
    st.tuples(PATTERNS, st.lists(OWNERS, max_size=3)).map(lambda t: " ".join((t[0], *t[1]))),
    SECTIONS,
    st.sampled_from(["", "# comment", "   ", "\t", "* @acme/platform # trailing"]),
)


def _codeowners() -> st.SearchStrategy[str]:
    return st.lists(LINES, max_size=12).map(lambda lines: "\n".join(lines) + "\n")


_HEADINGS = ["# Charter: Platform Team", "# Payments Team Charter", "## Owned Surfaces", "## Guardrails",
             "## Escalation Path", "## 2. Owned Surfaces", "### Ownership", "#", "## Other"]
_PROSE = ["**Owner:** `platform-team`", "**Escalation:** `release-captain`", "Team: payments",
          "- **/server/**: the backend", "- `services/auth/` and **/gateway/**", "1. /infra/ all of it",
          "- Escalate to the **Release Captain**", "- **May not** change `/db/`", "- ", "* `*`",
          "- **/a/**, **/b/**: both", "Owner:", "**Owner:** ``"]
FRONT_MATTER = {"team": ANY, "name": ANY, "owner": ANY, "escalation": ANY, "github_team": ANY,
                "members": [ANY], "surfaces": [ANY], "owns": ANY,
                "protected": [(ANY, {"paths": ANY, "path": ANY, "requires": ANY})]}


def _charters() -> st.SearchStrategy[str]:
    body = st.lists(st.one_of(st.sampled_from(_HEADINGS), st.sampled_from(_PROSE),
                              st.text(alphabet="ab */`-#:\n", max_size=20)), max_size=12)
    front = st.one_of(st.just(""), shaped(FRONT_MATTER, WORDS, top=True).map(
        lambda data: f"---\n{yaml_text(data, flow=False)}---\n"), st.just("---\nteam: [\n"))
    return st.tuples(front, body).map(lambda t: t[0] + "\n".join(t[1]) + "\n")


@given(_codeowners())
def test_github_codeowners(text: str) -> None:
    assert_scans_cleanly({".github/CODEOWNERS": text, "src/app.py": "x = 1\n"}, ownership=True)


@given(_codeowners())
def test_gitlab_codeowners(text: str) -> None:
    assert_scans_cleanly({".gitlab/CODEOWNERS": text, "docs/a.md": "x\n"}, ownership=True)


@given(_charters(), _charters(), _codeowners())
def test_charters_with_codeowners(first: str, second: str, codeowners: str) -> None:
    assert_scans_cleanly({"docs/charters/platform.md": first, "docs/charters/payments.md": second,
                          "CODEOWNERS": codeowners, "server/main.go": "package main\n"},
                         ownership=True)


_CHANGED = st.one_of(
    st.sampled_from(["server/main.go", "docs/a.md", "CODEOWNERS", "docs/charters/platform.md", "/",
                     "../x", "a b", "*"]),
    st.text(alphabet=st.sampled_from(list("ab/.*-_")), min_size=1, max_size=10),
)
_CHANGE_LINES = st.one_of(
    _CHANGED,
    st.tuples(st.sampled_from(["M", "A", "D", "T", "R100", "C75", "R", "X"]), _CHANGED, _CHANGED)
    .map(lambda t: "\t".join(t) if t[0][0] in "RC" else f"{t[0]}\t{t[1]}"),
    st.sampled_from(["team: platform", "team: payments", "team:", "# note", ""]),
)


@given(_charters(), _codeowners(), st.lists(_CHANGE_LINES, max_size=8))
def test_a_change_by_a_team(charter: str, codeowners: str, change: list[str]) -> None:
    assert_scans_cleanly({"docs/charters/platform.md": charter, "CODEOWNERS": codeowners,
                          "server/main.go": "package main\n"},
                         ownership=True, change="\n".join(change) + "\n")
