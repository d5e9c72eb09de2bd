"""Per-file results remembered between runs, in the user's cache folder.

A file's verdict (its findings, suppression directives and the objects that
cross-object rules keep) depends on its path and bytes, the rule pack, the
config and the tool; the key hashes all of them, with the tool's own source,
so an edited checkout never reads stale results.

Safe to share: each entry is its own JSON file, written to a temporary name
and renamed into place, so concurrent runs see a whole entry or none. An
entry is data, never code: one that does not parse, names another key or has
a field of the wrong type is a miss and is overwritten. Verdicts that hold a
secret's text (a file where a secret rule found one) are never stored. A
verdict that read other files (a Helm chart renders from all its files, a
GitLab include) names them with the digest of what it read (and, for a chart,
the digest of the scan's file list): it is used only while they are unchanged.

Bounded: a hit touches its entry, and a run that wrote entries prunes the
folder (at most once an hour, or after `PRUNE_AFTER_WRITES` writes) down to
three quarters of `MAX_BYTES`, least recently used first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_lint import __version__
from platform_lint.config import Config
from platform_lint.model import Document, Obj, Span
from platform_lint.per_file import FileVerdict
from platform_lint.records import fields
from platform_lint.rules import Rule
from platform_lint.scan_result import (
    NotStorable,
    as_int,
    as_str,
    check_plain,
    decode_finding,
    decode_span,
    encode_finding,
    encode_span,
)
from platform_lint.suppression import Directive

FORMAT = "platform-lint-file-verdict/3"
MAX_BYTES = 512 * 2**20
PRUNE_INTERVAL = 3600.0
"""Seconds between prunes of the folder."""
PRUNE_AFTER_WRITES = 2000
"""A run that writes this many entries prunes even within the interval."""
_MARKER = "last-prune"


class ResultCache:
    """The cache folder; `for_scan` gives the view of one scan's rules and config."""

    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._tool: bytes | None = None

    def prune_if_due(self) -> int:
        """Prune when this run wrote entries and a prune is due; the entries removed."""
        marker = self.directory / _MARKER
        try:
            recent = time.time() - marker.stat().st_mtime < PRUNE_INTERVAL
        except OSError:
            recent = False
        if not self.writes or (recent and self.writes < PRUNE_AFTER_WRITES):
            return 0
        removed = prune(self.directory, MAX_BYTES if self.max_bytes is None else self.max_bytes)
        with contextlib.suppress(OSError):
            marker.touch()
        return removed

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

    def get(self, key: str, valid: Callable[[FileVerdict], bool] | None = None) -> FileVerdict | None:
        """The entry at `key`, if there is one of the right shape that `valid` accepts."""
        try:
            entry = json.loads(self._file(key).read_bytes())
            verdict = _decode(entry, key)
        except Exception:  # missing, unreadable, corrupt or foreign: a miss, never trusted
            verdict = None
        if verdict is not None and valid is not None and not valid(verdict):
            verdict = None
        if verdict is None:
            self.owner.misses += 1
        else:
            self.owner.hits += 1
            with contextlib.suppress(OSError):
                os.utime(self._file(key))  # recently used: pruned last
        return verdict

    def put(self, key: str, verdict: FileVerdict) -> None:
        try:
            text = json.dumps({"format": FORMAT, "key": key, "verdict": _encode(verdict)},
                              separators=(",", ":"), allow_nan=False)
        except (NotStorable, ValueError):
            return
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
            temporary.write_text(text)
            os.replace(temporary, target)  # atomic: a reader sees all of an entry or none
            self.owner.writes += 1
        except OSError:
            pass  # a cache that cannot be written only costs speed


def prune(directory: Path, max_bytes: int) -> int:
    """Remove the least recently used entries (and temporary files an hour old,
    left by a run that died) until the folder holds at most three quarters of
    `max_bytes`, if it holds more than `max_bytes`. Safe beside other runs: a
    reader of a removed entry sees a miss. Returns how many files went."""
    entries: list[tuple[float, int, Path]] = []
    stale: list[Path] = []
    now = time.time()
    try:
        shards = [d for d in directory.iterdir() if d.is_dir() and len(d.name) == 2]
    except OSError:
        return 0
    for shard in shards:
        try:
            listing = list(os.scandir(shard))
        except OSError:
            continue
        for item in listing:
            try:
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if item.name.endswith(".tmp"):
                if now - info.st_mtime > PRUNE_INTERVAL:
                    stale.append(Path(item.path))
            elif item.name.endswith(".json"):
                entries.append((info.st_mtime, info.st_size, Path(item.path)))
    total = sum(size for _t, size, _p in entries)
    doomed = list(stale)
    if total > max_bytes:
        for _mtime, size, path in sorted(entries, key=lambda e: (e[0], e[2].name)):
            if total <= max_bytes * 3 // 4:
                break
            doomed.append(path)
            total -= size
    removed = 0
    for path in doomed:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


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
    named = None if isinstance(value, type) else fields(value)
    if named is not None:  # a record or a dataclass
        return {f.name: _plain(getattr(value, f.name)) for f in named}
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


def _encode(v: FileVerdict) -> dict[str, Any]:
    docs: dict[int, int] = {}
    encoded_docs: list[dict[str, Any]] = []
    objs: list[list[Any]] = []
    values_table: dict[int, int] = {}
    values_files: list[dict[str, Any]] = []
    for obj in v.kept:
        if id(obj.doc) not in docs:
            docs[id(obj.doc)] = len(encoded_docs)
            encoded_docs.append(_encode_doc(obj.doc, values_table, values_files))
        if _at(obj.doc.data, obj.path) is not obj.value:
            raise NotStorable
        objs.append([docs[id(obj.doc)], obj.kind, obj.name, list(obj.path)])
    return {
        "path": v.path,
        "skipped": v.skipped,
        "unparseable": v.unparseable,
        "findings": [encode_finding(f) for f in v.findings],
        "directives": [[d.rule, d.reason, encode_span(d.span), list(d.lines), d.path] for d in v.directives],
        "docs": encoded_docs,
        "objects": objs,
        "values_files": values_files,
        "reads": v.reads,
        "listing": v.listing if v.listed else None,
    }


def _encode_doc(doc: Document, values_table: dict[int, int], values_files: list[dict[str, Any]],
                ) -> dict[str, Any]:
    rendered = None
    model: dict[str, Any] | None = None
    if doc.model is not None:
        from platform_lint.helm.locate import Rendered

        if isinstance(doc.model, Rendered):
            from platform_lint.helm import stored

            rendered = stored.encode(doc.model, values_table, values_files, _encode_spans)
        else:
            model = _encode_model(doc.model, doc.data)
    check_plain(doc.data)
    from platform_lint.packed_spans import packed_numbers

    packed = packed_numbers(doc.spans)
    if packed is not None and packed is not packed_numbers(doc.key_spans):
        raise NotStorable
    spans = {"packed": packed.tolist()} if packed is not None else {
        "spans": _encode_spans(doc.spans), "key_spans": _encode_spans(doc.key_spans)}
    return {
        "rendered": rendered,
        **({"model": model} if model is not None else {}),
        "path": doc.path,
        "kind": doc.kind,
        "data": doc.data,
        **spans,
        "index": doc.index,
        "lines": list(doc.lines),
    }


def _encode_model(model: Any, data: Any) -> dict[str, Any]:
    """A kept object's model other than a rendering: skaffold's images on a manifest
    (`Deployed`), a kustomize build's packed located tree (`Built`)."""
    from platform_lint.packed_spans import PackedTree
    from platform_lint.sources.kubernetes import Deployed
    from platform_lint.sources.kustomize import Built

    if isinstance(model, Deployed):
        return {"deployed": sorted(model.substituted_images)}
    from platform_lint.ownership.codeowners import CodeOwners

    if isinstance(model, CodeOwners):  # parsed again from the kept lines
        return {"codeowners": model.flavour}
    if isinstance(model, Built) and isinstance(model.node, PackedTree) and model.node.data is data:
        return {"built": model.overlay, "images": sorted(model.substituted_images),
                "files": model.node.files, "numbers": model.node.numbers.tolist()}
    raise NotStorable


def _decode_model(d: dict[str, Any], data: Any, path: str, lines: tuple[str, ...]) -> Any:
    from platform_lint.sources.kubernetes import Deployed

    if "deployed" in d:
        return Deployed(frozenset(as_str(i) for i in d["deployed"]))
    if "codeowners" in d:
        from platform_lint.ownership import codeowners

        flavour = d["codeowners"]
        if flavour not in ("github", "gitlab"):
            raise ValueError("flavour")
        return codeowners.parse("\n".join(lines), path, flavour)
    from platform_lint.packed_spans import unpacked_tree
    from platform_lint.sources.kustomize import Built

    tree = unpacked_tree(data, [as_str(f) for f in d["files"]], d["numbers"])
    return Built(tree, as_str(d["built"]), frozenset(as_str(i) for i in d["images"]))


def _encode_spans(spans: Mapping[tuple[str | int, ...], Span]) -> list[Any]:
    """[paths, flat ints]: four numbers a span, decoded with one type check."""
    return [[list(p) for p in spans], [n for s in spans.values() for n in encode_span(s)]]


def _at(data: Any, path: Sequence[Any]) -> Any:
    for step in path:
        data = data[step]
    return data


# ---------------------------------------------------------------- decoding


def _decode(entry: Any, key: str) -> FileVerdict | None:
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    v = entry["verdict"]
    table: list[Any] = []
    if v["values_files"]:
        from platform_lint.helm import stored

        table = stored.values_files(v["values_files"], _decode_spans)
    docs = [_decode_doc(d, table) for d in v["docs"]]
    kept = []
    for index, kind, name, path in v["objects"]:
        doc = docs[index]
        steps = tuple(_path(path))
        kept.append(Obj(doc=doc, kind=as_str(kind), name=as_str(name), path=steps,
                        value=_at(doc.data, steps)))
    reads = v["reads"]
    if not isinstance(reads, dict) or not all(d is None or isinstance(d, str) for d in reads.values()):
        raise ValueError("reads")
    listing = v["listing"]
    return FileVerdict(
        reads=reads,
        listed=listing is not None,
        listing=None if listing is None else as_str(listing),
        path=as_str(v["path"]),
        skipped=None if v["skipped"] is None else as_str(v["skipped"]),
        unparseable=v["unparseable"] is True,
        findings=[decode_finding(f) for f in v["findings"]],
        directives=[
            Directive(as_str(rule), as_str(reason), decode_span(span), (as_int(lines[0]), as_int(lines[1])),
                      as_str(path))
            for rule, reason, span, lines, path in v["directives"]
        ],
        kept=kept,
    )


def _decode_doc(d: dict[str, Any], values_files: list[Any]) -> Document:
    model = None
    lines = tuple(as_str(line) for line in d["lines"])
    if d["rendered"] is not None:
        from platform_lint.helm import stored

        model = stored.decode(d["rendered"], d["data"], values_files, _decode_spans)
    elif "model" in d:
        model = _decode_model(d["model"], d["data"], as_str(d["path"]), lines)
    spans: dict[tuple[Any, ...], Span]
    key_spans: dict[tuple[Any, ...], Span]
    if "packed" in d:
        from platform_lint.packed_spans import unpacked_from

        spans, key_spans = unpacked_from(d["data"], d["packed"])
    else:
        spans, key_spans = _decode_spans(d["spans"]), _decode_spans(d["key_spans"])
    return Document(
        path=as_str(d["path"]),
        kind=as_str(d["kind"]),
        data=d["data"],
        spans=spans,
        key_spans=key_spans,
        index=as_int(d["index"]),
        model=model,
        lines=lines,
    )


def _decode_spans(encoded: list[Any]) -> dict[tuple[Any, ...], Span]:
    # A path step of an odd type only fails to match; a span must be numbers.
    paths, flat = encoded
    if len(flat) != 4 * len(paths) or not all(type(n) is int for n in flat):
        raise ValueError("spans")
    return {tuple(p): Span(*flat[i : i + 4]) for i, p in zip(range(0, len(flat), 4), paths, strict=True)}


def _path(steps: list[Any]) -> list[str | int]:
    if not all(isinstance(s, (str, int)) and not isinstance(s, bool) for s in steps):
        raise ValueError("path")
    return steps
