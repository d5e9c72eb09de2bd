"""Charters, the ownership model, the change-aware checks and `owners` explanations."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_lint.changes import Acting, ChangedFile, change_document
from platform_lint.checks import ownership as checks
from platform_lint.finding import Hit
from platform_lint.model import Document, Obj
from platform_lint.ownership import model as om
from platform_lint.ownership.explain import explain, load_model, render
from platform_lint.sources import charters as charter_source
from platform_lint.sources import codeowners as codeowners_source

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "team-charter-platform-engineering.md"
DEMO = SHARED / "corpus" / "GoogleCloudPlatform+microservices-demo"


def charter(path: str, text: str) -> Document:
    return charter_source.load(path, text, lambda _: None).documents[0]


@pytest.mark.skipif(not SEED.is_file(), reason="shared seeds not present")
def test_seed_charter_parses_team_owner_escalation_and_surfaces() -> None:
    doc = charter("docs/charters/platform-engineering.md", SEED.read_text())
    data = doc.data
    assert data["team"] == "Platform Engineering Team"
    assert data["owner"] == "platform-engineering-team"
    assert data["escalation"] == "release-captain"
    paths = [s["path"] for s in data["surfaces"]]
    # The nine bold paths, plus the code-span path of the GA-artifacts item: the
    # charter says the team owns "Platform-specific GA artifacts under `docs/ga/platform/`".
    assert paths == ["/server/", "/services/auth/", "/services/prov-ledger/", "/gateway/",
                     "/db/", "/migrations/", "/infra/", "/k8s/", "/terraform/",
                     "docs/ga/platform/"]
    assert data["surfaces"][4]["description"] == "The database schemas and migration scripts"
    assert len(data["guardrails"]) == 3
    assert [e["contact"] for e in data["escalations"]] == [
        "Release Captain", "Chief Architect", "VP of Engineering"]
    # spans land on the exact token
    span = doc.locate(("surfaces", 5, "path"))
    line = doc.lines[span.line - 1]
    assert line[span.col - 1: span.end_col - 1] == "/migrations/"
    owner = doc.locate(("owner",))
    assert doc.lines[owner.line - 1][owner.col - 1: owner.end_col - 1] == "platform-engineering-team"


TOLERANT = """\
---
github_team: "@acme/search"
members: [ana@acme.example, "@bo"]
protected:
  - paths: [api/]
    requires: [CHANGELOG.md]
---
Search Team Charter
===================

# Search Team Charter

- **Owner**: search-team
- Escalation: `search-oncall`

### 3) Ownership
1. `services/search/` — query service
2. **indexer/**, **`schemas/search.proto`** (contracts)
* /tools/search-cli/ the CLI
"""


def test_tolerant_charter_with_front_matter_and_variant_markdown() -> None:
    doc = charter("services/search/CHARTER.md", TOLERANT)
    data = doc.data
    assert data["team"] == "Search Team"
    assert data["owner"] == "search-team"
    assert data["escalation"] == "search-oncall"
    assert data["github_team"] == "@acme/search"
    assert data["members"] == ["ana@acme.example", "@bo"]
    assert data["protected"] == [{"paths": ["api/"], "requires": ["CHANGELOG.md"]}]
    assert [s["path"] for s in data["surfaces"]] == [
        "services/search/", "indexer/", "schemas/search.proto", "/tools/search-cli/"]
    assert data["surfaces"][0]["description"] == "query service"
    assert doc.locate(("protected",), key=True).line == 4  # front matter spans are file lines


def test_bad_front_matter_is_a_problem_and_the_prose_still_reads() -> None:
    parsed = charter_source.load("CHARTER.md", "---\nmembers: [a\n---\n# X Charter\n",
                                 lambda _: None)
    assert parsed.problems and parsed.problems[0].span.line >= 2
    assert parsed.documents[0].data["team"] == "X"


CODEOWNERS = """\
* @acme/platform-engineering
/services/billing/ @acme/payments
/services/billing/generated/
/server/ @acme/payments
"""
PLATFORM = """\
---
members: [plat@acme.example]
---
# Charter: Platform Engineering

**Owner:** `platform-engineering`
**Escalation:** `release-captain`

## Owned Surfaces
- **/server/**: backend
- **/platform/**: tools
"""
PAYMENTS = """\
# Charter: Payments

**Owner:** `payments`

## Owned Surfaces
- **/services/billing/**: billing

## Escalation
- Page the **Payments On-call**.
"""


def objects(change: Document | None = None, codeowners: str = CODEOWNERS) -> list[Obj]:
    docs = [codeowners_source.document(".github/CODEOWNERS", codeowners),
            charter("docs/charters/platform.md", PLATFORM),
            charter("docs/charters/payments.md", PAYMENTS)]
    if change is not None:
        docs.append(change)
    return [Obj(doc=d, kind=d.kind, name=d.path, value=d.data) for d in docs]


def model() -> om.OwnershipModel:
    objs = objects()
    return om.build([o.doc for o in objs if o.kind == "codeowners"],
                    [o.doc for o in objs if o.kind == "charter"])


def test_owners_of_names_the_deciding_line_team_and_escalation() -> None:
    answer = model().owners_of("services/billing/invoice.py")
    assert answer.state == "owned"
    assert answer.owners == ("@acme/payments",)
    assert [t.name for t in answer.teams] == ["Payments"]
    assert [str(w) for w in answer.deciding] == [".github/CODEOWNERS:2",
                                                 "docs/charters/payments.md:6"]
    assert answer.teams[0].contact == "Payments On-call"  # from the Escalation list


def test_explicitly_unowned_differs_from_unmatched() -> None:
    m = model()
    assert m.owners_of("services/billing/generated/api.py").state == "owned"  # charter claims
    bare = om.build([codeowners_source.document("CODEOWNERS", "/src/ @a/b\n/src/gen/\n")], [])
    assert bare.owners_of("src/gen/x.py").state == "unowned"
    assert bare.owners_of("lib/x.py").state == "unmatched"


def test_conflict_between_charter_and_codeowners_names_both_lines() -> None:
    [(team, claim, decision)] = model().owners_of("server/main.go").conflicts()
    assert team.name == "Platform Engineering"
    assert (str(claim), str(decision.where)) == ("docs/charters/platform.md:10",
                                                 ".github/CODEOWNERS:4")


def run(check: str, objs: list[Obj], **params: object) -> list[Hit]:
    spec = checks.CHECKS[check]
    return list(spec.fn(objs, params))


def change(*files: ChangedFile, team: str | None = None, email: str | None = None,
           actor: str | None = None) -> Document:
    source = "--team" if team else ""
    return change_document(list(files), Acting(team, source, email, actor))


def test_cross_team_edit_message_and_anchor() -> None:
    hits = run("cross-team-edit", objects(change(ChangedFile("services/billing/a.py"),
                                                 ChangedFile("platform/x.sh"),
                                                 team="platform-engineering")))
    [hit] = hits
    assert hit.obj.doc.path == "services/billing/a.py"
    assert hit.obj.doc.locate(()).line == 1
    assert "Payments" in hit.message and ".github/CODEOWNERS:2" in hit.message
    assert "Payments On-call" in hit.message and "Platform Engineering" in hit.message


def test_renames_count_under_both_paths_and_deletions_count() -> None:
    moved = ChangedFile("services/billing/x.py", "renamed", "platform/x.py")
    gone = ChangedFile("platform/old.sh", "deleted")
    hits = run("cross-team-edit", objects(change(moved, gone, team="payments")))
    assert sorted(h.obj.doc.path for h in hits) == ["platform/old.sh", "platform/x.py"]
    assert "renamed to services/billing/x.py" in next(
        h.message for h in hits if h.obj.doc.path == "platform/x.py")


def test_acting_team_from_members_email_or_ci_actor() -> None:
    edit = ChangedFile("services/billing/a.py")
    by_email = run("cross-team-edit", objects(change(edit, email="PLAT@acme.example")))
    assert len(by_email) == 1 and "plat@acme.example" in by_email[0].message.lower()
    teams = {"payments": {"members": ["octocat"]}}
    assert run("cross-team-edit", objects(change(edit, actor="octocat")), teams=teams) == []


def test_no_acting_team_gives_exactly_one_note_and_no_cross_team_findings() -> None:
    objs = objects(change(ChangedFile("services/billing/a.py"), ChangedFile("server/b.go"),
                          email="stranger@example.com"))
    assert run("cross-team-edit", objs) == []
    [note] = run("unknown-acting-team", objs)
    assert "stranger@example.com" in note.message and "--team" in note.message


def test_full_repository_mode_checks_no_cross_team_edits() -> None:
    full = change_document([ChangedFile("services/billing/a.py")], Acting("platform"), "full")
    assert run("cross-team-edit", objects(full)) == []
    assert run("unknown-acting-team", objects(full)) == []


def test_protected_path_change_needs_a_companion_in_the_same_change() -> None:
    protected = [{"paths": ["migrations/"], "requires": ["docs/migration-plans/*.md"]}]
    sql = ChangedFile("migrations/0042.sql", "added")
    [hit] = run("protected-path-change", objects(change(sql, team="payments")),
                protected=protected)
    assert "docs/migration-plans/*.md" in hit.message and "configuration" in hit.message
    plan = ChangedFile("docs/migration-plans/0042.md", "added")
    assert run("protected-path-change", objects(change(sql, plan, team="payments")),
               protected=protected) == []
    deleted_plan = ChangedFile("docs/migration-plans/0041.md", "deleted")
    assert len(run("protected-path-change", objects(change(sql, deleted_plan, team="x")),
                   protected=protected)) == 1


def test_shadowing_without_a_file_list_uses_the_patterns() -> None:
    text = "/api/v1/ @a/b\n/docs/*.md @a/c\n/api/ @a/d\n* @a/e\n"
    spec = checks.CHECKS["shadowed-codeowners-pattern"]
    hits = list(spec.fn(objects(None, text), {}))
    lines = sorted(h.span.line for h in hits if h.span)
    assert lines == [1, 2, 3]  # every earlier line is covered by the later `*`


def test_flavour_parameter_picks_the_hosts_file_and_reading() -> None:
    doc = codeowners_source.document("CODEOWNERS", "[Docs] @acme/docs\n/docs/\n", "github")
    objs = [Obj(doc=doc, kind="codeowners", name=doc.path, value=doc.data)]
    github = checks.context(objs, {"flavour": "github"}).model
    assert github.owners_of("docs/a.md").owners == ()  # `[Docs]` is a pattern on GitHub
    gitlab = checks.context(objs, {"flavour": "gitlab"}).model
    assert gitlab.owners_of("docs/a.md").owners == ("@acme/docs",)
    # GitLab never reads .github/CODEOWNERS
    assert checks.context(objects(), {"flavour": "gitlab"}).model.codeowners is None


@pytest.mark.skipif(not (DEMO / ".github" / "CODEOWNERS").is_file(), reason="corpus absent")
def test_owners_explanation_on_microservices_demo_uses_its_real_codeowners() -> None:
    result = explain(load_model(DEMO), ["src/frontend/main.go", "kubernetes-manifests/x.yaml"])
    for item in result:
        assert item["state"] == "owned"
        assert item["owners"] == ["@GoogleCloudPlatform/devrel-flagship-app-maintainers",
                                  "@yoshi-approver"]
        assert item["decided_by"] == [{"file": ".github/CODEOWNERS", "line": 6, "pattern": "*",
                                       "owners": item["owners"], "section": None}]
    text = render(result)
    assert "decided by .github/CODEOWNERS:6 '*'" in text
