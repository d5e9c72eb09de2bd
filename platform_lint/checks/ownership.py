"""Ownership checks: CODEOWNERS hygiene, charters, and what a change crosses.

Change-aware checks run `over="set"` on the change document (see
`platform_lint.changes`), every CODEOWNERS file and every charter. A finding
about a changed path is reported on that path's first line (the path may be
deleted; it is still where the change is). A finding about a CODEOWNERS or
charter line points at the pattern, owner or surface at fault.

Common parameters: `flavour` (github, gitlab or auto) and `teams`, the
configuration's extra data per team name (`members`, `github_team`,
`escalation`), used with the charters' own.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Document, Obj, Span
from platform_lint.ownership import codeowners as co
from platform_lint.ownership.model import (
    Ownership,
    OwnershipModel,
    Team,
    Where,
    build,
    describe,
    surface_pattern,
)
from platform_lint.records import record

CHECKS = Registry()

_COMMON: dict[str, Any] = {
    "flavour": {"enum": ["github", "gitlab", "auto"]},
    "teams": {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "members": {"type": "array", "items": {"type": "string"}},
                "github_team": {"type": "string"},
                "escalation": {"type": "string"},
            },
        },
    },
}


def _params(**extra: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": {**_COMMON, **extra}}


_PROTECTED_ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["paths"],
    "properties": {
        "paths": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "requires": {"type": "array", "items": {"type": "string"}},
    },
}


@record(frozen=True)
class Context:
    change: Mapping[str, Any] | None
    model: OwnershipModel
    codeowners: list[Obj]
    charters: list[Obj]

    @property
    def has_sources(self) -> bool:
        return self.model.codeowners is not None or bool(self.model.teams)

    def touched(self) -> list[tuple[str, str]]:
        """(path, how) for each path the change touches; renames under both paths."""
        if self.change is None:
            return []
        out: dict[str, str] = {}
        for f in self.change.get("files", ()):
            if f.get("old_path"):
                out.setdefault(f["old_path"], f"renamed to {f['path']}")
                out.setdefault(f["path"], f"renamed from {f['old_path']}")
            else:
                out.setdefault(f["path"], str(f.get("status", "modified")))
        return list(out.items())

    @property
    def tree(self) -> list[str] | None:
        tree = self.change.get("tree") if self.change is not None else None
        return list(tree) if tree is not None else None

    @property
    def in_change_mode(self) -> bool:
        return self.change is not None and self.change.get("mode") == "change"


def _flavour(params: Mapping[str, Any]) -> co.Flavour | None:
    value = params.get("flavour", "auto")
    return None if value == "auto" else value


def context(objs: Sequence[Obj], params: Mapping[str, Any]) -> Context:
    change = next((o.value for o in objs if o.doc.kind == "change"
                   and isinstance(o.value, Mapping)), None)
    owners = [o for o in objs if o.doc.kind == "codeowners"]
    charters = [o for o in objs if o.doc.kind == "charter"]
    model = build([o.doc for o in owners], [o.doc for o in charters],
                  flavour=_flavour(params), teams=params.get("teams"))
    return Context(change, model, owners, charters)


def acting_team(ctx: Context) -> tuple[Team | None, str]:
    """The acting team and how it was found, from the change's team or identities."""
    change = ctx.change or {}
    name = change.get("team")
    if name:
        team = ctx.model.find_team(name) or Team(name=name)
        return team, f"{team.name} (from {change.get('team_source') or 'the command line'})"
    for key, label in (("actor", "GITHUB_ACTOR"), ("email", "git user.email")):
        identity = change.get(key)
        member = ctx.model.team_of_identity(identity) if identity else None
        if member is not None:
            where = f"listed in {member.charter}" if member.charter else "configured"
            return member, f"{member.name} ({label} {identity} is {where})"
    return None, ""


def _at_path(path: str) -> Obj:
    """An anchor for a finding about a changed path: its first line."""
    doc = Document(path=path, kind="change", data=None, spans={(): Span.point(1)})
    return Obj(doc=doc, kind="change", name=path)


def _owning(ownership: Ownership) -> str:
    """Who owns a path, the lines that say so, and who to escalate to, for messages."""
    if ownership.teams:
        names = ", ".join(t.name for t in ownership.teams)
        contacts = ", ".join(dict.fromkeys(t.contact for t in ownership.teams))
    else:
        names = ", ".join(ownership.owners)
        contacts = "none (no charter describes these owners)"
    return f"{names} ({describe(ownership)}; escalation contact: {contacts})"


def _where_obj(ctx: Context, where: Where) -> Obj | None:
    return next((o for o in ctx.codeowners + ctx.charters if o.doc.path == where.file), None)


def _span(where: Where) -> Span:
    return Span(where.line, where.col, where.line, where.col + len(where.text))


# --- change-aware checks --------------------------------------------------------


@CHECKS.check("cross-team-edit", over="set", params=_params())
def cross_team_edit(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A changed path owned by a team other than the acting team."""
    ctx = context(objs, params)
    if not ctx.in_change_mode:
        return
    team, how = acting_team(ctx)
    if team is None:
        return  # `unknown-acting-team` says so, once
    for path, status in ctx.touched():
        ownership = ctx.model.owners_of(path)
        if ownership.state != "owned" or ownership.owned_by(team):
            continue
        yield Hit(
            _at_path(path),
            f"{path} ({status}) is owned by {_owning(ownership)}; the acting team {how} "
            "may not change it unilaterally: get the owning team's review or escalate",
            properties={"owning_teams": [t.name for t in ownership.teams],
                        "owners": list(ownership.owners), "acting_team": team.name},
        )


@CHECKS.check("unknown-acting-team", over="set", params=_params())
def unknown_acting_team(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """One note when a change is checked but no acting team can be determined."""
    ctx = context(objs, params)
    touched = ctx.touched()
    if not ctx.in_change_mode or not ctx.has_sources or not touched:
        return
    team, _ = acting_team(ctx)
    if team is not None:
        return
    change = ctx.change or {}
    tried = ", ".join(f"{k} {change[k]}" for k in ("email", "actor") if change.get(k))
    yield Hit(
        _at_path(touched[0][0]),
        "cross-team edits were not checked: no acting team could be determined"
        + (f" (no charter or configured team lists {tried})" if tried else "")
        + "; pass --team NAME, set PLATFORM_LINT_TEAM, or list your git user.email under "
        "`members:` in your team charter's front matter",
    )


@CHECKS.check("unowned-path", over="set",
              params=_params(include_explicitly_unowned={"type": "boolean"}))
def unowned_path(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A changed path (every path in full-repo mode) that no one owns."""
    ctx = context(objs, params)
    if ctx.change is None or not ctx.has_sources:
        return
    states = {"unmatched", "unowned"} if params.get("include_explicitly_unowned") else {
        "unmatched"}
    paths = [p for p, _ in ctx.touched()]
    for path in paths:
        ownership = ctx.model.owners_of(path)
        if ownership.state not in states:
            continue
        top = path.split("/", 1)[0] + ("/" if "/" in path else "")
        if ownership.state == "unowned":
            why = f"{describe(ownership)} leaves it explicitly unowned"
        else:
            where = ctx.model.codeowners.path if ctx.model.codeowners else "CODEOWNERS"
            why = f"no pattern in {where} and no charter's owned surfaces cover it"
        yield Hit(_at_path(path),
                  f"{path} has no owner: {why}; add a line such as '/{top} @org/team' "
                  "or list it under a charter's Owned Surfaces")


@CHECKS.check("ownership-conflict", over="set", params=_params())
def ownership_conflict(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A charter and CODEOWNERS give the same path to different owners."""
    ctx = context(objs, params)
    paths = ctx.tree if ctx.tree is not None else [p for p, _ in ctx.touched()]
    seen: set[tuple[Where, Where]] = set()
    for path in paths:
        for team, claim, decision in ctx.model.owners_of(path).conflicts():
            if (claim, decision.where) in seen:
                continue
            seen.add((claim, decision.where))
            anchor = _where_obj(ctx, decision.where)
            if anchor is None:
                continue
            owners = ", ".join(decision.owners) or "no one (explicitly unowned)"
            yield Hit(
                anchor,
                f"'{decision.where.text}' gives {path} to {owners} here, but charter {claim} "
                f"('{claim.text}') gives it to {team.name}; make them agree: put the team's "
                f"CODEOWNERS handle on this line, or `github_team:` in the charter's front "
                "matter if that handle is the team",
                span=_span(decision.where),
            )


@CHECKS.check("protected-path-change", over="set", params=_params(
    protected={"type": "array", "items": _PROTECTED_ITEM},
    companions={"type": "array", "items": {"type": "string"}},
))
def protected_path_change(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A change to a protected path without a companion file (migration plan, changelog)."""
    ctx = context(objs, params)
    if not ctx.in_change_mode:
        return
    default = tuple(params.get("companions", ()))
    rules: list[tuple[str, list[co.Pattern], tuple[str, ...]]] = [
        (f"{team.name}'s charter {p.where}", list(p.paths), p.requires or default)
        for team in ctx.model.teams for p in team.protected
    ]
    rules += [
        ("the configuration", [surface_pattern(g) for g in item["paths"]],
         tuple(item.get("requires", ())) or default)
        for item in params.get("protected", ())
    ]
    files = (ctx.change or {}).get("files", ())
    present = [f["path"] for f in files if f.get("status") != "deleted"]
    for source, patterns, requires in rules:
        if not requires:
            continue
        needed = [co.compile_pattern(g if "/" in g.rstrip("/") else "/" + g) for g in requires]
        if any(n.matches(p) for n in needed for p in present):
            continue
        for path, status in ctx.touched():
            if any(p.matches(path) for p in patterns):
                yield Hit(
                    _at_path(path),
                    f"{path} ({status}) is protected by {source}: a change here needs a "
                    f"companion file matching {' or '.join(requires)} in the same change "
                    "(for example a migration plan or changelog entry); add one",
                )


# --- CODEOWNERS hygiene ------------------------------------------------------------


def _parsed(obj: Obj, params: Mapping[str, Any]) -> co.CodeOwners:
    parsed: co.CodeOwners = obj.doc.model
    flavour = _flavour(params)
    if flavour is not None and parsed.flavour != flavour:
        return co.parse("\n".join(obj.doc.lines), obj.doc.path, flavour)
    return parsed


def _entry_span(entry: co.Entry) -> Span:
    t = entry.pattern_token
    return Span(entry.line, t.col, entry.line, t.end_col)


@CHECKS.check("codeowners-syntax-error", params=_params())
def codeowners_syntax_error(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Lines GitHub or GitLab reject (and skip): `!`, `[ ]`, `\\#`, malformed owners."""
    parsed = _parsed(obj, params)
    for issue in parsed.issues:
        skipped = parsed.flavour == "github" or not issue.message.startswith("owner ")
        yield Hit(obj, f"{issue.message}; the host ignores this "
                       + ("line" if skipped else "owner and keeps the line's others"),
                  span=Span(issue.line, issue.col, issue.line, issue.end_col))


def _by_section(entries: Iterable[co.Entry]) -> dict[str | None, list[co.Entry]]:
    out: dict[str | None, list[co.Entry]] = {}
    for entry in entries:
        out.setdefault(_section_key(entry), []).append(entry)
    return out


@CHECKS.check("duplicate-codeowners-pattern", params=_params())
def duplicate_codeowners_pattern(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The same pattern twice (in one GitLab section): only the last one ever applies."""
    for entries in _by_section(_parsed(obj, params).entries).values():
        first: dict[str, co.Entry] = {}
        for entry in entries:
            text = entry.pattern.text
            earlier = first.setdefault(text, entry)
            if earlier is entry:
                continue
            owners = " ".join(dict.fromkeys(earlier.owner_names + entry.owner_names))
            yield Hit(obj, f"pattern '{text}' repeats line {earlier.line}, whose owners are "
                           f"then ignored; keep one line: '{text} {owners}'".rstrip(),
                      span=_entry_span(entry))


_CATCH_ALL = frozenset({"*", "**", "/**", "**/*", "/*/**"})


@CHECKS.check("shadowed-codeowners-pattern", over="set", params=_params())
def shadowed_codeowners_pattern(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A pattern that a later one always overrides (the last match wins)."""
    ctx = context(objs, params)
    tree = ctx.tree
    for obj in ctx.codeowners:
        parsed = _parsed(obj, params)
        find = _Overrides(parsed, tree)
        for entries in _by_section(parsed.entries).values():
            for earlier, catch_all in zip(entries, _next_catch_alls(entries), strict=True):
                found = [e for e in (catch_all, find.first_cover(earlier)) if e is not None]
                if not found or earlier.exclusion:  # GitLab: an exclusion wins, wherever it is
                    continue
                later = min(found, key=lambda e: e.line)
                yield Hit(
                    obj,
                    f"'{earlier.pattern.text}' never decides ownership: '{later.pattern.text}' "
                    f"on line {later.line} matches every path it matches and the last match "
                    f"wins; move this line below line {later.line} or delete it",
                    span=_entry_span(earlier),
                )


def _next_catch_alls(entries: Sequence[co.Entry]) -> list[co.Entry | None]:
    """For each entry, the first later catch-all (`*`, `**`...) with another text."""
    out: list[co.Entry | None] = []
    nearest: co.Entry | None = None  # the first catch-all after the current entry
    other: co.Entry | None = None  # the first one after it with another text
    for entry in reversed(entries):
        pick = other if nearest is not None and nearest.pattern.text == entry.pattern.text else nearest
        out.append(pick)
        if entry.pattern.text in _CATCH_ALL:
            if nearest is not None and nearest.pattern.text != entry.pattern.text:
                other = nearest
            nearest = entry
    return out[::-1]


class _Overrides:
    """The first later entry (same section, another text) matching every path an
    entry matches: every file of the tree when it is known, else, for a literal
    entry, the path itself and a path below it. Candidates come from the entries
    matching one of those paths, never from every later line."""

    def __init__(self, parsed: co.CodeOwners, tree: Sequence[str] | None) -> None:
        self._parsed = parsed
        self._matched = None if tree is None else parsed.matched_files(tree)
        self._by_file: dict[str, list[co.Entry]] = {}
        if self._matched is not None:
            by_line = {e.line: e for e in parsed.entries}
            for line in sorted(self._matched):
                for path in self._matched[line]:
                    self._by_file.setdefault(path, []).append(by_line[line])

    def first_cover(self, earlier: co.Entry) -> co.Entry | None:
        if self._matched is not None:
            paths = self._matched[earlier.line]
            if not paths:
                return None
            fewest = self._by_file[min(paths, key=lambda p: len(self._by_file[p]))]
            after = bisect.bisect_right(fewest, earlier.line, key=lambda e: e.line)
            matched = self._matched
            return self._first_after(earlier, (e for e in fewest[after:] if paths <= matched[e.line]))
        text = earlier.pattern.text
        if not earlier.pattern.literal:
            return None
        base = text.strip("/")
        witnesses = [f"{base}/x"] if text.endswith("/") else [base, f"{base}/x"]
        lines = set.intersection(*({e.line for e in self._parsed.matcher.matching(w)} for w in witnesses))
        return self._first_after(earlier, sorted((e for e in self._parsed.entries if e.line in lines),
                                                 key=lambda e: e.line))

    @staticmethod
    def _first_after(earlier: co.Entry, ordered: Iterable[co.Entry]) -> co.Entry | None:
        section = _section_key(earlier)
        return next((e for e in ordered if e.line > earlier.line and _section_key(e) == section
                     and e.pattern.text != earlier.pattern.text), None)


def _section_key(entry: co.Entry) -> str | None:
    return entry.section.lower() if entry.section else None


@CHECKS.check("unmatched-codeowners-pattern", over="set", params=_params())
def unmatched_codeowners_pattern(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A pattern that matches no file of the repository (needs the file list)."""
    ctx = context(objs, params)
    tree = ctx.tree
    if tree is None:
        return
    for obj in ctx.codeowners:
        parsed = _parsed(obj, params)
        matched = parsed.matched_files(tree)
        unmatched = [e for e in parsed.entries if not matched[e.line]]
        folded = co.Matcher(unmatched, fold=True)
        near: dict[int, str] = {}
        for path in tree if unmatched else ():
            for entry in folded.matching(path):
                near.setdefault(entry.line, path)
        for entry in unmatched:
            hint = (f"; paths are case-sensitive and '{near[entry.line]}' differs only in case"
                    if entry.line in near
                    else "; brackets are literal in CODEOWNERS" if "[" in entry.pattern.text
                    else "")
            yield Hit(obj, f"pattern '{entry.pattern.text}' matches no file in the repository"
                           f"{hint}; fix the path or remove the line",
                      span=_entry_span(entry))


@CHECKS.check("non-team-codeowner", params=_params(require_teams={"type": "boolean"}))
def non_team_codeowner(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An owner that is a person or an email where the configuration asks for teams."""
    if not params.get("require_teams"):
        return
    parsed = _parsed(obj, params)
    tokens = [(e.line, o) for e in parsed.entries if not e.inherited for o in e.owners]
    tokens += [(s.line, o) for s in parsed.sections for o in s.defaults]
    for line, owner in tokens:
        if not co.is_team(owner.text):
            yield Hit(obj, f"owner '{owner.text}' is not a team; the configuration asks for "
                           "team owners such as '@org/team-name', which survive people moving",
                      span=Span(line, owner.col, line, owner.end_col))


# --- charters ----------------------------------------------------------------------


@CHECKS.check("charter-missing-owner", params={"type": "object", "additionalProperties": False})
def charter_missing_owner(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    if not obj.get("owner"):
        yield Hit(obj, f"charter '{obj.get('team') or obj.doc.path}' names no owner; add a "
                       "line '**Owner:** `team-handle`' under the title (or `owner:` in its "
                       "front matter)", path=("owner",))


@CHECKS.check("charter-missing-surfaces", params={"type": "object", "additionalProperties": False})
def charter_missing_surfaces(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    if not obj.get("surfaces"):
        yield Hit(obj, f"charter '{obj.get('team') or obj.doc.path}' lists no owned surfaces; "
                       "add an '## Owned Surfaces' list of paths in bold or code spans, such "
                       "as '- **/services/billing/**: the billing service'", path=("surfaces",))
