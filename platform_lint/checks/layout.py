"""Required deliverables: folders and documents a production-ready repository
has, found by path or by content (issue 16). Findings are on the
repository document: a missing thing has no file to point at. A layout is
required of the repositories that have adopted it (`applies_to`: by default
an `infra/` folder), so a library with a CI workflow is not told to grow one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.globs import matches
from platform_lint.model import Obj

CHECKS = Registry()

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_DELIVERABLE = {
    "type": "object", "additionalProperties": False, "required": ["name", "paths"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "paths": {**_STRINGS, "minItems": 1, "description": "globs; a folder ends with /"},
        "kinds": {**_STRINGS, "description": "object kinds that are evidence anywhere in the repository "
                  "(the rule's scope must admit them)"},
    },
}


@CHECKS.check("missing-deliverable", over="set", params={
    "type": "object", "additionalProperties": False, "required": ["deliverables"],
    "properties": {"deliverables": {"type": "array", "items": _DELIVERABLE},
                   "label": {"type": "string", "minLength": 1},
                   "applies_to": {**_STRINGS, "description": "globs: judge only a repository with one"}},
})
def missing_deliverable(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    repo = next((o for o in objs if o.kind == "repository"), None)
    if repo is None:
        return
    tree: list[str] = repo.value["tree"]
    applies = params.get("applies_to", ["*"])
    if not any(matches(p, g) for g in applies for p in tree):
        return
    kinds = {o.kind for o in objs}
    label = params.get("label", "required deliverable")
    for item in params["deliverables"]:
        if any(matches(p, g) for g in item["paths"] for p in tree):
            continue
        if kinds & set(item.get("kinds", ())):
            continue
        where = " or ".join(item["paths"])
        content = list(item.get("kinds", ()))
        also = f", and no {', '.join(content[:4])}{'...' if len(content) > 4 else ''} anywhere" \
            if content else ""
        yield Hit(repo, f"{label} {item['name']!r} is missing: nothing at {where}{also}; "
                  "absence blocks production readiness", path=())
