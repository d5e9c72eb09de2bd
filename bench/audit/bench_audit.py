"""Audit speed on the corpus: `--jobs 1` against `--jobs 2`, and a re-run with nothing changed.

    python bench/audit/bench_audit.py [--rounds N] [--work DIR]

Builds local git repositories from ../shared/corpus (bench/audit/corpus_repos.py),
then in each round runs, in alternating order so that both see the same
machine load, a full audit with `--jobs 1` and one with `--jobs 2` (each into
a fresh store, so nothing is reused), then a re-run of the `--jobs 2` audit
into its store (everything reused). Prints every timing, the medians and
the ratios. Each audit must end with 0 failures, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_repos import build


def audit(repos: Path, store: Path, jobs: int) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "platform_lint", "audit", "run", "--discover", str(repos),
                           "--store", str(store), "--jobs", str(jobs)], capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:  # 1: some repository failed or timed out
        sys.exit(f"audit failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, help="where to build the repositories (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="platform-lint-audit-bench-"))
    repos = build(work / "repos")
    print(f"{len(repos)} repositories from the corpus in {work / 'repos'}")
    times: dict[str, list[float]] = {"jobs 1": [], "jobs 2": [], "re-run": []}
    for i in range(args.rounds):
        order = (1, 2) if i % 2 == 0 else (2, 1)
        for jobs in order:
            store = work / f"jobs{jobs}.db"
            for stale in work.glob(f"jobs{jobs}.db*"):
                stale.unlink()
            times[f"jobs {jobs}"].append(audit(work / "repos", store, jobs))
        times["re-run"].append(audit(work / "repos", work / "jobs2.db", 2))
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print("median: " + ", ".join(f"{k} {v:.2f} s" for k, v in med.items()))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    rounds = ", ".join(f"{a / b:.2f}" for a, b in zip(times["jobs 1"], times["jobs 2"], strict=True))
    print(f"speed-up jobs 2 / jobs 1: {med['jobs 1'] / med['jobs 2']:.2f}x (per round: {rounds})")
    print(f"re-run / first run (jobs 2): {med['re-run'] / med['jobs 2']:.3f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
