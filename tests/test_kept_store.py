"""The objects kept for cross-object rules, spilled to a file while files are judged
(`kept_store`): the same result as when they stay in memory, and memory held while
judging the same for a tree three times as large."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from platform_lint import kept_store
from platform_lint.kept_store import KeptStore, SpilledModel
from platform_lint.run import Run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _scan(root: Path) -> dict[str, Any]:
    run = Run.prepare((root, None), None, (), (), None, None, jobs=1, cache=False)
    return run.scan().to_dict()


def test_spilled_objects_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule fixture at once (Helm charts, kustomize builds, Terraform modules...),
    with every kept object spilled, reports exactly what it does with none spilled."""
    root = FIXTURES / "rules"
    monkeypatch.setattr(kept_store, "SPILL_AFTER", 1 << 30)
    held = _scan(root)
    read: list[str] = []
    real = SpilledModel.real

    def counted(self: SpilledModel) -> Any:
        model = real(self)
        read.append(type(model).__name__)
        return model

    monkeypatch.setattr(kept_store, "SPILL_AFTER", 0)
    monkeypatch.setattr(SpilledModel, "real", counted)
    spilled = _scan(root)
    assert spilled == held
    assert {"Rendered", "Built"} <= set(read)  # set rules' findings relocated from the file


def test_a_spilled_model_is_read_only_for_what_it_alone_knows(tmp_path: Path) -> None:
    from platform_lint.sources import kustomize

    files = {
        "base/kustomization.yaml": "resources: [app.yaml]\n",
        "base/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                         "spec: {replicas: 1}\n",
        "prod/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\n",
    }
    parsed = kustomize.load("prod/kustomization.yaml", files["prod/kustomization.yaml"], files.get)
    doc = next(d for d in parsed.documents if isinstance(d.model, kustomize.Built))
    objects = list(kustomize.objects(doc))
    with KeptStore(spill_after=0) as store:
        store.add(objects)
        (back,) = store.objects()
        model = back.doc.model
        assert isinstance(model, SpilledModel)
        assert model.deploy_unit == "prod/kustomization.yaml"  # from beside the stand-in
        assert getattr(model, "from_values", None) is None  # a Built has none: nothing read
        assert not store._loaded
        assert model.relocate(("spec", "replicas"), False) == doc.model.relocate(("spec", "replicas"), False)
        assert len(store._loaded) == 1
    with pytest.raises(ValueError):
        model.relocate(("spec",), False)  # the scan is over: its file is gone


DEPLOYMENT = """apiVersion: apps/v1
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
          env: [{env}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: web-{i}
spec:
  selector: {{app: web-{i}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


def _tree(root: Path, copies: int) -> None:
    env = ", ".join(f"{{name: VAR_{n}, value: 'value {n}'}}" for n in range(20))
    for copy in range(copies):
        for team in range(4):
            folder = root / f"copy{copy}" / f"team{team}"
            folder.mkdir(parents=True)
            for i in range(5):
                (folder / f"app{i}.yaml").write_text(
                    DEPLOYMENT.format(i=i, digest=f"{copy:032x}{team * 10 + i:032x}", env=env))


def _held_while_judging(tmp_path: Path, copies: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(bytes held when the last file is judged, peak bytes while judging) for a scan of
    `copies` copies of a generated tree: 20 files of a workload and a Service a copy."""
    root = tmp_path / f"x{copies}"
    _tree(root, copies)
    if copies == 1:
        _scan(root)  # imports and caches filled before measuring
    measured: list[tuple[int, int]] = []
    objects = KeptStore.objects

    def at_fold_end(self: KeptStore) -> list[Any]:
        gc.collect()
        measured.append(tracemalloc.get_traced_memory())
        return objects(self)

    monkeypatch.setattr(KeptStore, "objects", at_fold_end)
    gc.collect()
    tracemalloc.start()
    try:
        _scan(root)
    finally:
        tracemalloc.stop()
        monkeypatch.setattr(KeptStore, "objects", objects)
    ((held, peak),) = measured
    return held, peak


@pytest.mark.parametrize("spill_after", [16, 1 << 30])
def test_memory_held_while_judging_stays_flat_as_the_tree_grows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spill_after: int) -> None:
    """With the store spilling (here after 16 objects, as it does after `SPILL_AFTER` in a
    real scan), three copies of a tree hold what one does; kept in memory, each copy adds
    about 0.4 MB (40 objects of ~10 kB); what still grows is the findings (~35 kB a copy)."""
    monkeypatch.setattr(kept_store, "SPILL_AFTER", spill_after)
    held_1, peak_1 = _held_while_judging(tmp_path, 1, monkeypatch)
    held_3, peak_3 = _held_while_judging(tmp_path, 3, monkeypatch)
    flat = held_3 - held_1 < 250_000 and peak_3 - peak_1 < 250_000
    assert flat is (spill_after == 16), (held_1, held_3, peak_1, peak_3)


def test_a_scan_of_few_objects_opens_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []
    add = KeptStore.add

    def watched(self: KeptStore, objects: Any, *, spill: bool = True) -> None:
        add(self, objects, spill=spill)
        opened.append(self._file is not None)

    monkeypatch.setattr(KeptStore, "add", watched)
    _scan(FIXTURES / "example-repo")
    assert opened and not any(opened)


def test_objects_of_a_file_holding_a_secret_stay_in_memory_in_order() -> None:
    from platform_lint.model import Document, Obj

    def obj(name: str) -> Obj:
        doc = Document(path=f"{name}.yaml", kind="yaml", data={"name": name})
        return Obj(doc=doc, kind="yaml", name=name, value=doc.data)

    with KeptStore(spill_after=1) as store:
        store.add([obj("a")])
        store.add([obj("secret")], spill=False)
        store.add([obj("b"), obj("c")])
        assert [r for r in store._records if isinstance(r, list)] == [[store._records[1][0]]]
        assert [o.name for o in store.objects()] == ["a", "secret", "b", "c"]
        assert store._file is not None
        store._file.seek(0)
        assert b"secret" not in store._file.read()
