"""Parse speed of the Terraform source over every .tf file of ../shared/corpus.

Run: .venv/bin/python bench/terraform/parse_speed.py [CORPUS]
Prints files, lines, and the best of 5 runs (CPU time, so other load on the
machine matters less) of python-hcl2's lark parse alone, of our tree-to-data
step alone, and of the full source load (both).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from platform_lint.sources.hcl_lark import HclBuilder, top_block
from platform_lint.sources.terraform import load, objects


def best(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return min(times)


def _build(text: str, tree: object) -> dict[str, object]:
    """The tree-to-data step of `load`, timed apart from parsing."""
    builder, data = HclBuilder(text), dict[str, object]()
    for child in tree.children[0].children:  # type: ignore[attr-defined]
        if getattr(child, "data", None) == "block":
            top_block(builder, child, data)
    return data


def main() -> None:
    import hcl2

    root = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    texts = [
        (p.relative_to(root).as_posix(), p.read_text(encoding="utf-8"))
        for p in sorted(root.rglob("*.tf"))
    ]
    lines = sum(t.count("\n") + 1 for _, t in texts)
    hcl2.parses_to_tree("a = 1\n")  # build (or read the cached) grammar once, as a scan does

    lark_only = best(lambda: [hcl2.parses_to_tree(t) for _, t in texts])
    full = best(lambda: [load(p, t, lambda _: None) for p, t in texts])
    trees = [(t, hcl2.parses_to_tree(t)) for _, t in texts]
    build = best(lambda: [_build(t, tree) for t, tree in trees])
    found = sum(len(list(objects(load(p, t, lambda _: None).documents[0]))) for p, t in texts)
    print(f"files={len(texts)} lines={lines} objects={found}")
    print(f"lark parse: {lark_only:.3f} s ({lark_only / lines * 10000:.2f} s per 10k lines)")
    print(f"full load : {full:.3f} s ({full / lines * 10000:.2f} s per 10k lines)")
    print(
        f"building data and spans from parsed trees: {build:.3f} s "
        f"({build / lines * 10000:.2f} s per 10k lines)"
    )


if __name__ == "__main__":
    main()
