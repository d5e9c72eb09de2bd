"""Team charters (markdown) as documents of kind "charter".

The data layout is described in `platform_lint.ownership.charters`. A
charter's front matter that is not valid YAML is reported as a problem at
its line; the prose is still read.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_lint.model import Document, Obj, source_lines
from platform_lint.ownership.charters import parse
from platform_lint.sources import FileReader, Parsed


def load(path: str, text: str, files: FileReader) -> Parsed:
    parsed = parse(text)
    doc = Document(path=path, kind="charter", data=parsed.data, spans=parsed.spans,
                   key_spans=parsed.key_spans, lines=source_lines(text))
    return Parsed(documents=[doc], problems=parsed.problems)


def objects(doc: Document) -> Iterator[Obj]:
    yield Obj(doc=doc, kind="charter", name=doc.data.get("team") or doc.path, value=doc.data)
