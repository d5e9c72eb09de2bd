"""Where the secret scans' keywords occur in a text, found in one pass.

Every text scan (provider tokens, URL credentials, generic assignments) runs
its regexes only on the lines where one of its keywords occurs. Looking each
keyword up separately costs one pass over the text per keyword (about sixty);
an Aho-Corasick automaton (`ahocorasick_rs`: Rust, a DFA here) finds all of
them in one pass.

Case-insensitive keywords enter the automaton as every ASCII case variant of
their first few characters, so the text needs no lower-cased copy and offsets
are always the text's own. Cutting a keyword short keeps the automaton small
and can only admit more lines, never fewer: the regexes decide.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import lru_cache

Window = tuple[int, int]
"""Start and end offsets of one line of a text (end exclusive, no newline)."""

_CASELESS_PREFIX = 5
"""Characters of a case-insensitive keyword that enter the automaton (2**5 variants at most:
~360 patterns, a DFA built in ~2 ms)."""


def line_bounds(text: str, pos: int) -> Window:
    """Start and end offsets of the line of `text` holding offset `pos`."""
    end = text.find("\n", pos)
    return text.rfind("\n", 0, pos) + 1, len(text) if end < 0 else end


def stems(caseless: Iterable[str]) -> tuple[str, ...]:
    """What the automaton looks for of each case-insensitive keyword, lower-cased:
    a text whose lower-cased copy holds none of them has no occurrence of any."""
    return tuple(sorted({keyword[:_CASELESS_PREFIX].lower() for keyword in caseless}))


def case_variants(word: str) -> set[str]:
    """Every spelling of `word` with its ASCII letters in either case."""
    choices = [(c.lower(), c.upper()) if c.isascii() and c.isalpha() else (c,) for c in word]
    return {"".join(spelling) for spelling in itertools.product(*choices)}


class Occurrences:
    """The lines of one text where each keyword occurs."""

    def __init__(self, text: str, positions: dict[str, list[int]]) -> None:
        self._text = text
        self._positions = positions
        self._windows: dict[str, list[Window]] = {}

    def found(self) -> Iterable[str]:
        """The keywords that occur at least once."""
        return self._positions.keys()

    def windows(self, keywords: Iterable[str]) -> list[Window]:
        """The distinct lines, in order, where any of `keywords` occurs."""
        found: set[Window] = set()
        for keyword in keywords:
            if keyword in self._positions:
                found.update(self._lines(keyword))
        return sorted(found)

    def _lines(self, keyword: str) -> list[Window]:
        if keyword not in self._windows:
            text, lines, end = self._text, [], -1
            for pos in sorted(self._positions[keyword]):
                if pos > end:  # a later occurrence on a line already taken adds nothing
                    lines.append(line_bounds(text, pos))
                    end = lines[-1][1]
            self._windows[keyword] = lines
        return self._windows[keyword]


class Prefilter:
    """One automaton over case-sensitive keywords and case variants of the others."""

    def __init__(self, cased: Iterable[str], caseless: Iterable[str]) -> None:
        from ahocorasick_rs import AhoCorasick, Implementation

        stands_for: dict[str, set[str]] = {}  # automaton pattern -> the keywords it reports
        for keyword in cased:
            stands_for.setdefault(keyword, set()).add(keyword)
        for keyword in caseless:
            for spelling in case_variants(keyword[:_CASELESS_PREFIX]):
                stands_for.setdefault(spelling, set()).add(keyword)
        self._patterns = sorted(stands_for)
        self._keywords = [tuple(sorted(stands_for[p])) for p in self._patterns]
        # A DFA takes a few ms to build and searches fastest.
        self._automaton = AhoCorasick(self._patterns, implementation=Implementation.DFA)

    def find(self, text: str) -> Occurrences:
        positions: dict[str, list[int]] = {}
        for index, start, _ in self._automaton.find_matches_as_indexes(text, overlapping=True):
            for keyword in self._keywords[index]:
                positions.setdefault(keyword, []).append(start)
        return Occurrences(text, positions)


@lru_cache(maxsize=8)
def occurrences(prefilter: Prefilter, text: str) -> Occurrences:
    """`prefilter.find(text)`, memoised for the last few texts: the scans of one file share it."""
    return prefilter.find(text)
