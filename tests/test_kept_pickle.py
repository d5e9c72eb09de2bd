"""What `kept_store` spills is pickled by fields where that rebuilds it, and comes back equal."""

from __future__ import annotations

import dataclasses
import pickle

from platform_lint import kept_pickle
from platform_lint.helm.trace import Origin
from platform_lint.kept_pickle import _positional_fields
from platform_lint.records import record


@record()
class _Mutable:
    a: int


@record(frozen=True)
class _OwnInit:
    a: int

    def __init__(self, a: int = 0) -> None:
        object.__setattr__(self, "a", a)


@dataclasses.dataclass(frozen=True, slots=True)
class _FrozenDataclass:
    a: int
    b: str = ""


def test_frozen_records_and_slotted_frozen_dataclasses_are_pickled_by_their_fields() -> None:
    assert _positional_fields(Origin) == ("file", "line", "values")
    assert _positional_fields(_FrozenDataclass) == ("a", "b")
    # no fast path where the fields in order do not rebuild the object
    assert _positional_fields(_Mutable) == ()
    assert _positional_fields(_OwnInit) == ()
    assert _positional_fields(dict) == ()


def test_what_is_spilled_comes_back_equal() -> None:
    kept = [Origin("templates/a.yaml", 3, ("image", "tag")), Origin("templates/b.yaml", 9),
            _FrozenDataclass(1, "x"), _Mutable(2), _OwnInit(5), {"k": [1, 2.5, None]}]
    assert pickle.loads(kept_pickle.dumps(kept)) == kept
