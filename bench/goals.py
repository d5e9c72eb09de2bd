"""Issue 11's goals, measured side by side with Checkov in one run.

    python bench/goals.py --lint PATH-TO-platform-lint [--checkov PATH-TO-checkov]
                          [--rounds N] [--goals one-file,repos,warm,memory]

`bash bench/run_goals.sh` installs platform-lint from this checkout the way
pip does (a wheel, bytecode compiled) and runs this with Checkov from
/work/checkov-venv or bench/.work/checkov-venv when there is one.

Every figure is a whole process, timed by this script: wall seconds and CPU
seconds (user + system of the process and the workers it waited for, from
`os.wait4`), and peak RSS (the largest of the process and its workers). The
machine is shared, so runs are interleaved (platform-lint, Checkov,
platform-lint, ... in alternating order each round) and the tables give
medians and ratios; read the ratios. Prints markdown tables; the figures in
bench/RESULTS.md are copied from its output.

Goals (issue 11):
- one-file: a manifest, a workflow and a Terraform file, alone, as pre-commit
  passes them (`--no-cache`, so every run parses).
- repos: every repository of ../shared/corpus (and its Helm charts), cold
  (`--no-cache`), with every core and with one; Checkov `-d`.
- warm: a copy of each repository, first run with an empty cache, second run
  unchanged, third after appending a comment line to one file.
- memory: the largest corpus repository, and 1x, 2x, 4x copies of the corpus
  in one tree, peak RSS with one and with every core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLE = ROOT / "fixtures" / "example-repo"
# Outside this checkout: copies below it would be listed by its `git ls-files`, which
# ignores bench/.work/, and so be scanned as empty.
WORK = Path(tempfile.gettempdir()) / "platform-lint-bench-goals"
ONE_FILE = {
    "k8s manifest": EXAMPLE / "k8s/gateway/deployment.yaml",
    "GitHub workflow": EXAMPLE / ".github/workflows/deploy.yml",
    "Terraform file": EXAMPLE / "terraform/database.tf",
}


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mb: float


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@dataclass
class Series:
    samples: list[Sample]

    def median(self, what: str) -> float:
        return statistics.median(getattr(s, what) for s in self.samples)


def interleaved(jobs: dict[str, Callable[[], Sample]], rounds: int) -> dict[str, Series]:
    """Each job once per round, the order reversed every other round."""
    out = {name: Series([]) for name in jobs}
    names = list(jobs)
    for i in range(rounds):
        for name in names if i % 2 == 0 else reversed(names):
            out[name].samples.append(jobs[name]())
    return out


def fmt(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b > 0 else "-"


def corpus_repos() -> list[Path]:
    top = [p for p in CORPUS.iterdir() if p.is_dir() and p.name != "helm"]
    helm = CORPUS / "helm"
    return sorted(top) + (sorted(p for p in helm.iterdir() if p.is_dir()) if helm.is_dir() else [])


class Bench:
    def __init__(self, lint: str, checkov: str | None, rounds: int) -> None:
        self.lint, self.checkov, self.rounds = lint, checkov, rounds
        self.cache = WORK / "cache"
        self.env = {"PLATFORM_LINT_CACHE_DIR": str(self.cache)}

    def pl(self, args: Sequence[str], cwd: Path = ROOT) -> Callable[[], Sample]:
        return lambda: run([self.lint, "check", *args], cwd, self.env)

    def ck(self, args: Sequence[str], cwd: Path = ROOT) -> Callable[[], Sample]:
        assert self.checkov
        return lambda: run([self.checkov, "--skip-download", "--quiet", "--compact", *args], cwd)

    def one_file(self) -> None:
        print("### One file, as pre-commit passes it\n")
        print("| file | platform-lint wall | Checkov wall | wall ratio | platform-lint CPU "
              "| Checkov CPU | CPU ratio |")
        print("|---|---|---|---|---|---|---|")
        for label, path in ONE_FILE.items():
            jobs = {"pl": self.pl(["--no-cache", path.name], path.parent)}
            if self.checkov:
                jobs["ck"] = self.ck(["-f", path.name], path.parent)
            got = interleaved(jobs, self.rounds)
            pl = got["pl"]
            ck = got.get("ck")
            cells = [fmt(pl.median("wall")), fmt(ck.median("wall")) if ck else "-",
                     ratio(ck.median("wall"), pl.median("wall")) if ck else "-",
                     fmt(pl.median("cpu")), fmt(ck.median("cpu")) if ck else "-",
                     ratio(ck.median("cpu"), pl.median("cpu")) if ck else "-"]
            print(f"| {label} (`{path.name}`) | " + " | ".join(cells) + " |")
        print()

    def repos(self) -> None:
        print("### Whole repositories, cold (`--no-cache`)\n")
        cores = len(os.sched_getaffinity(0))
        print(f"| repository | platform-lint wall, {cores} cores | platform-lint wall, --jobs 1 "
              "| Checkov wall | wall ratio | platform-lint CPU | Checkov CPU | CPU ratio |")
        print("|---|---|---|---|---|---|---|---|")
        totals = {"all": 0.0, "one": 0.0, "ck": 0.0, "cpu": 0.0, "ckcpu": 0.0}
        for repo in corpus_repos():
            jobs = {"all": self.pl(["--no-cache", str(repo)]),
                    "one": self.pl(["--no-cache", "--jobs", "1", str(repo)])}
            if self.checkov:
                jobs["ck"] = self.ck(["-d", str(repo)])
            got = interleaved(jobs, self.rounds)
            wall, one = got["all"].median("wall"), got["one"].median("wall")
            cpu = got["one"].median("cpu")
            ck_wall = got["ck"].median("wall") if "ck" in got else 0.0
            ck_cpu = got["ck"].median("cpu") if "ck" in got else 0.0
            for key, value in (("all", wall), ("one", one), ("ck", ck_wall), ("cpu", cpu),
                               ("ckcpu", ck_cpu)):
                totals[key] += value
            print(f"| {repo.name} | {fmt(wall)} | {fmt(one)} | {fmt(ck_wall) if ck_wall else '-'} | "
                  f"{ratio(ck_wall, wall) if ck_wall else '-'} | {fmt(cpu)} | "
                  f"{fmt(ck_cpu) if ck_cpu else '-'} | {ratio(ck_cpu, cpu) if ck_cpu else '-'} |")
        t = totals
        print(f"| **total** | {fmt(t['all'])} | {fmt(t['one'])} | {fmt(t['ck']) if t['ck'] else '-'} | "
              f"{ratio(t['ck'], t['all']) if t['ck'] else '-'} | {fmt(t['cpu'])} | "
              f"{fmt(t['ckcpu']) if t['ckcpu'] else '-'} | "
              f"{ratio(t['ckcpu'], t['cpu']) if t['ckcpu'] else '-'} |")
        print("\nCPU columns: platform-lint with `--jobs 1` (the work itself; more processes add "
              "start-up CPU but finish sooner).\n")

    def warm(self) -> None:
        print("### Warm re-scan (whole-run memo over the per-file result cache)\n")
        print("| repository | cold wall | unchanged wall | after editing one file | cold CPU "
              "| unchanged CPU | edited CPU | cold/unchanged CPU | cold/edited CPU |")
        print("|---|---|---|---|---|---|---|---|---|")
        totals = {"cold": 0.0, "same": 0.0, "edit": 0.0}
        for repo in corpus_repos():
            copy = WORK / "warm" / repo.name
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(repo, copy, symlinks=True)
            edited = next(p for p in sorted(copy.rglob("*")) if p.suffix in (".yaml", ".yml", ".tf"))
            cold, same, edit = [], [], []
            for _ in range(self.rounds):
                shutil.rmtree(self.cache, ignore_errors=True)
                cold.append(self.pl([str(copy)])())
                same.append(self.pl([str(copy)])())
                with edited.open("a") as f:
                    f.write("# edited\n")
                edit.append(self.pl([str(copy)])())
            c, s, e = Series(cold), Series(same), Series(edit)
            cpu = {"cold": c.median("cpu"), "same": s.median("cpu"), "edit": e.median("cpu")}
            for key, value in cpu.items():
                totals[key] += value
            print(f"| {repo.name} | {fmt(c.median('wall'))} | {fmt(s.median('wall'))} | "
                  f"{fmt(e.median('wall'))} | {fmt(cpu['cold'])} | {fmt(cpu['same'])} | "
                  f"{fmt(cpu['edit'])} | {ratio(cpu['cold'], cpu['same'])} | "
                  f"{ratio(cpu['cold'], cpu['edit'])} |")
        print(f"| **total** | | | | {fmt(totals['cold'])} | {fmt(totals['same'])} | "
              f"{fmt(totals['edit'])} | {ratio(totals['cold'], totals['same'])} | "
              f"{ratio(totals['cold'], totals['edit'])} |")
        print("\nThe first round's unchanged run may find files of the fresh copy too new to trust by their "
              "stat (`run_memo._racy`) and scans; the medians are of every round.\n")

    def memory(self, checkov_copies: int) -> None:
        print("### Peak memory (RSS, MB)\n")
        largest = max(corpus_repos(), key=lambda p: sum(f.stat().st_size for f in p.rglob("*")
                                                       if f.is_file()))
        trees = [(f"largest corpus repository ({largest.name})", largest)]
        for n in (1, 2, 4):
            tree = WORK / f"copies-{n}x"
            if not tree.is_dir():
                for i in range(n):
                    for repo in corpus_repos():
                        shutil.copytree(repo, tree / f"copy{i}" / repo.name, symlinks=True)
            size = sum(f.stat().st_size for f in tree.rglob("*") if f.is_file()) / 1e6
            trees.append((f"corpus x{n} ({size:.0f} MB)", tree))
        print("| input | platform-lint --jobs 1 | platform-lint, every core | Checkov |")
        print("|---|---|---|---|")
        for label, tree in trees:
            jobs = {"one": self.pl(["--no-cache", "--jobs", "1", str(tree)]),
                    "all": self.pl(["--no-cache", str(tree)])}
            copies = int(label.split("x", 1)[1].split()[0]) if label.startswith("corpus x") else 1
            if self.checkov and copies <= checkov_copies:
                jobs["ck"] = self.ck(["-d", str(tree)])
            got = interleaved(jobs, max(1, self.rounds // 2))
            ck = fmt(got["ck"].median("rss_mb")) if "ck" in got else "-"
            print(f"| {label} | {fmt(got['one'].median('rss_mb'))} | "
                  f"{fmt(got['all'].median('rss_mb'))} | {ck} |")
        print("\nWith more than one process, the figure is the largest single process "
              "(the parent or a worker), as `ru_maxrss` reports.\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lint", required=True, help="path to the platform-lint executable")
    parser.add_argument("--checkov", help="path to a checkov executable")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--goals", default="one-file,repos,warm,memory")
    parser.add_argument("--checkov-copies", type=int, default=1,
                        help="run Checkov on the corpus copies up to this many (it is slow)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.lint, args.checkov, args.rounds)
    for goal in args.goals.split(","):
        if goal == "memory":
            bench.memory(args.checkov_copies)
        else:
            getattr(bench, goal.replace("-", "_"))()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
