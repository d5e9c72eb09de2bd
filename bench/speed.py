"""Wall time of whole `platform-lint check` processes, as a user sees it.

    bash bench/run_speed.sh            # installs platform-lint as a user would, then runs this

    python bench/speed.py --lint PATH-TO-platform-lint [--runs N] [--checkov PATH-TO-checkov]

Measure an installed (non-editable) platform-lint with bytecode caching on:
an editable install run with PYTHONDONTWRITEBYTECODE=1 recompiles every
module on every run, which no user pays.

Times (1) one Kubernetes manifest, one Terraform file and one workflow, each
alone, the pre-commit case; (2) each repository of ../shared/corpus. With
--checkov, runs Checkov the same way on the same inputs for comparison.
Prints a markdown table; results are recorded by hand in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLE = ROOT / "fixtures" / "example-repo"
ONE_FILE = {
    "k8s manifest": EXAMPLE / "k8s/gateway/deployment.yaml",
    "terraform file": EXAMPLE / "terraform/database.tf",
    "workflow": EXAMPLE / ".github/workflows/deploy.yml",
}


def timed(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return min(samples), statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--checkov", help="path to a checkov executable")
    parser.add_argument("--lint", default=str(Path(sys.executable).parent / "platform-lint"),
                        help="path to the platform-lint executable to time")
    args = parser.parse_args()
    lint = [args.lint, "check"]
    rows: list[tuple[str, str, str]] = []
    for label, path in ONE_FILE.items():
        best, median = timed([*lint, path.name], path.parent, args.runs)
        rows.append((f"one {label} ({path.name})", "platform-lint", f"{median:.3f} (min {best:.3f})"))
        if args.checkov:
            best, median = timed([args.checkov, "--skip-download", "-f", path.name, "--quiet"],
                                 path.parent, max(1, args.runs // 5))
            rows.append((f"one {label} ({path.name})", "checkov", f"{median:.3f} (min {best:.3f})"))
    if CORPUS.is_dir():
        for repo in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            best, median = timed([*lint, str(repo)], ROOT, max(1, args.runs // 3))
            rows.append((repo.name, "platform-lint", f"{median:.3f} (min {best:.3f})"))
    print("| input | tool | wall seconds, median |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
