"""A rule's documentation as markdown, for `explain`, SARIF help and the docs page."""

from __future__ import annotations

from platform_lint.rules import Rule


def _fence(text: str) -> str:
    return f"```\n{text.rstrip()}\n```"


def markdown(rule: Rule) -> str:
    docs = rule.docs
    parts = [
        f"# {rule.id}: {rule.title}",
        f"Severity: {rule.severity}. Category: {rule.category}. "
        f"Applies to: {', '.join(sorted(rule.scope.documents))}"
        + (f" ({', '.join(sorted(rule.scope.kinds))})" if rule.scope.kinds else "")
        + ".",
        "## What it flags",
        docs["summary"].strip(),
        "## Why it matters",
        docs["why"].strip(),
        "## Example",
        _fence(docs["bad"]),
        "## Instead",
        _fence(docs["good"]),
        "## How to fix",
        docs["fix"].strip(),
    ]
    if docs.get("references"):
        parts += ["## References", *(f"- {ref}" for ref in docs["references"])]
    return "\n\n".join(parts) + "\n"
