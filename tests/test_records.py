"""`records.record` behaves as `dataclass(slots=True)` does, compared on twin classes."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any, ClassVar

import pytest

from platform_lint import records
from platform_lint.records import FrozenInstanceError, field, record, replace


@record(frozen=True)
class Point:
    """Frozen, with defaults, a factory and a field left out of repr and ==."""

    LIMIT: ClassVar[int] = 3
    x: int
    y: str
    tags: tuple[str, ...] = ()
    seen: frozenset[int] = field(default_factory=frozenset)
    secret: str | None = field(default=None, repr=False)
    cache: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def label(self) -> str:
        return f"{self.x}{self.y}"


@dataclasses.dataclass(frozen=True, slots=True)
class PointDC:
    """The dataclass twin of `Point`."""

    LIMIT: ClassVar[int] = 3
    x: int
    y: str
    tags: tuple[str, ...] = ()
    seen: frozenset[int] = dataclasses.field(default_factory=frozenset)
    secret: str | None = dataclasses.field(default=None, repr=False)
    cache: dict[str, int] = dataclasses.field(default_factory=dict, repr=False, compare=False)


@record()
class Box:
    item: Any
    count: int = 0
    held: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.count += 1


@dataclasses.dataclass(slots=True)
class BoxDC:
    item: Any
    count: int = 0

    def __post_init__(self) -> None:
        self.count += 1


@record(eq=False)
class Node:
    name: str


@record(unsafe_hash=True)
class Pair:
    left: int
    right: int


@dataclasses.dataclass(slots=True, unsafe_hash=True)
class PairDC:
    left: int
    right: int


@record(frozen=True)
class One:
    value: float


@dataclasses.dataclass(frozen=True, slots=True)
class OneDC:
    value: float


def _twins() -> list[tuple[Any, Any]]:
    nan = float("nan")  # hashed by identity, and equal to itself inside a tuple only
    return [
        (Point(1, "a"), PointDC(1, "a")),
        (Point(2, "b", ("t",), frozenset({1}), secret="h"),
         PointDC(2, "b", ("t",), frozenset({1}), secret="h")),
        (Point(x=3, y="c", cache={"k": 1}), PointDC(x=3, y="c", cache={"k": 1})),
        (One(nan), OneDC(nan)),
    ]


def test_construction_repr_hash_and_equality_match_dataclass() -> None:
    for ours, theirs in _twins():
        assert repr(ours).replace("Point(", "PointDC(").replace("One(", "OneDC(") == repr(theirs)
        assert hash(ours) == hash(theirs)
        twin = copy.copy(ours)
        assert ours == twin and not ours != twin  # noqa: SIM202 (both operators)
    assert "hunter2" not in repr(Point(1, "a", secret="hunter2"))
    assert Point(1, "a", cache={"a": 1}) == Point(1, "a")  # compare=False
    assert Point(1, "a") != Point(1, "b") and Point(1, "a") != PointDC(1, "a")  # type: ignore[comparison-overlap]
    assert Point.__match_args__ == PointDC.__match_args__ and Point.LIMIT == 3
    assert Point(5, "z").label() == "5z"
    assert not hasattr(Point(1, "a"), "__dict__") and "x" in vars(Point)["__slots__"]


def test_arguments_are_checked_as_dataclass_checks_them() -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {}), ((1,), {}), ((1, "a", (), frozenset(), None, {}, 7), {}), ((1, "a"), {"z": 1}),
        ((1, "a"), {"x": 2})]
    for args, kwargs in calls:
        with pytest.raises(TypeError):
            PointDC(*args, **kwargs)
        with pytest.raises(TypeError):
            Point(*args, **kwargs)
    with pytest.raises(TypeError, match="follows default"):
        record()(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))


def test_frozen_records_refuse_assignment_and_pickle() -> None:
    point = Point(1, "a", ("t",), frozenset({2}), secret="s")
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.y
    for again in (pickle.loads(pickle.dumps(point)), copy.deepcopy(point)):
        assert again == point and again.secret == "s" and type(again) is Point


def test_mutable_records_post_init_identity_and_unhashable() -> None:
    box, twin = Box("a"), BoxDC("a")
    assert (box.count, twin.count) == (1, 1) and box.held == [] and box.held is not Box("b").held
    box.count = 5
    assert pickle.loads(pickle.dumps(box)) == box
    with pytest.raises(TypeError):
        hash(box)
    pair = Pair(1, 2)
    assert hash(pair) == hash(PairDC(1, 2)) and pair == Pair(1, 2)
    pair.left = 3
    assert hash(pair) == hash(PairDC(3, 2))
    first, second = Node("n"), Node("n")
    assert first != second and first == first and len({first, second}) == 2  # noqa: PLR0124 (identity)


def test_replace_and_fields_on_records_and_dataclasses() -> None:
    point = Point(1, "a", seen=frozenset({3}))
    moved = replace(point, x=9)
    assert (moved.x, moved.y, moved.seen) == (9, "a", frozenset({3})) and point.x == 1
    assert replace(PointDC(1, "a"), y="b") == PointDC(1, "b")
    assert replace(Box("a"), item="b").count == dataclasses.replace(BoxDC("a"), item="b").count == 2
    named = records.fields(point)
    assert named is not None and [f.name for f in named] == [f.name for f in dataclasses.fields(PointDC)]
    theirs = records.fields(PointDC(1, "a"))
    assert theirs is not None and [f.name for f in theirs] == [f.name for f in named]
    assert records.fields(object()) is None
    with pytest.raises(TypeError):
        replace(point, nope=1)
