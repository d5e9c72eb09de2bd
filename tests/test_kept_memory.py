"""What a scan keeps for cross-object rules: spans packed (`packed_spans`), unpacked
exactly as parsed when read, and memory per kept object bounded."""

from __future__ import annotations

import gc
import pickle
import tracemalloc
from pathlib import Path

from platform_lint import packed_spans
from platform_lint.discovery import SourceFile
from platform_lint.kustomize.plan import survey
from platform_lint.model import Document
from platform_lint.packed_spans import PackedSpans, pack, unpacked_from
from platform_lint.per_file import FileContext, FileVerdict, judge_file
from platform_lint.records import replace
from platform_lint.run import Run
from platform_lint.sources import classify, source_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _documents() -> list[Document]:
    docs: list[Document] = []
    for file in sorted((FIXTURES / "rules").rglob("*")):
        kind = classify(file.relative_to(FIXTURES).as_posix(), None)
        if not file.is_file() or kind not in ("kubernetes", "terraform", "pipeline", "yaml"):
            continue
        name = file.relative_to(FIXTURES).as_posix()
        parsed = source_for(kind).load(name, file.read_text(errors="replace"), lambda _p: None)
        docs.extend(d for d in parsed.documents if d.spans)
    return docs


def _paths(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*path, i))
    return out


def test_packed_spans_read_back_exactly_as_parsed() -> None:
    docs = _documents()
    assert len(docs) > 20
    packed = 0
    for doc in docs:
        spans, key_spans = dict(doc.spans), dict(doc.key_spans)
        probes = [*_paths(doc.data), ("no", "such", "key")]
        where = [(doc.locate(p), doc.locate(p, key=True)) for p in probes]
        small = pack(replace(doc))
        packed += isinstance(small.spans, PackedSpans)
        for again in (small, pickle.loads(pickle.dumps(replace(small, model=None)))):  # as workers send it
            assert [(again.locate(p), again.locate(p, key=True)) for p in probes] == where
            assert dict(again.spans) == spans and dict(again.key_spans) == key_spans
    assert packed == len(docs)


def test_spans_at_paths_the_data_lacks_stay_unpacked() -> None:
    doc = _documents()[0]
    odd = replace(doc, spans={**doc.spans, ("not", "in", "data"): next(iter(doc.spans.values()))})
    assert not isinstance(pack(odd).spans, PackedSpans)


def test_foreign_packed_numbers_are_refused() -> None:
    data = {"a": [1, 2]}
    good = [1, 1, 1, 2, 0, 0, 0, 0] * 4
    spans, _keys = unpacked_from(data, good)
    assert spans[()].line == 1
    for bad in (good[:-8], [*good[:-1], -1], [*good[:-1], 1.5], [*good[:-1], 1 << 40], [*good[:-1], "1"]):
        try:
            unpacked_from(data, bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_only_a_bounded_number_of_tables_is_unpacked_at_once() -> None:
    docs = [pack(replace(d)) for d in _documents()]
    many = [replace(docs[0]) for _ in range(3 * packed_spans._UNPACKED_AT_ONCE)]
    for i, doc in enumerate(many):
        many[i] = pack(replace(doc, spans=dict(docs[0].spans), key_spans=dict(docs[0].key_spans)))
    for doc in many:
        doc.locate(("spec",))
    filled = [d for d in many if dict.__len__(d.spans)]
    assert 0 < len(filled) <= packed_spans._UNPACKED_AT_ONCE
    assert all(d.locate(("spec",)) == docs[0].locate(("spec",)) for d in many)  # refilled on demand


DEPLOYMENT = """---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  labels: {{app: web-{i}, team: payments}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}, team: payments}}
    spec:
      containers:
        - name: app
          image: registry.example.com/web@sha256:{digest}
          ports: [{{containerPort: 8080, name: http}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          readinessProbe: {{httpGet: {{path: /ready, port: http}}}}
          livenessProbe: {{httpGet: {{path: /live, port: http}}}}
---
apiVersion: v1
kind: Service
metadata:
  name: web-{i}
spec:
  selector: {{app: web-{i}}}
  ports: [{{port: 80, targetPort: http}}]
"""


def _kept_bytes(tmp_path: Path, count: int) -> tuple[int, int]:
    """(bytes held by one file's verdict with `count` workloads, objects it keeps)."""
    text = "".join(DEPLOYMENT.format(i=i, digest=f"{i:064x}") for i in range(count))
    root = tmp_path / f"r{count}"
    root.mkdir()
    (root / "app.yaml").write_text(text)
    run = Run.prepare((root, None), None, (), (), None, None, jobs=1, cache=False)
    ctx = FileContext(root=str(root), config=run.config, rules=tuple(run.active),
                      known=frozenset(run.all_rules), fingerprint_key="",
                      plan=survey(["app.yaml"], lambda _p: None, lambda _p: None),
                      readable=frozenset({"app.yaml"}))
    unit = SourceFile("app.yaml", text.encode())
    judge_file(ctx, unit)  # imports and caches filled before measuring
    gc.collect()
    tracemalloc.start()
    try:
        verdict: FileVerdict | None = judge_file(ctx, unit)
        assert verdict is not None
        kept = len(verdict.kept)
        gc.collect()
        with_kept = tracemalloc.get_traced_memory()[0]
        verdict.kept.clear()  # the findings stay: only what set rules keep is measured
        gc.collect()
        held = with_kept - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return held, kept


def test_memory_kept_for_set_rules_is_small_per_object(tmp_path: Path) -> None:
    small, small_kept = _kept_bytes(tmp_path, 20)
    large, large_kept = _kept_bytes(tmp_path, 120)
    assert large_kept == 6 * small_kept == 240  # every workload and Service is kept
    per_object = (large - small) / (large_kept - small_kept)
    # Their data and eight numbers a value for its spans: about 5.8 kB an object
    # (a workload and its Service average ~30 values); their spans held as dicts
    # of Spans cost 14.5 kB.
    assert per_object < 8000, per_object


KUSTOMIZE = {
    "base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "base/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: app
          image: web:1.0
          env: [{name: A, value: "1"}, {name: B, value: "2"}]
""",
    "prod/kustomization.yaml": """resources: [../base]
namePrefix: prod-
images: [{name: web, newTag: "2.0"}]
patches:
  - path: replicas.yaml
""",
    "prod/replicas.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
""",
}


def test_a_built_objects_packed_tree_relocates_as_the_build_did() -> None:
    from platform_lint.sources import kustomize

    parsed = kustomize.load("prod/kustomization.yaml", KUSTOMIZE["prod/kustomization.yaml"],
                            KUSTOMIZE.get)
    built = [d for d in parsed.documents if isinstance(d.model, kustomize.Built)]
    assert built
    for doc in built:
        kept = doc.model.kept(doc.data)
        assert isinstance(kept.node, packed_spans.PackedTree)
        probes = [*_paths(doc.data), ("spec", "no-such-key")]
        for key in (False, True):
            assert [kept.relocate(p, key) for p in probes] == [doc.model.relocate(p, key) for p in probes]
        files = {r.path for p in probes if (r := kept.relocate(p, False)) is not None}
        assert files == {"base/deployment.yaml", "prod/replicas.yaml", "prod/kustomization.yaml"}
