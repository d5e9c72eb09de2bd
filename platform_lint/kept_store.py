"""What a scan keeps for cross-object rules, held in a temporary file while files are judged.

Each file's verdict brings the objects `over="set"` rules will read at the end of the
scan (`per_file._kept`). Held in memory, they made a process grow with the tree: each
copy of the corpus kept about 15 MB, and since they were allocated between the
parse's short-lived objects they pinned much of the heap besides. `KeptStore`
writes them to an anonymous temporary file as the verdicts arrive (pickled, one
record per file) and reads them back only when the set rules run, after the last
parse, into memory the parses have freed.

Read back are the objects' data and packed spans, which the set checks read; a
rendered or built object's model (`helm.locate.Rendered`, `sources.kustomize.Built`:
where in the chart or the overlay each line came from) is needed only to relocate a
finding, so it stays in the file behind a `SpilledModel` that answers the few
attributes set checks ask of every object (`deploy_unit`, `sets`,
`substituted_images`) and reads its model back on first use of any other (with a copy
of the document's data; a chart's values files, which all its objects share, are
written once per file and read back on their own). The last `_LOADED_AT_ONCE`
read stay read, so memory stays bounded however many objects set rules report on.

The file is anonymous (no name on disk, readable by this process alone) and closed
with the scan; a file in which a secret was found keeps its objects in memory.
Scans keeping few objects (a pre-commit run) never open the file.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import IO, Any

from platform_lint.model import Document, Obj
from platform_lint.records import replace

SPILL_AFTER = 1024
"""Kept objects held in memory before the store starts writing them to its file: about
6 MB (`tests/test_kept_memory.py`), more than a corpus repository keeps (at most 561), so
a scan of one repository pays nothing for spilling (pickling costs ~50 us an object)."""

_LOADED_AT_ONCE = 64
"""Models that stay read back at once."""

_CHEAP = ("deploy_unit", "sets", "substituted_images", "overlay", "template", "scope")
"""A model's attributes that set checks read on every object (`checks.k8s_objects.deploy_unit`,
`k8s_workloads`), held beside the stand-in so reading them leaves the model in the file."""


class KeptStore:
    """The kept objects of one scan, in file order (see the module docstring)."""

    def __init__(self, spill_after: int | None = None) -> None:
        self._spill_after = SPILL_AFTER if spill_after is None else spill_after
        self._held: list[tuple[list[Obj], bool]] = []
        """Objects not yet in a record, and whether they may be spilled."""
        self._file: IO[bytes] | None = None
        self._records: list[tuple[int, int] | list[Obj]] = []
        """(offset, length) of each record in the file, or objects held, in the order they came."""
        self._loaded: OrderedDict[tuple[int, int], Any] = OrderedDict()
        self.count = 0

    def __enter__(self) -> KeptStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._loaded.clear()

    def add(self, objects: Sequence[Obj], *, spill: bool = True) -> None:
        """One file's kept objects (held in memory when not `spill`)."""
        if not objects:
            return
        self.count += len(objects)
        self._held.append((list(objects), spill))
        if self._file is None:
            if self.count <= self._spill_after:
                return
            import tempfile

            # Closed by `close` once set rules' findings are located (or with the store).
            self._file = tempfile.TemporaryFile(prefix="platform-lint-kept-")  # noqa: SIM115
        for held, spilled in self._held:
            self._records.append(self._write(self._record(held)) if spilled else held)
        self._held = []

    def objects(self) -> list[Obj]:
        """Every kept object, in the order they were added (read back from the file)."""
        out: list[Obj] = []
        for record in self._records:
            out.extend(record if isinstance(record, list) else self._read_record(record))
        for held, _spill in self._held:
            out.extend(held)
        return out

    def _write(self, blob: bytes) -> tuple[int, int]:
        assert self._file is not None
        offset = self._file.seek(0, 2)
        self._file.write(blob)
        return offset, len(blob)

    def _read(self, offset: int, length: int) -> bytes:
        if self._file is None:
            raise ValueError("the kept objects' file is closed: the scan is over")
        self._file.seek(offset)
        return self._file.read(length)

    def model(self, at: tuple[int, int]) -> Any:
        """A spilled model read back (the last `_LOADED_AT_ONCE` read stay read)."""
        model = self._load(at)
        if isinstance(model, _WithValuesFiles):
            values_files = [self._load(v) for v in model.values_files]
            model = self._loaded[at] = replace(model.model, values_files=values_files)
        return model

    def _load(self, at: tuple[int, int]) -> Any:
        loaded = self._loaded.get(at)
        if loaded is not None:
            self._loaded.move_to_end(at)
            return loaded
        import pickle

        loaded = self._loaded[at] = pickle.loads(self._read(*at))
        while len(self._loaded) > _LOADED_AT_ONCE:
            self._loaded.popitem(last=False)
        return loaded

    def _record(self, objects: Sequence[Obj]) -> bytes:
        """Objects pickled, each relocating model written first on its own and stood for
        by a `SpilledModel`; a rendered object's values files, which every object of its
        chart shares, each written once."""
        from platform_lint.kept_pickle import dumps

        swapped: dict[int, Document] = {}
        values_files: dict[int, tuple[int, int]] = {}  # by id: the objects are alive till written
        for obj in objects:
            doc = obj.doc
            if id(doc) in swapped or getattr(doc.model, "relocate", None) is None:
                continue
            model = doc.model
            cheap = {n: getattr(model, n) for n in _CHEAP if hasattr(model, n)}
            if getattr(model, "values_files", None):
                for values_file in model.values_files:
                    if id(values_file) not in values_files:
                        values_files[id(values_file)] = self._write(dumps(values_file))
                model = _WithValuesFiles(replace(model, values_files=[]),
                                         [values_files[id(v)] for v in model.values_files])
            stand_in = SpilledModel(self._write(dumps(model)), cheap, _names(doc.model))
            swapped[id(doc)] = Document(doc.path, doc.kind, doc.data, doc.spans, doc.key_spans, doc.index,
                                        stand_in, doc.lines)
        return dumps([Obj(swapped.get(id(o.doc), o.doc), o.kind, o.name, o.path, o.value) for o in objects])

    def _read_record(self, at: tuple[int, int]) -> list[Obj]:
        import pickle

        objects: list[Obj] = pickle.loads(self._read(*at))
        for obj in objects:
            if type(obj.doc.model) is SpilledModel:
                obj.doc.model._store = self
        return objects


class _WithValuesFiles:
    """A spilled model without its values files, and where they were written."""

    __slots__ = ("model", "values_files")

    def __init__(self, model: Any, values_files: list[tuple[int, int]]) -> None:
        self.model, self.values_files = model, values_files

    def __reduce__(self) -> tuple[Any, ...]:
        return (_WithValuesFiles, (self.model, self.values_files))


class SpilledModel:
    """Stands for a kept document's model that stays in the store's file until read."""

    __slots__ = ("_at", "_cheap", "_names", "_store")

    def __init__(self, at: tuple[int, int], cheap: dict[str, Any], names: frozenset[str]) -> None:
        self._at, self._cheap, self._names = at, cheap, names
        self._store: KeptStore | None = None

    def real(self) -> Any:
        if self._store is None:
            raise ValueError("a spilled model read before its objects were")
        return self._store.model(self._at)

    def __reduce__(self) -> tuple[Any, ...]:
        return (SpilledModel, (self._at, self._cheap, self._names))

    def __getattr__(self, name: str) -> Any:  # only for names that are not slots
        cheap = self._cheap
        if name in cheap:
            return cheap[name]
        if name not in self._names:  # asked of every object (`getattr(model, "relocate", None)`)
            raise AttributeError(name)
        return getattr(self.real(), name)


_NAMES: dict[type, frozenset[str]] = {}


def _names(model: Any) -> frozenset[str]:
    names = _NAMES.get(type(model))
    if names is None:
        names = _NAMES[type(model)] = frozenset(n for n in dir(model) if not n.startswith("__"))
    return names
