"""Kustomize overlays: a kustomization stands for what it builds, which is judged.

An overlay (a kustomization no other one includes) is built in pure Python
(`platform_lint.kustomize`); each built object becomes a `kubernetes`
Document at the file its object came from, with spans for the values that
file wrote. Its `Built` model relocates a finding on a value another file set
(an overlay's patch, an `images:` entry, a generator's literal) to that file
and line, naming the overlay as a related location. Bases and components are
judged only through the overlays that include them; a remote base is not
fetched and the overlay is listed as skipped for it, with its objects judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from platform_lint.model import Document, Obj, Path, Span, source_lines
from platform_lint.records import field, record, replace
from platform_lint.sources import FileReader, Parsed


@record(frozen=True)
class Relocated:
    """Where a finding on a built object belongs (the engine's relocation protocol)."""

    path: str
    span: Span
    note: str = ""
    related: list[dict[str, Any]] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)


@record(eq=False)
class Built:
    """`Document.model` of an object a kustomization built."""

    node: Any
    """The object's located tree (`kustomize.nodes.Node`)."""
    overlay: str
    """The kustomization that built it: its deploy unit."""
    substituted_images: frozenset[str] = frozenset()
    """Images whose tag a build tool sets at deploy time."""

    @property
    def deploy_unit(self) -> str:
        return self.overlay

    def kept(self, data: Any) -> Built:
        """This model for an object kept to the end of a scan (`data` its plain data):
        its located tree packed (`packed_spans.PackedTree`), rebuilt when a finding needs it."""
        from platform_lint.packed_spans import pack_tree

        packed = pack_tree(self.node, data)
        return self if packed is None else replace(self, node=packed)

    def relocate(self, path: Path, key: bool) -> Relocated | None:
        """The file and line that set the value at `path` (or its nearest existing parent)."""
        from platform_lint.packed_spans import PackedTree

        trail = [self.node.tree() if isinstance(self.node, PackedTree) else self.node]
        for step in path:
            child = trail[-1].get(step)
            if child is None:
                break
            trail.append(child)
        exact = len(trail) == len(path) + 1
        for depth, node in enumerate(reversed(trail)):
            loc = node.key_loc if (key or not exact or depth) and node.key_loc else node.loc
            if loc is None:
                continue
            related = [] if loc.file == self.overlay else [{
                "path": self.overlay, "line": 1, "column": 1,
                "message": "the kustomization whose build this object is"}]
            return Relocated(loc.file, loc.span, related=related)
        return None


def load(path: str, text: str, files: FileReader) -> Parsed:
    from platform_lint.kustomize.build import build
    from platform_lint.kustomize.plan import BASE, OVERLAY
    from platform_lint.sources import kustomization_file

    own = kustomization_file.document(path, text)  # what the file itself says, for drift rules
    plan = getattr(files, "plan", None)
    role = plan.role(path) if plan is not None else OVERLAY
    if role == BASE:
        by = plan.built_by.get(path) if plan is not None else None
        return Parsed(documents=[own] if own else [],
                      skipped=f"kustomize base (judged in the build of {by})" if by else "kustomize base")
    result = build(path, text, files)
    substituted = {e.new_name or e.name for e in result.images if e.new_tag is None and e.digest is None}
    if plan is not None:
        substituted |= plan.built_images(path)
    texts: dict[str, tuple[str, ...]] = {}
    for res in result.resources:
        if res.origin not in texts:
            texts[res.origin] = source_lines(files(res.origin) or "")
    docs = [_document(res, i, path, frozenset(substituted), texts[res.origin])
            for i, res in enumerate(result.resources)]
    docs += [_problem(f.loc.file, f.loc.span, f"kustomize: {f.message}") for f in result.faults]
    docs += [own] if own else []
    remote = len(result.remote)
    skipped = f"kustomize: {remote} remote base{'s' if remote > 1 else ''} not fetched" if remote else None
    return Parsed(documents=docs, skipped=skipped)


def _document(res: Any, index: int, overlay: str, substituted: frozenset[str],
              lines: tuple[str, ...]) -> Document:
    from platform_lint.kustomize.nodes import to_plain, walk

    spans: dict[Path, Span] = {}
    key_spans: dict[Path, Span] = {}
    for at, node in walk(res.node):
        if node.loc is not None and node.loc.file == res.origin:
            spans[at] = node.loc.span
        if node.key_loc is not None and node.key_loc.file == res.origin:
            key_spans[at] = node.key_loc.span
    return Document(path=res.origin, kind="kubernetes", data=to_plain(res.node), spans=spans,
                    key_spans=key_spans, index=index, model=Built(res.node, overlay, substituted),
                    lines=lines)


def _problem(path: str, span: Span, message: str) -> Document:
    return Document(path=path, kind="problem", data=[{"message": message}],
                    spans={(0,): Span.point(span.line, span.col)})


def objects(doc: Document) -> Iterator[Obj]:
    if doc.kind == "problem":
        yield Obj(doc=doc, kind="problem", name=doc.path, value=doc.data)
        return
    from platform_lint.sources import kubernetes

    yield from kubernetes.objects(doc)

