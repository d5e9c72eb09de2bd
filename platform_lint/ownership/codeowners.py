"""CODEOWNERS files: parsing and matching with GitHub's and GitLab's semantics.

Matching is our own rather than gitignore's: GitHub treats a trailing lone
`*` segment (`docs/*`) as "files directly in docs/", brackets as literal text,
and every other pattern as matching the path or anything below it.
Lines GitHub rejects (`!` negation, `[ ]` ranges, a `\\#` escape, malformed
owners) are kept as `SyntaxIssue`s at their line and take no part in matching,
as GitHub skips them. GitLab reads patterns its own way (`gitlab_patterns`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Literal, Protocol

from platform_lint.model import source_lines
from platform_lint.ownership import gitlab_patterns
from platform_lint.records import field, record

Flavour = Literal["github", "gitlab"]

# Where each host looks, in its order; the first file found wins.
LOCATIONS: dict[Flavour, tuple[str, ...]] = {
    "github": (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"),
    "gitlab": ("CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"),
}

_SECTION = re.compile(r"^(?P<optional>\^)?\[(?P<name>[^\]]+)\](?:\[(?P<approvals>\d+)\])?(?=\s|$)")
_BRACKET = re.compile(r"\[([^\[\]/]*)\]")
_CLASS_RANGE = re.compile(r"([A-Za-z0-9])-([A-Za-z0-9])")
_USER = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_TEAM = re.compile(r"^@[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_GITLAB_OWNER = re.compile(r"^@@?[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@record(frozen=True)
class Token:
    """A word of a line with its 1-based start column and exclusive end column."""

    text: str
    col: int
    end_col: int


class Regex(Protocol):
    """What a compiled pattern offers: Python's `re` or RE2 (`safe_regex`)."""

    def fullmatch(self, text: str) -> object | None: ...


@record(frozen=True)
class Pattern:
    text: str
    segments: tuple[str, ...]
    """Between slashes, without the anchoring `/` or a directory's trailing `/`."""
    first: str | None = None
    """The literal first path segment of an anchored pattern: a cheap pre-test."""
    literal: bool = False
    """No wildcards or escapes: `Matcher` finds it by lookup, never compiling its regex."""
    anchored: bool = False
    dir_only: bool = False
    exact: bool = False
    """The path itself only, nothing below it (GitLab's patterns without a trailing `/`)."""
    flavour: Flavour = "github"
    _compiled: list[Regex] = field(default_factory=list, repr=False, compare=False)

    @property
    def regex(self) -> Regex:
        """Compiled on first use: most patterns are literal paths, never matched by regex."""
        if not self._compiled:
            self._compiled.append(_regex(_source(self), stars=self.text.count("*")))
        return self._compiled[0]

    def matches(self, path: str) -> bool:
        path = path.lstrip("/")
        first = self.first
        if first is not None and not (path == first or path.startswith(first + "/")):
            return False
        return self.regex.fullmatch(path) is not None


@record(frozen=True)
class Entry:
    """One valid rule line: a pattern and its owners (empty: explicitly unowned)."""

    line: int
    pattern: Pattern
    pattern_token: Token
    owners: tuple[Token, ...]
    section: str | None = None
    inherited: bool = False
    """True when the owners are the GitLab section's defaults."""
    exclusion: bool = False
    """GitLab's `!pattern`: a path it matches is left out of the section, whatever the order."""

    @property
    def owner_names(self) -> tuple[str, ...]:
        return tuple(o.text for o in self.owners)

    def matches(self, path: str) -> bool:
        return self.pattern.matches(path)


@record(frozen=True)
class Section:
    """A GitLab section; GitHub files have none."""

    name: str
    line: int
    optional: bool = False
    approvals: int | None = None
    defaults: tuple[Token, ...] = ()


@record(frozen=True)
class SyntaxIssue:
    line: int
    col: int
    end_col: int
    message: str


@record()
class CodeOwners:
    path: str
    flavour: Flavour
    entries: list[Entry] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    issues: list[SyntaxIssue] = field(default_factory=list)
    _matcher: Matcher | None = field(default=None, repr=False, compare=False)

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(self.entries)
        return self._matcher

    def decide(self, path: str) -> list[Entry]:
        """The deciding entry for `path`: the last match (or an exclusion), one per GitLab section."""
        winners: dict[str | None, Entry] = {}
        excluded: dict[str | None, Entry] = {}  # GitLab: an exclusion decides its section
        for entry in self.matcher.matching(path):
            key = _section_key(entry.section)
            table = excluded if entry.exclusion else winners
            if key not in table or table[key].line < entry.line:
                table[key] = entry
        return sorted({**winners, **excluded}.values(), key=lambda e: e.line)

    def matched_files(self, tree: Iterable[str]) -> dict[int, frozenset[str]]:
        """For each entry's line, the files of `tree` it matches."""
        found: dict[int, set[str]] = {}
        for path in tree:
            for entry in self.matcher.matching(path):
                found.setdefault(entry.line, set()).add(path)
        none: frozenset[str] = frozenset()  # one shared empty set: most lines of a big file match nothing
        return {e.line: frozenset(found[e.line]) if e.line in found else none for e in self.entries}


MAX_REMEMBERED = 100_000
"""Paths whose matching entries a `Matcher` keeps, at most."""


class Matcher:
    """The entries that match a path, found without trying each entry in turn.

    A pattern without wildcards is looked up by the path's segments (an anchored
    one by each leading run of segments, an unanchored one, always a single
    segment, by each segment). A pattern with wildcards still needs its literal
    text (`.ext` in `*.ext`) in the path: it is filed under the rarest piece
    of that text (`_grams`) and tried only on paths holding that piece. So a
    CODEOWNERS file of 100,000 lines costs a few dozen dictionary lookups per
    file, not 100,000 regex matches. `fold` matches regardless of
    case (for "did you mean" hints).
    """

    def __init__(self, entries: Iterable[Entry], *, fold: bool = False) -> None:
        self._fold = fold
        self._anchored: dict[tuple[str, ...], list[Entry]] = {}
        self._floating: dict[str, list[Entry]] = {}
        self._by_gram: dict[str, list[tuple[Entry, str]]] = {}
        self._always: list[Entry] = []
        self._folded: dict[int, Regex] = {}
        self._matched: dict[str, list[Entry]] = {}
        """`matching` by path: the ownership rules of a scan ask of every file, each in turn."""
        wild: list[tuple[Entry, str]] = []
        for entry in entries:
            pattern = entry.pattern
            if not pattern.literal:
                wild.append((entry, self._case(_required_text(pattern.text))))
            elif pattern.anchored:
                self._anchored.setdefault(tuple(map(self._case, pattern.segments)), []).append(entry)
            else:
                self._floating.setdefault(self._case(pattern.segments[0]), []).append(entry)
        counts = Counter(g for _, text in wild for g in {*_grams(text), *_grams(text, 6)})
        for entry, text in wild:
            grams = _grams(text, 6) or _grams(text)
            if grams:
                self._by_gram.setdefault(min(grams, key=counts.__getitem__), []).append((entry, text))
            else:
                self._always.append(entry)

    def _case(self, text: str) -> str:
        return text.lower() if self._fold else text

    def matching(self, path: str) -> list[Entry]:
        """Every entry matching `path`, in no particular order."""
        found = self._matched.get(path)
        if found is None:
            found = self._matching(path)
            if len(self._matched) < MAX_REMEMBERED:
                self._matched[path] = found
        return list(found)

    def _matching(self, path: str) -> list[Entry]:
        path = path.lstrip("/")
        cased = self._case(path)
        segments = tuple(cased.split("/"))
        last = len(segments) - 1
        found: dict[int, Entry] = {}
        for end in range(1, len(segments) + 1):
            for entry in self._anchored.get(segments[:end], ()):
                if _literal_fits(entry.pattern, end - 1, last):
                    found[entry.line] = entry
        for index, segment in enumerate(segments):
            for entry in self._floating.get(segment, ()):
                if _literal_fits(entry.pattern, index, last):
                    found[entry.line] = entry
        verdicts: dict[str, bool] = {}  # one match per distinct pattern, however often repeated
        for gram in {*_grams(cased), *_grams(cased, 6)}:
            for entry, text in self._by_gram.get(gram, ()):
                if text in cased and self._matches(entry, path, verdicts):
                    found[entry.line] = entry
        for entry in self._always:
            if self._matches(entry, path, verdicts):
                found[entry.line] = entry
        return list(found.values())

    def _matches(self, entry: Entry, path: str, verdicts: dict[str, bool]) -> bool:
        text = entry.pattern.text
        if text not in verdicts:
            verdicts[text] = self._regex(entry).fullmatch(path) is not None
        return verdicts[text]

    def _regex(self, entry: Entry) -> Regex:
        if not self._fold:
            return entry.pattern.regex
        if entry.line not in self._folded:
            self._folded[entry.line] = _regex(_source(entry.pattern), fold=True)
        return self._folded[entry.line]


def _literal_fits(pattern: Pattern, index: int, last: int) -> bool:
    """Whether a literal pattern found at segment `index` of a path whose last
    segment is `last` matches it: a directory's pattern needs something below,
    an exact one (GitLab) nothing below."""
    if pattern.exact:
        return index == last
    return index < last or not pattern.dir_only


_WILDCARDS = re.compile(r"\[[^\][]*\]|[*?\\[]")  # a class stops at the next `[`: linear


def _required_text(pattern: str) -> str:
    """The longest run of literal text every matching path holds (slashes next to
    `**` are optional, so none at either end; a GitLab bracket is a class)."""
    return max((piece.strip("/") for piece in _WILDCARDS.split(pattern)), key=len)


def _grams(text: str, size: int = 3) -> list[str]:
    """Pieces of `text` of `size` characters: patterns are filed under their
    rarest six-character piece when they have one (three-character pieces of
    digits repeat across thousands of patterns), else their rarest three."""
    return [text[i : i + size] for i in range(len(text) - size + 1)]


def _section_key(name: str | None) -> str | None:
    # GitLab section names are case-insensitive; same-named sections combine.
    return None if name is None else name.lower()


def compile_pattern(text: str, flavour: Flavour = "github") -> Pattern:
    """A CODEOWNERS pattern: its shape now, its regular expression when first needed."""
    if flavour == "gitlab":
        shape = gitlab_patterns.shape(text)
        return Pattern(text, *shape, exact=not shape[-1], flavour="gitlab")
    segments = text.split("/")
    anchored = False
    dir_only = False
    if segments[0] == "":
        anchored = True
        segments = segments[1:]
    if len(segments) > 1 and segments[-1] == "":
        dir_only = True
        segments = segments[:-1]
    anchored = anchored or len(segments) > 1
    first = segments[0] if anchored and not any(c in segments[0] for c in "*?\\") else None
    literal = any(c in text for c in "*?\\")
    return Pattern(text, tuple(segments), first or None, not literal, anchored, dir_only)


def _source(pattern: Pattern) -> str:
    """The regular expression over repository-relative paths that `pattern` stands for."""
    if pattern.flavour == "gitlab":
        return gitlab_patterns.source(pattern.text, pattern.segments,
                                      anchored=pattern.anchored, dir_only=pattern.dir_only)
    segments = pattern.segments
    body = ""
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment == "**":
            body += "(?:.*/)?" if i < last else ".*"
            continue
        body += _segment(segment) + ("/" if i < last else "")
    final = segments[-1]
    if final == "**":
        suffix = ""
    elif pattern.dir_only:
        suffix = "/.*"
    elif final == "*" and pattern.anchored:
        suffix = ""  # `docs/*`: files directly in docs/, not below
    else:
        suffix = "(?:/.*)?"
    prefix = "" if pattern.anchored else "(?:.*/)?"
    return f"{prefix}{body}{suffix}"


def _regex(source: str, *, stars: int = 2, fold: bool = False) -> Regex:
    """`source` compiled (`.` matching newlines too). With two wildcards or more a
    backtracking engine is polynomial in the path's length (`*a*a*a*a*b` against
    a long name of a's never ends), so those run on RE2, linear whatever the
    pattern; Python's `re` is faster per call for the rest, which it runs in time
    proportional to the path."""
    if stars < 2:
        return re.compile(source, re.S | (re.I if fold else 0))
    from platform_lint.safe_regex import compile_pattern

    compiled: Regex = compile_pattern(("(?si)" if fold else "(?s)") + source)
    return compiled


def _segment(segment: str) -> str:
    if segment == "*":
        return "[^/]+"
    out: list[str] = []
    chars = iter(segment)
    for ch in chars:
        if ch == "\\":
            out.append(re.escape(next(chars, "\\")))
        elif ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def tokens(line: str) -> Iterator[Token]:
    """Whitespace-separated words, honouring `\\ ` escapes, up to an inline `#` comment."""
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n or line[i] == "#":
            return
        start = i
        while i < n and line[i] not in " \t":
            i += 2 if line[i] == "\\" else 1
        i = min(i, n)
        yield Token(line[start:i], start + 1, i + 1)


def detect_flavour(path: str, text: str) -> Flavour:
    """GitLab when the file lives in `.gitlab/` or has section headers, else GitHub."""
    if path.startswith(".gitlab/"):
        return "gitlab"
    if path.startswith(".github/"):
        return "github"
    for raw in text.splitlines():
        if _SECTION.match(raw.strip()):
            return "gitlab"
    return "github"


def parse(text: str, path: str = "CODEOWNERS", flavour: Flavour | None = None) -> CodeOwners:
    """Parse a CODEOWNERS file; `flavour` None detects it."""
    result = CodeOwners(path=path, flavour=flavour or detect_flavour(path, text))
    section: Section | None = None
    for number, raw in enumerate(source_lines(text), 1):
        words = list(tokens(raw))
        if not words:
            continue
        if result.flavour == "gitlab":
            header = _SECTION.match(raw.lstrip())
            if header is not None:
                section = _section(result, number, raw, header)
                continue
        _entry(result, number, words, section)
    return result


def _section(result: CodeOwners, number: int, raw: str, header: re.Match[str]) -> Section:
    indent = len(raw) - len(raw.lstrip())
    rest = [t for t in tokens(raw) if t.col > indent + header.end()]
    defaults = tuple(t for t in rest if _owner_ok(result, number, t))
    approvals = header["approvals"]
    section = Section(
        name=header["name"].strip(),
        line=number,
        optional=header["optional"] is not None,
        approvals=int(approvals) if approvals is not None else None,
        defaults=defaults,
    )
    result.sections.append(section)
    return section


def _entry(result: CodeOwners, number: int, words: list[Token], section: Section | None) -> None:
    first, owners = words[0], words[1:]
    problem = None if result.flavour == "gitlab" else pattern_problem(first.text)
    if problem is not None:
        result.issues.append(SyntaxIssue(number, first.col, first.end_col, problem))
        return
    # GitLab's `!pattern` (17.10) leaves a path out of its section; owners on it are ignored
    exclusion = result.flavour == "gitlab" and first.text.startswith("!") and len(first.text) > 1
    if exclusion:
        owners = []
    valid = [t for t in owners if _owner_ok(result, number, t)]
    if len(valid) != len(owners) and result.flavour == "github":
        return  # GitHub skips a line with an unknown owner, GitLab only the owner
    inherited = not owners and not exclusion and section is not None and bool(section.defaults)
    result.entries.append(
        Entry(
            line=number,
            pattern=compile_pattern(first.text[exclusion:], result.flavour),
            pattern_token=first,
            owners=section.defaults if inherited and section is not None else tuple(valid),
            section=section.name if section is not None else None,
            inherited=inherited,
            exclusion=exclusion,
        )
    )


def pattern_problem(text: str) -> str | None:
    """Why GitHub rejects this pattern, or None."""
    if text.startswith("!"):
        return (f"negation is not supported in CODEOWNERS: {text!r}; a later line with "
                "no owners makes a path explicitly unowned instead")
    if text.startswith("\\#"):
        return (f"escaping '#' is not supported in CODEOWNERS: {text!r}; "
                "match the file with a wildcard such as '?" + text[2:] + "'")
    for found in _BRACKET.finditer(text):
        if _is_class(found[1]):
            return (f"character ranges are not supported in CODEOWNERS: {found[0]!r} in "
                    f"{text!r}; list the paths separately or use '*'")
    return None


def _is_class(content: str) -> bool:
    """`[!x]`, `[^x]` or `[a-z0-9]`-style content; `[param]` and `[param-id]` are literal."""
    if content[:1] in ("!", "^"):
        return True
    ranges = list(_CLASS_RANGE.finditer(content))
    valid = [m for m in ranges if m[1] <= m[2] and m[1].isdigit() == m[2].isdigit()
             and m[1].islower() == m[2].islower()]
    return bool(valid) and len(valid) == len(ranges)


def _owner_ok(result: CodeOwners, number: int, token: Token) -> bool:
    text = token.text
    if result.flavour == "gitlab":
        ok = _GITLAB_OWNER.match(text) is not None
    else:
        ok = _USER.match(text) is not None or _TEAM.match(text) is not None
    if ok or _EMAIL.match(text):
        return True
    hint = f"@{text}" if not text.startswith("@") else "@org/team-name"
    result.issues.append(
        SyntaxIssue(number, token.col, token.end_col,
                    f"owner {text!r} is not a @user, @org/team or email address; "
                    f"did you mean {hint!r}?")
    )
    return False


def is_team(owner: str) -> bool:
    """True for `@org/team` (and GitLab `@group/subgroup`) owners."""
    return owner.startswith("@") and "/" in owner


def active_file(files: Collection[str], flavour: Flavour | None = None) -> str | None:
    """The CODEOWNERS file the host reads among `files`; None when there is none."""
    order = LOCATIONS[flavour] if flavour else LOCATIONS["github"] + (".gitlab/CODEOWNERS",)
    return next((p for p in order if p in files), None)
