"""The built-in rule pack kept as one entry in the user cache folder.

Every run needs every built-in rule. Found file by file in the validated-rules
cache (`validation.ValidatedCache`), that meant decoding the whole of that cache
(every rule pack a user has run, hundreds of entries) at start-up. The pack is
one small file holding the validated data of the built-in rules, keyed by a
digest of the rule files' names and bytes and of what validation depends on
(`rules._validated_against`): an edited, added or removed rule file, another
rule schema or other checks miss it, and the rules are read file by file as
before. A pack of another shape is not trusted, it is read past.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_lint import __version__


class RulePack:
    """The pack for the rule `files` (one directory's, in load order)."""

    def __init__(self, files: Sequence[Path], against: Mapping[str, Any]) -> None:
        self.files = list(files)
        self._key = _key(self.files, against)

    def load(self) -> dict[str, Any] | None:
        """Each file's rule data by file name, when the pack holds exactly these files."""
        if self._key is None:
            return None
        try:
            stored = json.loads(_pack_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != self._key:
            return None
        rules = stored.get("rules")
        if not isinstance(rules, dict) or set(rules) != {f.name for f in self.files}:
            return None
        return rules

    def save(self, rules: Mapping[str, Any]) -> None:
        """Remember each file's validated data (by file name); written whole or not at all."""
        if self._key is None:
            return
        path = _pack_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"key": self._key, "rules": dict(rules)}), encoding="utf-8")
            temporary.replace(path)  # atomic: concurrent runs never see half a file
        except OSError:
            pass  # a pack that cannot be written only costs speed


def _key(files: Sequence[Path], against: Mapping[str, Any]) -> str | None:
    digest = hashlib.sha256(json.dumps(against, sort_keys=True).encode())
    for path in files:
        try:
            content = path.read_bytes()
        except OSError:
            return None  # read file by file, which reports it
        digest.update(f"\0{path.name}\0{len(content)}\0".encode("utf-8", "surrogateescape"))
        digest.update(content)
    return digest.hexdigest()


def _pack_file() -> Path:
    from platform_lint.cache_home import user_cache_root

    return user_cache_root() / f"rule-pack-{__version__}.json"
