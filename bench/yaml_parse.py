"""CPU cost of `yaml_tree.parse_yaml` on the YAML a corpus scan actually parses.

    .venv/bin/python bench/yaml_parse.py capture [CORPUS]    # once: record the texts
    .venv/bin/python bench/yaml_parse.py time [--rounds 5]   # CPU s and s per MB
    .venv/bin/python bench/yaml_parse.py profile              # cProfile of one pass

`capture` runs `check --no-cache --jobs 1` in this process on every repository
of ../shared/corpus (the Helm ones included, so rendered chart output is in)
and records every text handed to `parse_yaml`, in calling order, to
bench/.work/yaml_texts.pickle. `time` parses them all again, each file under a
default budget meter as a scan does, and prints the best of `--rounds` passes
of process CPU time. Run it from two checkouts (PYTHONPATH=...) interleaved to
compare two versions of the parser on the same texts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import pickle
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
TEXTS = ROOT / "bench" / ".work" / "yaml_texts.pickle"


def repositories(corpus: Path) -> list[Path]:
    tops = [p for p in sorted(corpus.iterdir()) if p.is_dir() and p.name != "helm"]
    return tops + sorted(p for p in (corpus / "helm").iterdir() if p.is_dir())


def capture(corpus: Path) -> None:
    from platform_lint.sources import yaml_tree

    seen: list[tuple[str, str]] = []
    original = yaml_tree.parse_yaml
    repo = ""

    def recording(text: str) -> object:
        seen.append((repo, text))
        return original(text)

    yaml_tree.parse_yaml = recording  # before the modules that import it by name load
    from platform_lint.cli import main

    here = os.getcwd()
    for path in repositories(corpus):
        repo = path.name
        os.chdir(path)
        with contextlib.redirect_stdout(io.StringIO()):
            main(["check", "--no-cache", "--jobs", "1", "--format", "json", "."])
        os.chdir(here)
    TEXTS.parent.mkdir(parents=True, exist_ok=True)
    TEXTS.write_bytes(pickle.dumps(seen))
    print(f"{len(seen)} texts, {sum(len(t.encode()) for _, t in seen)} bytes -> {TEXTS}")


def one_pass(texts: list[str]) -> None:
    from platform_lint.budget import Budgets, metered
    from platform_lint.sources.yaml_tree import parse_yaml

    budgets = Budgets()
    for text in texts:
        with metered(budgets):
            parse_yaml(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["capture", "time", "profile"])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.what == "capture":
        capture(args.corpus)
        return
    seen: list[tuple[str, str]] = pickle.loads(TEXTS.read_bytes())
    texts = [t for _, t in seen]
    size = sum(len(t.encode()) for t in texts)
    one_pass(texts[:50])  # imports and caches out of the measured passes
    if args.what == "profile":
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(one_pass, texts)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    best = float("inf")
    for _ in range(args.rounds):
        start = time.process_time()
        one_pass(texts)
        best = min(best, time.process_time() - start)
    print(f"{len(texts)} texts, {size / 1e6:.2f} MB: best {best:.3f} s CPU, {best / size * 1e6:.3f} s per MB")


if __name__ == "__main__":
    main()
