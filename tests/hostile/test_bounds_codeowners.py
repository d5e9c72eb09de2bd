"""CODEOWNERS rules in time about linear in the file: 100,000 lines in seconds
(`shadowed-codeowners-pattern` took 42 s on 10,000 lines and never finished 100,000).

The fast paths (`codeowners.Matcher`, the shadowing search) are held to the
obvious definitions, run on seeded random files: every entry tried on every path.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from bounded import MB, assert_no_exception_text, check, cpu_seconds

from platform_lint.changes import full_repository
from platform_lint.checks.ownership import (
    duplicate_codeowners_pattern,
    shadowed_codeowners_pattern,
    unmatched_codeowners_pattern,
)
from platform_lint.model import Obj
from platform_lint.ownership import codeowners as co
from platform_lint.sources.codeowners import document
from repo_helpers import write

# ------------------------------------------------------------------ the fast paths equal the definitions

NAMES = ["docs", "Docs", "src", "api", "a.md", "b.py", "README.md", "x", "main.go", "v1.2"]
PIECES = ["*", "**", "?", "*.md", "*.py", "a*", "*x*", "[id]", "\\*"]


def random_pattern(rng: random.Random) -> str:
    parts = [rng.choice(NAMES + PIECES) for _ in range(rng.randint(1, 3))]
    return rng.choice(["", "/"]) + "/".join(parts) + rng.choice(["", "", "/"])


def random_path(rng: random.Random) -> str:
    return "/".join(rng.choice([*NAMES, "*x", "[id]"]) for _ in range(rng.randint(1, 4)))


def random_file(rng: random.Random, lines: int) -> str:
    pool = [random_pattern(rng) for _ in range(lines // 2 + 1)] + ["*", "**"]
    return "".join(f"{rng.choice(pool)} @org/t{rng.randint(1, 3)}\n" for _ in range(lines))


def naive_shadowed(parsed: co.CodeOwners, tree: Sequence[str] | None) -> list[tuple[int, int]]:
    """(earlier line, later line): the first later entry of the same section and
    another text that matches every file the earlier one matches (with no tree: a
    catch-all, or every witness path of a literal earlier pattern)."""
    catch_all = {"*", "**", "/**", "**/*", "/*/**"}
    out = []
    for i, earlier in enumerate(parsed.entries):
        mine = None if tree is None else {p for p in tree if earlier.matches(p)}
        for later in parsed.entries[i + 1:]:
            if later.section != earlier.section or later.pattern.text == earlier.pattern.text:
                continue
            if later.pattern.text in catch_all:
                covers = True
            elif mine is not None:
                covers = bool(mine) and all(later.matches(p) for p in mine)
            elif any(c in earlier.pattern.text for c in "*?\\"):
                covers = False
            else:
                base = earlier.pattern.text.strip("/")
                witnesses = [f"{base}/x"] if earlier.pattern.text.endswith("/") else [base, f"{base}/x"]
                covers = all(later.matches(w) for w in witnesses)
            if covers:
                out.append((earlier.line, later.line))
                break
    return out


def objects(text: str, tree: list[str] | None) -> list[Obj]:
    doc = document("CODEOWNERS", text, "github")
    objs = [Obj(doc=doc, kind="codeowners", name=doc.path, value=doc.data)]
    if tree is not None:
        change = full_repository(tree)
        objs.append(Obj(doc=change, kind="change", name=change.path, value=change.data))
    return objs


@pytest.mark.parametrize("seed", range(40))
def test_matcher_finds_exactly_the_entries_whose_regex_matches(seed: int) -> None:
    rng = random.Random(seed)
    parsed = co.parse(random_file(rng, 30), flavour="github")
    folded = co.Matcher(parsed.entries, fold=True)
    for path in [random_path(rng) for _ in range(40)]:
        expected = {e.line for e in parsed.entries if e.matches(path)}
        assert {e.line for e in parsed.matcher.matching(path)} == expected, path
        caseless = {e.line for e in parsed.entries
                    if re.fullmatch(e.pattern.regex.pattern, path, re.S | re.I)}  # type: ignore[attr-defined]
        assert {e.line for e in folded.matching(path)} >= caseless, path


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("with_tree", [True, False])
def test_shadowing_search_equals_the_pairwise_definition(seed: int, with_tree: bool) -> None:
    rng = random.Random(seed)
    text = random_file(rng, 25)
    tree = sorted({random_path(rng) for _ in range(30)}) if with_tree else None
    parsed = co.parse(text, flavour="github")
    hits = shadowed_codeowners_pattern(objects(text, tree), {"flavour": "github"})
    found = [(h.span.line, int(re.findall(r"on line (\d+)", h.message)[0])) for h in hits if h.span]
    assert found == naive_shadowed(parsed, tree)


@pytest.mark.parametrize("seed", range(20))
def test_unmatched_hints_name_the_first_path_differing_only_in_case(seed: int) -> None:
    rng = random.Random(seed)
    text = random_file(rng, 25)
    tree = sorted({random_path(rng) for _ in range(30)})
    parsed = co.parse(text, flavour="github")
    hits = list(unmatched_codeowners_pattern(objects(text, tree), {"flavour": "github"}))
    unmatched = [e for e in parsed.entries if not any(e.matches(p) for p in tree)]
    assert [h.span.line for h in hits if h.span] == [e.line for e in unmatched]
    for entry, hit in zip(unmatched, hits, strict=True):
        rx = re.compile(entry.pattern.regex.pattern, re.S | re.I)  # type: ignore[attr-defined]
        near = next((p for p in tree if rx.fullmatch(p)), None)
        assert (f"'{near}' differs only in case" in hit.message) == (near is not None)


# ------------------------------------------------------------------ 100,000 lines


def big_codeowners(n: int) -> tuple[str, dict[str, str]]:
    """`n` generated lines (literal directories, literal names, wildcards under a
    directory, extensions) of which every 97th owns a file, then three planted lines."""
    lines, files = [], {}
    for i in range(n):
        kind = i % 4
        pattern, owned = [
            (f"/services/svc{i}/", f"services/svc{i}/main.py"),
            (f"file{i}.txt", f"file{i}.txt"),
            (f"/docs/area{i}/*.md", f"docs/area{i}/a.md"),
            (f"*.ext{i}", f"x/y.ext{i}"),
        ][kind]
        lines.append(f"{pattern} @org/team{i % 50}")
        if i % 97 == 0:
            files[owned] = "x\n"
    lines += [
        "/services/svc0/ @org/dup",  # n+1: repeats line 1
        "/services/svc388/main.py @org/a",  # n+2: overrides line 389, then overridden by n+3
        "/services/svc388/ @org/b",  # n+3: repeats line 389
    ]
    return "\n".join(lines) + "\n", files


def test_a_codeowners_of_100k_lines_takes_seconds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = 100_000
    text, files = big_codeowners(n)
    write(tmp_path, {".github/CODEOWNERS": text, **files,
                     ".platform-lint.yaml": "max_file_size: 8000000\n"})
    rules = "duplicate-codeowners-pattern,shadowed-codeowners-pattern,unmatched-codeowners-pattern"
    code, out, cost = check(capsys, tmp_path, "--select", rules, memory="rss")
    assert code == 1
    assert_no_exception_text(out)
    at = {rule: [int(line.split(":")[1]) for line in out.splitlines() if f"[{rule}]" in line]
          for rule in ("duplicate-codeowners-pattern", "shadowed-codeowners-pattern",
                       "unmatched-codeowners-pattern")}
    assert at["duplicate-codeowners-pattern"] == [n + 1, n + 3]
    assert at["shadowed-codeowners-pattern"] == [389, n + 2]
    assert f":389:1: warning [shadowed-codeowners-pattern] '/services/svc388/' never decides " \
           f"ownership: '/services/svc388/main.py' on line {n + 2}" in out
    assert len(at["unmatched-codeowners-pattern"]) == n - len(files)
    assert cost.cpu_seconds < 60 and cost.peak_bytes < 1500 * MB  # about 8 s and 400 MB here


@pytest.mark.parametrize("rule", ["duplicate-codeowners-pattern", "shadowed-codeowners-pattern",
                                  "unmatched-codeowners-pattern"])
def test_each_codeowners_rule_is_linear_in_the_file(rule: str) -> None:
    """Ten times the lines cost at most about ten times the time (quadratic is a hundred)."""
    check_fn = {"duplicate-codeowners-pattern": duplicate_codeowners_pattern,
                "shadowed-codeowners-pattern": shadowed_codeowners_pattern,
                "unmatched-codeowners-pattern": unmatched_codeowners_pattern}[rule]

    def run(n: int) -> float:
        text, files = big_codeowners(n)
        objs = objects(text, sorted(files))
        target = objs[0] if rule == "duplicate-codeowners-pattern" else objs
        return min(cpu_seconds(lambda: list(check_fn(target, {})))[1] for _ in range(3))

    small, large = run(2_000), run(20_000)
    assert large < 30 * max(small, 0.005), (small, large)
