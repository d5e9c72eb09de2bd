"""Values that sit where a secret would but are not one.

References and templates (`${VAR}`, `${{ secrets.X }}`, `{{ .Values.x }}`,
`var.x`, `data.*`, vault paths, `ENC[...]`), placeholders (`<your-token>`,
`changeme`, `xxxxxxxx`, `...EXAMPLE`), digests and hashes, UUIDs, public
keys and certificates, and keys that are public by design (a PostHog project
key `phc_...`, a Stripe publishable key `pk_live_...`: shipped to every
browser). `reason(value)` names why a value is not a secret, or returns None
when it may be one.

`changeme` and its kin are placeholders: the value itself says it is to be
replaced, and a reviewer reads it as unfinished configuration. Real weak
passwords (`admin`, `password123`, `admin123`) are not: they are what a
guessing attacker tries first.
"""

from __future__ import annotations

import re
from functools import cache

_PLACEHOLDER_WORDS = frozenset(
    [
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "replaceme",
        "replace_me",
        "replace-me",
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "key",
        "value",
        "none",
        "null",
        "nil",
        "undefined",
        "empty",
        "todo",
        "tbd",
        "fixme",
        "redacted",
        "removed",
        "hidden",
        "masked",
        "placeholder",
        "dummy",
        "fake",
        "sample",
        "example",
        "test",
        "testing",
        "default",
        "notasecret",
        "not-a-secret",
        "your_password",
        "your_token",
        "your_secret",
        "your_api_key",
        "mypassword",
        "mysecret",
        "foobar",
        "foo",
        "bar",
        "baz",
    ]
)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    table = (
        # ${VAR}, $VAR, ${{ secrets.X }}, {{ .Values.x }}, #{x}, %(x)s, ((x)), @x@
        ("reference", r"\$\{|\$\(|^\$[A-Za-z_]|\{\{|\}\}|#\{|%\([a-z_]+\)s|^\(\(.*\)\)$|^@\w+@$|^%\w+%$"),
        # Terraform and CloudFormation references, function calls
        ("reference", r"^(?:var|local|data|module|each|self|resource|count)\.[\w.\[\]\"-]+$"),
        ("reference", r"^![A-Z][A-Za-z]+\b|^[a-z_][a-z0-9_]*\(.*\)$"),
        # Code that reads the value: process.env.DB_PASSWORD, settings.API_KEY,
        # an expression cut short at `os.environ[` or `getenv(`; a YAML tag (`!!binary`)
        ("reference", r"^(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*$|[\[(]$|^!!?[a-z]+$"),
        ("reference", r"^(?:arn:aws[\w-]*:(?:secretsmanager|ssm|kms):|projects/[^/]+/secrets/)"),
        (
            "vault-path",
            r"^(?:vault:|ref\+\w+://|(?:vault|sm|ssm|akv|gcpsm|awssm|op|keyvault|secret)://|secret/data/)",
        ),
        ("encrypted", r"^ENC\[|^AgB[A-Za-z0-9+/]{100,}|^sops:|^\$ANSIBLE_VAULT|^-----BEGIN PGP MESSAGE"),
        ("placeholder", r"^<[^<>]+>$|^\[[^\[\]]+\]$|\.\.\.|…"),
        # __DB_PASSWORD__ (token replacement at deploy time), change-this-to-..., replace-with-...
        ("placeholder", r"^__\w+__$|^(?i:change|replace|set|fill|put)[-_ ]?(?i:this|me|it|with|in)\b"),
        ("placeholder", r"(?i)^(?:your|my|enter|insert|put|add)[-_ ]?(?:own[-_ ]?)?[a-z_-]*$"),
        ("placeholder", r"(?i)^([x*#.?_-])\1*$|x{4,}|X{4,}|\*{3,}"),
        ("placeholder", r"EXAMPLE|(?i:example|placeholder|changeme|replace[-_]?me|dummy|redacted)"),
        # sha256:..., sha512-<base64> (package integrity), md5:...
        ("digest", r"^(?:sha1|sha224|sha256|sha384|sha512|md5|blake2b?)[:-]"),
        ("uuid", r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
        (
            "public-key",
            r"^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(?:ssh|ecdsa)-[\w@.-]+) AAAA"
            r"|-----BEGIN (?:RSA |EC |SSH2 |PGP )?PUBLIC KEY"
            r"|^age1[a-z0-9]{58}$",
        ),
        (
            "certificate",
            r"-----BEGIN (?:TRUSTED )?CERTIFICATE|-----BEGIN X509 CRL|-----BEGIN CERTIFICATE REQUEST",
        ),
        (
            "path",
            r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\)[\w./\\ -]*$"
            r"|^[\w.-]+/[\w./-]+\.\w{1,5}$|^[\w-]+\.(?:pem|key|json|txt|crt|p12|pfx)$",
        ),
        ("url", r"^[a-z][a-z0-9+.-]*://[^:@\s]*$"),
        ("number", r"^[+-]?\d+(?:\.\d+)?$"),
        ("public-by-design", r"^phc_[A-Za-z0-9]{20,}$|^pk_(?:live|test)_[A-Za-z0-9]{10,}$"),
    )
    return tuple((name, re.compile(pattern)) for name, pattern in table)


_EXAMPLE = "EXAMPLE"

SETTING_WORDS = frozenset(
    ["true", "false", "yes", "no", "on", "off", "auto", "random", "generate", "generated",
     "required", "optional", "enabled", "disabled", "unset", "n/a", "na", "tbd", "string", "inherit",
     "read", "write"]
)
"""Values that set how a secret is made or whether one is needed, not what it is
(`password: random`, `token: required`, GitHub's `id-token: write`): only
low-entropy judging meets them."""


def reason(value: str, *, allow_example: bool = False) -> str | None:
    """Why `value` is not a secret, or None when it may be one.

    `allow_example` treats documentation examples (AWS's `...EXAMPLE` keys)
    as real: a Terraform provider authenticates with whatever it is given.
    """
    text = value.strip().strip("\"'")
    if not text:
        return "empty"
    if text.lower() in _PLACEHOLDER_WORDS:
        return "placeholder"
    if len(set(text)) <= 2:
        return "placeholder"
    for name, pattern in _patterns():
        found = pattern.search(text)
        if found is None:
            continue
        if allow_example and name == "placeholder" and found.group(0) == _EXAMPLE:
            continue
        return name
    return None
