"""A kept document's spans packed into numbers, unpacked only when read.

Cross-object rules keep every object in their scope until the end of the scan
(`per_file._kept`), but report on few of them. Held as dicts of `Span`s, the
spans of those documents were most of what a scan kept per file (a tuple path,
a `Span` and a dict entry per value and key: about 250 bytes each), so memory
grew with the tree. Packed, a document holds eight numbers per value of its
data: the value's span and its key's span, in the order `_walk` visits the data
(the paths themselves are not stored: the kept data gives them back). A packed
table is a `dict` that fills itself on first read; the last `_UNPACKED_AT_ONCE`
tables filled stay filled, older ones are emptied again, so memory stays bounded
however many objects a set rule reports on.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.model import Document, Path, Span

_NO_SPAN = (0, 0, 0, 0)  # lines are 1-based: 0 marks a value or key without a span
_UNPACKED_AT_ONCE = 64


def _walk(data: Any) -> Iterator[Path]:
    """Every path in `data` (the root first), in one fixed order."""
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        yield path
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def _count(data: Any) -> int:
    """How many paths `_walk` yields."""
    count, stack = 0, [data]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


class _Pack:
    """A document's data and the numbers of its value and key spans."""

    __slots__ = ("data", "numbers")

    def __init__(self, data: Any, numbers: array[int]) -> None:
        self.data = data
        self.numbers = numbers


def pack(doc: Document) -> Document:
    """`doc` with its spans packed (the same document when they are not packable:
    a span at a path its data lacks, or a number out of range)."""
    doc.spans, doc.key_spans = pack_tables(doc.data, doc.spans, doc.key_spans)
    return doc


def pack_tables(data: Any, spans: dict[Path, Span], key_spans: dict[Path, Span],
                ) -> tuple[dict[Path, Span], dict[Path, Span]]:
    """The value and key span tables of `data`, packed when they can be (else as given)."""
    if isinstance(spans, PackedSpans) or not (spans or key_spans):
        return spans, key_spans
    numbers = _numbers(data, spans, key_spans)
    if numbers is None:
        return spans, key_spans
    shared = _Pack(data, numbers)
    return PackedSpans(shared, 0), PackedSpans(shared, 1)


def packed_numbers(spans: Mapping[Path, Span]) -> array[int] | None:
    """The numbers of a packed table (for the result cache), None when it is a plain one."""
    return spans._pack.numbers if isinstance(spans, PackedSpans) else None


def unpacked_from(data: Any, flat: Any) -> tuple[PackedSpans, PackedSpans]:
    """Value and key tables of a document of `data` whose packed numbers are `flat`;
    ValueError when they cannot be its numbers."""
    try:
        numbers = array("i", flat)  # only numbers that fit
    except (TypeError, OverflowError) as exc:
        raise ValueError("packed spans") from exc
    if len(numbers) != 8 * _count(data) or (numbers and min(numbers) < 0):
        raise ValueError("packed spans")
    shared = _Pack(data, numbers)
    return PackedSpans(shared, 0), PackedSpans(shared, 1)


def _numbers(data: Any, spans: Mapping[Path, Span], key_spans: Mapping[Path, Span]) -> array[int] | None:
    numbers: array[int] = array("i")
    found = 0
    try:
        for path in _walk(data):
            for table in (spans, key_spans):
                span = table.get(path)
                if span is None:
                    numbers.extend(_NO_SPAN)
                    continue
                if span.line < 1:
                    return None
                numbers.extend((span.line, span.col, span.end_line, span.end_col))
                found += 1
    except (OverflowError, TypeError):  # a number past 32 bits, an unhashable step
        return None
    return numbers if found == len(spans) + len(key_spans) else None


class PackedSpans(dict[Path, Span]):
    """A path -> span table kept as numbers until read (see the module docstring).
    Reads fill it; writes are not expected on a kept document and fill it first."""

    __slots__ = ("_filled", "_half", "_pack")

    def __init__(self, shared: _Pack, half: int) -> None:
        super().__init__()
        self._pack, self._half, self._filled = shared, half, False

    def _fill(self) -> None:
        if self._filled:
            if id(self) in _RECENT:
                _RECENT.move_to_end(id(self))
            return
        numbers, base = self._pack.numbers, 4 * self._half
        for i, path in enumerate(_walk(self._pack.data)):
            at = 8 * i + base
            if numbers[at]:
                dict.__setitem__(self, path, Span(numbers[at], numbers[at + 1], numbers[at + 2],
                                                  numbers[at + 3]))
        self._filled = True
        _unpacked(self)

    def _empty(self) -> None:
        dict.clear(self)
        self._filled = False

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as numbers (to and from worker processes)
        return (PackedSpans, (self._pack, self._half))

    def __getitem__(self, key: Path) -> Span:
        self._fill()
        return dict.__getitem__(self, key)

    def get(self, key: Path, default: Any = None) -> Any:
        self._fill()
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[Path]:
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._fill()
        return dict.keys(self)

    def values(self) -> Any:
        self._fill()
        return dict.values(self)

    def items(self) -> Any:
        self._fill()
        return dict.items(self)

    def __eq__(self, other: object) -> bool:
        self._fill()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self) -> str:
        self._fill()
        return dict.__repr__(self)

    def copy(self) -> dict[Path, Span]:
        self._fill()
        return dict(dict.items(self))

    def __setitem__(self, key: Path, value: Span) -> None:
        self._fill()
        _RECENT.pop(id(self), None)  # written to: never emptied again
        dict.__setitem__(self, key, value)

    def setdefault(self, key: Path, default: Span) -> Span:
        self._fill()
        _RECENT.pop(id(self), None)
        return dict.setdefault(self, key, default)


class PackedTree:
    """A kustomize-built object's located tree (`kustomize.nodes.Node`: where each value
    and key was written) packed the same way: a table of files, and ten numbers a value
    of the kept data (its file and span, its key's file and span). Rebuilt for
    `Built.relocate` when a finding asks where a value came from."""

    __slots__ = ("_tree", "data", "files", "numbers")

    def __init__(self, data: Any, files: list[str], numbers: array[int]) -> None:
        self.data, self.files, self.numbers = data, files, numbers
        self._tree: Any = None

    def tree(self) -> Any:
        """The located tree (a `kustomize.nodes.Node`)."""
        if self._tree is not None:
            if id(self) in _RECENT:
                _RECENT.move_to_end(id(self))
            return self._tree
        from platform_lint.kustomize.nodes import Loc, Node

        numbers, files = self.numbers, self.files
        index = {path: i for i, path in enumerate(_walk(self.data))}

        def loc(at: int) -> Loc | None:
            if not numbers[at]:
                return None
            return Loc(files[numbers[at] - 1], Span(numbers[at + 1], numbers[at + 2], numbers[at + 3],
                                                    numbers[at + 4]))

        def build(path: Path, value: Any) -> Node:
            at = 10 * index[path]
            if isinstance(value, dict):
                value = {k: build((*path, k), v) for k, v in value.items()}
            elif isinstance(value, list):
                value = [build((*path, i), v) for i, v in enumerate(value)]
            return Node(value, loc(at), loc(at + 5))

        self._tree = build((), self.data)
        _unpacked(self)
        return self._tree

    def _empty(self) -> None:
        self._tree = None


def pack_tree(node: Any, data: Any) -> PackedTree | None:
    """`node` (a located tree whose plain data is `data`) packed; None when its shape
    is not that of `data`."""
    from platform_lint.kustomize.nodes import Loc, walk

    located = dict(walk(node))
    files: dict[str, int] = {}
    numbers: array[int] = array("i")
    count = 0
    try:
        for path in _walk(data):
            found = located.get(path)
            if found is None:
                return None
            count += 1
            for where in (found.loc, found.key_loc):
                if not isinstance(where, Loc):
                    numbers.extend((0, *_NO_SPAN))
                    continue
                number = files.setdefault(where.file, len(files) + 1)
                span = where.span
                numbers.extend((number, span.line, span.col, span.end_line, span.end_col))
    except (OverflowError, TypeError):
        return None
    return PackedTree(data, list(files), numbers) if count == len(located) else None


def unpacked_tree(data: Any, files: list[str], flat: Any) -> PackedTree:
    """The packed tree of `data` whose numbers are `flat` (from the result cache);
    ValueError when they cannot be its numbers."""
    try:
        numbers = array("i", flat)
    except (TypeError, OverflowError) as exc:
        raise ValueError("packed tree") from exc
    if len(numbers) != 10 * _count(data) or (numbers and min(numbers) < 0):
        raise ValueError("packed tree")
    if any(numbers[i] > len(files) for i in range(0, len(numbers), 5)):
        raise ValueError("packed tree")
    return PackedTree(data, files, numbers)


def _unpacked(table: PackedSpans | PackedTree) -> None:
    """`table` was just unpacked: the oldest unpacked beyond the bound are packed again."""
    _RECENT[id(table)] = table
    while len(_RECENT) > _UNPACKED_AT_ONCE:
        _key, oldest = _RECENT.popitem(last=False)
        oldest._empty()


# The tables unpacked most recently, oldest first (a bound on memory, not on results).
_RECENT: OrderedDict[int, PackedSpans | PackedTree] = OrderedDict()
