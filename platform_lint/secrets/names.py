"""Whether a key or variable name says its value is a secret.

Names are split into lower-case words (`AWS_SECRET_ACCESS_KEY`,
`clientSecret`, `db.password`). A name is secret-like when it holds a secret
word, or a `key` qualified by a word that makes it one (`api_key`,
`access-key`), and its last word does not make it metadata about a secret
(`secret_name`, `password_length`, `kms_key_id`, `secretKeyRef`).
"""

from __future__ import annotations

import re
from functools import lru_cache

_SECRET_WORDS = frozenset(
    [
        "password",
        "passwords",
        "passwd",
        "pwd",
        "passphrase",
        "pass",
        "secret",
        "secrets",
        "token",
        "credential",
        "credentials",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "clientsecret",
        "authtoken",
        "bearer",
        "passcode",
        "pin",
    ]
)
_KEY_QUALIFIERS = frozenset(
    [
        "api",
        "access",
        "secret",
        "private",
        "signing",
        "encryption",
        "master",
        "auth",
        "account",
        "storage",
        "client",
        "app",
        "application",
        "service",
        "shared",
        "session",
        "hmac",
        "webhook",
        "license",
    ]
)
_METADATA_WORDS = frozenset(
    [
        "id",
        "ids",
        "name",
        "names",
        "arn",
        "arns",
        "length",
        "len",
        "type",
        "types",
        "path",
        "paths",
        "file",
        "files",
        "ref",
        "refs",
        "reference",
        "version",
        "enabled",
        "enable",
        "disabled",
        "required",
        "policy",
        "policies",
        "permission",
        "permissions",
        "count",
        "rotation",
        "expiry",
        "expiration",
        "expires",
        "ttl",
        "algorithm",
        "format",
        "header",
        "prefix",
        "suffix",
        "field",
        "env",
        "var",
        "vars",
        "hash",
        "hashed",
        "size",
        "timeout",
        "endpoint",
        "uri",
        "url",
        "location",
        "mode",
        "vault",
        "store",
        "provider",
        "manager",
        "min",
        "max",
        "regex",
        "pattern",
        "hint",
        "label",
        "description",
        "help",
        "template",
        "kind",
        "reset",
        "changed",
        "secretref",
        "keyref",
        "selector",
        "mount",
        "source",
        "sources",
        "update",
        "output",
        "outputs",
        "provided",
        "exists",
        "set",
        "validity",
        "duration",
        "lifetime",
        "age",
        "days",
        "hours",
        "limit",
        "strength",
        "complexity",
        "rule",
        "rules",
        "resource",
        "resources",
        "annotation",
    ]
)
_NON_SECRET_QUALIFIERS = frozenset(
    # Anywhere in a name, these make it about a secret rather than one: an
    # `existingSecret` names a Kubernetes Secret, a `checksum/secret` or
    # `secret_sha` is a digest of one.
    {"public", "max", "min", "num", "no", "disable", "allow", "existing"}
    | {"checksum", "digest", "fingerprint", "sha", "sha1", "sha256", "sha512", "md5"}
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")


def words(name: str) -> list[str]:
    """`clientSecretKey` / `CLIENT_SECRET-key` -> ['client', 'secret', 'key']."""
    return [w.lower() for part in _SPLIT.split(name) for w in _CAMEL.split(part) if w]


_NAMES_REMEMBERED = 1 << 16
"""Key names judged whose verdicts are kept: a tree's names repeat (`name`, `image`,
`password`), but a file of a million distinct keys must not grow the process by them."""


@lru_cache(maxsize=_NAMES_REMEMBERED)
def is_secret_name(name: str) -> bool:
    return secret_name(name)


def secret_name(name: str) -> bool:
    """`is_secret_name`, not remembered: for names met once (those a message quotes)."""
    parts = words(name)
    if not parts or parts[-1] in _METADATA_WORDS:
        return False
    if any(w in _NON_SECRET_QUALIFIERS for w in parts):
        return False
    for i, word in enumerate(parts):
        if word in _SECRET_WORDS:
            return True
        if word in ("key", "keys") and i > 0 and parts[i - 1] in _KEY_QUALIFIERS:
            return True
    return False


@lru_cache(maxsize=_NAMES_REMEMBERED)
def is_password_name(name: str) -> bool:
    """Names of human-chosen secrets, judged with a lower bar than tokens."""
    parts = words(name)
    return is_secret_name(name) and any(
        w in ("password", "passwords", "passwd", "pwd", "passphrase", "pass", "passcode") for w in parts
    )
