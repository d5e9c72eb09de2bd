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
