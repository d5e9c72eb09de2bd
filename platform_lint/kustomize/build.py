"""`kustomize build` of one kustomization, in kustomize's order, bounded.

Order (kustomize's): resources and bases in order (a folder is built as its
own kustomization), then components applied to what was accumulated, then
generators, then the transformers: strategic merge patches and `patches`,
namespace, name prefix and suffix, labels, annotations, `patchesJson6902`,
replicas, images. Generated ConfigMaps and Secrets get their hash suffix at
the end of the whole build, and then references follow every rename of the
build (kustomize's back references: an overlay may name a base's object as the
base wrote it, before the base's prefix).

Bounds: at most `MAX_DEPTH` nested kustomizations, each built at most once per
path on the way down (a cycle is refused where it closes), at most
`MAX_OBJECTS` objects. Faults (a missing file, a patch that does not apply, a
path outside the repository) are `Fault`s at the kustomization line that
caused them; remote bases are counted in `remote`, never fetched.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from platform_lint.kustomize import generators, json6902, strategic
from platform_lint.kustomize.load import Reader, is_remote, kustomization_in, parsed, resolve
from platform_lint.kustomize.nodes import Loc, Node, SpanMap, from_yaml, to_plain
from platform_lint.kustomize.transforms import (
    ImageEntry,
    Resource,
    add_annotations,
    add_labels,
    fix_references,
    rename,
    set_images,
    set_namespace,
    set_replicas,
)
from platform_lint.model import Span
from platform_lint.records import field, record

MAX_DEPTH = 20
MAX_OBJECTS = 5000


@record(frozen=True)
class Fault:
    loc: Loc
    message: str


@record()
class Build:
    """What a build produced: the objects, the faults, the remote bases it left out."""

    root: str
    resources: list[Resource] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    images: list[ImageEntry] = field(default_factory=list)
    """Every `images:` entry of the build, for image substitution."""
    files: set[str] = field(default_factory=set)
    """Every file the build read."""


class _Stop(Exception):
    """A bound was reached; the fault says which."""


def build(path: str, text: str, read: Reader) -> Build:
    """The objects the kustomization at `path` (with `text`) builds."""
    out = Build(path)
    builder = _Builder(read, out)
    try:
        out.resources = builder.kustomization(path, text, ())
        builder.finish(out.resources)
    except _Stop:
        out.resources = []
    return out


class _Builder:
    def __init__(self, read: Reader, out: Build) -> None:
        self.read = read
        self.out = out
        self.generated: list[Resource] = []
        self.configured = 0
        """How many kustomizations built so far list `configurations:` (kustomize merges a
        base's transformer configs into its includer's)."""

    def fault(self, loc: Loc | None, message: str, path: str) -> None:
        self.out.faults.append(Fault(loc or Loc(path, Span.point(1)), message))

    def _read(self, path: str) -> str | None:
        text = self.read(path)
        if text is not None:
            self.out.files.add(path)
        return text

    # --- one kustomization ------------------------------------------------------

    def kustomization(self, path: str, text: str, stack: tuple[str, ...],
                      accumulated: list[Resource] | None = None) -> list[Resource]:
        """The objects of one kustomization; a component's are added to `accumulated`,
        which its patches and transformers change too."""
        docs, problems = parsed(text)
        if problems or not docs or not isinstance(docs[0].data, dict):
            self.fault(Loc(path, problems[0].span if problems else Span.point(1)),
                       "this kustomization is not a YAML mapping", path)
            return list(accumulated or [])
        doc = docs[0]
        k = from_yaml(doc.data, doc.spans, doc.key_spans, SpanMap(path))
        folder = posixpath.dirname(path)
        stack = (*stack, path)
        before = self.configured
        self.configured += bool(_items(k, "configurations"))
        resources = list(accumulated or [])
        for field_name in ("resources", "bases"):
            for item in _items(k, field_name):
                resources.extend(self.resource(folder, item, stack, path))
        for item in _items(k, "components"):
            resources = self.component(folder, item, stack, path, resources)
        self.generate(k, folder, path, resources)
        self.transform(k, folder, path, resources, taught=self.configured > before)
        if len(resources) > MAX_OBJECTS:
            self.fault(k.loc, f"the build makes more than {MAX_OBJECTS} objects: not judged", path)
            raise _Stop
        return resources

    def _nested(self, folder: str, item: Node, stack: tuple[str, ...], path: str) -> tuple[str, str] | None:
        """The kustomization a reference names, checked against the bounds."""
        ref = str(item.value)
        if is_remote(ref):
            self.out.remote.append(ref)
            return None
        target = resolve(folder, ref)
        if target is None:
            self.fault(item.loc, f"{ref!r} lies outside the repository: not read", path)
            return None
        found = kustomization_in(target, self._read)
        if found is None:
            text = self._read(target)
            if text is None:
                self.fault(item.loc, f"{ref!r} is not in the repository", path)
                return None
            return target, text  # a plain file; the caller tells them apart
        if found[0] in stack:
            self.fault(item.loc, f"{ref!r} includes itself (a cycle): not followed", path)
            return None
        if len(stack) >= MAX_DEPTH:
            self.fault(item.loc, f"kustomizations nest more than {MAX_DEPTH} deep: {ref!r} not read", path)
            return None
        return found

    def resource(self, folder: str, item: Node, stack: tuple[str, ...], path: str) -> list[Resource]:
        found = self._nested(folder, item, stack, path)
        if found is None:
            return []
        target, text = found
        if posixpath.basename(target) in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            return self.kustomization(target, text, stack)
        return self.objects(target, text, item.loc, path)

    def component(self, folder: str, item: Node, stack: tuple[str, ...], path: str,
                  resources: list[Resource]) -> list[Resource]:
        found = self._nested(folder, item, stack, path)
        if found is None:
            return resources
        target, text = found
        return self.kustomization(target, text, stack, accumulated=resources)

    def objects(self, file: str, text: str, at: Loc | None, path: str,
                where: SpanMap | None = None) -> list[Resource]:
        docs, problems = parsed(text)
        for problem in problems:
            self.fault((where or SpanMap(file))(problem.span), f"not YAML: {problem.message}", path)
        out: list[Resource] = []
        for d in docs:
            node = from_yaml(d.data, d.spans, d.key_spans, where or SpanMap(file))
            for obj in _unpacked(node):
                name = obj.plain("metadata", "name")
                out.append(Resource(obj, str(name or ""), file))
        return out

    # --- generators ------------------------------------------------------------

    def generate(self, k: Node, folder: str, path: str, resources: list[Resource]) -> None:
        options = k.plain("generatorOptions") or {}
        options = options if isinstance(options, dict) else {}
        for field_name, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for spec in _items(k, field_name):
                if not isinstance(spec.value, dict) or not isinstance(spec.plain("name"), str):
                    self.fault(spec.loc, f"a {field_name} entry needs a name", path)
                    continue
                problems: list[tuple[Loc | None, str]] = []
                pairs = list(generators.entries(spec, folder, self._read, problems))
                for loc, message in problems:
                    self.fault(loc, message, path)
                made = generators.generated(kind, spec, pairs, options, spec.loc)
                name = str(spec.plain("name"))
                behavior = spec.plain("behavior") or "create"
                existing = next((r for r in resources if r.kind == kind and r.named(name)), None)
                if behavior in ("merge", "replace") and existing is not None:
                    data = existing.node.get("data") if behavior == "merge" else None
                    merged = dict(data.value) if data is not None and isinstance(data.value, dict) else {}
                    new_data = made.get("data")
                    merged.update(new_data.value if new_data is not None else {})
                    assert isinstance(existing.node.value, dict)
                    existing.node.value["data"] = Node(merged, spec.loc, spec.loc)
                    continue
                res = Resource(made, name, path)
                disabled = (spec.plain("options") or {}).get("disableNameSuffixHash",
                                                            options.get("disableNameSuffixHash"))
                if disabled is not True:
                    self.generated.append(res)
                resources.append(res)

    # --- transformers ----------------------------------------------------------

    def transform(self, k: Node, folder: str, path: str, resources: list[Resource], *, taught: bool) -> None:
        for item in _items(k, "patchesStrategicMerge"):
            self.patch(item, None, folder, path, resources)
        for item in _items(k, "patches"):
            if isinstance(item.value, dict):
                self.patch(item.get("path") or item.get("patch"), item.get("target"), folder, path,
                           resources, inline=item.get("patch") is not None)
        namespace = k.get("namespace")
        if namespace is not None and isinstance(namespace.value, str):
            set_namespace(resources, namespace.value, namespace.loc)
        prefix, suffix = k.get("namePrefix"), k.get("nameSuffix")
        written = prefix or suffix
        if written is not None:
            rename(resources, _text(prefix.value if prefix else None),
                   _text(suffix.value if suffix else None), written.loc)
        self.labels(k, resources, taught)
        annotations = k.get("commonAnnotations")
        if annotations is not None and isinstance(annotations.value, dict):
            add_annotations(resources, _strings(annotations), annotations.loc, taught=taught)
        for item in _items(k, "patchesJson6902"):
            if isinstance(item.value, dict):
                self.patch(item.get("path") or item.get("patch"), item.get("target"), folder, path,
                           resources, inline=item.get("patch") is not None, json_only=True)
        for item in _items(k, "replicas"):
            name, count = item.get("name"), item.get("count")
            if name is None or count is None or not isinstance(count.value, int):
                self.fault(item.loc, "a replicas entry needs a name and a count", path)
                continue
            set_replicas(resources, str(name.value), count.value, count.loc)
        entries = [e for e in map(_image_entry, _items(k, "images")) if e is not None]
        self.out.images.extend(entries)
        set_images(resources, entries)

    def labels(self, k: Node, resources: list[Resource], taught: bool) -> None:
        common = k.get("commonLabels")
        if common is not None and isinstance(common.value, dict):
            add_labels(resources, _strings(common), common.loc, selectors=True, templates=True, taught=taught)
        for item in _items(k, "labels"):
            pairs = item.get("pairs")
            if pairs is None or not isinstance(pairs.value, dict):
                continue
            selectors = item.plain("includeSelectors") is True
            add_labels(resources, _strings(pairs), pairs.loc, selectors=selectors,
                       templates=selectors or item.plain("includeTemplates") is True, taught=taught)

    def patch(self, ref: Node | None, target: Node | None, folder: str, path: str,
              resources: list[Resource], *, inline: bool = False, json_only: bool = False) -> None:
        """One patch (a file or inline text) applied to its target, or to the object it names."""
        if ref is None or not isinstance(ref.value, str):
            return
        if inline or "\n" in ref.value:
            where = _block_map(path, ref, self._read(path) or "")
            text = ref.value
        else:
            file = resolve(folder, ref.value)
            found = self._read(file) if file is not None else None
            if file is None or found is None:
                self.fault(ref.loc, f"patch {ref.value!r} is not in the repository", path)
                return
            where, text = SpanMap(file), found
        docs, problems = parsed(text)
        for problem in problems:
            self.fault(where(problem.span) or ref.loc, f"the patch is not YAML: {problem.message}", path)
        for d in docs:
            body = from_yaml(d.data, d.spans, d.key_spans, where)
            if isinstance(body.value, list) or json_only:
                self.json_patch(body, target, ref, path, resources)
            elif isinstance(body.value, dict):
                self.strategic_patch(body, target, ref, path, resources)

    def strategic_patch(self, body: Node, target: Node | None, ref: Node, path: str,
                        resources: list[Resource]) -> None:
        if target is not None:
            chosen = _selected(target, resources)
        else:
            kind, name = body.plain("kind"), body.plain("metadata", "name")
            chosen = [r for r in resources if r.kind == kind and isinstance(name, str) and r.named(name)]
        if not chosen:
            self.fault(ref.loc, "the patch matches no object of the build", path)
            return
        for res in chosen:
            patched = strategic.apply(res.node, _retargeted(body, res) if target is not None else body)
            if patched is None:
                resources.remove(res)
            else:
                res.node = patched

    def json_patch(self, body: Node, target: Node | None, ref: Node, path: str,
                   resources: list[Resource]) -> None:
        if target is None:
            self.fault(ref.loc, "a JSON patch needs a target", path)
            return
        chosen = _selected(target, resources)
        if not chosen:
            self.fault(ref.loc, "the patch's target matches no object of the build", path)
        for res in chosen:
            try:
                json6902.apply(res.node, body)
            except json6902.PatchError as exc:
                self.fault(ref.loc, f"the JSON patch does not apply to {res.kind} {res.name!r}: {exc}", path)

    # --- the end of the whole build --------------------------------------------

    def finish(self, resources: list[Resource]) -> None:
        for res in self.generated:
            if res in resources:
                res.names.append(res.name)
                generators.hashed(res.node)
        fix_references(resources, taught=self.configured > 0)


def _items(k: Node, key: str) -> list[Node]:
    found = k.get(key)
    return list(found.value) if found is not None and isinstance(found.value, list) else []


def _strings(node: Node) -> dict[str, str]:
    plain = to_plain(node)
    return {str(key): _text(value) for key, value in plain.items()} if isinstance(plain, dict) else {}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _unpacked(node: Node) -> Iterator[Node]:
    if not isinstance(node.value, dict) or not isinstance(node.plain("kind"), str):
        return
    kind = str(node.plain("kind"))
    items = node.get("items")
    if kind.endswith("List") and items is not None and isinstance(items.value, list):
        yield from (i for i in items.value if isinstance(i.value, dict) and isinstance(i.plain("kind"), str))
    elif isinstance(node.plain("apiVersion"), str):
        yield node


def _image_entry(item: Node) -> ImageEntry | None:
    name = item.plain("name")
    if not isinstance(name, str):
        return None
    fields = {f: item.get(f) for f in ("newName", "newTag", "digest")}
    text = {f: (str(n.value) if n is not None and n.value is not None else None) for f, n in fields.items()}
    loc = next((n.loc for f in ("digest", "newTag", "newName") if (n := fields[f]) is not None), item.loc)
    return ImageEntry(name, text["newName"], text["newTag"], text["digest"], loc)


def _selected(target: Node, resources: list[Resource]) -> list[Resource]:
    """The objects a patch target selects: group, version, kind, name, namespace, label and
    annotation selectors (names matched whole, as regular expressions run by RE2)."""
    want = to_plain(target)
    if not isinstance(want, dict):
        return []
    out = []
    for res in resources:
        api = str(res.node.plain("apiVersion") or "")
        group, _, version = api.rpartition("/")
        if not _matches(want.get("group"), group) or not _matches(want.get("version"), version):
            continue
        if not _matches(want.get("kind"), res.kind):
            continue
        names = (res.name, res.original)
        if want.get("name") is not None and not any(_matches(want.get("name"), n) for n in names):
            continue
        if not _matches(want.get("namespace"), str(res.node.plain("metadata", "namespace") or "")):
            continue
        if not _selects(want.get("labelSelector"), res.node.plain("metadata", "labels")):
            continue
        if not _selects(want.get("annotationSelector"), res.node.plain("metadata", "annotations")):
            continue
        out.append(res)
    return out


def _matches(pattern: Any, value: str) -> bool:
    if pattern is None:
        return True
    pattern = str(pattern)
    if pattern == value:
        return True
    if not any(c in pattern for c in "*+?[](){}|^$\\."):
        return False
    from platform_lint.safe_regex import UnsafePattern, compile_pattern

    try:
        return compile_pattern(f"^(?:{pattern})$").search(value) is not None
    except UnsafePattern:
        return False


def _selects(selector: Any, labels: Any) -> bool:
    """An equality-based selector (`a=b,c!=d,e`) against labels."""
    if selector is None:
        return True
    labels = labels if isinstance(labels, dict) else {}
    for term in (t.strip() for t in str(selector).split(",")):
        if "!=" in term:
            key, _, value = term.partition("!=")
            if str(labels.get(key.strip())) == value.strip():
                return False
        elif "=" in term:
            key, _, value = term.replace("==", "=").partition("=")
            if key.strip() not in labels or str(labels[key.strip()]) != value.strip():
                return False
        elif term and term not in labels:
            return False
    return True


def _retargeted(body: Node, res: Resource) -> Node:
    """A strategic merge patch given a target: its own kind and name do not rename the object."""
    assert isinstance(body.value, dict)
    out = Node(dict(body.value), body.loc, body.key_loc)
    for key in ("apiVersion", "kind"):
        out.value.pop(key, None)
    metadata = out.value.get("metadata")
    if metadata is not None and isinstance(metadata.value, dict):
        trimmed = {k: v for k, v in metadata.value.items() if k not in ("name", "namespace")}
        out.value["metadata"] = Node(trimmed, metadata.loc, metadata.key_loc)
    return out


def _block_map(path: str, ref: Node, text: str) -> SpanMap:
    """Where the lines of an inline patch (a `|` block scalar) sit in the kustomization."""
    if ref.loc is None:
        return SpanMap(path)
    lines = text.split("\n")
    start = ref.loc.span.line  # the line of the `|` indicator; the text starts below it
    header = lines[start - 1] if 0 < start <= len(lines) else ""
    if "|" not in header[ref.loc.span.col - 1:]:
        return SpanMap(path, start - 1, ref.loc.span.col - 1)  # a one-line value
    for line in lines[start:]:
        if line.strip():
            return SpanMap(path, start, len(line) - len(line.lstrip(" ")))
    return SpanMap(path, start)
