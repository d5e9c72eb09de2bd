"""What a Terraform module's values are known to be: variables' literal defaults, locals,
and what the module blocks calling it pass in.

A module block whose `source` is a local path (`./modules/rds`, `../x`) is evaluated
with its inputs: each call makes a `Module` context of the child directory whose
variables are the caller's arguments (resolved in the caller's own context), else
the child's defaults. A directory no call reaches is judged alone, with its
defaults. A value that cannot be known statically (a resource attribute, a data
source, a function) is `UNKNOWN`, and checks never report one. Registry and git
sources are not fetched; a source outside the repository, a call cycle or a chain
deeper than `MAX_CALL_DEPTH` is refused (`Call.refused` says why).

A root module (a directory no call reaches) takes its variables as Terraform does:
`terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars[.json]` in lexical
order, each winning over the one before and over the defaults; and a var file given
with `-var-file` (any other `.tfvars` in the repository that sets only variables the
module declares) wins over those. A module with such var files is judged once per
var file, as each environment applies it, and never with the auto-loaded values
alone. A value a var file sets is an `Argument` of that file's `tfvars` object.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from platform_lint.model import Obj, Path
from platform_lint.records import field, record
from platform_lint.scan_memo import remembered
from platform_lint.sources.terraform import is_expression


class _Unknown:
    """A value that cannot be known statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_REFERENCE = re.compile(r"^\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$")


@record(frozen=True)
class Argument:
    """What one module block (or a root module's var file, a `tfvars` object) passes
    for one variable: `value` as written at `path` below the block `call`, to be
    resolved in `scope`, the caller's context."""

    call: Obj
    path: Path
    value: Any
    scope: Module


@record(frozen=True)
class Module:
    """One Terraform module (a directory) in one context: alone, or as a call passes
    its inputs (`arguments`, which win over the variables' literal defaults)."""

    directory: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    locals: Mapping[str, Any] = field(default_factory=dict)
    arguments: Mapping[str, Argument] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """`value` with a whole-value `${var.x}` / `${local.y}` replaced by what it
        is known to be; `UNKNOWN` for any expression that cannot be known."""
        return self.trace(value)[0]

    def origin(self, value: Any) -> Argument | None:
        """The argument of the outermost call that wrote the literal `value` stands
        for, or None when this module writes it (literally, in a default or a local)."""
        return self.trace(value)[1]

    def trace(self, value: Any, _depth: int = 0) -> tuple[Any, Argument | None]:
        if not is_expression(value):
            return value, None
        match = _REFERENCE.match(value)
        if match is None or _depth > 16:
            return UNKNOWN, None
        if match[1] == "var" and match[2] in self.arguments:
            argument = self.arguments[match[2]]
            known, outer = argument.scope.trace(argument.value, _depth + 1)
            return known, outer or argument
        table = self.variables if match[1] == "var" else self.locals
        if match[2] not in table:
            return UNKNOWN, None
        return self.trace(table[match[2]], _depth + 1)


def module_of(obj: Obj) -> str:
    """The directory (Terraform module) an object's file belongs to."""
    return posixpath.dirname(obj.doc.path)


def directories(objs: Sequence[Obj]) -> dict[str, str]:
    """The directory (`module_of`) of each file holding one of `objs`, by path; once
    per scan for the same (unchanged) sequence."""
    return remembered(("terraform_values.directories", id(objs)), objs, lambda: {
        path: posixpath.dirname(path) for path in {obj.doc.path for obj in objs}})


def modules(objs: Iterable[Obj]) -> dict[str, Module]:
    """A `Module` for each directory holding one of `objs`, alone: from its variable
    and locals objects."""
    variables: dict[str, dict[str, Any]] = {}
    local_values: dict[str, dict[str, Any]] = {}
    for obj in objs:
        directory = module_of(obj)
        variables.setdefault(directory, {})
        local_values.setdefault(directory, {})
        if obj.kind == "variable" and isinstance(obj.value, dict) and "default" in obj.value:
            variables[directory][obj.name] = obj.value["default"]
        elif obj.kind == "locals" and isinstance(obj.value, dict):
            local_values[directory].update(obj.value)
    return {d: Module(d, variables[d], local_values[d]) for d in variables}


# ---------------------------------------------------------------- module calls

MAX_CALL_DEPTH = 8
"""Module calls followed from a root module, at most (Terraform has no limit; real
trees are 2-4 deep)."""
MAX_CONTEXTS = 32
"""Contexts one directory is judged in, at most: a module called from many places
(or through many paths) is judged with the first 32 callers' values."""
SUPPORT = frozenset({"variable", "locals", "module", "tfvars"})
"""The kinds of object `contexts` reads: of the others only their directories count,
and checks judge those others."""
_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


@record(frozen=True)
class Call:
    """A `module` block: the directory it calls, or why it is not evaluated."""

    obj: Obj
    child: str | None
    refused: str | None = None


def call_of(obj: Obj) -> Call | None:
    """The call a `module` object makes; None for a block with no usable source."""
    body = obj.value if isinstance(obj.value, dict) else {}
    source = body.get("source")
    if not isinstance(source, str) or is_expression(source):
        return None
    if source.startswith(("./", "../")) or source in (".", ".."):
        child = posixpath.normpath(posixpath.join(module_of(obj), source))
        if child == ".." or child.startswith("../"):
            return Call(obj, None, f"its source {source} lies outside the repository")
        return Call(obj, "" if child == "." else child)
    if source.startswith("/"):
        return Call(obj, None, f"its source {source} lies outside the repository")
    kind = "registry" if _registry_address(source) else "remote"
    return Call(obj, None, f"its source is a {kind} module ({source}), which is not fetched")


def _registry_address(source: str) -> bool:
    """`NAMESPACE/NAME/PROVIDER` or `HOST/NAMESPACE/NAME/PROVIDER`, maybe with a `//subdir`."""
    if "::" in source or "://" in source:
        return False
    parts = source.split("//", 1)[0].split("/")
    host = "." in parts[0]  # github.com/org/repo is GitHub, not a registry
    return all(parts) and len(parts) == (4 if host else 3)


def _disabled(obj: Obj, scope: Module) -> bool:
    """`count = 0`: the call makes no instance."""
    count = scope.resolve(obj.value.get("count")) if isinstance(obj.value, dict) else None
    return isinstance(count, int) and not isinstance(count, bool) and count == 0


def contexts(objs: Sequence[Obj]) -> tuple[dict[str, list[Module]], list[Call]]:
    """Every context each directory holding one of `objs` is judged in, and the calls
    that were not evaluated (with the reason). A directory that local calls reach
    is judged once per call (per chain of calls from a root module), with the
    caller's values; any other directory alone. Rules over the same modules get
    the same answer, computed once per scan (`scan_memo`)."""
    support = [obj for obj in objs if obj.kind in SUPPORT]
    held = frozenset(directories(objs).values())
    key = ("terraform_values.contexts", tuple(map(id, support)), held)
    return remembered(key, support, lambda: _contexts(support, held))


def _contexts(support: list[Obj], held: frozenset[str]) -> tuple[dict[str, list[Module]], list[Call]]:
    """`contexts` of the directories `held` from their variable, locals and module objects."""
    alone = modules(support)
    for directory in held - alone.keys():
        alone[directory] = Module(directory, {}, {})
    calls: dict[str, list[Call]] = {}
    refused: list[Call] = []
    for obj in support:
        call = call_of(obj) if obj.kind == "module" else None
        if call is None:
            continue
        if call.refused is not None:
            refused.append(call)
        elif call.child == module_of(obj):
            refused.append(Call(obj, None, "it calls its own directory"))
        elif call.child in alone:
            calls.setdefault(module_of(obj), []).append(call)
    called = {c.child for group in calls.values() for c in group}
    found: dict[str, list[Module]] = {}
    refusals: dict[int, Call] = {}

    def visit(context: Module, chain: tuple[str, ...]) -> None:
        found.setdefault(context.directory, []).append(context)
        for call in calls.get(context.directory, ()):
            child = str(call.child)
            if child in chain:
                refusals.setdefault(id(call.obj), Call(call.obj, None, "the calls form a cycle"))
            elif len(chain) > MAX_CALL_DEPTH:
                refusals.setdefault(id(call.obj), Call(
                    call.obj, None, f"it is more than {MAX_CALL_DEPTH} module calls deep"))
            elif len(found.get(child, ())) < MAX_CONTEXTS and not _disabled(call.obj, context):
                visit(_called(alone[child], call.obj, context), (*chain, child))

    var_files = _var_files(support)
    for directory in sorted(alone):
        if directory not in called:
            for root in _root_contexts(alone[directory], var_files):
                visit(root, (directory,))
    pending = [d for d in sorted(alone) if d not in found]  # past the depth bound, or a cycle
    while pending:
        reached = {c.child for d in pending for c in calls.get(d, ())}
        start = next((d for d in pending if d not in reached), pending[0])
        visit(alone[start], (start,))
        pending = [d for d in pending if d not in found]
    return found, refused + list(refusals.values())


def _called(child: Module, call: Obj, scope: Module) -> Module:
    body = call.value if isinstance(call.value, dict) else {}
    arguments = {name: Argument(call, (name,), value, scope)
                 for name, value in body.items() if name not in _META_ARGUMENTS}
    return Module(child.directory, child.variables, child.locals, arguments)


# ---------------------------------------------------------------- variable files

_AUTO_VAR_FILE = re.compile(r"(?:^|/)(?:terraform\.tfvars(?:\.json)?|[^/]+\.auto\.tfvars(?:\.json)?)$")


def _var_files(support: list[Obj]) -> tuple[dict[str, list[Obj]], list[Obj], dict[str, set[str]]]:
    """The auto-loaded var files of each directory in Terraform's order (later ones
    win), the other var files, and each directory's declared variables."""
    auto: dict[str, list[Obj]] = {}
    given: list[Obj] = []
    declared: dict[str, set[str]] = {}
    for obj in support:
        if obj.kind == "variable":
            declared.setdefault(module_of(obj), set()).add(obj.name)
        elif obj.kind == "tfvars" and isinstance(obj.value, dict):
            if _AUTO_VAR_FILE.search(obj.doc.path):
                auto.setdefault(module_of(obj), []).append(obj)
            else:
                given.append(obj)
    for files in auto.values():
        files.sort(key=_auto_order)
    given.sort(key=lambda o: o.doc.path)
    return auto, given, declared


def _auto_order(obj: Obj) -> tuple[int, str]:
    name = posixpath.basename(obj.doc.path)
    return (0 if name == "terraform.tfvars" else 1 if name == "terraform.tfvars.json" else 2, name)


def _root_contexts(
    module: Module, var_files: tuple[dict[str, list[Obj]], list[Obj], dict[str, set[str]]]
) -> list[Module]:
    """The contexts a root module is applied in: with its auto-loaded var files, and
    with each var file that could be given to it (else with those alone)."""
    auto, given, declared = var_files
    names = declared.get(module.directory, set())
    base = _with_values(module, auto.get(module.directory, ()))
    files = [f for f in given if names and f.value.keys() <= names]
    return [_with_values(base, (f,)) for f in files[:MAX_CONTEXTS]] or [base]


def _with_values(module: Module, files: Iterable[Obj]) -> Module:
    arguments = dict(module.arguments)
    plain = Module(module.directory)
    for obj in files:
        for name, value in obj.value.items():
            arguments[name] = Argument(obj, (name,), value, plain)
    return Module(module.directory, module.variables, module.locals, arguments)
