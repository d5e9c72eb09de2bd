"""Kubernetes manifests: multi-document YAML, objects known by apiVersion + kind.

`List` objects are unpacked into their items. Helm templates (`{{ }}` in a
chart's templates/) and the files a kustomization builds from (patches, and the manifests
an overlay's build judges: `sources.kustomize`) are not judged on their own:
they are counted as skipped with a reason.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from platform_lint.model import Document, Obj, source_lines
from platform_lint.records import record
from platform_lint.sources import FileReader, Parsed
from platform_lint.sources.templated import REASON as TEMPLATE
from platform_lint.sources.templated import is_template
from platform_lint.sources.yaml_memo import parse_manifest


def _has_action(text: str) -> bool:
    """A `{{` closed by a later `}}` (found by C searches, not a regex stepping through the text)."""
    opened = text.find("{{")
    return opened >= 0 and text.find("}}", opened + 2) >= 0


def skip_reason(path: str, text: str) -> str | None:
    """Why a YAML file is not a plain manifest, if it is not."""
    if ("/templates/" in f"/{path}" or path.endswith(".tpl")) and _has_action(text):
        return "helm-template"
    return None


def is_object(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("apiVersion"), str)
        and isinstance(data.get("kind"), str)
    )


def _in_chart(path: str, files: FileReader) -> bool:
    """Inside a Helm chart's folder (read through the chart: `.Files.Get`, `tpl`)."""
    parent = posixpath.dirname(path)
    for _ in range(8):
        if files(posixpath.join(parent, "Chart.yaml") if parent else "Chart.yaml") is not None:
            return True
        if not parent:
            return False
        parent = posixpath.dirname(parent)
    return False


def _rendered_by_chart(path: str, files: FileReader) -> bool:
    """Under a chart's `templates/` folder: the chart renders it, actions or none (an
    object written out plainly there is judged once, as the chart's output)."""
    parts = path.split("/")
    return any(part == "templates" and files("/".join([*parts[:i], "Chart.yaml"])) is not None
               for i, part in enumerate(parts[:-1]))


def load(path: str, text: str, files: FileReader) -> Parsed:
    reason = skip_reason(path, text)
    if reason is None and ((_has_action(text) and _in_chart(path, files)) or _rendered_by_chart(path, files)):
        reason = "helm-template"
    if reason is not None:
        return Parsed(skipped=reason)
    parsed = _documents(path, text, lambda data: "kubernetes" if is_object(data) else "yaml")
    if is_template(text, parsed.problems):
        return Parsed(skipped=TEMPLATE)  # a template outside a chart is not YAML until rendered
    plan = getattr(files, "plan", None)
    built = plan.built_images(path) if plan is not None else frozenset()
    for doc in parsed.documents if built else ():
        if doc.kind == "kubernetes":
            doc.model = Deployed(built)
    return parsed


@record(frozen=True)
class Deployed:
    """`Document.model` of a manifest under a skaffold config: the images skaffold builds
    and tags at deploy time (see `checks.k8s_workloads.image_problem`)."""

    substituted_images: frozenset[str]


PATCH = "kustomize-patch"
"""The document kind of a Kustomize patch: a partial object that only rules
scoped to it (the secret rules) read; deploy-safety rules would misjudge it."""


def load_patch(path: str, text: str) -> Parsed:
    """A file a kustomization names as a patch: counted as skipped, its
    objects kept for the rules that read patches."""
    parsed = _documents(path, text, lambda data: PATCH if is_object(data) else "yaml")
    return Parsed(documents=parsed.documents, skipped="kustomize patch")


RESOURCE = "kustomize-resource"
"""The document kind of a manifest a kustomization builds: judged in the build
(at this file's lines), never on its own, so no rule is scoped to it."""


def load_resource(path: str, text: str, overlay: str | None) -> Parsed:
    parsed = _documents(path, text, lambda data: RESOURCE if is_object(data) else "yaml")
    reason = f"kustomize resource (judged in the build of {overlay})" if overlay else "kustomize resource"
    return Parsed(documents=parsed.documents, skipped=reason)


def _documents(path: str, text: str, kind_of: Callable[[Any], str]) -> Parsed:
    docs, problems = parse_manifest(text)
    lines = source_lines(text)
    out = [
        Document(
            path=path,
            kind=kind_of(d.data),
            data=d.data,
            spans=d.spans,
            key_spans=d.key_spans,
            index=i,
            lines=lines,
        )
        for i, d in enumerate(docs)
    ]
    return Parsed(documents=out, problems=problems)


def objects(doc: Document) -> Iterator[Obj]:
    if doc.kind == "yaml":
        # Helm values, Compose, app config: read by the rules scoped to plain YAML;
        # Prometheus rule files and Alertmanager configs get their own object kind.
        if isinstance(doc.data, (dict, list)) and doc.data:
            from platform_lint.sources.prometheus import yaml_kind

            yield Obj(doc=doc, kind=yaml_kind(doc.data) or "yaml", name=doc.path, value=doc.data)
        return
    if doc.kind == "kustomization":
        yield Obj(doc=doc, kind="Kustomization", name=doc.path, value=doc.data)
        return
    if doc.kind not in ("kubernetes", PATCH, RESOURCE):
        return
    data = doc.data
    if data["kind"].endswith("List") and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            if is_object(item):
                yield _obj(doc, item, ("items", i))
        return
    yield _obj(doc, data, ())


def _obj(doc: Document, value: dict[str, Any], path: tuple[str | int, ...]) -> Obj:
    metadata = value.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return Obj(doc=doc, kind=value["kind"], name=str(name or f"#{doc.index}"), path=path, value=value)
