"""How Terraform checks read a resource: in each context its module is judged in
(`scoped`), with values resolved through variables and module calls (`known`),
compared under Terraform's conversions (`norm`), and hits placed at the module
or at the caller's argument that passed the value (`value_hit`)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from platform_lint.finding import Hit
from platform_lint.model import Obj, Path
from platform_lint.sources.terraform import is_expression
from platform_lint.sources.terraform_values import SUPPORT, Module, contexts, directories

MISSING: Any = object()




def scoped(objs: Sequence[Obj]) -> Iterator[tuple[Obj, Module]]:
    """Each resource among `objs` with its module, in every context it is judged in."""
    by_dir = contexts(objs)[0]
    where = directories(objs)
    for obj in objs:
        if obj.kind not in SUPPORT and isinstance(obj.value, dict):
            for module in by_dir[where[obj.doc.path]]:
                yield obj, module


def distinct(check: Callable[..., Iterator[Hit]]) -> Callable[..., Iterator[Hit]]:
    """The check's hits, each once: a value a child module writes itself is found in
    every context the child is judged in."""
    @functools.wraps(check)
    def once(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
        seen: set[tuple[int, str, Path, bool]] = set()
        for hit in check(objs, params):
            key = (id(hit.obj), hit.message, hit.path, hit.key)
            if key not in seen:
                seen.add(key)
                yield hit
    return once


def value_hit(obj: Obj, module: Module, raw: Any, value: Any, message: str, path: Path) -> Hit:
    """A hit on the value at `path`: there when the module writes it, else at the
    argument of the call that passed it, naming the resource (a related location)."""
    argument = module.origin(raw)
    if argument is None:
        return Hit(obj, message + reference_note(raw, value), path=path)
    where = obj.doc.locate((*obj.path, *path))
    call = argument.call
    via = f"var.{argument.path[0]}" if call.kind == "tfvars" else f"module.{call.name}"
    setter = call.doc.path if call.kind == "tfvars" else f"module.{call.name}"
    related = {"path": obj.doc.path, "line": where.line, "column": where.col,
               "message": f"{obj.name}, which {setter} configures with this value"}
    return Hit(call, f"{message}{reference_note(argument.value, value)}: this value reaches "
               f"{obj.name} ({obj.doc.path}) through {via}", path=argument.path,
               properties={"relatedLocations": [related]})


def blocks(body: Any, name: str) -> list[tuple[Path, Any]]:
    """The nested blocks `name` of `body` with their paths (HCL lists, JSON objects)."""
    value = body.get(name) if isinstance(body, dict) else None
    if isinstance(value, list):
        return [((name, i), block) for i, block in enumerate(value) if isinstance(block, dict)]
    if isinstance(value, dict):
        return [((name,), value)]
    return []


def has_dynamic(body: Any, name: str) -> bool:
    return any(name in block for _, block in blocks(body, "dynamic"))


def walk(body: Any, steps: Sequence[str], at: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(path, value) for each place `steps` leads to; the value is `MISSING` where a
    step is absent. Paths through dynamic blocks or expressions are not followed."""
    if not steps:
        yield at, body
        return
    if not isinstance(body, dict):
        return
    step, rest = steps[0], steps[1:]
    if step not in body:
        if not has_dynamic(body, step):
            yield (*at, step), MISSING
        return
    if not rest:
        yield (*at, step), body[step]
        return
    for path, block in blocks(body, step):
        yield from walk(block, rest, (*at, *path))


def known(module: Module, value: Any) -> Any:
    """The literal `value` stands for, `MISSING` for null, or `UNKNOWN`."""
    if value is MISSING:
        return MISSING
    resolved = module.resolve(value)
    return MISSING if resolved is None else resolved


def norm(value: Any) -> Any:
    """A comparison key under Terraform's type conversions ("0" == 0, "true" == true)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, str):
        if value in ("true", "false"):
            return ("bool", value == "true")
        try:
            return ("number", float(value))
        except ValueError:
            return ("string", value)
    if isinstance(value, list):
        return ("list", tuple(norm(v) for v in value))
    return ("other", json.dumps(value, sort_keys=True, default=str))


def hcl(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) or not is_expression(value) else value


def reference_note(raw: Any, known: Any) -> str:
    """` (var.x is false)`: an expression as it is written in Terraform, and its value."""
    if not is_expression(raw):
        return ""
    whole = raw[2:-1].strip() if raw.startswith("${") and raw.endswith("}") else None
    written = whole if whole is not None and "${" not in whole and "}" not in whole else raw
    return f" ({written} is {hcl(known)})"
