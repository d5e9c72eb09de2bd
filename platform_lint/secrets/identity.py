"""What a finding may say about a secret: a redacted form and a keyed fingerprint."""

from __future__ import annotations

import hashlib
import hmac

from platform_lint.secrets.patterns import by_kind

_KEY = b"platform-lint/secret-fingerprint/v1"
MAX_MARKER = 5
"""Longest public prefix a redacted form shows; kept under the 6 characters
from which a shown substring would count as leaking the secret."""


def fingerprint(secret: str) -> str:
    """A stable, keyed hash of `secret` (HMAC-SHA256, 128 bits as hex).

    The same secret gives the same fingerprint in every run and file, so a
    baseline keyed on (path, rule, fingerprint) survives line moves. The key
    ships with the tool, so anyone can test a guess against it: see `rekeyed`.
    """
    return hmac.new(_KEY, secret.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def rekeyed(fingerprint_: str, key: str) -> str:
    """`fingerprint_` under an organisation's own key: without the key, a weak
    password cannot be guessed from a baseline or a SARIF file offline."""
    return hmac.new(key.encode("utf-8"), fingerprint_.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def redact(secret: str, kind: str) -> str:
    """`kind`, the public prefix when the kind has one, and the length:
    `github-pat ghp_… (40 chars)`, `password (11 chars)`."""
    provider = by_kind().get(kind)
    marker = provider.marker if provider is not None else ""
    shown = f" {marker}…" if marker and len(marker) <= MAX_MARKER and secret.startswith(marker) else ""
    return f"{kind}{shown} ({len(secret)} chars)"


def scrub(text: str) -> str:
    """`text` with every secret the detectors find in it replaced by its
    redacted form: for messages that quote source text (a deploy command
    carrying `--token=...`, `docker login -p ...`), whichever rule wrote them."""
    from platform_lint.secrets import detect
    from platform_lint.secrets.arguments import find_credential_arguments, may_hold_arguments

    if not detect.has_keywords(text) and not may_hold_arguments(text):
        return text  # most messages: no scan below has anything to look at
    found = (detect.find_tokens(text) + detect.find_url_credentials(text) + detect.find_assignments(text)
             + find_credential_arguments(text))
    for secret in sorted(detect.drop_overlaps(found), key=lambda s: s.start, reverse=True):
        text = f"{text[: secret.start]}[{redact(secret.text, secret.kind)}]{text[secret.end :]}"
    return text


def scrub_quoting(text: str, value: object, name: str = "", width: int | None = None, *,
                  whole: bool = True) -> str:
    """`scrub(text)` for a message that quotes `value`, found under `name` in a parsed
    document (a schema error quotes the value it refuses), cut to `width` characters if
    given. The literals in `value` that the structure-aware checks judge secrets (a weak
    password under a secret-like name, which free text would pass) are redacted too, as
    written and as `repr` quotes them; a cut falls between words, so that it leaves no
    part of a secret that the scans could no longer recognise. `whole`: the message quotes
    all of `value` or none of it (a schema error), else any part (a template's `fail`
    printing one of a chart's values)."""
    end = len(text) if width is None else width
    found = _judged_literals(text, value, name, end, len(text) if whole else None)
    for literal in sorted(found, key=len, reverse=True):
        text = text.replace(literal, found[literal])
    return scrub(text if width is None else cut_between_words(text, width))


def cut_between_words(text: str, width: int) -> str:
    """`text` within `width` characters, cut (if it must be) where a word ends: a cut
    inside a secret would leave a part of it that no scan recognises."""
    if len(text) <= width:
        return text
    head = text[:width]
    return head if text[width].isspace() else head[: max(head.rfind(" "), head.rfind("\n"), 0)]


def _judged_literals(text: str, value: object, name: str, end: int, room: int | None) -> dict[str, str]:
    """The secrets among the literals of `value` that `text` quotes before `end`, each
    with its redacted form. With `room` (a message quoting the whole value or none of it),
    the walk stops once it has seen more characters than that."""
    from platform_lint.secrets import detect
    from platform_lint.secrets.names import secret_name

    found: dict[str, str] = {}
    left, stack = room if room is not None else -1, [(name, value)]
    while stack and (room is None or left >= 0):
        key, node = stack.pop()
        left -= 1
        if isinstance(node, dict):
            if isinstance(node.get("name"), str) and isinstance(node.get("value"), str):
                stack.append((node["name"], node["value"]))  # env: [{name: X, value: Y}]
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
        elif isinstance(node, str):
            left -= len(node)
            quoted = [form for form in (node, repr(node)[1:-1]) if text.find(form, 0, end + len(form)) >= 0]
            secret = detect.judge(key, node, weak=True) if quoted and secret_name(key) else None
            if secret is not None and len(secret.text) >= 6:
                shown = f"[{redact(secret.text, secret.kind)}]"
                found.update(dict.fromkeys((secret.text, repr(secret.text)[1:-1]), shown))
    return found
