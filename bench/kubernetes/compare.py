"""Compare Checkov's Kubernetes findings with platform-lint's overlapping rules.

Run bench/kubernetes/run_checkov.sh first; it leaves Checkov's JSON reports in
bench/.work/. This script scans the same directories with platform-lint
(in-process, one overlapping rule at a time, with the rule's params narrowed to
what the Checkov check tests), and prints, per Checkov check, the objects both
tools flag, and those only one flags. Checkov reports per object
(`Kind.namespace.name`); platform-lint per container, at a line, so objects are
the unit of comparison and our lines are shown.

    .venv/bin/python bench/kubernetes/compare.py > bench/.work/comparison.md
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from platform_lint.config import Config
from platform_lint.discovery import discover
from platform_lint.engine import ScanOptions, scan_files
from platform_lint.rules import load_rules
from platform_lint.sources import kubernetes as source

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "bench" / ".work"
CORPUS = ROOT.parent / "shared" / "corpus"
TARGETS = {
    "kubernetes-goat": CORPUS / "madhuakula+kubernetes-goat",
    "microservices-demo": CORPUS / "GoogleCloudPlatform+microservices-demo" / "kubernetes-manifests",
    # our own fixtures: small, deliberate edge cases (Rollouts, limits without requests, ...)
    "fixtures": ROOT / "fixtures" / "rules",
    "cases": ROOT / "bench" / "kubernetes" / "cases",
}

# Checkov check -> our rules, with params that narrow them to what the Checkov check tests
PAIRS: dict[str, tuple[tuple[str, ...], Mapping[str, Any]]] = {
    "CKV_K8S_9": (("missing-readiness-probe",), {}),
    "CKV_K8S_8": (("missing-liveness-probe",), {}),
    "CKV_K8S_10": (("missing-resource-requests",), {"resources": ["cpu"]}),
    "CKV_K8S_12": (("missing-resource-requests",), {"resources": ["memory"]}),
    "CKV_K8S_11": (("missing-resource-limits",), {"resources": ["cpu"]}),
    "CKV_K8S_13": (("missing-resource-limits",), {"resources": ["memory"]}),
    "CKV_K8S_14": (("image-without-tag", "image-tag-latest"), {}),
    "CKV_K8S_43": (("image-not-pinned-by-digest",), {}),
}

ObjectKey = tuple[str, str, str]  # file, kind, name


def checkov_objects(report: Path, check_id: str) -> set[ObjectKey]:
    data = json.loads(report.read_text())
    results = data[0] if isinstance(data, list) else data
    out: set[ObjectKey] = set()
    for failed in results["results"]["failed_checks"]:
        if failed["check_id"] == check_id:
            kind, _, name = failed["resource"].split(".", 2)
            out.add((failed["file_path"].lstrip("/"), kind, name.split(".", 1)[-1]))
    return out


def object_at(root: Path, path: str, line: int) -> ObjectKey:
    """The Kubernetes object of `path` whose lines contain `line`."""
    parsed = source.load(path, (root / path).read_text(), lambda _: None)
    for doc in parsed.documents:
        for obj in source.objects(doc):
            span = doc.spans[obj.path]
            if span.line <= line <= span.end_line:
                return (path, obj.kind, obj.name)
    raise LookupError(f"{path}:{line} is in no object")


def our_objects(
    root: Path, rule_ids: tuple[str, ...], params: Mapping[str, Any]
) -> dict[ObjectKey, list[int]]:
    rules = load_rules()
    config = Config(rules={rule_id: {"params": dict(params)} for rule_id in rule_ids})
    files, skipped = discover(root, None, exclude=(), max_size=config.max_file_size)
    chosen = [rules[rule_id] for rule_id in rule_ids]
    result = scan_files(str(root), files, skipped, config, chosen, ScanOptions())
    assert not result.errors, result.errors
    out: dict[ObjectKey, list[int]] = defaultdict(list)
    for finding in result.findings:
        out[object_at(root, finding.path, finding.span.line)].append(finding.span.line)
    return out


def show(key: ObjectKey, lines: list[int] | None = None) -> str:
    where = f"{key[0]}:{','.join(map(str, sorted(lines)))}" if lines else key[0]
    return f"`{where}` {key[1]}/{key[2]}"


def main() -> int:
    for target, root in TARGETS.items():
        report = WORK / f"checkov-{target}.json"
        if not report.is_file() or not root.is_dir():
            print(f"skipping {target}: run bench/kubernetes/run_checkov.sh first", file=sys.stderr)
            continue
        print(f"## {target}\n")
        for check_id, (rule_ids, params) in PAIRS.items():
            theirs = checkov_objects(report, check_id)
            ours = our_objects(root, rule_ids, params)
            narrowed = f" {json.dumps(params)}" if params else ""
            print(f"### {check_id} vs {' + '.join(rule_ids)}{narrowed}\n")
            both = sorted(theirs & ours.keys())
            listed = ", ".join(show(k, ours[k]) for k in both) if target != "fixtures" else "(not listed)"
            print(f"- both ({len(both)}): {listed}")
            only_ours = sorted(ours.keys() - theirs)
            print(f"- only platform-lint ({len(only_ours)}): "
                  + ", ".join(show(k, ours[k]) for k in only_ours))
            only_theirs = sorted(theirs - ours.keys())
            print(f"- only Checkov ({len(only_theirs)}): " + ", ".join(map(show, only_theirs)))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
