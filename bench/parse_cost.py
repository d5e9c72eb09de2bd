"""CPU cost per byte of each parser over ../shared/corpus, and one-time start-up costs.

    .venv/bin/python bench/parse_cost.py [CORPUS] [--rounds 5]

Terraform: every `.tf` through python-hcl2 (lark) and through tree-sitter-hcl,
each building the same Document. YAML: every `.yaml`/`.yml` that the
Kubernetes source reads (manifests, values files, other YAML), and every CI
pipeline. Each measurement is the best of `--rounds` interleaved rounds of
process CPU time (the machine is shared: rounds alternate between parsers so
load hits both alike); read the ratios, not the absolute figures. Start-up:
importing the parser and parsing a one-line file, in a fresh interpreter each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from platform_lint.sources import classify, source_for
from platform_lint.sources.hcl_lark import parse_hcl_lark
from platform_lint.sources.hcl_tree_sitter import parse_hcl

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

START_UP = {
    "python-hcl2 (lark, cached grammar)": "import hcl2; hcl2.parses_to_tree('a = 1\\n')",
    "tree-sitter-hcl": "from platform_lint.sources.hcl_tree_sitter import parse_hcl; parse_hcl('a = 1\\n')",
    "ruamel.yaml (C)": "from platform_lint.sources.yaml_tree import parse_yaml; parse_yaml('a: 1\\n')",
    "interpreter alone": "pass",
}


def cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def start_up(code: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        out = subprocess.run(
            [sys.executable, "-c", f"import time; {code}; print(time.process_time())"],
            capture_output=True, text=True, check=True,
        )
        best = min(best, float(out.stdout))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and "/templates/" not in p.as_posix())
    texts: dict[str, list[tuple[str, str]]] = {"terraform": [], "kubernetes": [], "pipeline": []}
    for p in files:
        kind = classify(p.relative_to(args.corpus).as_posix())
        if kind in texts:
            texts[kind].append((p.relative_to(args.corpus).as_posix(), p.read_text(errors="replace")))
    tf = [t for _, t in texts["terraform"]]
    parse_hcl_lark("a = 1\n")
    parse_hcl("a = 1\n")
    runs: dict[str, Callable[[], object]] = {
        "Terraform, python-hcl2 (lark)": lambda: [parse_hcl_lark(t) for t in tf],
        "Terraform, tree-sitter-hcl": lambda: [parse_hcl(t) for t in tf],
    }
    for kind in ("kubernetes", "pipeline"):
        source = source_for(kind)
        items = texts[kind]
        runs[f"YAML ({kind} source)"] = (
            lambda source=source, items=items: [source.load(p, t, lambda _: None) for p, t in items]
        )
    sizes = {
        "Terraform, python-hcl2 (lark)": sum(len(t.encode()) for t in tf),
        "Terraform, tree-sitter-hcl": sum(len(t.encode()) for t in tf),
        "YAML (kubernetes source)": sum(len(t.encode()) for _, t in texts["kubernetes"]),
        "YAML (pipeline source)": sum(len(t.encode()) for _, t in texts["pipeline"]),
    }
    best = {name: float("inf") for name in runs}
    for _ in range(args.rounds):
        for name, fn in runs.items():
            best[name] = min(best[name], cpu(fn))
    yaml_rate = best["YAML (kubernetes source)"] / sizes["YAML (kubernetes source)"]
    print("| parser | bytes | CPU s (best) | CPU s per MB | vs YAML per byte |")
    print("|---|---|---|---|---|")
    for name, seconds in best.items():
        rate = seconds / sizes[name]
        print(f"| {name} | {sizes[name]} | {seconds:.3f} | {rate * 1e6:.2f} | {rate / yaml_rate:.2f}x |")
    print()
    print("| start-up (fresh interpreter: import + one-line parse) | CPU s (best) |")
    print("|---|---|")
    for name, code in START_UP.items():
        print(f"| {name} | {start_up(code, args.rounds):.3f} |")


if __name__ == "__main__":
    main()
