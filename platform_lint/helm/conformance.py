"""Compare renderings with `helm template`'s golden output, object by object.

Used by the conformance test and `bench/helm/`: each example under a chart's
`examples/NAME/` has values files and a `rendered/` folder written by the real
Helm (release `example`, namespace `default`, Kubernetes 1.29).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platform_lint.helm.chart import Chart, load_dir
from platform_lint.helm.render import Options, render

_IGNORED = re.compile(r"^.*(checksum/config|helm\.sh/chart).*$", re.MULTILINE)
_SOURCE = re.compile(r"^# Source: (.+)$", re.MULTILINE)


def objects(text: str) -> list[tuple[str, Any]]:
    """(source template, parsed object) for every non-empty document of a rendering."""
    out: list[tuple[str, Any]] = []
    for doc in re.split(r"^---\s*$", _IGNORED.sub("", text), flags=re.MULTILINE):
        m = _SOURCE.search(doc)
        try:
            data = yaml.safe_load(doc)
        except yaml.YAMLError as exc:
            data = {"__unparsable__": str(exc).splitlines()[0]}
        if data is not None:
            out.append((m.group(1) if m else "", data))
    return out


@dataclass
class Difference:
    example: str
    source: str
    index: int
    reason: str


@dataclass
class Report:
    total: int = 0
    identical: int = 0
    differences: list[Difference] = field(default_factory=list)


def manifest_text(template: str, text: str) -> str:
    docs = [d for d in re.split(r"^---\s*$", text, flags=re.MULTILINE) if d.strip()]
    return "".join(f"---\n# Source: {template}\n{d.strip(chr(10))}\n" for d in docs)


def compare_example(chart: Chart, example: Path, report: Report) -> None:
    """Upstream renders each values file of an example on its own into one folder, so a
    file both renderings write holds one of them: either counts as a match."""
    renderings: list[dict[str, list[Any]]] = []
    errors: list[str] = []
    for values in sorted(example.glob("*values.yaml")):
        opts = Options(release_name="example", namespace="default", kube_version="1.29",
                       values_files=[(str(values), values.read_text())])
        result = render(chart, opts)
        errors.extend(str(e) for e in result.errors)
        ours: dict[str, list[Any]] = {}
        for m in result.manifests:
            for src, data in objects(manifest_text(m.template, m.text)):
                ours.setdefault(src, []).append(data)
        renderings.append(ours)
    golden: dict[str, list[Any]] = {}
    for f in sorted((example / "rendered").rglob("*.yaml")):
        for src, data in objects(f.read_text()):
            golden.setdefault(src, []).append(data)
    name = f"{chart.name}/{example.name}"
    errs = "; ".join(errors)
    sources = set(golden).union(*renderings)
    for src in sorted(sources):
        g = golden.get(src, [])
        candidates = [r[src] for r in renderings if src in r] or [[]]
        o = next((c for c in candidates if c == g), candidates[-1])
        for i in range(max(len(g), len(o))):
            report.total += 1
            if i < len(g) and i < len(o) and g[i] == o[i]:
                report.identical += 1
                continue
            if i >= len(o):
                reason = "missing from our rendering" + (f" ({errs})" if errs else "")
            elif i >= len(g):
                reason = "extra in our rendering"
            else:
                reason = first_difference(g[i], o[i])
            report.differences.append(Difference(name, src, i, reason))


def first_difference(g: Any, o: Any, path: str = "") -> str:
    if isinstance(g, dict) and isinstance(o, dict):
        for k in sorted(set(g) | set(o), key=str):
            if k not in o:
                return f"{path}.{k}: missing"
            if k not in g:
                return f"{path}.{k}: extra"
            if g[k] != o[k]:
                return first_difference(g[k], o[k], f"{path}.{k}")
    if isinstance(g, list) and isinstance(o, list) and len(g) == len(o):
        for i, (a, b) in enumerate(zip(g, o, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
    if isinstance(g, str) and isinstance(o, str):
        gl, ol = g.splitlines(), o.splitlines()
        for i, (a, b) in enumerate(zip(gl, ol, strict=False)):
            if a != b:
                return f"{path} line {i + 1}: helm {a!r} vs ours {b!r}"
        return f"{path}: helm {len(gl)} lines vs ours {len(ol)} lines"
    return f"{path}: helm {str(g)[:80]!r} vs ours {str(o)[:80]!r}"


def run(corpus: Path) -> Report:
    report = Report()
    for chart_dir in sorted(p.parent for p in corpus.glob("*/charts/*/Chart.yaml")):
        examples = sorted(p for p in (chart_dir / "examples").glob("*/") if (p / "rendered").is_dir())
        if not examples:
            continue
        chart = load_dir(chart_dir)
        for ex in examples:
            compare_example(chart, ex, report)
    return report
