"""Hardcoded secrets. See `platform_lint.secrets` for who reports what.

Every message names the kind and shows `identity.redact(...)`; `Hit.fingerprint`
is `identity.fingerprint(...)` of the secret, so baselines key on the secret and
not on its line. Nothing here puts a secret's text in a message or property.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from platform_lint.budget import checkpoint
from platform_lint.checks import Registry
from platform_lint.checks.command_values import joined, word_at
from platform_lint.checks.secret_values import literals
from platform_lint.finding import Hit
from platform_lint.model import Document, Obj, Path, Span
from platform_lint.secrets import detect
from platform_lint.secrets.arguments import find_credential_arguments
from platform_lint.secrets.identity import fingerprint, redact

CHECKS = Registry()

_FIX_TEXT = "revoke it, then load it at run time from a secret store or CI secret"
_FIX_ENV = "use valueFrom.secretKeyRef (or an external secret store) instead of a literal"
_FIX_SECRET = "keep the values out of git: External Secrets, Sealed Secrets or sops"
_FIX_TERRAFORM = "take it from a sensitive variable without default, or a secrets-manager data source"
_FIX_PIPELINE = "store it as a masked CI secret and reference it (e.g. ${{ secrets.NAME }})"
_KEY_STORE_SUFFIXES = (".jks", ".p12", ".pfx", ".keystore", ".kdbx")


def _hit(
    obj: Obj, secret: detect.Secret, where: str, fix: str, *, path: Path = (), span: Span | None = None
) -> Hit:
    shown = redact(secret.text, secret.kind)
    return Hit(
        obj,
        f"{secret.title}{where} [{shown}]: {fix}",
        path=path,
        span=span,
        fingerprint=fingerprint(secret.identity),
        properties={"secret_kind": secret.kind, "redacted": shown},
        secret=secret.text,
    )


@lru_cache(maxsize=8)
def _lines(doc: Document) -> detect.Lines:
    """The text of a document, built once for the three text checks that read it
    (keyed on the document itself: hashing its tuple of lines costs a pass)."""
    return detect.Lines(doc.lines)


def _text_hits(obj: Obj, found: list[detect.Secret], lines: detect.Lines) -> Iterator[Hit]:
    for secret in found:
        checkpoint()
        line, col = lines.position(secret.start)
        end_line, end_col = lines.position(secret.end)
        yield _hit(obj, secret, "", _FIX_TEXT, span=Span(line, col, end_line, end_col))


# ------------------------------------------------------------------ text


@CHECKS.check("provider-token")
def provider_token(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Fixed-shape provider tokens and private keys, in any text file."""
    lines = _lines(obj.doc)
    yield from _text_hits(obj, detect.find_tokens(lines.text), lines)


@CHECKS.check("url-credentials")
def url_credentials(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Passwords inside URLs and connection strings, in any text file; in a
    YAML comment (a values file documenting a setting) the URL is an example."""
    lines = _lines(obj.doc)
    found = detect.find_url_credentials(lines.text)
    if obj.doc.path.endswith(_YAML_SUFFIXES):
        found = [s for s in found if not _in_comment(obj.doc, lines.position(s.start))]
    yield from _text_hits(obj, found, lines)


_YAML_SUFFIXES = (".yaml", ".yml")
_COMMENT = re.compile(r"(?:^|\s)#")
_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt", ".kts",
                  ".scala", ".rb", ".php", ".cs", ".rs", ".swift", ".c", ".h", ".cc", ".cpp",
                  ".hpp", ".groovy", ".gradle", ".dart")


def _in_comment(doc: Document, position: tuple[int, int]) -> bool:
    line, col = position
    return _COMMENT.search(doc.lines[line - 1][: col - 1]) is not None


@CHECKS.check("assignment")
def assignment(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Secret-like names given literals: in plain YAML documents by their parsed
    values, elsewhere on the lines no structure-aware check reads."""
    if obj.doc.kind == "yaml":
        yield from _judge_values(obj, obj.value, _FIX_TEXT)
        return
    lines = _lines(obj.doc)
    found = detect.find_assignments(lines.text, code=obj.doc.path.lower().endswith(_CODE_SUFFIXES))
    if _COMMAND_FILE.search(obj.doc.path):  # a Dockerfile's RUN, a shell script
        found = detect.drop_overlaps(found + find_credential_arguments(lines.text))
    if not found:
        return
    # Lines parsed into Kubernetes objects, Terraform blocks or pipelines are
    # judged by the checks below; a document that failed to parse, or YAML that
    # holds no Kubernetes object (Helm values, Compose), stays with this one.
    judged = [(first, last) for kind, first, last in obj.doc.model or () if kind in _STRUCTURED]
    found = [s for s in found if not any(a <= lines.position(s.start)[0] <= b for a, b in judged)]
    # What the provider-token and URL rules report on these lines is theirs.
    taken = detect.find_tokens(lines.text) + detect.find_url_credentials(lines.text)
    found = [s for s in found if not any(t.start < s.end and s.start < t.end for t in taken)]
    yield from _text_hits(obj, found, lines)


_STRUCTURED = ("kubernetes", "kustomize-patch", "kustomize-resource", "yaml", "terraform", "pipeline")
_COMMAND_FILE = re.compile(
    r"(?:^|/)(?:(?:Docker|Container)file(?:\.[^/]*)?|[^/]*\.(?:dockerfile|sh|bash)|Makefile)$", re.I)
"""Files made of command lines: credential options given literals are found in them."""


# ------------------------------------------------------------------ parsed values


def _seen_by_text_scan(obj: Obj, span: Span | None) -> bool:
    """Whether the text scan reports a token or URL credentials inside `span`
    (a value, or a secret inside one), so that it is not reported twice."""
    if span is None or not obj.doc.lines:
        return False
    start, end = (span.line, span.col), (span.end_line, span.end_col)
    return any(s < end and start < e for s, e in _text_scan(obj.doc))


@lru_cache(maxsize=8)
def _text_scan(doc: Document) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """Where the text scan finds tokens and URL credentials in `doc`: (line, col)
    of start and end, found once per document, not once per value (a line of
    50,000 `password=...` would be scanned 50,000 times)."""
    lines = _lines(doc)
    found = detect.find_tokens(lines.text) + detect.find_url_credentials(lines.text)
    return tuple((lines.position(s.start), lines.position(s.end)) for s in found)


def _structured_hit(obj: Obj, secret: detect.Secret, where: str, fix: str, path: Path) -> Iterator[Hit]:
    """A hit on the secret itself where its text is in the file (not the quotes
    or the `<<EOT` around it), else on the whole value; none when the text scan
    reports it already."""
    full = (*obj.path, *path)
    span = obj.doc.text_span(full, secret.text)
    if not _seen_by_text_scan(obj, span or obj.doc.spans.get(full)):
        yield _hit(obj, secret, where, fix, path=path, span=span)


_GENERIC_KINDS = (detect.PASSWORD[0], detect.SECRET[0])


def _judge_values(
    obj: Obj, node: Any, fix: str, *, allow_example: bool = False, commands: bool = False
) -> Iterator[Hit]:
    """Literals under secret-like names, then assignments inside the other
    strings: `export DB_PASSWORD=...` in a script, `--client-secret=...` in args;
    credential options given literals (`docker login -p ...`, `--token ...`) in
    every string with `commands` (pipelines), and in the command lines written
    as values (`command_values`: container `command`/`args`, provisioners)."""
    found = literals(node, arguments=commands)
    judged: set[Path] = set()
    for name, value, path in found.named:
        secret = detect.judge(name, value, allow_example=allow_example, weak=True)
        if secret is not None:
            judged.add(path)
            yield from _structured_hit(obj, secret, f" in `{name}`", fix, path)
    reported: set[tuple[Path, str]] = set()
    for value, path in found.strings:
        checkpoint()
        if path in judged:
            continue
        arguments = find_credential_arguments(value) if commands else []
        for secret in detect.drop_overlaps(detect.find_assignments(value) + arguments):
            reported.add((path, secret.text))
            if secret.kind in _GENERIC_KINDS:  # a token is the provider-token rule's
                where = (f" given to `{secret.name}` in a command" if secret in arguments
                         else f" in `{secret.name}` inside a string")
                yield from _structured_hit(obj, secret, where, fix, path)
    for words in found.commands:  # container args, provisioners, scripts in plain YAML
        checkpoint()
        line, places = joined(words)
        for secret in find_credential_arguments(line):
            at = word_at(places, secret.start)
            if at is None or at in judged or (at, secret.text) in reported:
                continue
            reported.add((at, secret.text))
            yield from _structured_hit(obj, secret, f" given to `{secret.name}` in a command", fix, at)



@CHECKS.check("kubernetes")
def kubernetes(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Secret `data` (base64-decoded) and `stringData`; literals under
    secret-like names anywhere else, container `env[].value` included, and
    assignments in container commands and arguments."""
    if obj.kind == "SealedSecret":
        return
    if obj.kind != "Secret":
        yield from _judge_values(obj, obj.value, _FIX_ENV)
        return
    for section in ("data", "stringData"):
        entries = obj.get(section)
        if not isinstance(entries, dict):
            continue
        for key, raw in entries.items():
            if not isinstance(raw, str):
                continue
            if section == "data":
                secret = _secret_entry(key, raw)
                if secret is not None:  # decoded: its text is not in the file
                    yield _hit(obj, secret, f" in Secret data `{key}`", _FIX_SECRET, path=(section, key))
                continue
            secret = detect.judge_secret_entry(key, raw)
            if secret is not None:
                where = f" in Secret stringData `{key}`"
                yield from _structured_hit(obj, secret, where, _FIX_SECRET, (section, key))


def _secret_entry(key: str, encoded: str) -> detect.Secret | None:
    """Judge a `Secret.data` entry on its decoded value."""
    try:
        decoded = base64.b64decode("".join(encoded.split()), validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII at all
        return None
    try:
        return detect.judge_secret_entry(key, decoded.decode("utf-8"))
    except UnicodeDecodeError:
        if key.lower().endswith(_KEY_STORE_SUFFIXES):
            return detect.Secret("key-store", "binary key store", encoded, 0, len(encoded))
        return None


@CHECKS.check("terraform")
def terraform(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Provider credentials, resource secret attributes and secret-like
    variable defaults given literals. Terraform authenticates with whatever it
    is given, so documentation example keys (`...EXAMPLE`) count here."""
    if obj.kind == "variable":
        default = obj.get("default")
        if isinstance(default, str):
            secret = detect.judge(obj.name, default, allow_example=True, weak=True)
            if secret is not None:
                where = f" as default of variable `{obj.name}`"
                yield from _structured_hit(obj, secret, where, _FIX_TERRAFORM, ("default",))
        return
    yield from _judge_values(obj, obj.value, _FIX_TERRAFORM, allow_example=True)


@CHECKS.check("pipeline")
def pipeline(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Literals under secret-like names in `env:`, `variables:`, `with:` and
    anywhere else in a pipeline file, and assignments and credential options
    (`docker login -p ...`, `--password ...`) inside its scripts."""
    yield from _judge_values(obj, obj.value, _FIX_PIPELINE, commands=True)
