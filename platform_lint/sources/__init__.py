"""Turn files into Documents, each file parsed once.

`classify` decides from a path which source reads a file; `load` runs it.
Every source module offers:

    load(path: str, text: str, files: FileReader) -> Parsed
    objects(doc: Document) -> Iterator[Obj]

Parsers are imported only when a file of their kind is present.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from platform_lint.model import Document, Obj, source_lines
from platform_lint.records import field, record
from platform_lint.sources.yaml_tree import Problem

FileReader = Callable[[str], str | None]
"""Reads another file of the scanned tree by its relative path (None if absent)."""


@runtime_checkable
class TreeReader(Protocol):
    """What the scan's `FileReader` also offers a source that reads a whole folder
    (a Helm chart): the scanned paths, the config's topic settings, and bytes."""

    paths: Collection[str]
    settings: Mapping[str, Mapping[str, Any]]
    """The config's topic sections (`helm`, `secrets`...), as `Config.sections`."""

    def __call__(self, path: str) -> str | None: ...

    def raw(self, path: str) -> bytes | None:
        """A scanned file's bytes, text or not (bounded like any file)."""


@record()
class Parsed:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None
    """Why the whole file was set aside on purpose (Helm template, Kustomize patch...)."""


class Source(Protocol):
    def load(self, path: str, text: str, files: FileReader) -> Parsed: ...

    def objects(self, doc: Document) -> Iterator[Obj]: ...


_PIPELINE_PATTERNS = (
    re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$"),
    re.compile(r"(^|/)action\.ya?ml$"),
    re.compile(r"(^|/)\.gitlab-ci\.ya?ml$"),
    re.compile(r"(^|/)azure-pipelines[^/]*\.ya?ml$"),
    re.compile(r"(^|/)\.azure-pipelines/[^/]+\.ya?ml$"),
    re.compile(r"(^|/)\.circleci/config\.ya?ml$"),
    re.compile(r"(^|/)bitbucket-pipelines\.ya?ml$"),
)
_CODEOWNERS = re.compile(r"^(\.github/|docs/|\.gitlab/)?CODEOWNERS$")

# source kind -> module under platform_lint.sources
_MODULES = {
    "kubernetes": "kubernetes",
    "pipeline": "pipelines",
    "terraform": "terraform",
    "codeowners": "codeowners",
    "charter": "charters",
    "helm": "helm_chart",
    "kustomize": "kustomize",
}
_KUSTOMIZATION = re.compile(r"(^|/)(kustomization\.ya?ml|Kustomization)$")


def classify(path: str, charter_globs: Callable[[str], bool] | None = None) -> str | None:
    """The structured source kind for `path`, or None for plain text only.

    YAML that is not a pipeline goes to the Kubernetes source, which keeps
    the documents that are Kubernetes objects and ignores the rest.
    """
    yaml = path.endswith((".yaml", ".yml"))
    if yaml and any(p.search(path) for p in _PIPELINE_PATTERNS):  # each ends in `\.ya?ml$`
        return "pipeline"
    if path.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
        return "terraform"  # variable files (`.tfvars`) are documents of kind `tfvars`
    if _CODEOWNERS.match(path):
        return "codeowners"
    if charter_globs is not None and charter_globs(path):
        return "charter"
    if is_kustomization(path):
        return "kustomize"  # the overlay is built and its objects judged
    if path == "Chart.yaml" or path.endswith("/Chart.yaml"):
        return "helm"  # the chart is rendered and its objects judged
    return "kubernetes" if yaml else None


def is_kustomization(path: str) -> bool:
    return _KUSTOMIZATION.search(path) is not None


def source_for(kind: str) -> Source:
    module = importlib.import_module(f"{__name__}.{_MODULES[kind]}")
    return module


Region = tuple[str, int, int]
"""A region of a file read as parsed objects: the document kind, first and last line."""


def text_document(path: str, text: str, parsed: Sequence[Region] = ()) -> Document:
    """The raw-text view of any file, for rules that read lines (secrets).

    Its `model` lists the regions that parsed into objects of some kind, so a
    text rule can leave those lines to the checks that read the objects.
    """
    return Document(path=path, kind="text", data=None, lines=source_lines(text), model=tuple(parsed))


def parsed_region(doc: Document) -> Region:
    """The lines `doc` was parsed from (all of them when its spans do not say)."""
    root = doc.spans.get(())
    return (doc.kind, root.line, root.end_line) if root else (doc.kind, 1, 1 << 30)


def text_objects(doc: Document) -> Iterator[Obj]:
    yield Obj(doc=doc, kind="text", name=doc.path)
