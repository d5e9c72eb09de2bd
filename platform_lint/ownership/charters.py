"""Team charters: markdown with an optional YAML front matter block.

Read tolerantly: the team name from the title (`# Charter: Platform Team`,
`# Platform Team Charter`), `**Owner:**` and `**Escalation:**` lines, the
list under an "Owned Surfaces" heading (numbered or not; paths in bold or
code spans, descriptions after them), "Guardrails" and "Escalation" lists.
Front matter carries what prose cannot: `members` (emails and handles),
`github_team`, `protected` paths, and may override any field above.

`parse` returns plain data in the layout below plus a span for every value,
so findings land on the exact line and column:

    team, owner, escalation, github_team: str | None
    members: [str]
    surfaces: [{path, description}]
    protected: [{paths: [str], requires: [str]}]
    guardrails: [str]
    escalations: [{contact, when}]
"""

from __future__ import annotations

import re
from typing import Any

from platform_lint.model import Path, Span, source_lines
from platform_lint.records import field, record
from platform_lint.sources.yaml_tree import Problem, parse_yaml

# The title runs to the line's end here; `_heading` cuts the closing `#`s. A lazy
# title followed by `\s*#*\s*$` tried that tail at every character: quadratic.
_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?:\d+(?:\.\d+)*[.)]?\s+)?(?P<title>.+)$")
_CLOSING = re.compile(r"\s*#*\s*")  # matched on the reversed title: the longest closing run
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s++(?P<text>.*\S)")
_LABEL = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?P<label>owners?|escalation(?: contact)?|team)"
    r"\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:)\s*(?P<value>.*\S)",
    re.I,
)
_MARKUP = re.compile(r"\*\*(?P<bold>.+?)\*\*|__(?P<under>.+?)__|`(?P<code>[^`]+)`")
_PATHLIKE = re.compile(r"[\w.\-/*?@+~\[\]{}:]+")
_TITLE_PREFIX = re.compile(r"^(?:team\s+)?charter\s*[:\-\u2013\u2014]\s*", re.I)
_TITLE_SUFFIX = re.compile(r"(?<!\s)\s*(?:[:\-\u2013\u2014]\s*)?charter$", re.I)
_DESC_LEAD = re.compile(r"^(?:[\s,:;\-\u2013\u2014]|\band\b|&)+", re.I)
# Trailing separators and joining words, matched from the end (on the reversed text):
# searched forwards, `(...)+$` restarted from every space of a long run.
_DESC_TAIL_REVERSED = re.compile(r"(?:[\s,:;.]|\b(?:rednu|ni|ta|nihtiw|dna)\b)+", re.I)


@record()
class ParsedCharter:
    data: dict[str, Any]
    spans: dict[Path, Span] = field(default_factory=dict)
    key_spans: dict[Path, Span] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def is_pathlike(text: str) -> bool:
    return _PATHLIKE.fullmatch(text) is not None and ("/" in text or "*" in text)


def parse(text: str) -> ParsedCharter:
    lines = list(source_lines(text))
    out = ParsedCharter(data=_empty())
    body_start = _front_matter(lines, out)
    section = ""
    for number in range(body_start + 1, len(lines) + 1):
        raw = lines[number - 1]
        heading = _heading(raw)
        if heading is not None:
            marks, title = heading
            if len(marks) == 1 and out.data["team"] is None:
                _set(out, "team", _team_name(title), number, raw.index(title))
                out.spans.setdefault((), Span(number, 1, number, len(raw) + 1))
            section = _section_kind(title)
            continue
        label = _LABEL.match(raw)
        if label is not None and section not in ("surfaces", "guardrails"):
            _label(out, label, raw, number)
            continue
        item = _ITEM.match(raw)
        if item is not None:
            _item(out, section, raw, item.start("text"), number)
    out.spans.setdefault((), Span.point(1))
    return out


def _empty() -> dict[str, Any]:
    return {"team": None, "owner": None, "escalation": None, "github_team": None,
            "members": [], "surfaces": [], "protected": [], "guardrails": [], "escalations": []}


def _team_name(title: str) -> str:
    plain = title.replace("**", "").replace("`", "").strip()
    stripped = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", plain))
    return stripped or plain


def _section_kind(title: str) -> str:
    lowered = title.lower()
    if "surface" in lowered or "owned" in lowered or "ownership" in lowered:
        return "surfaces"
    if "guardrail" in lowered or "may not" in lowered:
        return "guardrails"
    if "escalation" in lowered:
        return "escalations"
    return "other"


def _set(out: ParsedCharter, key: str, value: str, line: int, col0: int) -> None:
    """Set a top-level field from the prose unless front matter already gave it."""
    if out.data[key] is not None:
        return
    out.data[key] = value
    out.spans[(key,)] = Span(line, col0 + 1, line, col0 + 1 + len(value))


def _label(out: ParsedCharter, match: re.Match[str], raw: str, number: int) -> None:
    label = match["label"].lower()
    value, col0 = _value(match["value"], match.start("value"))
    key = "owner" if label.startswith("owner") else label.split()[0]
    _set(out, key, value, number, col0)


def _value(text: str, col0: int) -> tuple[str, int]:
    """The first code span's content, else the text without markup, with its column."""
    code = re.search(r"`([^`]+)`", text)
    if code is not None:
        return code[1].strip(), col0 + code.start(1)
    plain = text.strip("*_ ")
    return plain, col0 + text.index(plain)


def _item(out: ParsedCharter, section: str, raw: str, start: int, number: int) -> None:
    text = raw[start:].rstrip()
    if section == "surfaces":
        _surfaces(out, raw, start, number)
    elif section == "guardrails":
        index = len(out.data["guardrails"])
        out.data["guardrails"].append(_plain(text))
        out.spans[("guardrails", index)] = Span(number, start + 1, number, len(raw.rstrip()) + 1)
    elif section == "escalations":
        for found in _MARKUP.finditer(text):
            contact = _inner(found)
            index = len(out.data["escalations"])
            out.data["escalations"].append({"contact": contact, "when": _plain(text)})
            col = start + found.start() + 1
            out.spans[("escalations", index)] = Span(number, col, number,
                                                     start + found.end() + 1)
            break


def _surfaces(out: ParsedCharter, raw: str, start: int, number: int) -> None:
    text = raw[start:].rstrip()
    found: list[tuple[str, int, int]] = []  # path, start, end within text (markup included)
    for m in _MARKUP.finditer(text):
        inner = _inner(m)
        if is_pathlike(inner):
            found.append((inner, m.start(), m.end()))
    if not found:
        first = text.split()[0] if text.split() else ""
        if is_pathlike(first):
            found.append((first, 0, len(first)))
    description = text
    for _, s, e in reversed(found):
        description = description[:s] + description[e:]
    description = _without_tail(_DESC_LEAD.sub("", _plain(description)))
    for path, s, _ in found:
        index = len(out.data["surfaces"])
        out.data["surfaces"].append({"path": path, "description": description})
        col = start + text.index(path, s) + 1
        out.spans[("surfaces", index)] = Span(number, start + 1, number, len(raw.rstrip()) + 1)
        out.spans[("surfaces", index, "path")] = Span(number, col, number, col + len(path))


def _inner(match: re.Match[str]) -> str:
    inner = match["bold"] or match["under"] or match["code"] or ""
    return inner.strip().strip("`").strip()


def _plain(text: str) -> str:
    return re.sub(r"\*\*|__|`", "", text).strip()


def _front_matter(lines: list[str], out: ParsedCharter) -> int:
    """Read a leading `---` YAML block into `out`; the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        out.problems.append(Problem(Span.point(1), "front matter starts with '---' but never ends"))
        return 0
    docs, problems = parse_yaml("\n".join(lines[1:end]) + "\n")
    out.problems.extend(Problem(_shift(p.span), p.message) for p in problems)
    if docs and isinstance(docs[0].data, dict):
        _apply_front_matter(out, docs[0].data, docs[0].spans, docs[0].key_spans)
    return end + 1


def _heading(raw: str) -> tuple[str, str] | None:
    """The heading's marks and title (at least one character, closing `#`s cut)."""
    found = _HEADING.match(raw)
    if found is None:
        return None
    title: str = found["title"]
    closing = _CLOSING.match(title[::-1])
    cut = closing.end() if closing else 0
    return found["marks"], title[: max(len(title) - cut, 1)]


def _without_tail(text: str) -> str:
    found = _DESC_TAIL_REVERSED.match(text[::-1])
    return text[: len(text) - found.end()] if found else text


def _shift(span: Span) -> Span:
    return Span(span.line + 1, span.col, span.end_line + 1, span.end_col)


_FM_SCALARS = {"team": "team", "name": "team", "owner": "owner", "escalation": "escalation",
               "github_team": "github_team", "github-team": "github_team"}


def _apply_front_matter(out: ParsedCharter, data: dict[str, Any],
                        spans: dict[Path, Span], key_spans: dict[Path, Span]) -> None:
    def copy(src: Path, dst: Path) -> None:
        for table, target in ((spans, out.spans), (key_spans, out.key_spans)):
            for path, span in table.items():
                if path[: len(src)] == src:
                    target[dst + path[len(src):]] = _shift(span)

    for key, value in data.items():
        if key in _FM_SCALARS and isinstance(value, str):
            out.data[_FM_SCALARS[key]] = value
            copy((key,), (_FM_SCALARS[key],))
        elif key == "members" and isinstance(value, list):
            out.data["members"] = [str(v) for v in value]
            copy((key,), ("members",))
        elif key in ("surfaces", "owns") and isinstance(value, list):
            for i, path in enumerate(value):
                out.data["surfaces"].append({"path": str(path), "description": ""})
                copy((key, i), ("surfaces", i, "path"))
                copy((key, i), ("surfaces", i))
        elif key == "protected" and isinstance(value, list):
            out.data["protected"] = [_protected(v) for v in value]
            copy((key,), ("protected",))


def _protected(value: Any) -> dict[str, list[str]]:
    if isinstance(value, dict):
        paths = value.get("paths", value.get("path", []))
        requires = value.get("requires", [])
        return {"paths": _strings(paths), "requires": _strings(requires)}
    return {"paths": _strings(value), "requires": []}


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
