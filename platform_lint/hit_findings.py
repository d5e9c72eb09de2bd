"""Hits to Findings: span resolved (or the chart line, for a rendered object),
secrets scrubbed out of the message, id, severity, category and fingerprint stamped."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from platform_lint.discovery import printable
from platform_lint.finding import Finding, Hit, Severity
from platform_lint.rules import Rule


def findings_of(
    hits: Sequence[tuple[Rule, Severity, Hit]], key: str, secrets: Mapping[str, Collection[str]]
) -> list[Finding]:
    """Findings from hits, with no secret in any message: the ones the detectors
    recognise, and the very texts secret rules found in the same file (`secrets`,
    by path: an unknown rule id in a suppression comment, say, could quote one).
    Secret fingerprints are re-keyed with `key` when there is one."""
    redactors: dict[str, Callable[[str], str]] = {}
    out = []
    for rule, sev, hit in hits:
        path = hit.obj.doc.path
        if path not in redactors:
            redactors[path] = _redactor(secrets.get(path, ()))
        out.append(_finding(rule, sev, hit, redactors[path], key))
    return out


def _redactor(secrets: Iterable[str]) -> Callable[[str], str]:
    """Each of the secrets in a message replaced by `[redacted]` (the longest
    where they overlap) by one automaton, built once for all the file's findings:
    a file of many secret lines is as many findings and as many secrets."""
    patterns = sorted({secret for secret in secrets if secret})
    if not patterns:
        return str
    from ahocorasick_rs import AhoCorasick, MatchKind

    automaton = AhoCorasick(patterns, matchkind=MatchKind.LeftmostLongest)

    def redact(message: str) -> str:
        parts: list[str] = []
        end = 0
        for _index, start, stop in automaton.find_matches_as_indexes(message):
            parts += (message[end:start], "[redacted]")
            end = stop
        return "".join((*parts, message[end:])) if parts else message

    return redact


def _finding(rule: Rule, severity: Severity, hit: Hit, redact: Callable[[str], str], key: str) -> Finding:
    from platform_lint.secrets.identity import rekeyed, scrub

    doc = hit.obj.doc
    full = (*hit.obj.path, *hit.path)
    span = hit.span or doc.locate(full, key=hit.key)
    message = redact(scrub(hit.message))  # a rule quoting a command may quote a secret in it
    fingerprint = hit.fingerprint or _location_fingerprint(rule.id, hit, message)
    if key and hit.secret:
        fingerprint = rekeyed(fingerprint, key)
    path, properties = doc.path, dict(hit.properties)
    relocate = getattr(doc.model, "relocate", None)  # a rendered Helm object: the chart line
    moved = relocate(full, hit.key) if relocate is not None and hit.span is None else None
    if moved is not None:
        path, span, message = moved.path, moved.span, message + moved.note
        properties.update({**({"valuesSets": moved.sets} if moved.sets else {}),
                           **({"relatedLocations": moved.related} if moved.related else {})})
    return Finding(
        rule_id=rule.id,
        severity=severity,
        path=printable(path),  # documents not read from files (the change) name files too
        span=span,
        message=one_line(message),
        fingerprint=fingerprint,
        category=rule.category,
        properties=properties,
    )


_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def one_line(message: str) -> str:
    """`message` as one line of plain text: a value a rule quotes from a file (an image
    written `"nginx:1\\n..."`) keeps its line breaks, terminal escapes and other control
    characters as escapes (`\\n`, `\\x1b`), so no output is split or recoloured by it."""
    if message.isprintable():
        return message
    return _BREAKS.sub(lambda m: _ESCAPES.get(m[0]) or _escape(ord(m[0])), message)


def _escape(code: int) -> str:
    """`\\x85`, or `\\u2028` past a byte: `\\x2028` would read as `\\x20` and `28`."""
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _location_fingerprint(rule_id: str, hit: Hit, message: str) -> str:
    """Stable across line shifts: rule, object identity and the path inside it."""
    material = "\x1f".join(
        [rule_id, printable(hit.obj.doc.path), hit.obj.kind, hit.obj.name, *map(str, hit.path), message]
    )
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()[:32]
