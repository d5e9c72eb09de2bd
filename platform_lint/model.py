"""Parsed documents and the objects inside them that rules look at.

Every source turns a file into `Document`s: plain Python data (dicts, lists,
str, int, float, bool, None) plus a map from each value's *path* to its
`Span`. Rules read the plain data and report paths; the engine resolves a path
to a line and column late, so rules never deal with positions.
"""

from __future__ import annotations

from typing import Any, Final

from platform_lint.records import field, record

PathKey = str | int
Path = tuple[PathKey, ...]


def source_lines(text: str) -> tuple[str, ...]:
    """The lines of `text` as editors and GitHub number them: broken at `\\r\\n`,
    `\\r` or `\\n` only (`str.splitlines` also breaks at form feeds, NEL and
    U+2028, which would shift every later line number)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return tuple(lines)


@record(unsafe_hash=True)
class Span:
    """A region in a file. Lines and columns are 1-based; `end_col` is exclusive.

    Immutable as far as the type checker goes (`Final` fields), and hashed by its
    fields, but not `frozen`: a frozen class sets each field through
    `object.__setattr__`, which made building one 3.5x slower, and a scan builds
    a span for every key and value it parses (about 100,000 on the corpus); its
    `__init__` is written out for the same reason (a record's takes any arguments)."""

    line: Final[int]
    col: Final[int]
    end_line: Final[int]
    end_col: Final[int]

    def __init__(self, line: int, col: int, end_line: int, end_col: int) -> None:
        self.line, self.col, self.end_line, self.end_col = line, col, end_line, end_col

    @classmethod
    def point(cls, line: int, col: int = 1) -> Span:
        return cls(line, col, line, col + 1)


@record(eq=False)
class Document:
    """One parsed document from one file (a YAML file may hold several).

    `kind` is the source kind: kubernetes, pipeline, terraform, yaml, text,
    codeowners or charter. `spans` maps a path to the span of the value there;
    `key_spans` maps a path to the span of the mapping key that leads to it.
    `model` carries a source-specific normalised form (for example the
    pipeline model of jobs and steps), and `lines` the raw text lines.
    """

    path: str
    kind: str
    data: Any
    spans: dict[Path, Span] = field(default_factory=dict)
    key_spans: dict[Path, Span] = field(default_factory=dict)
    index: int = 0
    model: Any = None
    lines: tuple[str, ...] = ()

    def locate(self, path: Path, *, key: bool = False) -> Span:
        """The span at `path`: the key when asked and there is one, else the value.

        A path that does not exist (a missing key) resolves to its nearest
        existing ancestor, preferring that ancestor's key.
        """
        probe = path
        while True:
            if key or probe != path:
                found = self.key_spans.get(probe)
                if found is not None:
                    return found
            found = self.spans.get(probe)
            if found is not None:
                return found
            if not probe:
                return Span.point(1)
            probe = probe[:-1]

    def text_span(self, path: Path, text: str) -> Span | None:
        """The span of `text` on the first source line holding it inside the value
        at `path` (a line of a script in a block scalar, say), if there is one."""
        value = self.spans.get(path)
        if value is None or not text:
            return None
        for number in range(value.line, min(value.end_line, len(self.lines)) + 1):
            col = self.lines[number - 1].find(text, value.col - 1 if number == value.line else 0)
            if col >= 0:
                return Span(number, col + 1, number, col + len(text) + 1)
        return None


@record(frozen=True)
class Obj:
    """A unit a rule is applied to: a Kubernetes object, a Terraform block,
    a pipeline, a text file. `path` is where `value` lives in `doc.data`."""

    doc: Document
    kind: str
    name: str
    path: Path = ()
    value: Any = None

    def get(self, *path: PathKey, default: Any = None) -> Any:
        """Value at `path` below this object, or `default` when any step is missing."""
        node = self.value
        for step in path:
            if isinstance(node, dict) and isinstance(step, str):
                if step not in node:
                    return default
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and -len(node) <= step < len(node):
                node = node[step]
            else:
                return default
        return node
