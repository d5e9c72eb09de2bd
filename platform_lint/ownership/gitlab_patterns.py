"""GitLab's reading of a CODEOWNERS pattern, as a regular expression.

GitLab normalises a pattern and matches it with Ruby's `File.fnmatch`
(`FNM_PATHNAME | FNM_DOTMATCH`) against the path with a leading `/`
(ee/lib/gitlab/code_owners/file.rb, `normalize_pattern`): `*` alone becomes
`/**/*`; a leading `\\#` is `#`; a pattern not starting with `/` gets `/**/`
in front, so it matches at any depth even with a slash inside; one ending in
`/` gets `**/*` after. Nothing else is added, so a pattern without a trailing
`/` names files only, never what a directory of that name holds. `**` is
recursive only as a whole segment followed by `/`; anywhere else it is `*`.
Brackets are character classes (`[!x]` and `[^x]` negate).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

WILDCARDS = "*?\\["
"""Characters that make a GitLab pattern more than a literal path."""


def shape(text: str) -> tuple[tuple[str, ...], str | None, bool, bool, bool]:
    """(segments, literal first segment, literal, anchored, directory only): only a
    leading `/` anchors, only a trailing `/` makes a directory's pattern."""
    anchored = text.startswith("/")
    dir_only = text.endswith("/") and text.strip("/") != ""
    segments = tuple(text.strip("/").split("/"))
    first = segments[0] if anchored and not any(c in segments[0] for c in WILDCARDS) else None
    literal = not any(c in text for c in WILDCARDS) and (anchored or len(segments) == 1)
    return segments, first or None, literal, anchored, dir_only


def source(text: str, segments: Sequence[str], *, anchored: bool, dir_only: bool) -> str:
    """The regular expression over repository-relative paths (no leading `/`)."""
    if text == "*":
        return ".*"
    body = ""
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment == "**" and i < last:
            body += "(?:.*/)?"  # `**/`: any directories, none included
        else:
            body += _segment(segment) + ("/" if i < last else "")
    prefix = "" if anchored else "(?:.*/)?"
    return prefix + body + ("/.*" if dir_only else "")


def _segment(segment: str) -> str:
    out: list[str] = []
    i, n = 0, len(segment)
    while i < n:
        ch = segment[i]
        if ch == "\\" and i + 1 < n:
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if ch == "[":
            found = _bracket(segment, i)
            if found is not None:
                out.append(found[0])
                i = found[1]
                continue
        out.append("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch))
        i += 1
    return "".join(out)


def _bracket(segment: str, start: int) -> tuple[str, int] | None:
    """The class opening at `segment[start]` and the index after it; None when it
    never closes (the `[` is then literal, as fnmatch reads it)."""
    i = start + 1
    negate = i < len(segment) and segment[i] in "!^"
    i += negate
    parts: list[str] = []
    while i < len(segment) and segment[i] != "]":
        if segment[i] == "\\" and i + 1 < len(segment):
            parts.append(re.escape(segment[i + 1]))
            i += 2
            continue
        parts.append("-" if segment[i] == "-" else re.escape(segment[i]))
        i += 1
    if i >= len(segment) or not parts:
        return None
    body = "".join(parts)
    try:
        re.compile(f"[{body}]")
    except re.error:  # a reversed range such as `[z-a]` matches nothing
        return r"[^\s\S]", i + 1
    return (f"[^/{body}]" if negate else f"[{body}]"), i + 1
