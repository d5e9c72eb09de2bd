"""Credentials passed as command-line arguments, found by the option that takes them.

`docker login -p X`, `sshpass -p X`, `mysql -pX`, `redis-cli -a X`,
`curl -u user:X`, `openssl ... -passin pass:X`, `keytool -storepass X`, and
long options anywhere (`--password X`, `--token=X`, `--api-key X`). The
option's name is the evidence, so any literal counts, however short or
plain; a value that is a variable, a command substitution, a template or a
placeholder (`$VAR`, `"${{ secrets.X }}"`, `$(cat f)`, `%PASS%`, `<token>`)
is not a credential written down.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from functools import cache

from platform_lint.secrets import placeholders
from platform_lint.secrets.detect import PASSWORD, SECRET, Secret

_LONG_LAST_WORDS = frozenset({"password", "passwd", "pass", "pwd", "passphrase", "token", "apikey"})
_LONG_NAMES = frozenset({"api-key", "client-secret", "secret-key", "secret-access-key", "auth-key"})
_FLAG_VERBS = frozenset({"ask", "no", "with", "prompt", "generate", "require", "use", "skip", "show",
                         "reset", "change", "rotate", "print", "read", "stdin"})
_PASSWORD_WORDS = frozenset({"password", "passwd", "pass", "pwd", "passphrase"})

_LOGIN_PROGRAMS = frozenset({"docker", "podman", "buildah", "skopeo", "nerdctl", "helm", "oras", "az"})
_SHORT: dict[str, frozenset[str]] = {
    "sshpass": frozenset({"-p"}),
    "redis-cli": frozenset({"-a"}),
    "keytool": frozenset({"-storepass", "-keypass", "-srcstorepass", "-deststorepass"}),
}
_ATTACHED_ONLY = frozenset({"mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump"})
"""`-pX` is the password; `-p X` prompts for one and X is a database name."""
_OPENSSL_PASS = frozenset({"-passin", "-passout", "-pass"})
_CURL_USER = frozenset({"-u", "--user", "--proxy-user"})
_WRAPPERS = frozenset({"sudo", "exec", "time", "command", "env", "nohup", "doas"})
_ENV_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=.*")
_KEYWORDS = ("pass", "pwd", "token", "key", "secret")
"""In every long option the scan reads (`--password`, `--api-key`, `-storepass`, `pass:`), in any case."""
_SHORT_OPTION = re.compile(r"(?:^|[\s\"'`;&|()<>])-[pau]|-user")
"""`-p`, `-a` and `-u` where a shell word starts (before them a space, a quote, an
operator, or nothing), and curl's `--user`/`--proxy-user`: the options without a keyword."""


@cache
def _words() -> re.Pattern[str]:
    # A shell word: quoted parts and bare characters up to a space or an operator.
    return re.compile(r"""(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"'`;&|()<>])+""")


@cache
def _separators() -> re.Pattern[str]:
    # Where one simple command ends: a newline not escaped, ; & | and backquotes
    # (a message quotes a command between backquotes).
    return re.compile(r"(?<!\\)\n|[;&|`]")


def find_credential_arguments(text: str) -> list[Secret]:
    """Literal credentials given to credential options, in `text` (a script,
    a command, a message that quotes one)."""
    if not may_hold_arguments(text):
        return []
    return list(_in_text(text, 0, len(text)))


def may_hold_arguments(text: str) -> bool:
    """Whether `find_credential_arguments` could find anything in `text`: every
    option it reads holds one of its keywords (in any case) or is a short option
    at the start of a word (`-p` inside `app-prod` or `kube-apiserver` is not)."""
    lowered = text.lower()
    if any(k in lowered for k in _KEYWORDS):
        return True
    return ("-p" in text or "-a" in text or "-u" in text) and _SHORT_OPTION.search(text) is not None


def _in_text(text: str, start: int, end: int) -> Iterator[Secret]:
    """The commands in `text[start:end]`, and in any quoted word holding one
    (`sh -c 'mysql -pX'`, a message quoting `'docker login -p X'`)."""
    bounds = [m.span() for m in _separators().finditer(text, start, end)]
    for begin, stop in zip([start, *(e for _, e in bounds)], [*(b for b, _ in bounds), end], strict=True):
        words = [(m.group(0), m.start()) for m in _words().finditer(text, begin, stop)]
        found = list(_in_command(words))
        yield from found
        if not found:
            for word, at in words:
                if len(word) > 2 and word[0] == word[-1] and word[0] in "\"'" and " " in word:
                    yield from _in_text(text, at + 1, at + len(word) - 1)


def _in_command(words: list[tuple[str, int]]) -> Iterator[Secret]:
    at_program = _program(words)
    if at_program is None:
        return
    program = posixpath.basename(words[at_program][0])
    rest = words[at_program + 1:]
    login = program in _LOGIN_PROGRAMS and "login" in [w for w, _ in rest[:2]]
    short = _SHORT.get(program, frozenset()) | (frozenset({"-p"}) if login else frozenset())
    attachable = {o for o in short if len(o) == 2} | ({"-p"} if program in _ATTACHED_ONLY else set())
    for i, (word, at) in enumerate(rest):
        following = rest[i + 1] if i + 1 < len(rest) else None
        if word.startswith("--") and len(word) > 2:
            name, equals, value = word[2:].partition("=")
            if _credential_option(name):
                yield from _literal(f"--{name}", (value, at + 3 + len(name)) if equals else following)
        elif word in short:
            yield from _literal(word, following)
        elif word[:2] in attachable and len(word) > 2:
            yield from _literal(word[:2], (word[2:], at + 2))
        if following is None:
            continue
        if program == "openssl" and word in _OPENSSL_PASS and following[0].startswith("pass:"):
            yield from _literal(word, (following[0][5:], following[1] + 5))
        elif program == "curl" and word in _CURL_USER:
            value, offset = _unquoted(following[0])
            user, colon, password = value.partition(":")
            if user and colon:
                yield from _literal(word, (password, following[1] + offset + len(user) + 1), PASSWORD)


def _program(words: list[tuple[str, int]]) -> int | None:
    """Where the command word is: past wrappers (`sudo`) and `NAME=value` prefixes."""
    for i, (word, _) in enumerate(words):
        if word not in _WRAPPERS and not _ENV_PREFIX.fullmatch(word):
            return i
    return None


def _credential_option(name: str) -> bool:
    name = name.lower().replace("_", "-")
    if name.split("-", 1)[0] in _FLAG_VERBS:
        return False  # `--ask-pass`, `--no-password`, `--with-token`: flags that take no value
    return name in _LONG_NAMES or name.rsplit("-", 1)[-1] in _LONG_LAST_WORDS


def _unquoted(word: str) -> tuple[str, int]:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"'":
        return word[1:-1], 1
    return word, 0


def _literal(
    option: str, word: tuple[str, int] | None, kind: tuple[str, str] | None = None
) -> Iterator[Secret]:
    """The credential given to `option` in `word` (text, offset), if it is a literal."""
    if word is None:
        return
    value, offset = _unquoted(word[0])
    if (not value or value.startswith("-") or "$" in value or "`" in value
            or placeholders.reason(value) is not None):
        return
    name = option.lstrip("-").lower()
    if kind is None:
        kind = PASSWORD if any(w in name for w in _PASSWORD_WORDS) or name in ("p", "a") else SECRET
    at = word[1] + offset
    yield Secret(kind[0], kind[1], value, at, at + len(value), name=option)
