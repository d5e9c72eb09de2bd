"""Which values sets a chart is judged with, and its release settings, from `.platform-lint.yaml`.

```yaml
helm:
  kube_version: "1.30"            # for every chart (also release_name, namespace, api_versions)
  charts:
    deploy/web:                   # a chart folder, relative to the repository root
      namespace: payments
      ci_values: false            # not each ci/*values.yaml (default: true)
      values_sets:                # judged besides the chart's own defaults (`defaults: false` drops those)
        - name: prod
          values: [deploy/web/values-prod.yaml, envs/prod/web.yaml]   # later files win, as with -f
          set: {image.tag: "1.4.2", replicaCount: 3}                  # as --set (a string as --set-string)
```

The section is validated by `schemas/config.schema.json`; this module only reads it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from platform_lint.records import field, record

DEFAULT_SET = "values.yaml"
"""The name of the set that is the chart's own values.yaml alone."""


@record(frozen=True)
class ValuesSet:
    name: str
    files: tuple[str, ...] = ()
    """Values files over the chart's defaults, in order, relative to the repository root."""
    set_values: tuple[str, ...] = ()
    set_strings: tuple[str, ...] = ()
    where: str = ""
    """Where the config defines it (`helm.charts.X.values_sets.0`), for messages."""


@record(frozen=True)
class ChartSettings:
    release_name: str = "release-name"
    namespace: str = "default"
    kube_version: str = "1.29"
    api_versions: tuple[str, ...] = ()
    defaults: bool = True
    ci_values: bool = True
    values_sets: tuple[ValuesSet, ...] = field(default_factory=tuple)


def folder(path: str) -> str:
    """A chart folder as the config names it, as the scan names it (`./a/b/` -> `a/b`, `.` -> ``)."""
    clean = posixpath.normpath(path.strip().replace("\\", "/")).strip("/")
    return "" if clean == "." else clean


def chart_settings(section: Mapping[str, Any] | None, root: str) -> ChartSettings:
    """The settings of the chart in folder `root` (`` for a chart at the repository root)."""
    section = section or {}
    charts = section.get("charts") or {}
    own: Mapping[str, Any] = {}
    key = ""
    for name, value in charts.items():
        if folder(name) == root and isinstance(value, Mapping):
            own, key = value, name
    merged = {**section, **own}
    sets = tuple(_values_set(item, f"helm.charts.{key}.values_sets.{i}")
                 for i, item in enumerate(own.get("values_sets") or ()))
    return ChartSettings(
        release_name=str(merged.get("release_name", "release-name")),
        namespace=str(merged.get("namespace", "default")),
        kube_version=str(merged.get("kube_version", "1.29")).lstrip("v"),
        api_versions=tuple(str(v) for v in merged.get("api_versions") or ()),
        defaults=bool(own.get("defaults", True)),
        ci_values=bool(own.get("ci_values", True)),
        values_sets=sets,
    )


def _values_set(item: Mapping[str, Any], where: str) -> ValuesSet:
    files = tuple(folder(f) for f in item.get("values") or ())
    set_values: list[str] = []
    set_strings: list[str] = []
    for key, value in (item.get("set") or {}).items():
        if isinstance(value, str):
            set_strings.append(f"{key}={value}")
        else:
            set_values.append(f"{key}={_set_text(value)}")
    name = item.get("name") or " + ".join(files) or "--set"
    return ValuesSet(str(name), files, tuple(set_values), tuple(set_strings), where)


def _set_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def configured_files(section: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """chart folder -> the values files its configured sets read (for partial scans)."""
    out: dict[str, list[str]] = {}
    for name, value in ((section or {}).get("charts") or {}).items():
        if isinstance(value, Mapping):
            files = [folder(f) for s in value.get("values_sets") or () for f in s.get("values") or ()]
            out.setdefault(folder(name), []).extend(files)
    return out


def ci_sets(root: str, names: Sequence[str]) -> list[ValuesSet]:
    """The chart's own test cases: each `ci/*values.yaml` of the chart in `root` (`names`
    are its files, relative to it), named by their path in the chart."""
    return [ValuesSet(n, (posixpath.join(root, n),)) for n in sorted(names)
            if n.startswith("ci/") and n.count("/") == 1 and n.endswith(("values.yaml", "values.yml"))]
