"""Pickling for `kept_store`, imported only by a scan that spills what it keeps."""

from __future__ import annotations

import pickle
from typing import Any


def dumps(value: Any) -> bytes:
    """`value` pickled (the highest protocol)."""
    import io

    out = io.BytesIO()
    _Pickler(out).dump(value)
    return out.getvalue()


class _Pickler(pickle.Pickler):
    """Pickles frozen records and frozen dataclasses with slots (`helm.trace.Origin`, thousands
    a chart) by their fields: the default `__getstate__` of such a class is several times slower."""

    def __init__(self, out: Any) -> None:
        super().__init__(out, pickle.HIGHEST_PROTOCOL)

    def reducer_override(self, obj: Any) -> Any:
        fields = _FIELDS.get(type(obj))
        if fields is None:
            fields = _FIELDS[type(obj)] = _positional_fields(type(obj))
        if not fields:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in fields)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _positional_fields(cls: type) -> tuple[str, ...]:
    """The fields that rebuild a frozen record, or a frozen dataclass with slots, in order;
    () for any other class."""
    if "__record_positional__" in cls.__dict__:
        specs = cls.__dict__["__record_fields__"] if cls.__dict__["__record_positional__"] else ()
        return tuple(spec.name for spec in specs)
    import dataclasses

    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        return ()
    fields = dataclasses.fields(cls)
    return tuple(f.name for f in fields) if all(f.init for f in fields) else ()
