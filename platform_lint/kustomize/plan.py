"""Before a scan: which files are overlays, bases, resources and patches, and which images skaffold builds.

A kustomization that no other kustomization includes is an overlay (a root):
it is built and its objects judged. A kustomization another one includes (a
base, a component) and the manifests a kustomization lists are judged through
the overlays that build them, never on their own, so a value an overlay
replaces is not reported on the base. A file's role is part of its verdict's
cache key.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping

from platform_lint.records import field, record
from platform_lint.sources import is_kustomization

PATCH = "patch"
RESOURCE = "resource"
BASE = "base"
OVERLAY = "overlay"
_SKAFFOLD = ("skaffold.yaml", "skaffold.yml")


@record(frozen=True)
class DeployPlan:
    roles: Mapping[str, str] = field(default_factory=dict)
    """path -> PATCH, RESOURCE, BASE or OVERLAY (absent: a plain file)."""
    built_by: Mapping[str, str] = field(default_factory=dict)
    """A resource or base -> the first overlay that builds it."""
    skaffold: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The folder of a skaffold config -> the artifact images it builds."""

    @property
    def patches(self) -> frozenset[str]:
        return frozenset(p for p, r in self.roles.items() if r == PATCH)

    def role(self, path: str) -> str:
        return self.roles.get(path, "")

    def built_images(self, path: str) -> frozenset[str]:
        """The images a skaffold config over `path` builds and tags at deploy time."""
        out: set[str] = set()
        for folder, images in self.skaffold.items():
            if not folder or path.startswith(f"{folder}/"):
                out |= images
        return frozenset(out)

    def cache_role(self, path: str) -> str:
        images = ",".join(sorted(self.built_images(path))) if self.skaffold else ""
        return f"{self.role(path)}|{images}"


def survey(paths: Iterable[str], read: Callable[[str], bytes | None],
           failed: Callable[[str], None]) -> DeployPlan:
    """The plan for the files of a scan (`failed(path)` for a kustomization that could not be read)."""
    listed = list(paths)
    texts: dict[str, str] = {}

    def text_of(path: str) -> str | None:
        if path not in texts:
            content = read(path) if path in known else None
            texts[path] = "" if content is None else content.decode("utf-8-sig", errors="replace")
        return texts[path] or None

    known = set(listed)
    roles: dict[str, str] = {}
    edges: dict[str, list[str]] = {}
    components: set[str] = set()
    for path in listed:
        if not is_kustomization(path):
            continue
        try:
            edges[path] = _edges(path, text_of, roles, components)
        except Exception:  # a bug here costs the plan for this file, never the scan
            failed(path)
    # A component only means something inside the overlay that includes it.
    included = {child for children in edges.values() for child in children if child in edges} | components
    built_by: dict[str, str] = {}
    for root in sorted(set(edges) - included):
        roles[root] = OVERLAY
        _mark(root, root, edges, built_by, set())
    # Kustomizations that only include each other (a cycle no overlay reaches): the first is
    # built, so the cycle is reported.
    for path in sorted(set(edges) - components):
        if path not in built_by and path not in roles:
            roles[path] = OVERLAY
            _mark(path, path, edges, built_by, set())
    for path in included:
        roles.setdefault(path, BASE)
    for path in built_by:
        roles.setdefault(path, RESOURCE)
    skaffold = {posixpath.dirname(p): _artifacts(text_of(p) or "") for p in listed
                if posixpath.basename(p) in _SKAFFOLD}
    return DeployPlan(roles, built_by, {k: v for k, v in skaffold.items() if v})


def _edges(path: str, text_of: Callable[[str], str | None], roles: dict[str, str],
           components: set[str]) -> list[str]:
    """The kustomizations and files `path` includes; its patch files are marked."""
    from platform_lint.kustomize.load import (
        is_remote,
        kustomization_in,
        parse,
        patch_files,
        references,
        resolve,
    )

    doc = parse(text_of(path) or "")
    if doc is None:
        return []
    if doc.data.get("kind") == "Component":
        components.add(path)
    folder = posixpath.dirname(path)
    for ref in patch_files(doc.data):
        target = resolve(folder, ref)
        if target is not None:
            roles[target] = PATCH
    out = []
    for reference in references(doc.data):
        if is_remote(reference.ref):
            continue
        target = resolve(folder, reference.ref)
        if target is None:
            continue
        found = kustomization_in(target, text_of)
        out.append(found[0] if found else target)
    return out


def _mark(root: str, node: str, edges: Mapping[str, list[str]], built_by: dict[str, str],
          seen: set[str]) -> None:
    if node in seen or len(seen) > 10_000:
        return
    seen.add(node)
    for child in edges.get(node, ()):
        built_by.setdefault(child, root)
        _mark(root, child, edges, built_by, seen)


def _artifacts(text: str) -> frozenset[str]:
    """`build.artifacts[].image` of every document of a skaffold config (profiles too)."""
    from platform_lint.sources.yaml_tree import parse_yaml

    docs, _problems = parse_yaml(text)
    out: set[str] = set()
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict) or not str(data.get("apiVersion", "")).startswith("skaffold/"):
            continue
        sections = [data, *(p for p in data.get("profiles") or () if isinstance(p, dict))]
        for section in sections:
            build = section.get("build")
            artifacts = build.get("artifacts") if isinstance(build, dict) else None
            for artifact in artifacts if isinstance(artifacts, list) else ():
                image = artifact.get("image") if isinstance(artifact, dict) else None
                if isinstance(image, str) and image.strip():
                    out.add(image.strip())
    return frozenset(out)
