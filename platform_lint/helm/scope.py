"""Which chart files a partial scan (pre-commit, --diff) must read to render a touched chart."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path


def may_touch_chart(root: Path, names: Sequence[str], configured: Collection[str] = ()) -> bool:
    """Cheap test before listing the tree: is any name inside a folder with a Chart.yaml,
    or a values file the configuration gives a chart?"""
    if configured and not set(names).isdisjoint(configured):
        return True
    for name in names:
        parent = posixpath.dirname(name)
        for _ in range(8):
            if (root / parent / "Chart.yaml").is_file():
                return True
            if not parent:
                break
            parent = posixpath.dirname(parent)
    return False


def chart_roots(tree: Sequence[str]) -> list[str]:
    """Folders holding a Chart.yaml, outermost first."""
    roots = [posixpath.dirname(p) for p in tree if posixpath.basename(p) == "Chart.yaml"]
    return sorted(roots, key=lambda r: (r.count("/"), r))


def _owner(path: str, roots: Sequence[str]) -> str | None:
    best = None
    for root in roots:
        if root == "" or path.startswith(root + "/"):
            best = root if best is None or len(root) > len(best) else best
    return best


def expand(names: Sequence[str], tree: Sequence[str],
           configured: Mapping[str, Sequence[str]] | None = None) -> tuple[list[str], set[str]]:
    """The chart files to add: each touched chart's Chart.yaml (judged: it renders the
    chart) and the chart's other files as read-only context. `configured`: chart folder ->
    the values files elsewhere its configured values sets read (`helm.settings`)."""
    roots = chart_roots(tree)
    if not roots:
        return [], set()
    configured = {r: files for r, files in (configured or {}).items() if r in roots}
    touched: set[str] = set()
    for name in names:
        root = _owner(name, roots)
        touched.update(r for r, files in configured.items() if name in files)
        while root is not None:
            touched.add(root)
            parent = posixpath.dirname(root)
            # a vendored subchart is rendered by the chart that vendors it
            vendored = posixpath.basename(parent) == "charts"
            root = _owner(root, [r for r in roots if r != root]) if vendored else None
    chart_yamls = [posixpath.join(r, "Chart.yaml") if r else "Chart.yaml" for r in sorted(touched)]
    have = set(names)
    extra = [c for c in chart_yamls if c not in have]
    context = {p for p in tree for r in touched if (r == "" or p.startswith(r + "/")) and p not in have}
    listed = set(tree)
    context.update(f for r in touched for f in configured.get(r, ()) if f in listed and f not in have)
    return extra, context - set(extra)
