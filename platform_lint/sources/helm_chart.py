"""Helm charts: a chart's `Chart.yaml` stands for the chart, which is rendered and judged.

The chart is rendered once per values set: its defaults, then each
`ci/*values.yaml` (the chart's own test cases). Every rendered Kubernetes object
becomes a Document at its template file, whose `Rendered` model relocates a
finding to the template line that wrote the key, or to the values line the
value came from. An object rendered the same by several sets is judged once,
with the sets named. Template errors, `required`/`fail` and output that is not
YAML become problems at the template file and line. A chart vendored under
another chart's `charts/` is rendered by its parent, not on its own.
"""

from __future__ import annotations

import itertools
import json
import posixpath
from collections.abc import Iterator
from typing import Any

from platform_lint.model import Document, Obj, Span
from platform_lint.sources import FileReader, Parsed

MAX_CHART_FILES = 2000


def _chart_files(root: str, files: FileReader) -> dict[str, bytes]:
    listing = getattr(files, "paths", None)
    out: dict[str, bytes] = {}
    if not listing:
        return out
    prefix = f"{root}/" if root else ""
    for path in sorted(listing):
        if path.startswith(prefix) and len(out) < MAX_CHART_FILES:
            text = files(path)
            if text is not None:
                out[path[len(prefix):]] = text.encode("utf-8")
    return out


def _vendored(root: str, files: FileReader) -> bool:
    parent = posixpath.dirname(root)
    return posixpath.basename(parent) == "charts" and files(
        posixpath.join(posixpath.dirname(parent), "Chart.yaml")) is not None


def load(path: str, text: str, files: FileReader) -> Parsed:
    from platform_lint.helm.chart import load_files
    from platform_lint.helm.errors import TemplateError

    root = posixpath.dirname(path)
    if _vendored(root, files):
        return Parsed(skipped="helm subchart (rendered with its parent chart)")
    chart_files = _chart_files(root, files)
    chart_files["Chart.yaml"] = text.encode("utf-8")
    try:
        chart = load_files(root or ".", chart_files)
    except TemplateError as exc:
        return Parsed(documents=[_problem_doc(exc.file or path, exc.line, exc.message)])
    return Parsed(documents=list(_judged_documents(chart, chart_files, root)))


def _value_sets(chart_files: dict[str, bytes]) -> list[tuple[str, str | None]]:
    sets: list[tuple[str, str | None]] = [("values.yaml", None)]
    for name in sorted(chart_files):
        if name.startswith("ci/") and name.endswith(("values.yaml", "values.yml")) and name.count("/") == 1:
            sets.append((name, chart_files[name].decode("utf-8", "replace")))
    return sets


def _judged_documents(chart: Any, chart_files: dict[str, bytes], root: str) -> Iterator[Document]:
    from platform_lint.helm.locate import ValuesFile, documents
    from platform_lint.helm.render import Options, render
    from platform_lint.helm.yaml_pieces import ParseCache

    def full(rel: str) -> str:
        return f"{root}/{rel}" if root else rel

    template_lines = {
        full(rel): chart_files[rel].decode("utf-8", "replace").split("\n")
        for rel in chart_files if rel.startswith(("templates/", "charts/"))
    }
    defaults = ValuesFile.parse(full("values.yaml"), chart.values_text)
    seen: dict[tuple[str, int, str], Document] = {}
    problems: dict[tuple[str, int, str], list[str]] = {}
    parses = ParseCache()
    for set_name, text in _value_sets(chart_files):
        files = [(full(set_name), text)] if text is not None else []
        result = render(chart, Options(release_name="release-name", values_files=files, trace=True))
        vfiles = [ValuesFile.parse(full(set_name), text), defaults] if text is not None else [defaults]
        for err in result.errors:
            problems.setdefault((err.file or full("Chart.yaml"), err.line, err.message), []).append(set_name)
        if chart.schema:
            for (vfile, vline), message in _schema_problems(chart.schema, result.values, vfiles):
                problems.setdefault((vfile, vline, message), []).append(set_name)
        for manifest in result.manifests:
            docs, bad = documents(manifest, result.origins, [set_name], vfiles, template_lines, parses)
            for origin, problem in bad:
                file, line = (origin.file, origin.line) if origin else (manifest.path, 1)
                problems.setdefault((file, line, f"rendered output is not YAML: {problem.message}"),
                                    []).append(set_name)
            for doc, _model in docs:
                if not _is_object(doc.data):
                    continue
                key = (manifest.path, doc.index, json.dumps(doc.data, sort_keys=True, default=str))
                if key in seen:
                    seen[key].model.sets.append(set_name)
                    continue
                seen[key] = doc
                yield doc
    for (pfile, pline, message), sets in problems.items():
        where = "" if sets == ["values.yaml"] else f" [values: {', '.join(dict.fromkeys(sets))}]"
        yield _problem_doc(pfile, pline, f"Helm: {message}{where}")


def _schema_problems(schema_text: str, values: dict[str, Any], vfiles: list[Any]) -> Iterator[
        tuple[tuple[str, int], str]]:
    from platform_lint.validation import schema_errors

    # The chart's schema is the scanned repository's: validated like a rule file's
    # (`$ref` never fetched or read, patterns on RE2), and a schema that cannot be
    # used is one finding, never the exception's text.
    schema_file = vfiles[-1].path.rsplit("/", 1)[0] + "/values.schema.json"
    try:
        schema = json.loads(schema_text)
        if not isinstance(schema, dict):
            raise ValueError("not a JSON object")
        errors = list(itertools.islice(schema_errors(values, schema), 50))
    except json.JSONDecodeError as exc:
        yield (schema_file, exc.lineno), f"values.schema.json: invalid JSON ({exc.msg})"
        return
    except Exception as exc:  # an unresolvable $ref, a pattern RE2 refuses, a cycle
        yield (schema_file, 1), f"values.schema.json cannot be used ({type(exc).__name__})"
        return
    for err in errors:
        path = err.path
        where = (vfiles[-1].path, 1)
        for vf in vfiles:
            probe = path
            while probe and probe not in vf.key_spans:
                probe = probe[:-1]
            if probe:
                where = (vf.path, vf.key_spans[probe].line)
                break
        dotted = ".".join(map(str, path)) or "(root)"
        yield where, f"values do not match values.schema.json at {dotted}: {err.message[:200]}"


def _is_object(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(
        data.get("kind"), str)


def _problem_doc(path: str, line: int, message: str) -> Document:
    return Document(path=path, kind="problem", data=[{"message": message}],
                    spans={(0,): Span.point(max(line, 1))})


def objects(doc: Document) -> Iterator[Obj]:
    if doc.kind == "problem":
        yield Obj(doc=doc, kind="problem", name=doc.path, value=doc.data)
        return
    from platform_lint.sources import kubernetes

    yield from kubernetes.objects(doc)
