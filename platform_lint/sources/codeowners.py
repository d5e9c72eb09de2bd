"""CODEOWNERS files as documents of kind "codeowners".

Data layout (every value has a span; entries also span their whole line):

    flavour: github | gitlab
    entries: [{pattern, owners: [str], section, inherited}]
    sections: [{name, optional, approvals, defaults: [str]}]
    issues: [{message}]        # syntax GitHub/GitLab rejects, at the offending token

`doc.model` is the parsed `CodeOwners`, ready for matching.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from platform_lint.model import Document, Obj, Path, Span, source_lines
from platform_lint.ownership import codeowners as co
from platform_lint.sources import FileReader, Parsed


def load(path: str, text: str, files: FileReader) -> Parsed:
    return Parsed(documents=[document(path, text)])


def document(path: str, text: str, flavour: co.Flavour | None = None) -> Document:
    parsed = co.parse(text, path, flavour)
    lines = source_lines(text)
    spans: dict[Path, Span] = {(): Span.point(1)}
    entries: list[dict[str, Any]] = []
    for i, entry in enumerate(parsed.entries):
        token = entry.pattern_token
        spans[("entries", i)] = Span(entry.line, token.col, entry.line,
                                     len(lines[entry.line - 1].rstrip()) + 1)
        spans[("entries", i, "pattern")] = _span(entry.line, token)
        if not entry.inherited:
            for j, owner in enumerate(entry.owners):
                spans[("entries", i, "owners", j)] = _span(entry.line, owner)
        entries.append({"pattern": entry.pattern.text, "owners": list(entry.owner_names),
                        "section": entry.section, "inherited": entry.inherited})
    sections: list[dict[str, Any]] = []
    for k, section in enumerate(parsed.sections):
        spans[("sections", k)] = Span(section.line, 1, section.line,
                                      len(lines[section.line - 1].rstrip()) + 1)
        for j, owner in enumerate(section.defaults):
            spans[("sections", k, "defaults", j)] = _span(section.line, owner)
        sections.append({"name": section.name, "optional": section.optional,
                         "approvals": section.approvals,
                         "defaults": [o.text for o in section.defaults]})
    for m, issue in enumerate(parsed.issues):
        spans[("issues", m)] = Span(issue.line, issue.col, issue.line, issue.end_col)
    data = {"flavour": parsed.flavour, "entries": entries, "sections": sections,
            "issues": [{"message": issue.message} for issue in parsed.issues]}
    return Document(path=path, kind="codeowners", data=data, spans=spans, model=parsed,
                    lines=lines)


def _span(line: int, token: co.Token) -> Span:
    return Span(line, token.col, line, token.end_col)


def objects(doc: Document) -> Iterator[Obj]:
    yield Obj(doc=doc, kind="codeowners", name=doc.path, value=doc.data)
