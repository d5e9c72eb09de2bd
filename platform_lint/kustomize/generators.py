"""configMapGenerator and secretGenerator, with kustomize's content hash suffix.

The suffix is kustomize's: SHA-256 of the Go `json.Marshal` of
`{"kind", "name", "data"}` (a Secret adds `"type"`, its data base64), the
first ten hex digits with 0, 1, 3, a, e turned into g, h, k, m, t. Each data
value is located at the literal, file or env entry that produced it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from platform_lint.kustomize.nodes import Loc, Node
from platform_lint.records import record

_HASH_LETTERS = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def name_hash(kind: str, name: str, data: dict[str, str], secret_type: str | None = None) -> str:
    fields: dict[str, Any] = {"kind": kind, "name": name, "data": data}
    if secret_type is not None:
        fields["type"] = secret_type
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # encoding/json escapes these for HTML safety
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10].translate(_HASH_LETTERS)


@record(frozen=True)
class Entry:
    key: str
    value: str
    loc: Loc | None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def entries(spec: Node, folder: str, read: Callable[[str], str | None],
            problems: list[tuple[Loc | None, str]]) -> Iterator[Entry]:
    """The key/value pairs a generator entry names (literals, files, env files)."""
    literals = spec.get("literals")
    for item in literals.value if literals is not None and isinstance(literals.value, list) else ():
        if isinstance(item.value, str) and "=" in item.value:
            key, _, value = item.value.partition("=")
            yield Entry(key.strip(), _unquote(value), item.loc)
        else:
            problems.append((item.loc, "a literal is written key=value"))
    files = spec.get("files")
    for item in files.value if files is not None and isinstance(files.value, list) else ():
        if not isinstance(item.value, str):
            continue
        key, _, rel = item.value.rpartition("=") if "=" in item.value else ("", "", item.value)
        text = read(posixpath.join(folder, rel))
        if text is None:
            problems.append((item.loc, f"file {rel!r} is not in the repository"))
            continue
        yield Entry(key or posixpath.basename(rel), text, item.loc)
    env_files: list[Node] = []
    for field in ("envs", "env"):
        found = spec.get(field)
        if found is not None:
            env_files.extend(found.value if isinstance(found.value, list) else [found])
    for item in env_files:
        if not isinstance(item.value, str):
            continue
        text = read(posixpath.join(folder, item.value))
        if text is None:
            problems.append((item.loc, f"env file {item.value!r} is not in the repository"))
            continue
        for raw in text.splitlines():
            line = raw.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                yield Entry(key.strip(), value, item.loc)


def generated(kind: str, spec: Node, pairs: list[Entry], options: dict[str, Any], loc: Loc | None
              ) -> Node:
    """The ConfigMap or Secret a generator entry makes (without the hash suffix yet)."""
    name = str(spec.plain("name") or "")
    data: dict[str, Node] = {}
    for pair in pairs:
        value = base64.b64encode(pair.value.encode()).decode() if kind == "Secret" else pair.value
        data[pair.key] = Node(value, pair.loc, pair.loc)
    metadata: dict[str, Node] = {"name": Node(name, loc, loc)}
    namespace = spec.plain("namespace")
    if isinstance(namespace, str):
        metadata["namespace"] = Node(namespace, loc, loc)
    for field in ("labels", "annotations"):
        merged = {**(options.get(field) or {}), **((spec.plain("options") or {}).get(field) or {})}
        if merged:
            metadata[field] = Node({k: Node(str(v), loc, loc) for k, v in merged.items()}, loc, loc)
    body: dict[str, Node] = {
        "apiVersion": Node("v1", loc, loc),
        "kind": Node(kind, loc, loc),
        "metadata": Node(metadata, loc, loc),
    }
    if kind == "Secret":
        body["type"] = Node(str(spec.plain("type") or "Opaque"), loc, loc)
    body["data"] = Node(data, loc, loc)
    return Node(body, loc)


def hashed(node: Node) -> bool:
    """Give a generated object its hash suffix; False when its options disable it."""
    name = node.get("metadata", "name")
    if name is None:
        return False
    kind = str(node.plain("kind"))
    data = {k: str(v) for k, v in (node.plain("data") or {}).items()}
    secret_type = str(node.plain("type")) if kind == "Secret" else None
    name.value = f"{name.value}-{name_hash(kind, str(name.value), data, secret_type)}"
    return True
