"""Per-file results remembered between runs, in the user's cache folder.

A file's verdict (its findings, suppression directives and the objects that
cross-object rules keep) depends on its path and bytes, the rule pack, the
config and the tool; the key hashes all of them, with the tool's own source,
so an edited checkout never reads stale results.

Safe to share: each entry is its own JSON file, written to a temporary name
and renamed into place, so concurrent runs see a whole entry or none. An
entry is data, never code: one that does not parse, names another key or has
a field of the wrong type is a miss and is overwritten. Verdicts that hold a
secret's text (a file where a secret rule found one) or depend on other files
(a GitLab include) are never stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_lint import __version__
from platform_lint.config import Config
from platform_lint.finding import Finding, Severity
from platform_lint.model import Document, Obj, Span
from platform_lint.per_file import FileVerdict
from platform_lint.rules import Rule
from platform_lint.suppression import Directive

FORMAT = "platform-lint-file-verdict/1"
CACHE_DIR_VARIABLE = "PLATFORM_LINT_CACHE_DIR"


def default_directory() -> Path:
    """`$PLATFORM_LINT_CACHE_DIR`, else the platform's user cache folder."""
    explicit = os.environ.get(CACHE_DIR_VARIABLE)
    if explicit:
        return Path(explicit)
    from platform_lint.cache_home import user_cache_root

    return user_cache_root() / "results"


class ResultCache:
    """The cache folder; `for_scan` gives the view of one scan's rules and config."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self._tool: bytes | None = None

    def for_scan(
        self, config: Config, rules: Sequence[Rule], known: Iterable[str], fingerprint_key: str
    ) -> ScanCache:
        if self._tool is None:
            self._tool = _tool_digest()
        return ScanCache(self, _salt(self._tool, config, rules, known, fingerprint_key))


class ScanCache:
    """Entries for one scan: the salt hashes the tool, rules, config and key."""

    def __init__(self, owner: ResultCache, salt: str) -> None:
        self.owner = owner
        self.directory = owner.directory
        self.salt = salt

    def key(self, path: str, content: bytes, role: str) -> str:
        """`role`: what the file is to the other files (a Kustomize patch, a base...)."""
        h = hashlib.sha256(self.salt.encode())
        h.update(b"\0%s\0%s\0" % (path.encode("utf-8", "surrogateescape"),
                                    role.encode("utf-8", "surrogateescape")))
        h.update(hashlib.sha256(content).digest())
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.json"

    def get(self, key: str) -> FileVerdict | None:
        try:
            entry = json.loads(self._file(key).read_bytes())
            verdict = _decode(entry, key)
        except Exception:  # missing, unreadable, corrupt or foreign: a miss, never trusted
            verdict = None
        if verdict is None:
            self.owner.misses += 1
        else:
            self.owner.hits += 1
        return verdict

    def put(self, key: str, verdict: FileVerdict) -> None:
        try:
            text = json.dumps({"format": FORMAT, "key": key, "verdict": _encode(verdict)},
                              separators=(",", ":"), allow_nan=False)
        except (_NotStorable, ValueError):
            return
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
            temporary.write_text(text)
            os.replace(temporary, target)  # atomic: a reader sees all of an entry or none
        except OSError:
            pass  # a cache that cannot be written only costs speed


def _salt(
    tool: bytes, config: Config, rules: Sequence[Rule], known: Iterable[str], fingerprint_key: str
) -> str:
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    h.update(tool)
    material = {
        "config": _plain(config),
        "rules": [_plain(r) for r in rules],
        "known": sorted(known),
        # A hash of the key, never the key: it decides secret fingerprints.
        "fingerprint_key": hashlib.sha256(fingerprint_key.encode()).hexdigest(),
    }
    h.update(json.dumps(material, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _tool_digest() -> bytes:
    """The installed tool's own code, so results of other code are never read."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        h.update(source.relative_to(package).as_posix().encode())
        h.update(source.read_bytes())
    return h.digest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (Path, dt.date)):
        return str(value)
    return value


# ---------------------------------------------------------------- encoding


class _NotStorable(Exception):
    """A verdict holding something JSON cannot carry exactly."""


def _encode(v: FileVerdict) -> dict[str, Any]:
    docs: dict[int, int] = {}
    encoded_docs: list[dict[str, Any]] = []
    objs: list[list[Any]] = []
    for obj in v.kept:
        if id(obj.doc) not in docs:
            docs[id(obj.doc)] = len(encoded_docs)
            encoded_docs.append(_encode_doc(obj.doc))
        if _at(obj.doc.data, obj.path) is not obj.value:
            raise _NotStorable
        objs.append([docs[id(obj.doc)], obj.kind, obj.name, list(obj.path)])
    return {
        "path": v.path,
        "skipped": v.skipped,
        "unparseable": v.unparseable,
        "findings": [_encode_finding(f) for f in v.findings],
        "directives": [[d.rule, d.reason, _span(d.span), list(d.lines), d.path] for d in v.directives],
        "docs": encoded_docs,
        "objects": objs,
    }


def _encode_finding(f: Finding) -> list[Any]:
    _check_plain(f.properties)
    return [f.rule_id, int(f.severity), f.path, _span(f.span), f.message, f.fingerprint,
            f.category, f.properties]


def _encode_doc(doc: Document) -> dict[str, Any]:
    if doc.model is not None:
        raise _NotStorable
    _check_plain(doc.data)
    return {
        "path": doc.path,
        "kind": doc.kind,
        "data": doc.data,
        "spans": _encode_spans(doc.spans),
        "key_spans": _encode_spans(doc.key_spans),
        "index": doc.index,
        "lines": list(doc.lines),
    }


def _encode_spans(spans: Mapping[tuple[str | int, ...], Span]) -> list[Any]:
    """[paths, flat ints]: four numbers a span, decoded with one type check."""
    return [[list(p) for p in spans], [n for s in spans.values() for n in _span(s)]]


def _span(s: Span) -> list[int]:
    return [s.line, s.col, s.end_line, s.end_col]


def _check_plain(value: Any) -> None:
    """JSON gives back exactly this: no tuples, no non-string keys, no other types."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _NotStorable
            _check_plain(v)
    elif isinstance(value, list):
        for v in value:
            _check_plain(v)
    elif value is not None and (
        type(value) not in (str, int, float, bool)
        or (isinstance(value, float) and not math.isfinite(value))  # JSON has no NaN
    ):
        raise _NotStorable


def _at(data: Any, path: Sequence[Any]) -> Any:
    for step in path:
        data = data[step]
    return data


# ---------------------------------------------------------------- decoding


def _decode(entry: Any, key: str) -> FileVerdict | None:
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    v = entry["verdict"]
    docs = [_decode_doc(d) for d in v["docs"]]
    kept = []
    for index, kind, name, path in v["objects"]:
        doc = docs[index]
        steps = tuple(_path(path))
        kept.append(Obj(doc=doc, kind=_str(kind), name=_str(name), path=steps, value=_at(doc.data, steps)))
    return FileVerdict(
        path=_str(v["path"]),
        skipped=None if v["skipped"] is None else _str(v["skipped"]),
        unparseable=v["unparseable"] is True,
        findings=[_decode_finding(f) for f in v["findings"]],
        directives=[
            Directive(_str(rule), _str(reason), _decode_span(span), (_int(lines[0]), _int(lines[1])),
                      _str(path))
            for rule, reason, span, lines, path in v["directives"]
        ],
        kept=kept,
    )


def _decode_finding(f: list[Any]) -> Finding:
    rule, severity, path, span, message, fingerprint, category, properties = f
    if not isinstance(properties, dict):
        raise ValueError("properties")
    return Finding(_str(rule), Severity(_int(severity)), _str(path), _decode_span(span),
                   _str(message), _str(fingerprint), _str(category), properties)


def _decode_doc(d: dict[str, Any]) -> Document:
    return Document(
        path=_str(d["path"]),
        kind=_str(d["kind"]),
        data=d["data"],
        spans=_decode_spans(d["spans"]),
        key_spans=_decode_spans(d["key_spans"]),
        index=_int(d["index"]),
        lines=tuple(_str(line) for line in d["lines"]),
    )


def _decode_spans(encoded: list[Any]) -> dict[tuple[Any, ...], Span]:
    # A path step of an odd type only fails to match; a span must be numbers.
    paths, flat = encoded
    if len(flat) != 4 * len(paths) or not all(type(n) is int for n in flat):
        raise ValueError("spans")
    return {tuple(p): Span(*flat[i : i + 4]) for i, p in zip(range(0, len(flat), 4), paths, strict=True)}


def _decode_span(s: list[Any]) -> Span:
    line, col, end_line, end_col = s
    return Span(_int(line), _int(col), _int(end_line), _int(end_col))


def _path(steps: list[Any]) -> list[str | int]:
    if not all(isinstance(s, (str, int)) and not isinstance(s, bool) for s in steps):
        raise ValueError("path")
    return steps


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not an integer")
    return value
