"""SARIF 2.1.0, the format GitHub code scanning and IDE viewers read.

One run: the active rules with their docs, every finding (suppressed ones
carry a `suppressions` entry), and the invocation's notifications. Output is
deterministic: no timestamps or machine paths, keys sorted, results in
finding order. Locations are relative to `%SRCROOT%`, the working directory.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from platform_lint import __version__
from platform_lint.finding import Finding, Severity
from platform_lint.rule_docs import help_uri, markdown

if TYPE_CHECKING:
    from platform_lint.report import ReportContext
    from platform_lint.rules import Rule
    from platform_lint.scan_result import ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://platform-lint.dev"
FINGERPRINT_KEY = "platformLint/v1"
"""partialFingerprints key; the value is stable across line shifts."""

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_SUPPRESSION_KINDS = {"inline": "inSource", "annotation": "inSource"}
"""How each `Suppressed.by` maps to SARIF; exemptions and the baseline are external."""


def _name(rule_id: str) -> str:
    """`recreate-deploy-strategy` -> `RecreateDeployStrategy`, SARIF's readable name."""
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _descriptor(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:  # a finding from a rule the context does not know
        return {"id": rule_id, "name": _name(rule_id)}
    docs = markdown(rule)
    uri = help_uri(rule)  # the published page of a built-in rule; a user's rule has none
    return {
        "id": rule.id,
        "name": _name(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(str(rule.docs["summary"]).split())},
        "help": {"text": docs, "markdown": docs},
        **({"helpUri": uri} if uri else {}),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"category": rule.category, "tags": [rule.category]},
    }


def _location(finding: Finding, ctx: ReportContext) -> dict[str, Any]:
    span = finding.span
    return {
        "physicalLocation": {
            "artifactLocation": {
                "uri": quote(ctx.display(finding.path), safe="/"),
                "uriBaseId": "%SRCROOT%",
            },
            "region": {
                "startLine": span.line,
                "startColumn": span.col,
                "endLine": span.end_line,
                "endColumn": span.end_col,
            },
        }
    }


def _result(finding: Finding, index: int, ctx: ReportContext) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding, ctx)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.properties:
        out["properties"] = finding.properties
    related = finding.properties.get("relatedLocations")
    if isinstance(related, list) and related:  # a rendered Helm object: the template line
        out["relatedLocations"] = [
            {"id": i, "message": {"text": str(r.get("message", ""))},
             "physicalLocation": {
                 "artifactLocation": {"uri": quote(ctx.display(str(r["path"])), safe="/"),
                                      "uriBaseId": "%SRCROOT%"},
                 "region": {"startLine": int(r["line"]), "startColumn": int(r.get("column", 1))}}}
            for i, r in enumerate(related)
        ]
    return out


def _notifications(result: ScanResult) -> list[dict[str, Any]]:
    out = [
        {"level": "error", "message": {"text": e}, "descriptor": {"id": "internal-error"}}
        for e in result.errors
    ]
    reasons = Counter(s.reason for s in result.skipped)
    out += [
        {
            "level": "note",
            "message": {"text": f"skipped {n} file{'' if n == 1 else 's'}: {reason}"},
            "descriptor": {"id": "skipped-files"},
        }
        for reason, n in sorted(reasons.items())
    ]
    if result.unparseable:
        n = len(result.unparseable)
        out.append({
            "level": "warning",
            "message": {"text": f"{n} file{'' if n == 1 else 's'} could not be parsed"},
            "descriptor": {"id": "unparseable-files"},
        })
    return out


def sarif(result: ScanResult, ctx: ReportContext) -> dict[str, Any]:
    """The SARIF log as plain data."""
    suppressed = [(s.finding, s.by) for s in result.suppressed]
    everything = sorted([*((f, None) for f in result.findings), *suppressed],
                        key=lambda pair: pair[0].sort_key())
    rule_ids = sorted({*result.rules, *(f.rule_id for f, _ in everything)})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for finding, by in everything:
        entry = _result(finding, index[finding.rule_id], ctx)
        if by is not None:
            entry["suppressions"] = [
                {"kind": _SUPPRESSION_KINDS.get(by, "external"), "status": "accepted",
                 "properties": {"suppressedBy": by}}
            ]
        results.append(entry)
    counts = result.counts()
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "platform-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(r, ctx.rules.get(r)) for r in rule_ids],
            }},
            "invocations": [{
                "executionSuccessful": not result.errors,
                "toolExecutionNotifications": _notifications(result),
                "properties": {
                    **counts,
                    "suppressed": len(result.suppressed),
                    "filesScanned": result.files_scanned,
                    "filesSkipped": len(result.skipped),
                    "filesUnparseable": len(result.unparseable),
                },
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(result: ScanResult, ctx: ReportContext) -> str:
    return json.dumps(sarif(result, ctx), indent=2, sort_keys=True) + "\n"
