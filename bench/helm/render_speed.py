"""Render the corpus charts repeatedly in one process: first render (parse included)
and the median of later ones (parsed templates reused), side by side with
`helm template` when a helm binary is on PATH. Prints a table; see RESULTS.md.

    .venv/bin/python bench/helm/render_speed.py [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from platform_lint.helm.chart import load_dir
from platform_lint.helm.render import Options, render

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "helm"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    helm = shutil.which("helm")
    print(f"{'chart':40} {'first ms':>9} {'later ms':>9} {'traced ms':>10} {'helm ms':>8}")
    for chart_yaml in sorted(CORPUS.glob("*/charts/*/Chart.yaml")):
        folder = chart_yaml.parent
        start = time.perf_counter()
        chart = load_dir(folder)
        render(chart, Options())
        first = (time.perf_counter() - start) * 1000
        later, traced = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            render(load_dir(folder), Options())
            later.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            render(load_dir(folder), Options(trace=True))
            traced.append((time.perf_counter() - t) * 1000)
        helm_ms = "-"
        if helm:
            t = time.perf_counter()
            subprocess.run([helm, "template", "x", str(folder)], capture_output=True, check=False)
            helm_ms = f"{(time.perf_counter() - t) * 1000:.0f}"
        print(f"{folder.name:40} {first:9.1f} {statistics.median(later):9.1f} "
              f"{statistics.median(traced):10.1f} {helm_ms:>8}")


if __name__ == "__main__":
    main()
