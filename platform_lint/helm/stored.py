"""A rendered object's `Rendered` model cut down to what relocation reaches, and as
plain JSON data for the result cache.

A chart's verdict keeps the rendered objects cross-object rules need, and a
finding on one is relocated by its model. Only what `Rendered.relocate` can
reach is kept (`compact`) and stored (`encode`): the markers of the object's
own lines (with the origin in force just before them), the origins those
markers name, the template lines those origins point at, and the values files
(shared by every object of the chart, stored once in `values_table`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from platform_lint.helm.locate import Rendered, ValuesFile
from platform_lint.helm.trace import LineMarks, Origin
from platform_lint.model import Path, Span
from platform_lint.scan_result import as_int as _int
from platform_lint.scan_result import as_str as _str

Encode = Callable[[dict[Path, Span]], list[Any]]
Decode = Callable[[list[Any]], dict[Path, Span]]


def compact(model: Rendered) -> Rendered:
    """The same model, holding only what `relocate` can reach: what a kept object needs
    (the whole rendering's markers and origins would stay alive otherwise)."""
    ends = [s.end_line for s in (*model.spans.values(), *model.key_spans.values())]
    first, last = model.shift, model.shift + max(ends, default=1)
    carry = next((line[-1][1] for line in reversed(model.marks[:first]) if line), None)
    ids: dict[int, int] = {}
    origins: list[Origin] = []

    def local(index: int) -> int:
        if index not in ids:
            ids[index] = len(origins)
            origins.append(model.origins[index])
        return ids[index]

    marks: list[LineMarks] = [[(0, local(carry))] if carry is not None else []]
    marks.extend([(col, local(index)) for col, index in line] if line else []
                 for line in model.marks[first:last])
    lines: dict[str, list[str]] = {}
    for origin in origins:
        text = model.template_lines.get(origin.file)
        if text is not None and 0 < origin.line <= len(text):
            held = lines.setdefault(origin.file, [])
            held.extend([""] * (origin.line - len(held)))
            held[origin.line - 1] = text[origin.line - 1]
    return replace(model, origins=origins, marks=marks, template_lines=lines, shift=1)


def kept(model: Rendered, data: Any) -> Rendered:
    """`compact`, its span tables packed too (`packed_spans`): a model kept to the end
    of the scan, read only for the findings of cross-object rules."""
    from platform_lint.packed_spans import pack_tables

    small = compact(model)
    spans, key_spans = pack_tables(data, small.spans, small.key_spans)
    return replace(small, spans=spans, key_spans=key_spans)


def encode(model: Rendered, values_table: dict[int, int], values_out: list[dict[str, Any]],
           spans: Encode) -> dict[str, Any]:
    """`model` as plain data; its values files are added to `values_out` once each."""
    small = compact(model)
    files = []
    for vf in small.values_files:
        if id(vf) not in values_table:
            values_table[id(vf)] = len(values_out)
            values_out.append({"path": vf.path, "prefix": list(vf.prefix), "spans": spans(dict(vf.spans)),
                               "key_spans": spans(dict(vf.key_spans))})
        files.append(values_table[id(vf)])
    return {
        "template": small.template,
        "sets": list(small.sets),
        "origins": [[o.file, o.line, None if o.values is None else list(o.values)] for o in small.origins],
        "marks": [[[col, index] for col, index in line] for line in small.marks],
        "spans": spans(small.spans),
        "key_spans": spans(small.key_spans),
        "values_files": files,
        "template_lines": {file: {str(n): text for n, text in enumerate(held, start=1) if text}
                           for file, held in small.template_lines.items()},
        "scope": list(small.scope),
    }


def values_files(encoded: list[Any], spans: Decode) -> list[ValuesFile]:
    return [ValuesFile(_str(v["path"]), tuple(_str(p) for p in v["prefix"]), spans(v["spans"]),
                       spans(v["key_spans"])) for v in encoded]


def decode(encoded: dict[str, Any], data: Any, table: list[ValuesFile], spans: Decode) -> Rendered:
    """The model `encode` stored (raises on anything of another shape)."""
    origins = [Origin(_str(file), _int(line), None if values is None else tuple(_step(v) for v in values))
               for file, line, values in encoded["origins"]]
    marks: list[LineMarks] = []
    for line in encoded["marks"]:
        marks.append([(_int(col), _int(index)) for col, index in line])
        if any(index >= len(origins) for _col, index in marks[-1]):
            raise ValueError("marks")
    template_lines: dict[str, list[str]] = {}
    for file, numbered in encoded["template_lines"].items():
        lines = {int(n): _str(text) for n, text in numbered.items()}
        template_lines[_str(file)] = [lines.get(n, "") for n in range(1, max(lines, default=0) + 1)]
    return Rendered(
        template=_str(encoded["template"]),
        sets=[_str(s) for s in encoded["sets"]],
        origins=origins,
        marks=marks,
        spans=spans(encoded["spans"]),
        key_spans=spans(encoded["key_spans"]),
        data=data,
        values_files=[table[_int(i)] for i in encoded["values_files"]],
        template_lines=template_lines,
        scope=tuple(_str(alias) for alias in encoded["scope"]),
        shift=1,  # marks[0] holds the origin in force before the object's first line
    )


def _step(value: Any) -> str | int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("not a path step")
    return value
