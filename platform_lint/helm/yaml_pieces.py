"""Rendered YAML parsed document by document, each distinct document once per chart.

A chart rendered for several values sets repeats most of its output, and one
template may write megabytes that do not change between sets. The text is cut
at its `---` lines; each document is parsed once per chart and placed where it
stands: `placed` says how many lines precede it (`locate.Rendered.shift`), so
nothing is moved. `parse` moves the spans and is exactly `parse_yaml(text)`
(a differential test compares them on every rendered corpus chart). Text that needs the whole
stream (directives, `...`, odd line breaks, deep brackets) or a document with
any problem is parsed whole instead, as `parse_yaml` would.
"""

from __future__ import annotations

from platform_lint.helm.yaml_subtrees import Subtrees
from platform_lint.model import Path, Span
from platform_lint.sources.yaml_tree import Problem, YamlDocument, parse_yaml, too_deep

_ODD_BREAKS = "\r\x85\u2028\u2029"


def _document_starts(text: str) -> list[int]:
    """0, and where each later line that is `---`, alone or before a space or a tab, begins."""
    starts = [0]
    found = text.find("\n---")
    while found >= 0:
        start = found + 1
        if start + 3 == len(text) or text[start + 3] in " \t\n":
            starts.append(start)
        found = text.find("\n---", start)
    return starts


def _unsplittable(text: str) -> bool:
    """Whether the text needs the whole stream: an odd line break, a directive (`%` at a
    line's start) or a document end (`...`)."""
    return (any(c in text for c in _ODD_BREAKS) or text.startswith(("%", "...")) or "\n%" in text
            or "\n..." in text)


class ParseCache:
    def __init__(self) -> None:
        self._docs: dict[str, list[YamlDocument]] = {}
        self._texts: dict[str, tuple[list[tuple[YamlDocument, int]], list[Problem]]] = {}
        self._subtrees = Subtrees()

    def parse(self, text: str) -> tuple[list[YamlDocument], list[Problem]]:
        """What `parse_yaml(text)` returns."""
        placed, problems = self.placed(text)
        return [_moved(doc, lines) for doc, lines in placed], problems

    def placed(self, text: str) -> tuple[list[tuple[YamlDocument, int]], list[Problem]]:
        """Each document with its spans relative to its own text, and the lines before it
        (the same lists again for a text seen before)."""
        if text not in self._texts:
            self._texts[text] = self._placed(text)
        return self._texts[text]

    def _placed(self, text: str) -> tuple[list[tuple[YamlDocument, int]], list[Problem]]:
        if _unsplittable(text) or too_deep(text):
            return _whole(text)
        starts = _document_starts(text)
        out: list[tuple[YamlDocument, int]] = []
        line = 0
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
            piece = text[start:end]
            docs = self._docs.get(piece)
            if docs is None:
                docs, problems = self._parse(piece)
                if problems:
                    return _whole(text)
                self._docs[piece] = docs
            out.extend((doc, line) for doc in docs)
            line += piece.count("\n")
        return out, []

    def _parse(self, piece: str) -> tuple[list[YamlDocument], list[Problem]]:
        doc = self._subtrees.read(piece)
        return ([doc], []) if doc is not None else parse_yaml(piece)


def _whole(text: str) -> tuple[list[tuple[YamlDocument, int]], list[Problem]]:
    docs, problems = parse_yaml(text)
    return [(doc, 0) for doc in docs], problems


def _moved(doc: YamlDocument, lines: int) -> YamlDocument:
    if not lines:
        return doc

    def move(spans: dict[Path, Span]) -> dict[Path, Span]:
        return {path: Span(s.line + lines, s.col, s.end_line + lines, s.end_col) for path, s in spans.items()}

    return YamlDocument(doc.data, move(doc.spans), move(doc.key_spans))
