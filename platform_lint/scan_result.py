"""What a scan returns (`ScanResult`), and its exact form as plain JSON data.

Kept apart from the engine so that what only reads a result (the reporters, a
run answered from `run_memo`) imports no parser, rule or check. The plain
form gives back exactly the result it was made from, or says it cannot
(`NotStorable`: a property JSON would change, such as a tuple or a NaN); a
plain form of the wrong shape is refused with `ValueError`, never trusted.
"""

from __future__ import annotations

import math
from typing import Any

from platform_lint.discovery import Skipped
from platform_lint.finding import Finding, Severity
from platform_lint.model import Span
from platform_lint.records import field, record


@record(frozen=True)
class Suppressed:
    finding: Finding
    by: str
    """inline, annotation, exemption or baseline; for a hidden finding, its context class"""


@record()
class ScanResult:
    root: str
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    hidden: list[Suppressed] = field(default_factory=list)
    """Findings in test, example or docs contexts (`contexts`), left out unless asked for."""
    skipped: list[Skipped] = field(default_factory=list)
    files_scanned: int = 0
    unparseable: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Internal errors (a check that raised): the run fails with exit code 2."""
    rules: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        by = {str(s): 0 for s in Severity}
        for f in self.findings:
            by[str(f.severity)] += 1
        return by

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "summary": {
                **self.counts(),
                "suppressed": len(self.suppressed),
                "hidden": len(self.hidden),
                "files_scanned": self.files_scanned,
                "files_skipped": len(self.skipped),
                "files_unparseable": len(self.unparseable),
            },
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": [{**s.finding.to_dict(), "suppressed_by": s.by} for s in self.suppressed],
            "hidden": [{**s.finding.to_dict(), "context": s.by} for s in self.hidden],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "errors": list(self.errors),
            "rules": list(self.rules),
        }




class NotStorable(Exception):
    """A value holding something JSON cannot carry exactly."""


def encode_result(result: ScanResult) -> dict[str, Any]:
    """The plain form of `result` (raises `NotStorable`)."""
    return {
        "root": result.root,
        "findings": [encode_finding(f) for f in result.findings],
        "suppressed": [[encode_finding(s.finding), s.by] for s in result.suppressed],
        "hidden": [[encode_finding(s.finding), s.by] for s in result.hidden],
        "skipped": [[s.path, s.reason] for s in result.skipped],
        "files_scanned": result.files_scanned,
        "unparseable": list(result.unparseable),
        "errors": list(result.errors),
        "rules": list(result.rules),
    }


def decode_result(d: Any) -> ScanResult:
    """The result `encode_result` made `d` from (raises `ValueError` on any other shape)."""
    if not isinstance(d, dict):
        raise ValueError("result")
    return ScanResult(
        root=as_str(d["root"]),
        findings=[decode_finding(f) for f in d["findings"]],
        suppressed=[Suppressed(decode_finding(f), as_str(by)) for f, by in d["suppressed"]],
        hidden=[Suppressed(decode_finding(f), as_str(by)) for f, by in d["hidden"]],
        skipped=[Skipped(as_str(path), as_str(reason)) for path, reason in d["skipped"]],
        files_scanned=as_int(d["files_scanned"]),
        unparseable=[as_str(p) for p in d["unparseable"]],
        errors=[as_str(e) for e in d["errors"]],
        rules=[as_str(r) for r in d["rules"]],
    )


def encode_finding(f: Finding) -> list[Any]:
    check_plain(f.properties)
    return [f.rule_id, int(f.severity), f.path, encode_span(f.span), f.message, f.fingerprint,
            f.category, f.properties]


def decode_finding(f: list[Any]) -> Finding:
    rule, severity, path, span, message, fingerprint, category, properties = f
    if not isinstance(properties, dict):
        raise ValueError("properties")
    return Finding(as_str(rule), Severity(as_int(severity)), as_str(path), decode_span(span),
                   as_str(message), as_str(fingerprint), as_str(category), properties)


def encode_span(s: Span) -> list[int]:
    return [s.line, s.col, s.end_line, s.end_col]


def decode_span(s: list[Any]) -> Span:
    line, col, end_line, end_col = s
    return Span(as_int(line), as_int(col), as_int(end_line), as_int(end_col))


def check_plain(value: Any) -> None:
    """JSON gives back exactly this: no tuples, no non-string keys, no other types."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotStorable
            check_plain(v)
    elif isinstance(value, list):
        for v in value:
            check_plain(v)
    elif value is not None and (
        type(value) not in (str, int, float, bool)
        or (isinstance(value, float) and not math.isfinite(value))  # JSON has no NaN
    ):
        raise NotStorable


def as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def as_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not an integer")
    return value
