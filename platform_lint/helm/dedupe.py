"""One finding per chart location, however many values sets produced it."""

from __future__ import annotations

from collections.abc import Sequence

from platform_lint.finding import Finding
from platform_lint.helm.settings import DEFAULT_SET
from platform_lint.records import replace


def merge_value_sets(findings: Sequence[Finding]) -> list[Finding]:
    """Findings from rendered charts carry `valuesSets`: the same rule at the same place
    with the same message is one finding naming every set that produced it."""
    merged: dict[tuple[str, str, int, int, str], Finding] = {}
    out: list[Finding] = []
    for f in findings:
        sets = f.properties.get("valuesSets")
        if not isinstance(sets, list):
            out.append(f)
            continue
        key = (f.rule_id, f.path, f.span.line, f.span.col, f.message)
        first = merged.get(key)
        if first is None:
            merged[key] = f
            out.append(f)
        else:
            first.properties["valuesSets"] = list(dict.fromkeys([*first.properties["valuesSets"], *sets]))
    return [_named(f) for f in out]


def _named(f: Finding) -> Finding:
    sets = f.properties.get("valuesSets")
    if not isinstance(sets, list) or sets == [DEFAULT_SET]:
        return f
    return replace(f, message=f"{f.message} [values: {', '.join(sets)}]")
