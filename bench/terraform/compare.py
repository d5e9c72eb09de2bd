"""Compare Checkov's Terraform findings with platform-lint's overlapping rules.

Run bench/terraform/run_checkov.sh first; it leaves Checkov's JSON reports
(`--quiet`: failed checks only) in bench/.work/. This script scans the same
directories with platform-lint in-process (only the overlapping rules) and
prints, per Checkov check, the resources both tools flag and those only one
flags, as markdown tables. The unit of comparison is the resource block
(`file`, `type.name`); our line is the line of the finding.

    .venv/bin/python bench/terraform/compare.py > bench/.work/terraform-comparison.md
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from platform_lint.config import Config
from platform_lint.discovery import discover
from platform_lint.engine import ScanOptions, scan_files
from platform_lint.rules import load_rules
from platform_lint.sources import terraform as source

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "bench" / ".work"
CORPUS = ROOT.parent / "shared" / "corpus"
TARGETS = {
    "terragoat": CORPUS / "bridgecrewio+terragoat",
    "gitlab-infra-orchestrator": CORPUS / "aws-samples+sample-terraform-gitlab-infra-orchestrator",
    "gitops-demo-aws": CORPUS / "gitlab-gitops-demo+aws",
    "private-aks": CORPUS / "Azure-Samples+private-aks-cluster-terraform-devops",
    "microservices-demo": CORPUS / "GoogleCloudPlatform+microservices-demo" / "terraform",
    # our own fixtures: small, deliberate edge cases (variables, separate versioning resources, ...)
    "fixtures": ROOT / "fixtures" / "rules",
}

# Checkov checks (ids as Checkov 3.3.30 reports them) -> our rule testing the same setting
PAIRS: dict[tuple[str, ...], str] = {
    ("CKV_AWS_133",): "rds-backups-disabled",
    ("CKV_AWS_293", "CKV_AWS_139"): "rds-deletion-protection-disabled",
    ("CKV_AWS_21",): "s3-versioning-disabled",
    ("CKV_AWS_118",): "rds-enhanced-monitoring-disabled",
    ("CKV_AWS_37", "CKV_GCP_1"): "eks-control-plane-logging-disabled",
    ("CKV_AWS_65",): "ecs-container-insights-disabled",
    ("CKV_AWS_50",): "lambda-tracing-disabled",
    ("CKV_AWS_272",): "lambda-code-signing-missing",
    ("CKV_AWS_51",): "ecr-mutable-image-tags",
    ("CKV_AWS_163",): "ecr-scan-on-push-disabled",
    ("CKV_AWS_28",): "dynamodb-point-in-time-recovery-disabled",
    (): "rds-final-snapshot-skipped",  # Checkov 3.3.30 has no skip_final_snapshot check
}

Block = tuple[str, str]  # file, address (type.name, or variable.x / locals for a default at fault)


def checkov_blocks(report: Path) -> dict[str, dict[Block, int]]:
    """Check id -> failed resource -> first line of its block."""
    data = json.loads(report.read_text())
    out: dict[str, dict[Block, int]] = defaultdict(dict)
    for results in data if isinstance(data, list) else [data]:
        for failed in results["results"].get("failed_checks", []):
            address = ".".join(failed["resource"].split(".")[-2:])
            block = (failed["file_path"].lstrip("/"), address)
            out[failed["check_id"]][block] = failed["file_line_range"][0]
    return out


def block_at(root: Path, path: str, line: int) -> Block:
    """The Terraform block of `path` whose lines contain `line`."""
    parsed = source.load(path, (root / path).read_text(), lambda _: None)
    for doc in parsed.documents:
        for obj in source.objects(doc):
            span = doc.spans[obj.path]
            if span.line <= line <= span.end_line:
                return (path, obj.name if obj.kind != "variable" else f"variable.{obj.name}")
    raise LookupError(f"{path}:{line} is in no block")


def our_blocks(root: Path, rule_ids: list[str]) -> dict[str, dict[Block, int]]:
    """Rule id -> flagged block -> line of the finding."""
    rules = load_rules()
    config = Config()
    files, skipped = discover(root, None, exclude=(), max_size=config.max_file_size)
    chosen = [rules[rule_id] for rule_id in rule_ids]
    result = scan_files(str(root), files, skipped, config, chosen, ScanOptions())
    assert not result.errors, result.errors
    out: dict[str, dict[Block, int]] = defaultdict(dict)
    for finding in result.findings:
        out[finding.rule_id][block_at(root, finding.path, finding.span.line)] = finding.span.line
    return out


def table(title: str, rows: list[tuple[Block, str]]) -> list[str]:
    if not rows:
        return [f"- {title}: none"]
    lines = [f"- {title}: {len(rows)}", "", "  | file | resource | line |", "  |---|---|---|"]
    lines += [f"  | `{path}` | `{address}` | {line} |" for (path, address), line in rows]
    return [*lines, ""]


def main() -> int:
    # "corpus" or "fixtures" -> pair -> [both, only ours, only Checkov]
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for target, root in TARGETS.items():
        report = WORK / f"checkov-tf-{target}.json"
        if not report.is_file() or not root.is_dir():
            print(f"skipping {target}: run bench/terraform/run_checkov.sh first", file=sys.stderr)
            continue
        theirs_all = checkov_blocks(report)
        ours_all = our_blocks(root, list(PAIRS.values()))
        print(f"## {target}\n")
        for check_ids, rule_id in PAIRS.items():
            theirs = {b: ln for c in check_ids for b, ln in theirs_all.get(c, {}).items()}
            ours = ours_all.get(rule_id, {})
            if not theirs and not ours:
                continue
            label = " + ".join(check_ids) or "no Checkov check"
            print(f"### {label} vs {rule_id}\n")
            both = sorted(theirs.keys() & ours.keys())
            only_ours = sorted(ours.keys() - theirs.keys())
            only_theirs = sorted(theirs.keys() - ours.keys())
            print("\n".join([
                *table("both (our line)", [(b, str(ours[b])) for b in both]),
                *table("only platform-lint (our line)", [(b, str(ours[b])) for b in only_ours]),
                *table("only Checkov (block start)", [(b, str(theirs[b])) for b in only_theirs]),
            ]))
            print()
            group = "fixtures" if target == "fixtures" else "corpus"
            counts = totals[group][f"{label} vs {rule_id}"]
            for i, n in enumerate((len(both), len(only_ours), len(only_theirs))):
                counts[i] += n
    for group, pairs in totals.items():
        print(f"## Totals ({group})\n")
        print("| pair | both | only platform-lint | only Checkov |\n|---|---|---|---|")
        for label, (both_n, ours_n, theirs_n) in pairs.items():
            print(f"| {label} | {both_n} | {ours_n} | {theirs_n} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
