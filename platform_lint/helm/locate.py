"""Rendered objects as Documents whose findings land on the chart line to change.

A traced rendering says which template line wrote each output column (see
`trace`). `documents` parses each rendered manifest with the same YAML reader
as plain manifests, then gives every object a `Rendered` model: for a finding's
path it answers with the template line that wrote the key and, when the value
at fault came from a values file, that values line (the template line then
becomes a related location).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from platform_lint.helm.render import Manifest
from platform_lint.helm.trace import LineMarks, Origin, ValuesPath
from platform_lint.helm.yaml_pieces import ParseCache
from platform_lint.model import Document, Path, Span
from platform_lint.sources.yaml_tree import Problem, parse_yaml


@dataclass(frozen=True, slots=True)
class Where:
    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class ValuesFile:
    """One values file of a values set, with the span of every value in it."""

    path: str
    prefix: tuple[str, ...]
    """Where this file's values sit in the chart's values (a subchart's under its alias)."""
    spans: Mapping[Path, Span]
    key_spans: Mapping[Path, Span]

    @classmethod
    def parse(cls, path: str, text: str, prefix: tuple[str, ...] = ()) -> ValuesFile:
        docs, _problems = parse_yaml(text)
        if not docs:
            return cls(path, prefix, {}, {})
        return cls(path, prefix, docs[0].spans, docs[0].key_spans)


@dataclass(frozen=True, slots=True)
class Relocated:
    """Where a finding on a rendered object belongs, for the engine to report."""

    path: str
    span: Span
    note: str
    """Appended to the message: the values line and template line, named in text."""
    related: list[dict[str, Any]]
    """SARIF-style related locations (the template line when the finding is at a values line)."""
    sets: list[str]
    """The values sets that rendered the object."""


@dataclass
class Rendered:
    """`Document.model` of a rendered object: relocates findings into the chart."""

    template: str
    sets: list[str]
    origins: Sequence[Origin]
    marks: list[LineMarks]
    spans: dict[Path, Span]
    key_spans: dict[Path, Span]
    data: Any
    values_files: list[ValuesFile] = field(default_factory=list)
    template_lines: Mapping[str, Sequence[str]] = field(default_factory=dict)
    shift: int = 0
    """Lines of the manifest before this object's text: `spans` count from there."""
    scope: tuple[str, ...] = ()
    """Where the rendering chart's `.Values` sit in the top chart's (a subchart's alias)."""

    def compact(self) -> Rendered:
        """This model holding only what `relocate` reaches (for an object kept to the end of a scan)."""
        from platform_lint.helm.stored import compact

        return compact(self)

    def kept(self, data: Any) -> Rendered:
        """`compact`, for an object kept to the end of a scan (`data`: its plain data,
        this model's `data`): its span tables packed."""
        from platform_lint.helm.stored import kept

        return kept(self, data)

    def relocate(self, path: Path, key: bool) -> Relocated | None:
        """Where a finding at `path` (of this rendered object) belongs in the chart."""
        probe = path
        while probe and probe not in self.spans and probe not in self.key_spans:
            probe = probe[:-1]
        key_span = self.key_spans.get(probe)
        value_span = self.spans.get(probe)
        anchor = key_span or value_span
        if anchor is None:
            return None
        written = self._origin_at(anchor.line + self.shift, anchor.col)
        if written is None:
            return None
        template = self._where(written, probe[-1] if probe and key_span else None)
        values = None
        exact = probe == path
        if exact and written.values is not None and key_span is not None:
            values = self._values_where(written.values, probe)
        if values is None and exact and value_span is not None and not isinstance(_at(self.data, probe),
                                                                                   (dict, list)):
            inner = self._values_origin_in(value_span)
            if inner is not None and inner.values is not None:
                values = self._values_where(inner.values, probe)
        sets = list(self.sets)
        if values is None:
            return Relocated(template.path, template.span, "", [], sets)
        related = [{"path": template.path, "line": template.span.line, "column": template.span.col,
                    "message": "the template line that writes this key"}]
        note = (f" (value from {values.path}:{values.span.line}, "
                f"written by {template.path}:{template.span.line})")
        return Relocated(values.path, values.span, note, related, sets)

    def from_values(self, path: Path) -> bool:
        """Whether the value at `path` was printed from the chart's values, which a
        release sets at deploy time (`--set`, `-f`)."""
        moved = self.relocate(path, False)
        return moved is not None and bool(moved.related)

    def _origin_at(self, line: int, col: int) -> Origin | None:
        """The origin in force at a 1-based line and column: the last marker at or before it."""
        i = line - 1
        c = col - 1
        while i >= 0:
            marks = self.marks[i] if i < len(self.marks) else []
            if marks:
                cols = [m[0] for m in marks]
                j = bisect.bisect_right(cols, c) - 1 if i == line - 1 else len(marks) - 1
                if j >= 0:
                    return self.origins[marks[j][1]]
            i -= 1
        return None

    def _values_origin_in(self, span: Span) -> Origin | None:
        """The last values-printing action inside a (one-line) value."""
        line = span.line + self.shift
        marks = self.marks[line - 1] if line - 1 < len(self.marks) else []
        found = None
        for col, idx in marks:
            end = span.end_col - 1 if span.end_line == span.line else 1 << 30
            if span.col - 1 <= col < end and self.origins[idx].values is not None:
                found = self.origins[idx]
        return found

    def _where(self, origin: Origin, key: Any) -> Where:
        """The template line that wrote a key (at the key), or a list item (at what the
        item holds, after its `- `, as a plain manifest's item is placed)."""
        col = 1
        lines = self.template_lines.get(origin.file)
        if lines and 0 < origin.line <= len(lines):
            text = lines[origin.line - 1]
            if isinstance(key, str):
                found = text.find(f"{key}:")
                col = found + 1 if found >= 0 else 1
            else:
                col = _item_column(text)
        return Where(origin.file, Span.point(origin.line, col))

    def _values_where(self, values: ValuesPath, rendered: Path) -> Where | None:
        """The values-file line holding `values` + some tail of the rendered path."""
        values = (*self.scope, *values)
        for i in range(len(rendered) + 1):
            tail = tuple(rendered[i:])
            for vf in self.values_files:
                if values[: len(vf.prefix)] != vf.prefix:
                    continue
                candidate = (*values[len(vf.prefix):], *tail)
                span = vf.key_spans.get(candidate) or vf.spans.get(candidate)
                if span is not None:
                    return Where(vf.path, span)
        return None


def _at(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:  # noqa: SIM114 - two narrowings for mypy
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def documents(manifest: Manifest, origins: Sequence[Origin], sets: list[str],
              values_files: list[ValuesFile], template_lines: Mapping[str, Sequence[str]],
              parses: ParseCache | None = None, wanted: Callable[[int, Any], bool] | None = None,
              ) -> tuple[list[tuple[Document, Rendered]], list[tuple[Origin | None, Problem]]]:
    """Each object of a rendered manifest as a Document, and where the output would not parse;
    with `wanted`, only the documents it wants (by index and data) get a model."""
    docs, problems = (parses or ParseCache()).placed(manifest.text)
    marks = manifest.marks or []
    out: list[tuple[Document, Rendered]] = []
    for i, (d, shift) in enumerate(docs):
        if wanted is not None and not wanted(i, d.data):
            continue
        # Compact: the chart's other values sets render while this object waits to be
        # judged, and it need not hold its own rendering's markers and origins meanwhile.
        model = Rendered(manifest.path, sets, origins, marks, d.spans, d.key_spans, d.data, values_files,
                         template_lines, shift, manifest.scope).compact()
        doc = Document(path=manifest.path, kind="kubernetes", data=d.data, index=i, model=model)
        out.append((doc, model))
    located: list[tuple[Origin | None, Problem]] = []
    for p in problems:
        probe = Rendered(manifest.path, sets, origins, marks, {}, {}, None)
        located.append((probe._origin_at(p.span.line, p.span.col), p))
    return out, located


def _item_column(text: str) -> int:
    """The 1-based column of what a list item written on `text` holds, after its
    dashes (`  - - name: x` is at `name`); 1 when the line is no item, or the item's
    text is a template action."""
    at, n, item = 0, len(text), False
    while at < n:
        if text[at] in " \t":
            at += 1
        elif text[at] == "-" and text[at + 1:at + 2] in (" ", "\t"):
            at, item = at + 2, True
        else:
            break
    return at + 1 if item and at < n and not text.startswith("{{", at) else 1
