"""One ownership model from the active CODEOWNERS file and the team charters.

`owners_of(path)` answers who owns a path, which file and line decided it,
and whether the path is explicitly unowned (a CODEOWNERS pattern with no
owners) or simply matched by nothing. CODEOWNERS owners are tied to charter
teams by the charter's `github_team`, its owner handle, its members, or a
team slug equal to the team's name (`@acme/platform-engineering-team` is the
"Platform Engineering Team").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from platform_lint.model import Document, Span
from platform_lint.ownership import codeowners as co
from platform_lint.records import field, record

State = Literal["owned", "unowned", "unmatched"]


def slug(text: str) -> str:
    """A comparable name: `@org/Platform Team` and `platform-team` give `platform-team`."""
    tail = text.strip().lstrip("@").rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9]+", "-", tail.lower()).strip("-")


@record(frozen=True)
class Where:
    """A deciding line: a CODEOWNERS entry or a charter's owned surface."""

    file: str
    line: int
    col: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@record(frozen=True)
class Protected:
    paths: tuple[co.Pattern, ...]
    requires: tuple[str, ...]
    where: Where


@record(frozen=True)
class Team:
    name: str
    owner: str | None = None
    escalation: str | None = None
    github_team: str | None = None
    members: tuple[str, ...] = ()
    charter: str | None = None
    surfaces: tuple[tuple[co.Pattern, Where], ...] = ()
    protected: tuple[Protected, ...] = ()

    @property
    def aliases(self) -> frozenset[str]:
        names = (self.name, self.owner, self.github_team)
        return frozenset(slug(n) for n in names if n)

    @property
    def contact(self) -> str:
        """Who to escalate to: the charter's escalation contact, else its owner."""
        return self.escalation or self.owner or "no escalation contact in its charter"

    def is_member(self, identity: str) -> bool:
        wanted = identity.lower().lstrip("@")
        return any(m.lower().lstrip("@") == wanted for m in self.members)

    def claims(self, owner: str) -> bool:
        """True when a CODEOWNERS owner (`@org/team`, `@user`, email) stands for this team."""
        if self.github_team and owner.lower() == self.github_team.lower():
            return True
        if co.is_team(owner) or (self.owner and owner.lstrip("@") == self.owner.lstrip("@")):
            return slug(owner) in self.aliases
        return self.is_member(owner)


@record(frozen=True)
class Decision:
    """A CODEOWNERS entry that decided a path (one per GitLab section)."""

    where: Where
    owners: tuple[str, ...]
    section: str | None = None


@record(frozen=True)
class Ownership:
    path: str
    state: State
    owners: tuple[str, ...] = ()
    teams: tuple[Team, ...] = ()
    decisions: tuple[Decision, ...] = ()
    claims: tuple[tuple[Team, Where], ...] = ()
    """The charters' most specific owned surfaces that cover the path."""

    def owned_by(self, team: Team) -> bool:
        return team in self.teams or any(team.claims(o) for o in self.owners)

    @property
    def deciding(self) -> tuple[Where, ...]:
        return tuple(d.where for d in self.decisions) + tuple(w for _, w in self.claims)

    def conflicts(self) -> list[tuple[Team, Where, Decision]]:
        """Charter claims that the CODEOWNERS decision contradicts."""
        return [
            (team, where, decision)
            for team, where in self.claims
            for decision in self.decisions
            if not any(team.claims(o) for o in decision.owners)
        ]


@record()
class OwnershipModel:
    codeowners: co.CodeOwners | None = None
    teams: list[Team] = field(default_factory=list)

    def owners_of(self, path: str) -> Ownership:
        path = path.lstrip("/")
        entries = self.codeowners.decide(path) if self.codeowners is not None else []
        decisions = tuple(
            Decision(Where(self.codeowners.path, e.line, e.pattern_token.col, e.pattern_token.text),
                     e.owner_names, e.section)
            for e in entries
            if self.codeowners is not None
        )
        owners = tuple(dict.fromkeys(o for d in decisions for o in d.owners))
        claims = self._claims(path)
        teams = [t for t in self.teams if any(t.claims(o) for o in owners)]
        teams += [t for t, _ in claims if t not in teams]
        state: State = "owned" if owners or claims else "unowned" if decisions else "unmatched"
        return Ownership(path, state, owners, tuple(teams), decisions, claims)

    def _claims(self, path: str) -> tuple[tuple[Team, Where], ...]:
        found = [(len(w.text.strip("/*")), t, w)
                 for t in self.teams for p, w in t.surfaces if p.matches(path)]
        if not found:
            return ()
        best = max(n for n, _, _ in found)
        return tuple((t, w) for n, t, w in found if n == best)

    def find_team(self, name: str) -> Team | None:
        wanted = slug(name)
        return next((t for t in self.teams if wanted in t.aliases or t.claims(name)), None)

    def team_of_identity(self, identity: str) -> Team | None:
        """The team whose members list this email or handle."""
        return next((t for t in self.teams if t.is_member(identity)), None)


def surface_pattern(path: str) -> co.Pattern:
    """Charter paths are relative to the repository root: `server/` means `/server/`."""
    anchored = path if path.startswith(("/", "**", "*")) else "/" + path
    return co.compile_pattern(anchored)


def team_from_charter(doc: Document) -> Team | None:
    """The team a charter document describes, or None when it names no team."""
    data: Mapping[str, Any] = doc.data
    name = data.get("team") or data.get("owner")
    if not name:
        return None

    def where(path: tuple[str | int, ...], text: str) -> Where:
        span: Span = doc.locate(path)
        return Where(doc.path, span.line, span.col, text)

    surfaces = tuple(
        (surface_pattern(s["path"]), where(("surfaces", i, "path"), s["path"]))
        for i, s in enumerate(data.get("surfaces", ()))
    )
    protected = tuple(
        Protected(tuple(surface_pattern(p) for p in item["paths"]), tuple(item["requires"]),
                  where(("protected", i), ", ".join(item["paths"])))
        for i, item in enumerate(data.get("protected", ()))
    )
    return Team(
        name=name,
        owner=data.get("owner"),
        escalation=data.get("escalation") or _first_contact(data),
        github_team=data.get("github_team"),
        members=tuple(data.get("members", ())),
        charter=doc.path,
        surfaces=surfaces,
        protected=protected,
    )


def _first_contact(data: Mapping[str, Any]) -> str | None:
    contacts = data.get("escalations") or ()
    return str(contacts[0]["contact"]) if contacts else None


def _merge_config(teams: list[Team], configured: Mapping[str, Mapping[str, Any]]) -> list[Team]:
    """Add what the configuration says about teams (members, GitHub team, contact)."""
    out = list(teams)
    for name, extra in configured.items():
        members = tuple(str(m) for m in extra.get("members", ()))
        found = next((i for i, t in enumerate(out) if slug(name) in t.aliases), None)
        if found is None:
            out.append(Team(name=name, escalation=extra.get("escalation"),
                            github_team=extra.get("github_team"), members=members))
            continue
        team = out[found]
        out[found] = Team(
            name=team.name, owner=team.owner,
            escalation=team.escalation or extra.get("escalation"),
            github_team=team.github_team or extra.get("github_team"),
            members=team.members + members, charter=team.charter,
            surfaces=team.surfaces, protected=team.protected,
        )
    return out


def build(
    codeowners_docs: Iterable[Document],
    charter_docs: Iterable[Document],
    *,
    flavour: co.Flavour | None = None,
    teams: Mapping[str, Mapping[str, Any]] | None = None,
) -> OwnershipModel:
    """The model from parsed documents; the active CODEOWNERS file is chosen as the host would.

    `flavour` forces GitHub or GitLab reading (None: detect); `teams` is the
    configuration's extra team data by team name.
    """
    by_path = {d.path: d for d in codeowners_docs if isinstance(d.model, co.CodeOwners)}
    active = co.active_file(by_path, flavour)
    parsed: co.CodeOwners | None = None
    if active is not None:
        parsed = by_path[active].model
        if flavour is not None and parsed is not None and parsed.flavour != flavour:
            parsed = co.parse("\n".join(by_path[active].lines), active, flavour)
    found = [t for t in (team_from_charter(d) for d in charter_docs) if t is not None]
    return OwnershipModel(parsed, _merge_config(found, teams or {}))


def describe(ownership: Ownership) -> str:
    """The lines that give a path its owners, for messages:
    `.github/CODEOWNERS:4 '/server/ @acme/platform'; charter docs/charters/platform.md:14`."""
    parts = [f"{d.where} '{' '.join((d.where.text, *d.owners))}'" for d in ownership.decisions]
    parts += [f"charter {where}" for _, where in ownership.claims]
    return "; ".join(parts) or "no CODEOWNERS line or charter"
