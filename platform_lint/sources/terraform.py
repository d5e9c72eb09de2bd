"""Terraform: `.tf` (HCL: tree-sitter, else python-hcl2's lark tree in `hcl_lark`) and `.tf.json`,
one Document per file.

Data shape (the same for both syntaxes)::

    {"resource": {TYPE: {NAME: body}}, "data": {TYPE: {NAME: body}},
     "module" | "variable" | "output": {NAME: body},
     "provider": {NAME: [body, ...]}, "locals": {...all locals blocks merged...},
     "terraform": [body, ...]}

In a body, attributes are plain values and nested blocks are lists of dicts
(`ingress {}` may repeat; a labelled nested block such as `dynamic "x" {}`
becomes `{"dynamic": [{"x": body}]}`). A value that is not a literal keeps its
source text as a Terraform expression: a reference or call `var.x` becomes
"${var.x}", a quoted template keeps its text between the quotes ("a-${var.y}").
So `is_expression` tells literals from expressions, and `terraform_values` turns
`${var.x}` / `${local.y}` into a literal default where the module has one.

Spans: `key_spans` of a block path is its header (type keyword through the last
label), so a missing attribute reported at the block lands on the header line;
`spans` of a block path is the whole block. Attributes have the name in
`key_spans` and the value expression in `spans`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from platform_lint.model import Document, Obj, Path, Span, source_lines
from platform_lint.sources import FileReader, Parsed
from platform_lint.sources.yaml_tree import Problem

if TYPE_CHECKING:  # python-hcl2's reader: only for a .tf file (checks use `is_expression`)
    from platform_lint.sources.hcl_lark import HclBuilder

_NAMED = ("module", "variable", "output")
_TEMPLATE_MARKS = ("${", "%{")


def is_expression(value: Any) -> bool:
    """True when `value` is a Terraform expression kept as text, not a literal."""
    return isinstance(value, str) and any(mark in value for mark in _TEMPLATE_MARKS)



def _parse_hcl(text: str) -> tuple[dict[str, Any], HclBuilder]:
    """Parsed by tree-sitter's HCL grammar when it is installed and the text
    parses cleanly; else (and for every syntax error's message) by python-hcl2,
    the reference the tree-sitter builder is tested against."""
    from platform_lint.sources.hcl_lark import parse_hcl_lark
    from platform_lint.sources.hcl_tree_sitter import parse_hcl

    fast = parse_hcl(text)
    return fast if fast is not None else parse_hcl_lark(text)


# ---------------------------------------------------------------- JSON -> data


def _parse_json(text: str) -> tuple[Any, dict[Path, Span], dict[Path, Span], list[Problem]]:
    from platform_lint.sources.yaml_tree import parse_yaml

    docs, problems = parse_yaml(text.replace("\t", " "))  # tabs are JSON whitespace, not YAML's
    problems = [Problem(p.span, p.message.replace("YAML", "JSON")) for p in problems]
    if not docs:
        return {}, {}, {}, problems
    doc = docs[0]
    if not isinstance(doc.data, dict):
        problems.append(Problem(Span.point(1), "a .tf.json file holds a JSON object"))
        return {}, {}, {}, problems
    spans, key_spans = dict(doc.spans), dict(doc.key_spans)
    data = dict(doc.data)
    for kind in ("provider", "terraform"):
        _listify(data, kind, spans, key_spans)
    return data, spans, key_spans, problems


def _listify(
    data: dict[str, Any], kind: str, spans: dict[Path, Span], keys: dict[Path, Span]
) -> None:
    """JSON may write a block that can repeat as one object; make it a list like HCL's."""
    if kind == "terraform" and isinstance(data.get(kind), dict):
        data[kind] = [data[kind]]
        _move(spans, keys, (kind,), (kind, 0))
    elif kind == "provider" and isinstance(data.get(kind), dict):
        for name, value in list(data[kind].items()):
            if isinstance(value, dict):
                data[kind][name] = [value]
                _move(spans, keys, (kind, name), (kind, name, 0))


def _move(spans: dict[Path, Span], keys: dict[Path, Span], old: Path, new: Path) -> None:
    """Re-key everything below `old` to below `new`; `new` itself gets `old`'s spans."""
    for table in (spans, keys):
        for path in [p for p in table if p[: len(old)] == old]:
            moved = new + path[len(old) :]
            table[moved] = table[path] if path == old else table.pop(path)


# ---------------------------------------------------------------- source API


def load(path: str, text: str, files: FileReader) -> Parsed:
    text = text.removeprefix("\ufeff")
    lines = source_lines(text)
    if path.endswith(".json"):
        data, spans, key_spans, problems = _parse_json(text)
    else:
        data, builder = _parse_hcl(text)
        spans, key_spans, problems = builder.spans, builder.key_spans, builder.problems
    kind = "tfvars" if path.endswith((".tfvars", ".tfvars.json")) else "terraform"
    doc = Document(path=path, kind=kind, data=data, spans=spans, key_spans=key_spans, lines=lines)
    return Parsed(documents=[doc], problems=problems)


def objects(doc: Document) -> Iterator[Obj]:
    data = doc.data if isinstance(doc.data, dict) else {}
    if doc.kind == "tfvars":  # a variable file: the values it sets, as one object
        if data:
            yield Obj(doc, "tfvars", doc.path, (), data)
        return
    for section in ("resource", "data"):
        for rtype, named in _dict(data.get(section)).items():
            for name, body in _dict(named).items():
                kind = rtype if section == "resource" else f"data.{rtype}"
                full = f"{rtype}.{name}" if section == "resource" else f"data.{rtype}.{name}"
                yield Obj(doc, kind, full, (section, rtype, name), body)
    for section in _NAMED:
        for name, body in _dict(data.get(section)).items():
            yield Obj(doc, section, name, (section, name), body)
    for name, bodies in _dict(data.get("provider")).items():
        for i, body in enumerate(_list(bodies)):
            alias = _dict(body).get("alias")
            label = f"{name}.{alias}" if isinstance(alias, str) else name
            yield Obj(doc, "provider", label, ("provider", name, i), body)
    if isinstance(data.get("locals"), dict):
        yield Obj(doc, "locals", "locals", ("locals",), data["locals"])
    for i, body in enumerate(_list(data.get("terraform"))):
        yield Obj(doc, "terraform", "terraform", ("terraform", i), body)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
