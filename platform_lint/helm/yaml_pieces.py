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
from platform_lint.sources.yaml_memo import document_starts, moved, unsplittable
from platform_lint.sources.yaml_tree import Problem, YamlDocument, parse_yaml, too_deep


class ParseCache:
    def __init__(self) -> None:
        self._docs: dict[str, list[YamlDocument]] = {}
        self._texts: dict[str, tuple[list[tuple[YamlDocument, int]], list[Problem]]] = {}
        self._subtrees = Subtrees()

    def parse(self, text: str) -> tuple[list[YamlDocument], list[Problem]]:
        """What `parse_yaml(text)` returns."""
        placed, problems = self.placed(text)
        return [moved(doc, lines) if lines else doc for doc, lines in placed], problems

    def placed(self, text: str) -> tuple[list[tuple[YamlDocument, int]], list[Problem]]:
        """Each document with its spans relative to its own text, and the lines before it
        (the same lists again for a text seen before)."""
        if text not in self._texts:
            self._texts[text] = self._placed(text)
        return self._texts[text]

    def _placed(self, text: str) -> tuple[list[tuple[YamlDocument, int]], list[Problem]]:
        if unsplittable(text) or too_deep(text):
            return _whole(text)
        starts = document_starts(text)
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
