"""CPU spent evaluating rules, A/B between two checkouts, interleaved.

    .venv/bin/python bench/rule_cost.py --base /path/to/other/checkout [--rounds 3] [--warm] [REPO...]

Each repository (default: every one under ../shared/corpus) is scanned as
`check --no-cache --jobs 1 .` in a fresh interpreter per side and round, with
`PYTHONPATH` set to the checkout, sides alternating (the order flips every
round: the machine is shared). Inside the process, the CPU time (process_time)
spent in `rule_runner.run_rules` and `hit_findings.findings_of` is summed:
matching rules to objects, running the checks, turning hits into findings;
not parsing or rendering. `--warm` scans twice in one process and reports the
second scan (evaluation alone, without importing check modules or compiling
their regexes, which the first scan of a process pays). Medians per repository.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

_PROBE = r"""
import json, os, sys, time
from platform_lint import cli, engine, hit_findings, rule_runner
spent = {"rules": 0.0, "findings": 0.0}
depth = [0]
run_rules = rule_runner.run_rules
def timed_run(*args, **kwargs):
    items = run_rules(*args, **kwargs)
    while True:
        top = depth[0] == 0
        depth[0] += 1
        start = time.process_time()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            depth[0] -= 1
            if top:
                spent["rules"] += time.process_time() - start
        yield item
findings_of = hit_findings.findings_of
def timed_findings(*args, **kwargs):
    start = time.process_time()
    try:
        return findings_of(*args, **kwargs)
    finally:
        spent["findings"] += time.process_time() - start
rule_runner.run_rules = engine.run_rules = timed_run
hit_findings.findings_of = engine.findings_of = timed_findings
def scan():
    out, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        cli.main(["check", "--no-cache", "--jobs", "1", "."])
    except SystemExit:
        pass
    finally:
        sys.stdout = out
if sys.argv[1] == "warm":
    scan()
    spent.update(rules=0.0, findings=0.0)
start = time.process_time()
scan()
print(json.dumps({**spent, "scan": time.process_time() - start}))
"""


def measure(tree: Path, repo: Path, warm: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # imports would compile from source
    out = subprocess.run([sys.executable, "-c", _PROBE, "warm" if warm else "cold"], cwd=repo,
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--base", type=Path, required=True, help="the other checkout (main)")
    parser.add_argument("--new", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()
    repos = args.repos or sorted(
        p for p in [*CORPUS.iterdir(), *(CORPUS / "helm").iterdir()] if p.is_dir() and p.name != "helm")
    sides = {"base": args.base, "new": args.new}
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    for round_ in range(args.rounds):
        for repo in repos:
            for side in (("base", "new") if round_ % 2 == 0 else ("new", "base")):
                runs.setdefault((side, repo.name), []).append(measure(sides[side], repo, args.warm))
    print(f"{'repository':48} {'rules base':>10} {'rules new':>10} {'ratio':>6} "
          f"{'scan base':>9} {'scan new':>9}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for repo in repos:
        rules = [statistics.median(r["rules"] + r["findings"] for r in runs[(s, repo.name)]) for s in sides]
        scans = [statistics.median(r["scan"] for r in runs[(s, repo.name)]) for s in sides]
        totals = [t + v for t, v in zip(totals, [*rules, *scans], strict=True)]
        print(f"{repo.name[:48]:48} {rules[0]:10.3f} {rules[1]:10.3f} {rules[0] / rules[1]:5.2f}x "
              f"{scans[0]:9.3f} {scans[1]:9.3f}")
    print(f"{'total':48} {totals[0]:10.3f} {totals[1]:10.3f} {totals[0] / totals[1]:5.2f}x "
          f"{totals[2]:9.3f} {totals[3]:9.3f}")


if __name__ == "__main__":
    main()
