"""`platform-lint owners PATH...`: who owns each path, and why.

`load_model` reads the repository's active CODEOWNERS file and its charters;
`explain` turns the model's answer for each path into plain data (for JSON
output); `render` into text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_lint.config import DEFAULT_CHARTERS
from platform_lint.discovery import SourceFile, discover
from platform_lint.globs import matcher
from platform_lint.model import Document
from platform_lint.ownership import codeowners as co
from platform_lint.ownership.model import OwnershipModel, build
from platform_lint.sources import charters as charter_source
from platform_lint.sources import codeowners as codeowners_source

_ALL_LOCATIONS = frozenset(co.LOCATIONS["github"] + co.LOCATIONS["gitlab"])


def load_model(
    root: Path,
    *,
    charters: Sequence[str] = DEFAULT_CHARTERS,
    flavour: co.Flavour | None = None,
    teams: Mapping[str, Mapping[str, Any]] | None = None,
    max_size: int = 2 * 1024 * 1024,
) -> OwnershipModel:
    """The ownership model of the repository at `root`."""
    files, _ = discover(root, None, max_size=max_size)
    return model_of(files, charters=charters, flavour=flavour, teams=teams)


def model_of(
    files: Iterable[SourceFile],
    *,
    charters: Sequence[str] = DEFAULT_CHARTERS,
    flavour: co.Flavour | None = None,
    teams: Mapping[str, Mapping[str, Any]] | None = None,
) -> OwnershipModel:
    """The ownership model of a repository whose files are already read."""
    is_charter = matcher(charters)
    owners_docs: list[Document] = []
    charter_docs: list[Document] = []
    for f in files:
        text = f.content.decode("utf-8-sig", errors="replace")
        if f.path in _ALL_LOCATIONS:
            owners_docs.append(codeowners_source.document(f.path, text))
        elif is_charter is not None and is_charter(f.path):
            charter_docs.extend(charter_source.load(f.path, text, lambda _: None).documents)
    return build(owners_docs, charter_docs, flavour=flavour, teams=teams)


def explain(model: OwnershipModel, paths: Iterable[str]) -> list[dict[str, Any]]:
    """For each path: state, owners, teams with escalation contacts, deciding lines."""
    out: list[dict[str, Any]] = []
    for path in paths:
        answer = model.owners_of(path)
        out.append({
            "path": answer.path,
            "state": answer.state,
            "explicitly_unowned": answer.state == "unowned",
            "owners": list(answer.owners),
            "teams": [{"name": t.name, "escalation": t.escalation, "charter": t.charter}
                      for t in answer.teams],
            "decided_by": [
                {"file": d.where.file, "line": d.where.line, "pattern": d.where.text,
                 "owners": list(d.owners), "section": d.section}
                for d in answer.decisions
            ],
            "charter_claims": [
                {"team": t.name, "file": w.file, "line": w.line, "surface": w.text}
                for t, w in answer.claims
            ],
            "conflict": bool(answer.conflicts()),
        })
    return out


def render(explanations: Sequence[Mapping[str, Any]]) -> str:
    lines: list[str] = []
    for item in explanations:
        state = {"owned": "owned", "unowned": "explicitly unowned",
                 "unmatched": "no owner (no pattern or charter covers it)"}[item["state"]]
        lines.append(f"{item['path']}: {state}")
        if item["owners"]:
            lines.append(f"  owners: {' '.join(item['owners'])}")
        for team in item["teams"]:
            contact = team["escalation"] or "none in its charter"
            lines.append(f"  team: {team['name']} (escalation: {contact})")
        for d in item["decided_by"]:
            section = f" [section {d['section']}]" if d["section"] else ""
            lines.append(f"  decided by {d['file']}:{d['line']} '{d['pattern']}'{section}")
        for c in item["charter_claims"]:
            lines.append(f"  claimed by charter {c['file']}:{c['line']} '{c['surface']}' "
                         f"({c['team']})")
        if item["conflict"]:
            lines.append("  conflict: the charter and CODEOWNERS disagree")
    return "\n".join(lines) + ("\n" if lines else "")
