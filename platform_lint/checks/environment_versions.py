"""Environments pinning different versions of one thing (issue 16, environment drift).

Beyond Terraform module calls (`checks/environments`), environments drift where
each one pins its own version:

- Terraform variable files per environment (`env/prod.tfvars`, `environments/prod/
  terraform.tfvars`): a variable whose name says it is a version, tag or ref
  (`chart_version`, `image_tag`, `kubernetes_version`, `module_ref`) set differently;
- Kustomize overlays (`overlays/prod/kustomization.yaml`, or under an environments
  folder): the same remote base at different `?ref=`, the same image at a different
  `newTag`/`digest`, the same Helm chart at a different `version`;
- Helm values per environment (`values-prod.yaml`, `prod-values.yaml`,
  `environments/prod/values.yaml`): the same version-like key (`image.tag`,
  `chart.version`, `targetRevision`) set differently.

Environments are compared within one place: the folder holding the environment
folders (with the same file below each), or the folder holding the per-environment
files. Values that should differ (sizes, counts, names, hosts) are not compared:
only what names a version. Each finding is at the line in one environment and
names the others, with their lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path
from platform_lint.records import record
from platform_lint.sources.delivery_policy import Policy
from platform_lint.sources.terraform import is_expression

CHECKS = Registry()

_DEFAULT_DIRS = ("environments", "envs", "env", "live", "stages", "overlays")
_PARAMS = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "environment_dirs": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "environment_names": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
}
_ENV_FILE = re.compile(
    r"^(?:values[-_.](?P<a>[\w-]+)\.ya?ml|(?P<b>[\w-]+)[-_.]values\.ya?ml|"
    r"(?P<c>[\w-]+)(?:\.auto)?\.tfvars(?:\.json)?)$")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_VERSION_WORDS = frozenset({"tag", "version", "ref", "revision", "digest"})
_NOT_VERSIONS = frozenset({"apiVersion"})
_REF = re.compile(r"[?&]ref=([^&#]+)")
_MAX_DEPTH = 16


@record(frozen=True)
class _Pin:
    """One environment's choice for one thing: `what` is `value`, at `path` below `obj`."""

    obj: Obj
    env: str
    what: str
    value: str
    path: Path

    def where(self) -> str:
        span = self.obj.doc.locate((*self.obj.path, *self.path))
        return f"{self.obj.doc.path}:{span.line}"


def _tokens(name: str) -> list[str]:
    return [t.lower() for t in re.split(r"[^a-z0-9]+", name.lower()) if t]


def placement(path: str, dirs: Sequence[str], names: Sequence[str]) -> tuple[str, str] | None:
    """(the place environments are compared in, this file's environment), if the
    file belongs to one: `overlays/prod/kustomization.yaml` -> ("overlays//kustomization.yaml",
    "prod"); `chart/values-prod.yaml` -> ("chart//values", "prod"); `tfvars/prod/prod.tfvars` ->
    ("tfvars//tfvars", "prod")."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-2]):
        if part in dirs:
            return "/".join(parts[: i + 1]) + "//" + "/".join(parts[i + 2:]), parts[i + 1]
    match = _ENV_FILE.match(parts[-1])
    if match is None:
        return None
    env = match["a"] or match["b"] or match["c"]
    if not any(token in names for token in _tokens(env)):
        return None
    family = "tfvars" if match["c"] else "values"
    folder = parts[:-2] if len(parts) > 1 and parts[-2] == env else parts[:-1]  # tfvars/prod/prod.tfvars
    return "/".join(folder) + "//" + family, env


def _version_name(key: str) -> bool:
    words = _WORDS.findall(key)
    return key not in _NOT_VERSIONS and bool(words) and words[-1].lower() in _VERSION_WORDS


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip() and not is_expression(value) and "{{" not in value:
        return value.strip()
    return None


def _pins(obj: Obj, env: str) -> Iterator[_Pin]:
    if obj.kind == "tfvars":
        for key, value in obj.value.items():
            text = _scalar(value)
            if text is not None and _version_name(key):
                yield _Pin(obj, env, f"variable {key}", text, (key,))
    elif obj.kind == "Kustomization":
        yield from _kustomization_pins(obj, env)
    elif obj.doc.kind == "yaml":
        yield from _values_pins(obj, env, obj.value, (), 0)


def _kustomization_pins(obj: Obj, env: str) -> Iterator[_Pin]:
    data = obj.value
    for section in ("resources", "bases", "components"):
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            ref = _REF.search(item) if isinstance(item, str) else None
            if ref is not None and isinstance(item, str):
                base = _REF.sub("", item).rstrip("?&")
                yield _Pin(obj, env, f"base {base}", ref[1], (section, i))
    for section, value_keys in (("images", ("newTag", "digest")), ("helmCharts", ("version",))):
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            label = f"image {item['name']}" if section == "images" else f"chart {item['name']}"
            for key in value_keys:
                text = _scalar(item.get(key))
                if text is not None:
                    yield _Pin(obj, env, label, text, (section, i, key))
                    break


def _values_pins(obj: Obj, env: str, value: Any, at: Path, depth: int) -> Iterator[_Pin]:
    if depth > _MAX_DEPTH:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(
        value, list) else ()
    for key, item in items:
        path = (*at, key)
        if isinstance(item, (dict, list)):
            yield from _values_pins(obj, env, item, path, depth + 1)
        elif isinstance(key, str) and _version_name(key):
            text = _scalar(item)
            if text is not None:
                yield _Pin(obj, env, ".".join(map(str, path)), text, path)


@CHECKS.check("environment-version-drift", over="set", params=_PARAMS)
def environment_version_drift(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    dirs = params.get("environment_dirs", _DEFAULT_DIRS)
    policy = Policy()
    names = params.get("environment_names", (*policy.production, *policy.pre_production))
    groups: dict[tuple[str, str], list[_Pin]] = defaultdict(list)
    for obj in objs:
        placed = placement(obj.doc.path, dirs, names)
        if placed is not None and isinstance(obj.value, dict):
            for pin in _pins(obj, placed[1]):
                groups[(placed[0], pin.what)].append(pin)
    for (_, what), pins in sorted(groups.items()):
        if len({p.env for p in pins}) < 2 or len({p.value for p in pins}) < 2:
            continue
        for pin in pins:
            others = sorted({(o.env, o.value, o.where()) for o in pins
                             if o.env != pin.env and o.value != pin.value})
            if not others:
                continue
            named = ", ".join(f"{env} has {value} ({where})" for env, value, where in others)
            yield Hit(pin.obj, f"{what} is {pin.value} in {pin.env}, but {named}: environment "
                      "drift; promote one version through every environment", path=pin.path)
