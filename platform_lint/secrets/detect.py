"""Finding secrets in raw text and judging values read from parsed documents.

Three scans over raw text, each behind a keyword prefilter (only lines that
contain a keyword reach a regex):

- `find_tokens`: the provider catalogue (`patterns.py`) and private keys;
- `find_url_credentials`: `scheme://user:password@host` and `Password=` in
  connection strings;
- `find_assignments`: a secret-like name given a literal (`name = value`,
  `name: value`, `"name": "value"`, `export NAME=value`, `ENV NAME=value`).

`judge` decides on one (name, value) pair from a parsed document, and
`judge_secret_entry` on one entry of a Kubernetes Secret. A value read from a
parsed document (a ConfigMap, container env, Helm values, a Terraform argument)
under a secret-like name is a literal someone set, so it is judged `weak`: any
literal that is not a placeholder, a reference or a setting counts, however low
its entropy (`admin` and `password123` are the worst secrets, not the safest).
Free text keeps the entropy bar, since there a name may be followed by prose.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import cache

from platform_lint.records import field, record
from platform_lint.secrets import names, placeholders
from platform_lint.secrets.entropy import looks_like_password, looks_random
from platform_lint.secrets.patterns import CATALOGUE, Provider, regex
from platform_lint.secrets.prefilter import Occurrences, Prefilter, line_bounds, occurrences, stems


@record(frozen=True)
class Secret:
    """A secret found in a text: its kind and where it is (offsets, end exclusive).

    `text` is the secret itself; it is only ever hashed or measured, never shown.
    """

    kind: str
    title: str
    text: str = field(repr=False)
    start: int = 0
    end: int = 0
    marker: str = ""
    name: str = ""
    """The name it was given, for an assignment (`DB_PASSWORD` in `DB_PASSWORD=...`)."""

    @property
    def identity(self) -> str:
        """What the fingerprint hashes: a private key's base64 body only, so the
        same key fingerprints alike as PEM lines and as an escaped JSON string."""
        if self.kind.endswith("private-key"):
            return "".join(re.findall(r"[A-Za-z0-9+/=]", self.text.replace("\\n", "")))
        return self.text


PASSWORD = ("password", "hardcoded password")
SECRET = ("secret", "hardcoded secret")


# ------------------------------------------------------------------ prefilter


_URL_KEYWORDS = ("://",)
_CONNECTION_KEYWORDS = ("password=", "pwd=")  # in any case
_NAME_KEYWORDS = ("pass", "pwd", "secret", "token", "key", "credential", "auth")  # in any case
_NAME_STEMS = stems(_NAME_KEYWORDS)


@cache
def _prefilter() -> Prefilter:
    """One automaton for the keywords of every scan below."""
    cased = [k for p in CATALOGUE if not p.caseless for k in p.keywords] + list(_URL_KEYWORDS)
    caseless = [k for p in CATALOGUE if p.caseless for k in p.keywords]
    return Prefilter(cased, [*caseless, *_CONNECTION_KEYWORDS, *_NAME_KEYWORDS])


def _occurrences(text: str) -> Occurrences:
    return occurrences(_prefilter(), text)


def has_keywords(text: str) -> bool:
    """Whether any keyword of the three scans below occurs in `text`: without one,
    `find_tokens`, `find_url_credentials` and `find_assignments` find nothing."""
    return any(True for _ in _occurrences(text).found())


@cache
def _providers_by_keyword() -> dict[str, tuple[int, ...]]:
    """For each catalogue keyword, the positions in `CATALOGUE` of the providers it admits."""
    index: dict[str, list[int]] = {}
    for i, provider in enumerate(CATALOGUE):
        for keyword in provider.keywords:
            index.setdefault(keyword, []).append(i)
    return {k: tuple(v) for k, v in index.items()}


def _finditer(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    for start, end in spans:
        yield from pattern.finditer(text, start, end)


def _secret_group(match: re.Match[str]) -> tuple[str, int, int]:
    if "secret" in match.re.groupindex and match.group("secret") is not None:
        return match.group("secret"), match.start("secret"), match.end("secret")
    return match.group(0), match.start(), match.end()


def drop_overlaps(found: list[Secret]) -> list[Secret]:
    kept: list[Secret] = []
    for secret in sorted(found, key=lambda s: (s.start, -s.end)):
        if kept and secret.start < kept[-1].end:
            continue
        kept.append(secret)
    return kept


# ------------------------------------------------------------------ tokens


def _is_placeholder_token(provider: Provider, secret: str, allow_example: bool) -> bool:
    if provider.multiline:
        return False  # a key body is judged by its own validator
    return placeholders.reason(secret, allow_example=allow_example) == "placeholder"


def find_tokens(text: str, *, allow_example: bool = False) -> list[Secret]:
    """Provider tokens and private keys in `text`, placeholders left out
    (documentation examples too, unless `allow_example`)."""
    seen = _occurrences(text)
    admitted = _providers_by_keyword()
    chosen = sorted({i for keyword in seen.found() for i in admitted.get(keyword, ())})
    found: list[Secret] = []
    for index in chosen:
        provider = CATALOGUE[index]
        spans = [(0, len(text))] if provider.multiline else seen.windows(provider.keywords)
        for match in _finditer(regex(index), text, spans):
            secret = _accept(provider, match, allow_example)
            if secret is None:
                continue
            start, end = line_bounds(text, secret.start)
            if not _browser_key(secret, text[start:end]):
                found.append(secret)
    return drop_overlaps(found)


_BROWSER = re.compile(
    r"(?i)\b(?:NEXT_PUBLIC|REACT_APP|VITE|EXPO_PUBLIC|NUXT_PUBLIC|GATSBY|PUBLIC)_|browser"
)


def _browser_key(secret: Secret, context: str) -> bool:
    """A Google API key given to the browser (a Maps key in front-end config,
    which the build ships to every page: `NEXT_PUBLIC_MAPS_KEY=AIza...`) is
    public by design; what protects it is the referrer restriction set in the
    console, not secrecy."""
    return secret.kind == "google-api-key" and _BROWSER.search(context) is not None


def _accept(provider: Provider, match: re.Match[str], allow_example: bool) -> Secret | None:
    secret, start, end = _secret_group(match)
    if provider.valid is not None and not provider.valid(secret):
        return None
    if _is_placeholder_token(provider, secret, allow_example):
        return None
    if provider.multiline:
        start, end = match.start(), match.end()
    marker = provider.marker if secret.startswith(provider.marker) else ""
    return Secret(provider.kind, provider.title, secret, start, end, marker)


# ------------------------------------------------------------------ URLs


@cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return (
        re.compile(
            r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://(?P<user>[^:@/\s\"'<>{}]{0,128}):"
            r"(?P<secret>[^@/\s\"'<>]{1,256})@(?P<host>[A-Za-z0-9_.\[\]-]+)"
        ),
        re.compile(r"(?im)(?:^|[;\"'\s])(?:password|pwd)\s*=\s*(?P<secret>[^;\"'\s]+)\s*(?=;|$|[\"'])"),
        re.compile(r"(?i)[?&](?:password|pwd)=(?P<secret>[^&\s\"'#]+)"),
    )


_CONNECTION_STRING = ("server=", "data source=", "host=", "jdbc:", "?", "&")


def _url_password_ok(password: str) -> bool:
    return (
        placeholders.reason(password) is None
        and len(password) >= 4
        and not find_tokens(password)
        and not password.startswith("%")
    )


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _local_default(match: re.Match[str]) -> bool:
    """`postgres://postgres:postgres@localhost`: a local database's default
    account, reachable from nowhere else. The same pair on any other host
    (`admin:admin@db.internal`) is the first guess of anyone, and reported."""
    return match.group("secret") == match.group("user") and match.group("host").lower() in _LOOPBACK


def find_url_credentials(text: str) -> list[Secret]:
    """Passwords in URLs (`postgres://u:p@h`) and connection strings (`;Password=p;`)."""
    found: list[Secret] = []
    url, conn, query = _url_patterns()
    seen = _occurrences(text)
    for match in _finditer(url, text, seen.windows(_URL_KEYWORDS)):
        secret, start, end = _secret_group(match)
        if _url_password_ok(secret) and not _local_default(match):
            found.append(Secret("url-credentials", "credentials in a URL", secret, start, end))
    spans = seen.windows(_CONNECTION_KEYWORDS)
    for pattern in (conn, query):
        for match in _finditer(pattern, text, spans):
            start, end = line_bounds(text, match.start())
            line = text[start:end].lower()
            if pattern is conn and not any(m in line for m in _CONNECTION_STRING):
                continue
            secret, start, end = _secret_group(match)
            if _url_password_ok(secret) and looks_like_password(secret):
                found.append(
                    Secret(
                        "connection-string-password", "password in a connection string", secret, start, end
                    )
                )
    return drop_overlaps(found)


# ------------------------------------------------------------------ assignments


@cache
def _assignment() -> re.Pattern[str]:
    return re.compile(
        # Possessive: giving back a name character could never reach the operator.
        # A name may be a command-line flag: `--client-secret=...`.
        # A name may hold '/' (`checksum/secret`, a Helm annotation about a secret).
        r"(?<![A-Za-z0-9_.\-/])-{0,2}(?P<name>[A-Za-z_][A-Za-z0-9_.\-/]*+)[\"']?"
        r"\s*+(?::=|=>|=|:)\s*"
        # A quote left open (a file that no longer parses) runs to the line's end.
        r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s\"']+|[\"'][^\"'\n]+$)"
    )


def _unquote(value: str) -> tuple[str, int]:
    """The value without quotes or trailing separators, and its offset in `value`."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1], 1
    if value[:1] in ("'", '"'):  # left open
        return value[1:].rstrip(), 1
    return value.rstrip(",;}])`"), 0


_IDENTIFIER = re.compile(
    r"(?<![a-z])(?:[a-z]{2,}(?:[-_.][a-z]{2,})+|[a-z]{2,}(?:[A-Z][a-z]{2,})+)"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
)
"""Words joined like a name (`db-credentials`, `adminPasswordKey`): under a
secret-like name such a value names another thing, a Secret or one of its keys;
in capitals (`GOOGLE_API_KEY_VAL`), a variable or a token replaced at deploy time."""


def judge(name: str, value: str, *, allow_example: bool = False, weak: bool = False) -> Secret | None:
    """Whether `value`, given to `name`, is a hardcoded secret (offsets within
    the stripped value: a whole-value secret, or a provider token inside it).
    `weak`: a literal from a parsed document, judged without an entropy bar."""
    if not names.is_secret_name(name):
        return None
    text = value.strip()
    why = placeholders.reason(text, allow_example=allow_example)
    if why is not None and not (weak and why == "number" and names.is_password_name(name) and len(text) >= 4):
        return None
    # `token: token` names its slot; `adminPassword: admin` is the weakest password there is.
    names_slot = text.lower() in names.words(name) and (not weak or names.is_secret_name(text))
    if names_slot or _IDENTIFIER.fullmatch(text):
        return None
    tokens = find_tokens(text, allow_example=allow_example)
    if tokens:
        return None if _browser_key(tokens[0], name) else tokens[0]
    if weak and _weak_literal(text):
        typed = PASSWORD if names.is_password_name(name) else SECRET
        return Secret(typed[0], typed[1], text, 0, len(text))
    if names.is_password_name(name):
        kind = PASSWORD if looks_like_password(text) else None
    else:
        kind = SECRET if looks_random(text) else None
    return None if kind is None else Secret(kind[0], kind[1], text, 0, len(text))


def _weak_literal(text: str) -> bool:
    """A value a person typed as the secret: a few characters, no prose, not a
    setting (`random`, `true`) nor a Kubernetes object name (`db-credentials`)."""
    return len(text) >= 4 and " " not in text and text.lower() not in placeholders.SETTING_WORDS


def may_hold_assignment(text: str) -> bool:
    """Whether `find_assignments` could find anything in `text`: an assignment
    needs an operator and a name keyword (in any case), which most values
    (descriptions, names, images) lack. Far cheaper than the scan."""
    if "=" not in text and ":" not in text:
        return False
    lowered = text.lower()
    return any(stem in lowered for stem in _NAME_STEMS)


def find_assignments(text: str, *, code: bool = False) -> list[Secret]:
    """Secret-like names given literal values on one line, in any common syntax.
    In program source (`code`) only quoted values are literals: an unquoted one
    is an expression (`secret = judge(key, raw)`, `token = digest[:32]`)."""
    found: list[Secret] = []
    pattern = _assignment()
    for start, end in _occurrences(text).windows(_NAME_KEYWORDS):
        match = pattern.search(text, start, end)
        while match is not None:
            value, offset = _unquote(match.group("value"))
            quoted = offset == 1
            secret = judge(match.group("name"), value) if quoted or not code else None
            if secret is None:
                # The value may itself hold an assignment: `command: DB_PASSWORD=...`,
                # PowerShell's `$env:DB_PASSWORD = ...`.
                match = pattern.search(text, match.start("value"), end)
                continue
            at, name = match.start("value") + offset + secret.start, match.group("name")
            found.append(Secret(secret.kind, secret.title, secret.text, at, at + len(secret.text), name=name))
            match = pattern.search(text, match.end(), end)
    return drop_overlaps(found)


# ------------------------------------------------------------------ Kubernetes Secret entries


_NOT_SECRET_ENTRIES = frozenset(
    [
        "username",
        "user",
        "login",
        "host",
        "hostname",
        "server",
        "port",
        "database",
        "db",
        "dbname",
        "email",
        "region",
        "namespace",
        "endpoint",
        "url",
        "uri",
        "address",
        "domain",
        "realm",
        "project",
        "account",
        "tenant",
        "audience",
        "issuer",
        "scope",
        "scopes",
    ]
)
_NOT_SECRET_FILE = re.compile(r"(?i)(?:^|[._-])(?:crt|cert|certificate|pub|ca|ca-bundle)(?:\.pem)?$")


def judge_secret_entry(key: str, value: str) -> Secret | None:
    """An entry of a Kubernetes Secret's data or stringData: every entry is
    meant to be secret, so no secret-like name is needed, only a literal that
    is not a placeholder, a certificate or an obviously public field."""
    tokens = find_tokens(value)
    if tokens:
        return tokens[0]
    parts = names.words(key)
    if (parts and parts[-1] in _NOT_SECRET_ENTRIES) or _NOT_SECRET_FILE.search(key):
        return None
    if placeholders.reason(value) is not None:
        return None
    weak = names.is_secret_name(key) and _weak_literal(value.strip())
    if weak or looks_like_password(value) or looks_random(value):
        return Secret(SECRET[0], SECRET[1], value, 0, len(value))
    return None


# ------------------------------------------------------------------ positions


class Lines:
    """Offset <-> (line, column) for a text made of `lines` joined by newlines."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        self.text = "\n".join(lines)
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of `offset`."""
        if self._starts is None:
            starts, at = [], 0
            for line in self.text.split("\n"):
                starts.append(at)
                at += len(line) + 1
            self._starts = starts
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1
