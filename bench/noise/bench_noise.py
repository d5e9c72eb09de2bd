"""Noise on ../shared/corpus, before and after: error and warning findings per
rule for each corpus repository, how many sit in test/example/docs contexts,
and a verdict on a sample of what is still shown.

    python bench/noise/bench_noise.py [--before CHECKOUT] [--corpus DIR]

`--before` is a checkout of the commit to compare with (default: a temporary
clone of f06f32c, main before the noise work, made from this repository). Both
sides run `python -m platform_lint check REPO --format json` with the
interpreter running this script (same dependencies), the earlier side with its
checkout first on `PYTHONPATH`. The after side runs twice: as users get it
(context findings hidden) and with `--include-examples`. The earlier side knows
no contexts, so its findings are classed with today's default patterns.

Writes bench/noise/RESULTS.md between its `measured` markers (the text around
them is kept) and bench/noise/results.json. Verdicts on the sample are read
from bench/noise/verdicts.tsv (repo, path, line, rule, verdict, why); a sampled
finding without one is listed as not judged.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
BEFORE_COMMIT = "f06f32c"
SEVERITIES = ("error", "warning")
SAMPLE_PER_REPO = 4
START, END = "<!-- measured: written by bench_noise.py -->", "<!-- /measured -->"


def corpus_repositories(corpus: Path) -> list[Path]:
    top = [p for p in sorted(corpus.iterdir()) if p.is_dir() and p.name != "helm"]
    helm = sorted(p for p in (corpus / "helm").iterdir() if p.is_dir()) if (corpus / "helm").is_dir() else []
    return top + helm


def check(checkout: Path, repo: Path, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "PLATFORM_LINT_CACHE_DIR": tempfile.mkdtemp()}
    done = subprocess.run(
        [sys.executable, "-m", "platform_lint", "check", str(repo), "--format", "json", "--no-cache", *extra],
        capture_output=True, text=True, env=env, check=False, cwd=checkout,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: check {repo} exited {done.returncode}: {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def per_rule(findings: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(f"{f['rule']} ({f['severity']})" for f in findings if f["severity"] in SEVERITIES)
    return dict(sorted(counts.items()))


def measure(before: Path, corpus: Path) -> list[dict[str, Any]]:
    sys.path.insert(0, str(PROJECT))
    from platform_lint.config import load_config
    from platform_lint.config_files import find_config
    from platform_lint.contexts import classifier

    rows = []
    for repo in corpus_repositories(corpus):
        config = load_config(find_config(repo), repo)
        classify = classifier(config.contexts, config.charters)
        old = check(before, repo)["findings"]
        shown = check(PROJECT, repo)
        every = check(PROJECT, repo, "--include-examples")["findings"]
        serious = [f for f in shown["findings"] if f["severity"] in SEVERITIES]
        rows.append({
            "repo": repo.relative_to(corpus).as_posix(),
            "before": per_rule(old),
            "after": per_rule(shown["findings"]),
            "before_in_contexts": sum(1 for f in old if f["severity"] in SEVERITIES and classify(f["path"])),
            "after_shown_in_contexts": sum(1 for f in serious if classify(f["path"])),
            "after_hidden": sum(1 for f in shown["hidden"] if f["severity"] in SEVERITIES),
            "after_with_examples": len([f for f in every if f["severity"] in SEVERITIES]),
            "sample": sample(serious),
        })
    return rows


def sample(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first error or warning of each of the first rules, errors first: the
    ones a user meets at the top of the report."""
    chosen: dict[str, dict[str, Any]] = {}
    for f in sorted(findings, key=lambda f: (f["severity"] != "error", f["rule"], f["path"], f["line"])):
        if f["rule"] not in chosen and len(chosen) < SAMPLE_PER_REPO:
            chosen[f["rule"]] = f
    return [{k: f[k] for k in ("rule", "severity", "path", "line", "message")} for f in chosen.values()]


def verdicts() -> dict[tuple[str, str, int, str], tuple[str, str]]:
    table = HERE / "verdicts.tsv"
    out: dict[tuple[str, str, int, str], tuple[str, str]] = {}
    if not table.is_file():
        return out
    for line in table.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            repo, path, number, rule, verdict, why = line.split("\t")
            out[(repo, path, int(number), rule)] = (verdict, why)
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    judged = verdicts()
    out = ["## Totals (error + warning findings)", "",
           "| repository | before | after, shown | of which errors, before → after | after, hidden "
           "| after, --include-examples | before, in contexts | after, shown in contexts |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        errors = [sum(n for k, n in r[side].items() if k.endswith("(error)")) for side in ("before", "after")]
        out.append(f"| {r['repo']} | {sum(r['before'].values())} | {sum(r['after'].values())} "
                   f"| {errors[0]} → {errors[1]} | {r['after_hidden']} | {r['after_with_examples']} "
                   f"| {r['before_in_contexts']} | {r['after_shown_in_contexts']} |")
    out += ["", "## Per rule", ""]
    for r in rows:
        rules = sorted({*r["before"], *r["after"]})
        out += [f"### {r['repo']}", "", "| rule (severity) | before | after |", "|---|---:|---:|"]
        out += [f"| {k} | {r['before'].get(k, 0)} | {r['after'].get(k, 0)} |" for k in rules]
        out.append("")
    out += ["## Sample of what remains", "",
            "| repository | finding | verdict | why |", "|---|---|---|---|"]
    for r in rows:
        for f in r["sample"]:
            verdict, why = judged.get((r["repo"], f["path"], f["line"], f["rule"]), ("not judged", ""))
            out.append(f"| {r['repo']} | `{f['path']}:{f['line']}` {f['severity']} [{f['rule']}] "
                       f"| {verdict} | {why} |")
    return "\n".join(out)


def write(rows: list[dict[str, Any]]) -> None:
    (HERE / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    results = HERE / "RESULTS.md"
    text = results.read_text() if results.is_file() else f"# Noise on the corpus\n\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    results.write_text(f"{head}{START}\n{markdown(rows)}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path,
                        help=f"a checkout of the earlier commit (default: {BEFORE_COMMIT})")
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--rewrite", action="store_true",
                        help="only rewrite RESULTS.md from results.json (after editing verdicts.tsv)")
    args = parser.parse_args()
    if args.rewrite:
        rewrite()
        return
    with tempfile.TemporaryDirectory() as scratch:
        before = args.before
        if before is None:
            before = Path(scratch) / "before"
            subprocess.run(["git", "clone", "-q", str(PROJECT), str(before)], check=True)
            subprocess.run(["git", "-C", str(before), "checkout", "-q", BEFORE_COMMIT], check=True)
        write(measure(before.resolve(), args.corpus))


def rewrite() -> None:
    """RESULTS.md again from results.json (after editing verdicts.tsv), without measuring."""
    write(json.loads((HERE / "results.json").read_text()))


if __name__ == "__main__":
    main()
