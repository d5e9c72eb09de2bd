"""Every built-in regex runs in time linear in the line it scans.

`'eyJ-' * 50000` on one line took 26 s (the JWT pattern), `'T3BlbkFJ ' + 'sk-' * 66000`
31 s (the OpenAI pattern), and a title of tabs before "charter" was cubic. Each
regex in the package (module constants, the token catalogue, the scanners built
by functions) is attacked with long lines built from its own parts: a string it
could match, cut short at many places, each cut repeated, or followed by a long
run of the next character. A regex that restarts a long scan from every
position is quadratic on one of them; every one must stay under a generous CPU
bound on a 100,000-character line.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import re
import re._constants as sc  # type: ignore[import-not-found]
import re._parser as sp  # type: ignore[import-not-found]
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bounded import MB, OverBudget, assert_no_exception_text, check, cpu_limit, cpu_seconds

import platform_lint
from platform_lint.safe_regex import AnyOf
from repo_helpers import write

# Regexes only ever applied with `fullmatch` or `match` at a token's start (a
# scanner), never searched through a line: attacked the way they are used.
ANCHORED = {
    "platform_lint.secrets.detect._IDENTIFIER": "fullmatch",
    "platform_lint.secrets.arguments._ENV_PREFIX": "fullmatch",
    "platform_lint.sources.promql._DURATION": "fullmatch",
    "platform_lint.sources.slo._REF": "fullmatch",
    "platform_lint.sources.promql._TOKEN": "match",
    "platform_lint.helm.lexer._TOKEN": "match",
    "platform_lint.helm.yaml_subtrees._KEY_LINE": "match",
    "platform_lint.helm.yaml_subtrees._OPEN_KEY": "fullmatch",
    "platform_lint.helm.yaml_subtrees._DOCUMENT_START": "fullmatch",
    "platform_lint.ownership.charters._HEADING": "match",
    "platform_lint.ownership.charters._ITEM": "match",
    "platform_lint.ownership.charters._LABEL": "match",
    "platform_lint.ownership.charters._CLOSING": "match",
    "platform_lint.ownership.charters._DESC_TAIL_REVERSED": "match",
    "platform_lint.helm.values_yaml._BOOL": "fullmatch",
    "platform_lint.helm.values_yaml._NULL": "fullmatch",
    "platform_lint.helm.values_yaml._INT": "fullmatch",
    "platform_lint.helm.values_yaml._FLOAT": "fullmatch",
}


def built_in_regexes() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for info in pkgutil.walk_packages(platform_lint.__path__, "platform_lint."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            values = value if isinstance(value, tuple | list) else (value,)
            for i, entry in enumerate(values):
                item = entry[0] if isinstance(entry, tuple) and entry else entry
                if isinstance(item, AnyOf):  # its RE2 part is linear by construction
                    item = item._other
                if isinstance(item, re.Pattern) and isinstance(item.pattern, str):
                    found[f"{info.name}.{name}" + (f"[{i}]" if len(values) > 1 else "")] = item
    from platform_lint.secrets import detect, patterns, placeholders

    for i, provider in enumerate(patterns.CATALOGUE):
        found[f"catalogue.{provider.kind}"] = patterns.regex(i)
    for i, pattern in enumerate(detect._url_patterns()):
        found[f"detect.url_patterns[{i}]"] = pattern
    found["detect.assignment"] = detect._assignment()
    for name, pattern in placeholders._patterns():
        found[f"placeholders.{name}"] = pattern
    return found


_POOL = "aA1 -_./=:\"'`#${}()[]|;&@!\t,+~%?*\\<>^é"


def _char(item: tuple[Any, Any]) -> str:
    """A character the sre set item (or single-character op) accepts."""
    probe = re.compile(_rebuild(item))
    return next((c for c in _POOL if probe.fullmatch(c)), "a")


def _rebuild(item: tuple[Any, Any]) -> str:
    op, av = item
    if op is sc.LITERAL:
        return re.escape(chr(av))
    if op is sc.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is sc.IN:
        parts: list[str] = []
        for o, a in av:
            if o is sc.NEGATE:
                parts.insert(0, "^")
            elif o is sc.LITERAL:
                parts.append(re.escape(chr(a)))
            elif o is sc.RANGE:
                parts.append(re.escape(chr(a[0])) + "-" + re.escape(chr(a[1])))
            elif o is sc.CATEGORY:
                parts.append(_CATEGORIES.get(a, "a"))
        return "[" + "".join(parts) + "]"
    if op is sc.CATEGORY:
        return "[" + _CATEGORIES.get(av, "a") + "]"
    return "."


_CATEGORIES = {sc.CATEGORY_DIGIT: r"\d", sc.CATEGORY_NOT_DIGIT: r"\D", sc.CATEGORY_SPACE: r"\s",
               sc.CATEGORY_NOT_SPACE: r"\S", sc.CATEGORY_WORD: r"\w", sc.CATEGORY_NOT_WORD: r"\W"}


def samples(tree: Any) -> list[str]:
    """Strings the parsed regex could match (lookarounds and anchors aside), one
    per branch taken at each alternation."""
    out = [""]
    for op, av in tree:
        if op is sc.LITERAL:
            out = [s + chr(av) for s in out]
        elif op in (sc.NOT_LITERAL, sc.IN, sc.ANY, sc.CATEGORY):
            out = [s + _char((op, av)) for s in out]
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT, sc.POSSESSIVE_REPEAT):
            low, _high, inner = av
            times = max(low, 1) + 2 if low < 100 else low
            out = [s + piece * times for s in out for piece in samples(inner)[:3]]
        elif op is sc.SUBPATTERN:
            out = [s + piece for s in out for piece in samples(av[-1])]
        elif op is sc.ATOMIC_GROUP:
            out = [s + piece for s in out for piece in samples(av)]
        elif op is sc.BRANCH:
            out = [s + piece for s in out for branch in av[1] for piece in samples(branch)[:2]]
        out = out[:24]
    return out


def alphabet(pattern: re.Pattern[str]) -> str:
    """Characters the regex's classes accept, non-word ones first (a `\\b` lets a
    match restart after each of them), at most eight."""
    accepted = [c for c in _POOL if any(re.fullmatch(_rebuild(item), c)
                                        for item in _class_items(sp.parse(pattern.pattern, pattern.flags)))]
    return "".join(sorted(accepted, key=lambda c: c.isalnum())[:8]) or " "


def _class_items(tree: Any) -> Iterator[tuple[Any, Any]]:
    for op, av in tree:
        if op in (sc.IN, sc.CATEGORY, sc.NOT_LITERAL):
            yield op, av
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT, sc.POSSESSIVE_REPEAT):
            yield from _class_items(av[2])
        elif op is sc.SUBPATTERN:
            yield from _class_items(av[-1])
        elif op is sc.ATOMIC_GROUP:
            yield from _class_items(av)
        elif op is sc.BRANCH:
            for branch in av[1]:
                yield from _class_items(branch)
        elif op in (sc.ASSERT, sc.ASSERT_NOT):
            yield from _class_items(av[1])


Recipe = tuple[str, str, str]
"""How to build one hostile line: (shape, head, character)."""


def recipes(pattern: re.Pattern[str]) -> list[Recipe]:
    """Lines from `pattern`'s own parts: each sample cut after each of its first
    twelve characters and at eight places beyond, the cut repeated (alone, or
    with each character of the regex's alphabet after it) or followed by a long
    run of one such character."""
    chars = alphabet(pattern)
    out: list[Recipe] = []
    for sample in samples(sp.parse(pattern.pattern, pattern.flags)) or ["a"]:
        cuts = sorted({*range(1, min(len(sample), 12) + 1), *(len(sample) * k // 8 for k in range(1, 9))})
        for cut in cuts:
            head = sample[:cut] or "a"
            out.append(("repeat", head, ""))
            for c in dict.fromkeys((sample[cut:cut + 1] or " ") + chars):
                out += [("repeat", head, c), ("run", head, c), ("lead", head, c)]
    return list(dict.fromkeys(out))


def build(recipe: Recipe, length: int) -> str:
    shape, head, c = recipe
    if shape == "repeat":
        return (head + c) * (length // len(head + c))
    return head + c * length + "!" if shape == "run" else c * length + head


def _cost(pattern: re.Pattern[str], mode: str, line: str, bound: float = 1.0) -> float:
    """CPU seconds to apply `pattern` to `line` as the package does; infinity past `bound`."""
    apply = {"fullmatch": pattern.fullmatch, "match": pattern.match}.get(
        mode, lambda text: sum(1 for _ in pattern.finditer(text)))
    try:
        with cpu_limit(bound):
            return cpu_seconds(lambda: apply(line))[1]
    except OverBudget:
        return float("inf")


REGEXES = built_in_regexes()


def test_the_collection_holds_the_known_offenders() -> None:
    for name in ("catalogue.jwt", "catalogue.openai-api-key", "detect.assignment",
                 "platform_lint.ownership.charters._TITLE_SUFFIX",
                 "platform_lint.sources.artifacts._PUBLISH_CMD"):
        assert name in REGEXES
    assert len(REGEXES) > 100


def worst(pattern: re.Pattern[str], mode: str) -> tuple[float, str]:
    """Screened on 2,000-character lines; the three worst then run at 100,000
    characters, where a quadratic regex takes seconds to minutes and a linear one
    milliseconds: the bound, 1 CPU second, leaves a wide margin either way."""
    costs: list[tuple[float, Recipe]] = []
    for recipe in recipes(pattern):
        costs.append((_cost(pattern, mode, build(recipe, 2_000)), recipe))
        if costs[-1][0] == float("inf"):
            return costs[-1][0], build(recipe, 60)
    found = (0.0, "")
    for _, recipe in sorted(costs, reverse=True)[:3]:
        found = max(found, (_cost(pattern, mode, build(recipe, 100_000)), build(recipe, 60)))
        if found[0] == float("inf"):
            break
    return found


@pytest.mark.parametrize("name", sorted(REGEXES))
def test_each_built_in_regex_is_linear_on_hostile_lines(name: str) -> None:
    seconds, start = worst(REGEXES[name], ANCHORED.get(name, "search"))
    assert seconds < 1.0, (name, start)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}",
        r"\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b",
        r"\s*[:\-\u2013\u2014]?\s*charter$",
        r"\bkubectl\b.*\s(apply|replace|set\s+image|rollout\s+restart)\b",
    ],
)
def test_the_attack_finds_the_quadratic_shapes_these_regexes_had(pattern: str) -> None:
    """The test above can fail: on the regexes as they were, it does."""
    seconds, _ = worst(re.compile(pattern, re.ASCII), "search")
    assert seconds == float("inf")


# ------------------------------------------------------------------ rewritten shapes mean what they meant


def _texts(seed: int, pieces: list[str], count: int = 20_000) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))


def test_rewritten_charter_and_comment_patterns_equal_the_old_ones() -> None:
    from platform_lint.ownership import charters
    from platform_lint.sources.step_commands import _uncommented

    heading = re.compile(r"^(?P<marks>#{1,6})\s+(?:\d+(?:\.\d+)*[.)]?\s+)?(?P<title>.+?)\s*#*\s*$")
    tail = re.compile(r"(?:[\s,:;.]|\b(?:under|in|at|within|and)\b)+$", re.I)
    suffix = re.compile(r"\s*[:\-\u2013\u2014]?\s*charter$", re.I)
    comment = re.compile(r"(^|\s+)#[^'\"`]*$")
    pieces = ["#", "##", " ", "\t", "1", ".", ")", "a", "b c", "-", ",", "in", "within", "IN", "ain",
              "charter", "\u2013", ":", "'", '"', "`", "C#"]
    for text in _texts(1, pieces):
        old = heading.match(text)
        assert charters._heading(text) == (old and (old["marks"], old["title"])), text
        assert charters._without_tail(text) == tail.sub("", text), text
        assert charters._TITLE_SUFFIX.sub("", text) == suffix.sub("", text), text
        assert _uncommented(text) == comment.sub("", text), text


def test_command_patterns_on_re2_answer_as_python_re_did() -> None:
    from platform_lint.sources import artifacts, deploys

    pieces = ["kubectl ", "apply ", "helm ", "upgrade ", "--atomic ", "-n x ", "curl ", "-fsSL ",
              "goreleaser ", "--snapshot ", "| ", "sh", "mvn ", "deploy", "gpg ", "--sign ", "test"]
    for name in ("_DEPLOY_CMD", "_VERIFY_CMD", "_PUBLISH_CMD", "_ROLLBACK_CMD", "_SIGN_CMD", "_TEST_CMD"):
        fast = getattr(artifacts if name in ("_PUBLISH_CMD", "_SIGN_CMD") else deploys, name)
        slow = re.compile(fast.pattern.replace(r"(?:^|(?<=\n))(?>.*\bgoreleaser\b)", r"\bgoreleaser\b"), re.I)
        for text in _texts(2, pieces, 3_000):
            assert fast.search(text) == bool(slow.search(text)), (name, text)


# ------------------------------------------------------------------ the cases, through the CLI


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("token: " + "eyJ-" * 50_000, "JWT"),
        ("key: T3BlbkFJ " + "sk-" * 66_000, "OpenAI"),
        ("run: " + "kubectl " * 100_000, "deploy command"),
        ("curl " * 100_000 + "| sh", "curl pipe"),
    ],
)
def test_long_hostile_lines_scan_in_bounded_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, why: str
) -> None:
    write(tmp_path, {"notes.txt": line + "\n", "app.env": "DB_PASSWORD=Xk9#mP2v!Lq7zR\n"})
    code, out, cost = check(capsys, tmp_path)
    assert code == 1, why
    assert_no_exception_text(out)
    assert "app.env:1:13: error [hardcoded-secret-assignment]" in out
    assert cost.cpu_seconds < 10 and cost.peak_bytes < 200 * MB, why


def test_a_jwt_still_found_on_a_line_of_decoys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXBsb3kiLCJyb2xlIjoiYWRtaW4ifQ.Qm9ndXNTaWduYXR1cmVfMTIzNDU2Nzg"
    write(tmp_path, {"notes.txt": "x\n" + "eyJ-" * 20_000 + " " + jwt + "\n"})
    code, out, cost = check(capsys, tmp_path)
    assert code == 1
    assert_no_exception_text(out)
    assert f"notes.txt:2:{4 * 20_000 + 2}: error [hardcoded-provider-token]" in out
    assert cost.cpu_seconds < 10 and cost.peak_bytes < 200 * MB


def test_a_workflow_with_a_1_8_mb_run_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It took 7-10 s: the command recognisers (a dozen alternations of twenty
    branches each, tried at every position by Python's `re`) and a comment
    stripper that the recognisers re-ran per pattern. Now RE2 and once."""
    run = "echo " + "kubectl helm curl -o x abcdefgh #' " * 52_000
    write(tmp_path, {".github/workflows/ci.yml": (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: some-org/build-action@v1\n"
        f"      - run: {run}\n")})
    code, out, cost = check(capsys, tmp_path, "--no-cache")
    assert len(run) > 1_800_000
    assert code == 1
    assert_no_exception_text(out)
    assert ".github/workflows/ci.yml:6:15: warning [unpinned-action]" in out
    assert cost.cpu_seconds < 10 and cost.peak_bytes < 200 * MB
