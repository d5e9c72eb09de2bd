"""The readiness scorecard: how far a repository is from production-ready.

One whole-repository scan runs the rule pack together with the evidence the
criteria file asks for (each piece of evidence is a rule whose check is
`checks.readiness.evidence`). Then, from findings and evidence alone:

- each item of the validation protocol is `pass`, `fail` (with the findings
  or the missing evidence behind it) or `unknown` (nothing it applies to);
- the maturity level is the highest level whose criteria, and those of every
  level below it, all hold.

The criteria are data (`readiness/levels.yaml`, replaceable with
`--criteria`), validated against `schemas/readiness-criteria.schema.json`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_lint.errors import PlatformLintError
from platform_lint.finding import Finding, Severity
from platform_lint.globs import matches
from platform_lint.records import replace
from platform_lint.resources import data_dir, schema
from platform_lint.rules import Rule, Scope

EVIDENCE_PREFIX = "evidence:"
_ALL_DOCUMENTS = frozenset({"kubernetes", "yaml", "terraform", "pipeline", "codeowners", "charter"})


class CriteriaError(PlatformLintError, ValueError):
    """A criteria file that is not valid; the message names file, line and key."""


def default_criteria() -> Path:
    return data_dir("readiness") / "levels.yaml"


def load_criteria(path: Path) -> dict[str, Any]:
    from platform_lint.sources.yaml_tree import one_document
    from platform_lint.validation import describe, schema_errors

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path}: cannot read the criteria file: {exc}") from None
    doc = one_document(str(path), text, "criteria", CriteriaError)
    for error in schema_errors(doc.data, schema("readiness-criteria")):
        raise CriteriaError(describe(str(path), error, lambda p: doc.locate(p, key=True)))
    data: dict[str, Any] = doc.data
    names = set(data["evidence"])
    items = {i["id"] for i in data["checklist"]}
    for where, name in _references(data):
        known = items if where == "item" else names
        if name not in known:
            raise CriteriaError(f"{path}: {where} {name!r} is named but not defined")
    return data


def _references(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    refs = [("evidence", n) for i in data["checklist"]
            for n in (*i.get("applies_if", ()), *i.get("requires", ()))]
    for level in data["levels"]:
        for c in level.get("criteria", ()):
            if "evidence" in c:
                refs.append(("evidence", c["evidence"]))
            if "item" in c:
                refs.append(("item", c["item"]))
    return refs


def evidence_rules(criteria: Mapping[str, Any]) -> list[Rule]:
    """One rule per way a piece of evidence can be seen."""
    out: list[Rule] = []
    for name, ways in criteria["evidence"].items():
        for i, way in enumerate(ways):
            params = {k: way[k] for k in ("where", "pipeline") if k in way}
            documents = frozenset(way.get("documents", ())) or (
                frozenset({"pipeline"}) if "pipeline" in way else _ALL_DOCUMENTS)
            out.append(Rule(
                id=f"{EVIDENCE_PREFIX}{name}:{i}", title=f"evidence: {name}", severity=Severity.NOTE,
                category="readiness",
                scope=Scope(documents=documents, kinds=frozenset(way.get("kinds", ())),
                            paths=tuple(way.get("paths", ()))),
                docs={}, source="readiness criteria", check="readiness.evidence", params=params))
    return out


# ---------------------------------------------------------------- judging


@dataclass(slots=True)
class Verdict:
    """A checklist item or a level criterion, judged."""

    id: str
    title: str
    status: str
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status,
                "reasons": list(self.reasons), "findings": [f.to_dict() for f in self.findings]}


@dataclass(slots=True)
class Level:
    level: int
    name: str
    summary: str
    met: bool
    criteria: list[Verdict]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "name": self.name, "summary": self.summary, "met": self.met,
                "criteria": [c.to_dict() for c in self.criteria]}


@dataclass(slots=True)
class Scorecard:
    root: str
    criteria: str
    level: int
    name: str
    target: int
    checklist: list[Verdict]
    levels: list[Level]
    evidence: dict[str, list[str]]
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "criteria": self.criteria,
            "level": self.level,
            "level_name": self.name,
            "target": self.target,
            "meets_target": self.level >= self.target,
            "checklist": [v.to_dict() for v in self.checklist],
            "levels": [lv.to_dict() for lv in self.levels],
            "evidence": {k: list(v) for k, v in sorted(self.evidence.items())},
            "errors": list(self.errors),
        }


def _selected(findings: Sequence[Finding], spec: Mapping[str, Any]) -> list[Finding]:
    names = set(spec.get("rules", ()))
    paths = spec.get("paths", ())
    return [f for f in findings if (f.rule_id in names or f.category in names)
            and (not paths or any(matches(f.path, g) for g in paths))]


def _describe(findings: Sequence[Finding]) -> str:
    rules = sorted({f.rule_id for f in findings})
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(rules)})"


def judge_item(item: Mapping[str, Any], findings: Sequence[Finding],
               evidence: Mapping[str, list[str]]) -> Verdict:
    verdict = Verdict(item["id"], item["title"], "pass")
    applies = item.get("applies_if", ())
    if applies and not any(evidence.get(n) for n in applies):
        verdict.status = "unknown"
        verdict.reasons.append(item.get("unknown", f"none of {', '.join(applies)} found"))
        return verdict
    for name in item.get("requires", ()):
        if not evidence.get(name):
            verdict.status = "fail"
            verdict.reasons.append(f"no {name} found")
    for spec in item.get("fails_on", ()):
        hit = _selected(findings, spec)
        if hit:
            verdict.status = "fail"
            verdict.findings.extend(hit)
            verdict.reasons.append(_describe(hit))
    if verdict.status == "pass":
        seen = [f"{n}: {evidence[n][0]}" for n in (*applies, *item.get("requires", ())) if evidence.get(n)]
        verdict.reasons.append("; ".join(seen) if seen else "no finding")
    return verdict


def judge_criterion(i: int, criterion: Mapping[str, Any], findings: Sequence[Finding],
                    evidence: Mapping[str, list[str]], items: Mapping[str, Verdict]) -> Verdict:
    title = criterion.get("title", "")
    if "evidence" in criterion:
        name = criterion["evidence"]
        seen = evidence.get(name, [])
        title = title or f"{name} present"
        return Verdict(f"{i}", title, "pass" if seen else "fail",
                       [f"{name}: {seen[0]}" + (f" (and {len(seen) - 1} more)" if len(seen) > 1 else "")]
                       if seen else [f"no {name} found"])
    if "item" in criterion:
        item = items[criterion["item"]]
        wanted = criterion.get("status", ["pass"])
        title = title or item.title
        return Verdict(f"{i}", title, "pass" if item.status in wanted else "fail",
                       [f"checklist item {item.status}", *item.reasons], list(item.findings))
    hit = _selected(findings, criterion["no_findings"])
    title = title or f"no {', '.join(criterion['no_findings']['rules'])} findings"
    return Verdict(f"{i}", title, "fail" if hit else "pass",
                   [_describe(hit)] if hit else ["no finding"], hit)


def judge(root: str, criteria: Mapping[str, Any], source: str, findings: Sequence[Finding],
          evidence: Mapping[str, list[str]], errors: Sequence[str] = ()) -> Scorecard:
    checklist = [judge_item(item, findings, evidence) for item in criteria["checklist"]]
    items = {v.id: v for v in checklist}
    levels: list[Level] = []
    reached = 0
    for spec in sorted(criteria["levels"], key=lambda lv: lv["level"]):
        verdicts = [judge_criterion(i, c, findings, evidence, items)
                    for i, c in enumerate(spec.get("criteria", ()), start=1)]
        met = all(v.status == "pass" for v in verdicts)
        levels.append(Level(spec["level"], spec["name"], spec.get("summary", ""), met, verdicts))
        if met and reached == spec["level"] - 1:
            reached = spec["level"]
    name = next((lv.name for lv in levels if lv.level == reached), "none")
    return Scorecard(root, source, reached, name, int(criteria.get("target", 3)), checklist, levels,
                     dict(evidence), list(errors))


def scorecard(run: Any, criteria_path: Path | None = None) -> Scorecard:
    """Scan `run`'s repository (a `run.Run`) and judge it against the criteria."""
    from platform_lint.engine import scan

    path = criteria_path or default_criteria()
    criteria = load_criteria(path)
    extra = evidence_rules(criteria)
    options = replace(run.options, only=None)
    result = scan(run.root, run.config, [*run.active, *extra], options)
    shown = [replace(f, path=_shown(run, f.path)) for f in result.findings]
    findings, evidence = split(shown, criteria)
    return judge(_shown(run, "."), criteria, str(path), findings, evidence, result.errors)


def split(found: Sequence[Finding],
          criteria: Mapping[str, Any]) -> tuple[list[Finding], dict[str, list[str]]]:
    """A scan's findings, and where each piece of evidence was seen (its evidence rules' hits)."""
    findings = [f for f in found if not f.rule_id.startswith(EVIDENCE_PREFIX)]
    evidence: dict[str, list[str]] = {name: [] for name in criteria["evidence"]}
    for f in found:
        if f.rule_id.startswith(EVIDENCE_PREFIX):
            name = f.rule_id[len(EVIDENCE_PREFIX):].rsplit(":", 1)[0]
            evidence[name].append(f"{f.path}:{f.span.line} {f.message}")
    return findings, evidence


def _shown(run: Any, path: str) -> str:
    """A path as findings show it; the repository itself (".") as its root."""
    return run.display(path) if path != "." else (run.display("").rstrip("/") or ".")


# ---------------------------------------------------------------- text


_MARK = {"pass": "PASS", "fail": "FAIL", "unknown": "UNKNOWN"}


def render_text(card: Scorecard, *, limit: int = 5) -> str:
    out = [f"Readiness of {card.root}: level {card.level} ({card.name}); target level {card.target}"
           f" {'met' if card.level >= card.target else 'not met'}", "", "Validation protocol:"]
    for v in card.checklist:
        out.append(f"  {_MARK[v.status]:<8} {v.title}: {'; '.join(v.reasons)}")
        out += _finding_lines(v.findings, limit)
    out += ["", "Maturity levels:"]
    for lv in card.levels:
        out.append(f"  level {lv.level} {lv.name} ({lv.summary}): {'met' if lv.met else 'not met'}")
        for c in lv.criteria:
            mark = "+" if c.status == "pass" else "-"
            out.append(f"    {mark} {c.title}: {'; '.join(c.reasons[:2])}")
            if c.status != "pass":
                out += _finding_lines(c.findings, 3, indent="        ")
    out += [f"error: {e}" for e in card.errors]
    return "\n".join(out) + "\n"


def _finding_lines(findings: Sequence[Finding], limit: int, indent: str = "           ") -> list[str]:
    lines = [f"{indent}{f.path}:{f.span.line}:{f.span.col} [{f.rule_id}] {f.message}"
             for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"{indent}... and {len(findings) - limit} more")
    return lines
