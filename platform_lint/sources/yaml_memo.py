"""A manifest's large `---` documents parsed once while they are among the last few.

Rendered examples of one chart repeat the same large documents file after file
(the opentelemetry operator's examples each hold the same CRDs, 750 KB).
`parse_manifest(text)` returns exactly what `parse_yaml(text)` returns: a text
holding a document of `LARGE` characters or more is cut at its `---` lines
(as `helm.yaml_pieces` cuts a rendering), each piece parsed alone at its own lines; a large
piece met again is taken from the memo and charged to the file's budget as its
parse was. Anything that could read differently alone (a problem in a piece, a
budget crossed, text that needs the whole stream, a piece only ruamel's own parser
reads, which `parse_yaml` then reads the whole text with) is parsed whole instead,
the budget as it stood before.

The memo forgets a piece that `FILES` manifests in a row did not use: its trees (about 12
bytes a character of text) are then not held beside what the scan meets long after, such
as a chart rendered in a later copy of the repository. Held as compact forms (the data
marshalled, the spans as numbers), a piece cost as much to build again as to parse: what
the memo saves is building the trees, so it keeps them, for a while.
"""

from __future__ import annotations

from collections import OrderedDict

from platform_lint import budget
from platform_lint.budget import OverBudget
from platform_lint.model import Path, Span
from platform_lint.sources.yaml_tree import Problem, YamlDocument, parse_yaml, read_yaml, too_deep

LARGE = 16 * 1024
"""A piece of at least this many characters is remembered."""
KEPT = 1024 * 1024
"""The memo keeps the last large pieces up to this many characters in all."""

FILES = 64
"""A piece is forgotten once this many manifests in a row have been read without it."""

_MEMO: OrderedDict[str, tuple[list[YamlDocument], int, int, int, int]] = OrderedDict()
"""Each piece's documents, the line they were parsed at, its nodes and scalar characters, and
the manifest that used it last."""
_read = 0
"""Manifests read so far (by this process)."""


_ODD_BREAKS = "\r\x85\u2028\u2029"


def document_starts(text: str) -> list[int]:
    """0, and where each later line that is `---`, alone or before a space or a tab, begins."""
    starts = [0]
    found = text.find("\n---")
    while found >= 0:
        start = found + 1
        if start + 3 == len(text) or text[start + 3] in " \t\n":
            starts.append(start)
        found = text.find("\n---", start)
    return starts


def unsplittable(text: str) -> bool:
    """Whether the text needs the whole stream: an odd line break, a directive (`%` at a
    line's start) or a document end (`...`)."""
    return (any(c in text for c in _ODD_BREAKS) or text.startswith(("%", "...")) or "\n%" in text
            or "\n..." in text)


def moved(doc: YamlDocument, lines: int) -> YamlDocument:
    """`doc` with new span tables, `lines` further down."""
    def move(spans: dict[Path, Span]) -> dict[Path, Span]:
        if not lines:
            return dict(spans)
        return {path: Span(s.line + lines, s.col, s.end_line + lines, s.end_col) for path, s in spans.items()}

    return YamlDocument(doc.data, move(doc.spans), move(doc.key_spans))


class _Whole(Exception):
    """A piece that must be read with the rest of the text."""


def parse_manifest(text: str) -> tuple[list[YamlDocument], list[Problem]]:
    """What `parse_yaml(text)` returns."""
    global _read  # noqa: PLW0603  (the memo's clock, as process-wide as the memo)
    _read += 1
    while _MEMO and next(iter(_MEMO.values()))[4] <= _read - FILES:  # oldest use first
        _MEMO.popitem(last=False)
    if len(text) < LARGE or unsplittable(text) or too_deep(text):
        return parse_yaml(text)
    starts = document_starts(text)
    pieces = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    if max(map(len, pieces)) < LARGE:
        return parse_yaml(text)
    meter = budget.current()
    before = (meter.nodes, meter.scalar_bytes) if meter is not None else (0, 0)
    try:
        out: list[YamlDocument] = []
        line = 0
        for piece in pieces:
            out.extend(_piece(piece, line, meter))
            line += piece.count("\n")
        return out, []
    except (_Whole, OverBudget):
        if meter is not None:
            meter.nodes, meter.scalar_bytes = before
        return parse_yaml(text)


def _piece(piece: str, line: int, meter: budget.Meter | None) -> list[YamlDocument]:
    """The documents of one piece `line` lines down, from the memo (moved there) or parsed
    there (and remembered when large)."""
    known = _MEMO.get(piece)
    if known is not None:
        docs, at, nodes, scalar_bytes, _used = known
        if meter is not None:
            limits = meter.budgets
            if meter.nodes + nodes > limits.nodes or meter.scalar_bytes + scalar_bytes > limits.scalar_bytes:
                raise _Whole
            meter.nodes += nodes
            meter.scalar_bytes += scalar_bytes
        _MEMO[piece] = (docs, at, nodes, scalar_bytes, _read)
        _MEMO.move_to_end(piece)
        return [moved(doc, line - at) for doc in docs]
    nodes, scalar_bytes = (meter.nodes, meter.scalar_bytes) if meter is not None else (0, 0)
    # After as many line breaks as the text has above it, the piece's marks are the text's
    # lines: no span is moved (a C search skips the breaks). Not when there are more breaks
    # than the piece has characters: many small pieces low in a manifest would make its
    # parse quadratic, so such a piece is parsed alone and its spans moved.
    shift = line if line > len(piece) else 0
    at = line - shift
    docs, problems, reread = read_yaml("\n" * at + piece if at else piece)
    if problems or reread:  # read again by ruamel's own parser: parse_yaml reads all the text so
        raise _Whole
    if LARGE <= len(piece) <= KEPT and meter is not None:
        _remember(piece, docs, at, meter.nodes - nodes, meter.scalar_bytes - scalar_bytes)
        return [moved(doc, shift) for doc in docs]  # the memo's own tables stay its own
    return [moved(doc, shift) for doc in docs] if shift else docs


def _remember(piece: str, docs: list[YamlDocument], line: int, nodes: int, scalar_bytes: int) -> None:
    _MEMO[piece] = (docs, line, nodes, scalar_bytes, _read)
    while sum(map(len, _MEMO)) > KEPT:  # a few entries: at most KEPT // LARGE
        _MEMO.popitem(last=False)
