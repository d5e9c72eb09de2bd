"""Command lines written as values outside pipelines: a container's `command` and
`args`, Terraform provisioners' `command` and `inline`, Compose `entrypoint`,
scripts in plain YAML (Helm values, Ansible), so credential options given
literals (`docker login -p X`, `mysql -pX`, `--token X`) are found there as
they are in pipeline scripts.

An argv (a list of words) is joined into one command line, each word quoted when
it holds a space, so `["sh", "-c", "docker login -p X r"]` is read as the shell
would run it; a word list without its program (`args: [--token, X]`, the image
names the program) is read after a stand-in program word.
"""

from __future__ import annotations

from typing import Any

from platform_lint.model import Path

Words = list[tuple[str, Path]]

ARGV_KEYS = ("entrypoint", "command", "args")
"""Keys whose lists make one command's words, in this order (Compose `entrypoint` +
`command`, a Kubernetes container's `command` + `args`)."""
SCRIPT_KEYS = frozenset({"script", "scripts", "run", "inline", "commands", "cmd", "before_script",
                         "after_script", "shell"})
"""Keys whose list is a script, one command line an item (Terraform `inline`, Ansible, CI-like YAML)."""
_STAND_IN = "program "


def argv(mapping: dict[Any, Any], path: Path) -> Words:
    """The words of the command a mapping at `path` gives by its `ARGV_KEYS` (none: empty)."""
    words: Words = []
    for key in ARGV_KEYS:
        if key in mapping:
            words += _words(mapping[key], (*path, key))
    return words


def script_lines(value: Any, path: Path) -> list[Words]:
    """The command lines of the value of a `SCRIPT_KEYS` key at `path`: one word each."""
    if isinstance(value, str):
        return [[(value, path)]]
    if isinstance(value, list):
        return [[(v, (*path, i))] for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _words(value: Any, path: Path) -> Words:
    if isinstance(value, str):
        return [(value, path)]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [(str(v), (*path, i)) for i, v in enumerate(value)]
    return []


def joined(words: Words) -> tuple[str, list[tuple[int, int, Path]]]:
    """The command line the words make, and where each word is in it (start, end, path)."""
    parts: list[str] = []
    places: list[tuple[int, int, Path]] = []
    at = 0
    if len(words) > 1 and str(words[0][0]).startswith("-"):
        parts.append(_STAND_IN)
        at = len(_STAND_IN)
    for text, path in words:
        quoted = len(words) > 1 and (not text or any(c.isspace() for c in text)) and "'" not in text
        shown = f"'{text}'" if quoted else text
        start = at + (1 if quoted else 0)
        places.append((start, start + len(text), path))
        parts.append(shown + " ")
        at += len(shown) + 1
    return "".join(parts), places


def word_at(places: list[tuple[int, int, Path]], offset: int) -> Path | None:
    """The path of the word holding `offset` of the joined line."""
    for start, end, path in places:
        if start <= offset < end:
            return path
    return None
