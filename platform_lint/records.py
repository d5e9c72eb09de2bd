"""Record classes: the methods `@dataclass(slots=True)` writes, built without compiling.

Python 3.11's `dataclass` writes each method as source text and compiles it when
the class is defined: about 4 M instructions for a frozen class, and the ~50
classes a one-file run defines came to a quarter of its instructions. `record`
makes the same class from closures: `__init__` (positional and keyword
arguments, defaults, `default_factory`, `__post_init__`), `__repr__` (fields
with `repr=False` left out, so a secret's text never shows), `__eq__` and, when
frozen, `__hash__` over the fields with `compare=True` in the order dataclass
uses, a frozen class's `__setattr__`/`__delattr__` and its pickling, `__slots__`
and `__match_args__`. Methods the class body defines are kept, as dataclass keeps
them. `replace` and `fields` work on records and on dataclasses alike.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, TypeVar, overload

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - the type checker reads the branch above
    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorator: decorator

T = TypeVar("T")


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field of a record, in definition order (`fields`)."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
                 compare: bool = True) -> None:
        self.name = ""
        self.default, self.default_factory, self.repr, self.compare = default, default_factory, repr, compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


@overload
def field(*, default: T, repr: bool = True, compare: bool = True) -> T: ...
@overload
def field(*, default_factory: Callable[[], T], repr: bool = True, compare: bool = True) -> T: ...
@overload
def field(*, repr: bool = True, compare: bool = True) -> Any: ...
def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
          compare: bool = True) -> Any:
    """A field's default, default factory, and whether `repr` and `==` read it."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr, compare)


@dataclass_transform(field_specifiers=(field,))
def record(*, frozen: bool = False, eq: bool = True,
           unsafe_hash: bool = False) -> Callable[[type[T]], type[T]]:
    """The class with slots and the methods `@dataclass(frozen=..., eq=..., unsafe_hash=...,
    slots=True)` adds."""
    return lambda cls: _build(cls, frozen, eq, unsafe_hash)


def fields(value: Any) -> tuple[Field, ...] | None:
    """A record's or a dataclass's fields (instance or class), else None."""
    found: tuple[Field, ...] | None = getattr(value, "__record_fields__", None)
    if found is not None or not hasattr(value, "__dataclass_fields__"):
        return found
    import dataclasses

    return tuple(_named(f.name) for f in dataclasses.fields(value))


def _named(name: str) -> Field:
    spec = Field()
    spec.name = name
    return spec


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record (or dataclass) `obj` with `changes` to its fields."""
    specs: tuple[Field, ...] | None = getattr(type(obj), "__record_fields__", None)
    if specs is None:
        import dataclasses

        copied: T = dataclasses.replace(obj, **changes)  # type: ignore[type-var]
        return copied
    for spec in specs:
        if spec.name not in changes:
            changes[spec.name] = getattr(obj, spec.name)
    return type(obj)(**changes)


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        head = annotation.split("[", 1)[0].strip()
        return head in ("ClassVar", "typing.ClassVar")
    return annotation is ClassVar or getattr(annotation, "__origin__", None) is ClassVar


def _collect(cls: type) -> dict[str, Field]:
    """Inherited record fields first, then the class's own, as dataclass orders them."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:-1]):
        for spec in getattr(base, "__record_fields__", ()):
            found[spec.name] = spec
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063 (own only)
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        found[name] = spec
    required_after_default = False
    for spec in found.values():
        has_default = spec.default is not MISSING or spec.default_factory is not MISSING
        if required_after_default and not has_default:
            raise TypeError(f"non-default argument {spec.name!r} follows default argument")
        required_after_default = required_after_default or has_default
    return found


def _build(cls: type[T], frozen: bool, eq: bool, unsafe_hash: bool) -> type[T]:
    specs = _collect(cls)
    names = tuple(specs)
    inherited = {slot for base in cls.__mro__[1:-1] for slot in base.__dict__.get("__slots__", ())}
    body = {k: v for k, v in cls.__dict__.items() if k not in specs and k not in ("__dict__", "__weakref__")}
    body["__slots__"] = tuple(n for n in names if n not in inherited)
    own = cls.__dict__
    made: list[type] = []  # the new class, for the methods that name it

    def add(name: str, method: Any) -> None:
        if name not in own:
            body[name] = method

    add("__repr__", _repr([n for n, s in specs.items() if s.repr]))
    compared = [n for n, s in specs.items() if s.compare]
    if eq:
        add("__eq__", _eq(compared))
    # dataclass's table: a class body's own __hash__ is kept, else eq and frozen hash by
    # the fields, eq alone makes instances unhashable, unsafe_hash hashes by the fields
    explicit_hash = own.get("__hash__", MISSING) is not MISSING and not (
        own.get("__hash__") is None and "__eq__" in own)
    if unsafe_hash:
        if explicit_hash:
            raise TypeError(f"cannot overwrite attribute __hash__ in class {cls.__name__}")
        body["__hash__"] = _hash(compared)
    elif eq and not explicit_hash:
        body["__hash__"] = _hash(compared) if frozen else None
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
        body["__setattr__"], body["__delattr__"] = _frozen(made, frozenset(names))
        add("__getstate__", _getstate(list(names)))
        add("__setstate__", _setstate(names))
    add("__match_args__", names)
    body["__record_fields__"] = tuple(specs.values())
    # a frozen record made by its generated `__init__` is rebuilt by its fields in order
    # (`kept_pickle` pickles it so)
    body["__record_positional__"] = frozen and "__init__" not in own
    metaclass: Any = type(cls)
    new: type[T] = metaclass(cls.__name__, cls.__bases__, body)
    new.__qualname__ = cls.__qualname__
    made.append(new)
    if "__init__" not in own:
        new.__init__ = _init(new, list(specs.values()))  # type: ignore[method-assign]
    return new


def _init(cls: type, specs: list[Field]) -> Callable[..., None]:
    count = len(specs)
    setters = tuple(getattr(cls, s.name).__set__ for s in specs)
    post_init = getattr(cls, "__post_init__", None)
    qualname = cls.__qualname__
    position = {s.name: i for i, s in enumerate(specs)}
    # each position's value when not given: its default, or MISSING (required or a factory's)
    fill = tuple(s.default for s in specs)
    factories = [(i, s.default_factory) for i, s in enumerate(specs) if s.default_factory is not MISSING]

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        given = len(args)
        if given > count:
            raise TypeError(f"{qualname}.__init__() takes {count + 1} positional arguments "
                            f"but {given + 1} were given")
        values = [*args, *fill[given:]]
        for name, value in kwargs.items():
            at = position.get(name)
            if at is None:
                raise TypeError(f"{qualname}.__init__() got an unexpected keyword argument {name!r}")
            if at < given:
                raise TypeError(f"{qualname}.__init__() got multiple values for argument {name!r}")
            values[at] = value
        for at, factory in factories:
            if at >= given and specs[at].name not in kwargs:
                values[at] = factory()
        for at in range(given, count):
            if values[at] is MISSING:
                raise TypeError(f"{qualname}.__init__() missing required argument: {specs[at].name!r}")
        return values

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        values = args if len(args) == count and not kwargs else bind(args, kwargs)
        for set_value, value in zip(setters, values, strict=True):
            set_value(self, value)
        if post_init is not None:
            post_init(self)

    __init__.__qualname__ = f"{qualname}.__init__"
    return __init__


def _repr(names: list[str]) -> Callable[[Any], str]:
    busy: set[int] = set()  # a record that holds itself shows as ... inside, as in dataclass

    def __repr__(self: Any) -> str:
        if id(self) in busy:
            return "..."
        busy.add(id(self))
        try:
            shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        finally:
            busy.discard(id(self))
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of the compared fields (a 1-tuple for one field, as dataclass compares)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda self: (get(self),)
    return lambda self: ()


def _eq(names: list[str]) -> Callable[[Any, Any], Any]:
    key = _key(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(names: list[str]) -> Callable[[Any], int]:
    key = _key(names)
    return lambda self: hash(key(self))


def _frozen(made: list[type], names: frozenset[str]) -> tuple[Callable[..., None], Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is made[0] or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)  # a subclass's own attribute

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is made[0] or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    return __setattr__, __delattr__


def _getstate(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    key = _key(names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return key(self)

    return __getstate__


def _setstate(names: tuple[str, ...]) -> Callable[[Any, Any], None]:
    def __setstate__(self: Any, state: Any) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    return __setstate__
