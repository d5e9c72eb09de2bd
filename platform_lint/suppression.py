"""Suppressions: inline comments, Kubernetes annotations, config exemptions.

Each is turned into data (a Document the engine's own rules can judge:
a directive without a reason or naming an unknown rule is itself a finding)
and into a predicate over findings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable

from platform_lint.config import Exemption
from platform_lint.finding import Finding
from platform_lint.model import Document, Obj, Span
from platform_lint.records import record

# No `[` in the ids: from every `ignore[` the search would scan to the next `]`.
# `{{/* ... */}}` is a Go template comment: in a Helm template it leaves no trace in the output.
_INLINE = re.compile(r"(?P<open>#|//|/\*)\s*platform-lint:\s*ignore\[(?P<ids>[^\[\]]*)\](?P<reason>[^\n]*)")
ANNOTATION = "platform-lint.io/ignore"


@record(frozen=True)
class Directive:
    rule: str
    reason: str
    span: Span
    lines: tuple[int, int]
    """The range of lines (inclusive) it covers."""
    path: str


def inline_directives(doc: Document) -> list[Directive]:
    out: list[Directive] = []
    for number, text in enumerate(doc.lines, start=1):
        if "platform-lint" not in text:
            continue
        for match in _INLINE.finditer(text):
            reason = match["reason"].split(" #", 1)[0]  # a later comment is not a reason
            if match["open"] == "/*":
                reason = reason.split("*/", 1)[0]
            reason = reason.strip()
            # A comment alone on its line covers the next line; a trailing one, its own.
            own_line = text[: match.start()].strip() in ("", "{{", "{{-")
            for rule in (r.strip() for r in match["ids"].split(",")):
                covers = (number, number + 1) if own_line else (number, number)
                span = Span(number, match.start() + 1, number, match.end() + 1)
                out.append(Directive(rule, reason, span, covers, doc.path))
    return out


def annotation_directives(obj: Obj) -> list[Directive]:
    """`platform-lint.io/ignore: "rule-a=reason, rule-b=reason"` covers the whole object."""
    annotations = obj.get("metadata", "annotations")
    value = annotations.get(ANNOTATION) if isinstance(annotations, dict) else None
    if not isinstance(value, str):
        return []
    span = obj.doc.locate((*obj.path, "metadata", "annotations", ANNOTATION))
    whole = obj.doc.spans.get(obj.path, span)
    out = []
    for item in (part.strip() for part in value.split(",")):
        if item:
            rule, _, reason = item.partition("=")
            out.append(Directive(rule.strip(), reason.strip(), span,
                                 (whole.line, whole.end_line), obj.doc.path))
    return out


def directives_document(path: str, directives: list[Directive], known: Collection[str]) -> Document:
    """The directives of one file as data for the `invalid-suppression` rule."""
    return Document(
        path=path,
        kind="suppression",
        data=[{"rule": d.rule, "reason": d.reason, "known": d.rule in known} for d in directives],
        spans={(i,): d.span for i, d in enumerate(directives)},
    )


def exemptions_document(source: str, exemptions: Iterable[Exemption], today: dt.date) -> Document:
    items = list(exemptions)
    return Document(
        path=source,
        kind="config",
        data=[{"rule": e.rule, "expires": e.expires.isoformat() if e.expires else None,
               "expired": bool(e.expires and e.expires < today)} for e in items],
        spans={(i,): e.span for i, e in enumerate(items)},
    )


def suppressed_by(finding: Finding, directives: Iterable[Directive]) -> Directive | None:
    for d in directives:
        if d.rule == finding.rule_id and d.reason and d.lines[0] <= finding.span.line <= d.lines[1]:
            return d
    return None


def _rule_matches(rule: str, finding: Finding) -> bool:
    return rule in (finding.rule_id, finding.category)


def exempted_by(finding: Finding, exemptions: Iterable[Exemption], today: dt.date) -> Exemption | None:
    from platform_lint.discovery import path_matcher

    for e in exemptions:
        if e.expires is not None and e.expires < today:
            continue
        matcher = path_matcher(e.paths)
        if _rule_matches(e.rule, finding) and matcher is not None and matcher(finding.path):
            return e
    return None
