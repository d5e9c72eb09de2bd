"""Precision and recall of the secret rules over the labelled set in fixtures/secrets.

positive/ holds true secrets in every syntax, each labelled with the rule that
must report it (`# expect: rule-id` or the EXPECT sidecar); negative/ holds the
hard negatives (placeholders, references, digests, UUIDs, public keys,
certificates), which must all stay clean. The figures are printed with the
test output and recorded in bench/secrets/RESULTS.md.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from pathlib import Path

import pytest

from fixture_harness import FIXTURES, all_rules, expectations, found, scan_fixture
from platform_lint.baseline import baseline_text
from platform_lint.report import FORMATS, ReportContext, render
from platform_lint.report.github_report import step_summary
from platform_lint.scan_result import ScanResult
from platform_lint.secrets.patterns import CATALOGUE, by_kind

LABELLED = FIXTURES / "secrets"
RULES = all_rules()
SECRET_RULES = [rule for rule in RULES.values() if rule.category == "secrets"]
PROVIDER_RULE = "hardcoded-provider-token"


@pytest.fixture(scope="module")
def positive() -> ScanResult:
    return scan_fixture(LABELLED / "positive", SECRET_RULES, frozenset(RULES))


@pytest.fixture(scope="module")
def negative() -> ScanResult:
    return scan_fixture(LABELLED / "negative", SECRET_RULES, frozenset(RULES))


def _ratio(hit: int, total: int) -> str:
    return f"{hit}/{total} = {100 * hit / total:.1f}%" if total else "n/a"


def test_precision_and_recall(
    positive: ScanResult, negative: ScanResult, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = expectations(LABELLED / "positive")
    got = found(positive)
    true_positives = expected & got
    by_rule = sorted({rule for _, _, rule in expected})
    negative_files = sum(1 for p in (LABELLED / "negative").rglob("*") if p.is_file())
    lines = ["", "secrets labelled set (fixtures/secrets):"]
    for rule in by_rule:
        total = sum(n for (_, _, r), n in expected.items() if r == rule)
        hit = sum(n for (_, _, r), n in true_positives.items() if r == rule)
        lines.append(f"  recall    {rule:32} {_ratio(hit, total)}")
    total_found = sum(got.values()) + len(negative.findings)
    lines.append(
        f"  recall    {'all rules':32} {_ratio(sum(true_positives.values()), sum(expected.values()))}"
    )
    lines.append(f"  precision {'all findings':32} {_ratio(sum(true_positives.values()), total_found)}")
    lines.append(
        f"  precision {'hard negatives':32} {negative_files} files, {len(negative.findings)} false positives"
    )
    with capsys.disabled():
        print("\n".join(lines))
    provider = Counter({k: n for k, n in expected.items() if k[2] == PROVIDER_RULE})
    assert provider & got == provider, f"provider tokens missed: {sorted(provider - got)}"
    assert got == expected, f"missed {sorted(expected - got)}, unexpected {sorted(got - expected)}"
    assert not negative.findings, [f.to_dict() for f in negative.findings]


def test_every_catalogue_kind_is_in_the_labelled_set(positive: ScanResult) -> None:
    kinds = {f.properties.get("secret_kind") for f in positive.findings}
    missing = sorted(p.kind for p in CATALOGUE if p.kind not in kinds)
    assert len(CATALOGUE) >= 35
    assert not missing, f"catalogue kinds without a labelled example: {missing}"


def test_each_hard_negative_case_stays_clean(negative: ScanResult) -> None:
    cases = sorted(p.name for p in (LABELLED / "negative").iterdir() if p.is_dir())
    assert len(cases) >= 20
    dirty = sorted({f.path.split("/", 1)[0] for f in negative.findings})
    assert not dirty, f"hard negatives reported: {dirty}"


_LITERAL_PREFIX = re.compile(r"(?:\\b)?((?:[A-Za-z0-9_~:/-]|\\[.])+)")


def _public_prefix(kind: str) -> str:
    """The literal start of a provider's format (`github_pat_`, `https://hooks.slack.com/`):
    documented by the provider, so showing it (in a kind name, a path) leaks nothing."""
    provider = by_kind().get(kind)
    match = _LITERAL_PREFIX.match(provider.pattern) if provider else None
    return match.group(1).replace("\\", "") if match else ""


def _secrets_shown_in(result: ScanResult, root: Path) -> list[str]:
    """The text under every secret finding's span (less its format's public
    prefix), and for base64 values their decoding."""
    out: list[str] = []
    for finding in (f for f in result.findings if f.category == "secrets"):
        lines = (root / finding.path).read_text().splitlines()
        span = finding.span
        if span.line == span.end_line:
            text = lines[span.line - 1][span.col - 1 : span.end_col - 1]
        else:
            text = "".join(lines[span.line : span.end_line - 1])  # a key block's body
        text = text.strip("\"'")
        prefix = _public_prefix(str(finding.properties.get("secret_kind")))
        out.append(text.removeprefix(prefix))
        try:
            decoded = base64.b64decode(text, validate=True).decode()
        except ValueError:
            continue
        # A Docker `auth` decodes to user:password; only the password is secret.
        out.append(
            decoded.partition(":")[2]
            if finding.properties.get("secret_kind") == "docker-config-auth"
            else decoded
        )
    return [s for s in out if len(s) >= 6]


def test_no_output_format_or_baseline_contains_a_secret(positive: ScanResult) -> None:
    """Every rule runs, so that rules quoting source text (a deploy command
    carrying a token) are held to the same standard as the secret rules."""
    everything = scan_fixture(LABELLED / "positive", list(RULES.values()), frozenset(RULES))
    secrets = _secrets_shown_in(everything, LABELLED / "positive")
    assert len(secrets) >= len(positive.findings)
    ctx = ReportContext(rules=RULES, env={"GITHUB_STEP_SUMMARY": "/dev/null"})
    outputs = {fmt: render(fmt, everything, ctx) for fmt in FORMATS}
    outputs["baseline"] = baseline_text(everything.findings)
    outputs["step summary"] = step_summary(everything, ctx)
    for fmt, text in outputs.items():
        for secret in secrets:
            leaked = [secret[i : i + 6] for i in range(len(secret) - 5) if secret[i : i + 6] in text]
            assert not leaked, f"{fmt} output shows part of a secret: {leaked[:3]}"
    quoting = [f for f in everything.findings if f.category != "secrets" and "[github-pat" in f.message]
    assert quoting, "no other rule quotes a secret: the fixture no longer tests redaction of messages"


def test_structured_findings_point_at_the_secret_not_its_quotes() -> None:
    rules = [RULES[r] for r in ("hardcoded-secret-in-manifest", "hardcoded-secret-in-terraform")]
    for rule in rules:
        root = FIXTURES / "rules" / rule.id / "bad"
        for finding in scan_fixture(root, rules, frozenset(RULES)).findings:
            line = (root / finding.path).read_text().splitlines()[finding.span.line - 1]
            shown = line[finding.span.col - 1 : finding.span.end_col - 1]
            assert shown and shown[0] not in "\"'<" and shown[-1] not in "\"'", (finding.path, shown)
