"""How random a string looks: Shannon entropy and character classes."""

from __future__ import annotations

import math
from collections import Counter

_HEX = frozenset("0123456789abcdefABCDEF")


def shannon(text: str) -> float:
    """Bits of entropy per character of `text` (0.0 for the empty string)."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


def char_classes(text: str) -> int:
    """How many of lower case, upper case, digits and other characters occur."""
    return (
        any(c.islower() for c in text)
        + any(c.isupper() for c in text)
        + any(c.isdigit() for c in text)
        + any(not c.isalnum() for c in text)
    )


def is_hex(text: str) -> bool:
    return bool(text) and all(c in _HEX for c in text)


def looks_random(text: str, *, min_length: int = 16) -> bool:
    """A machine-generated token rather than a word, a sentence or a number.

    Hex strings carry at most 4 bits per character, so they get a lower bar
    than base64-like text.
    """
    if len(text) < min_length or " " in text:
        return False
    if is_hex(text):
        return shannon(text) >= 3.0 and not text.isdigit()
    return shannon(text) >= 3.5 and char_classes(text) >= 2


def looks_like_password(text: str) -> bool:
    """A human-chosen password: 8+ characters mixing at least two classes of
    characters (letters and digits, cases, symbols), or a long random string."""
    if len(text) < 8 or " " in text.strip():
        return False
    if looks_random(text):
        return True
    if char_classes(text) < 2 or len(set(text)) < 5:
        return False
    return shannon(text) >= 2.5
