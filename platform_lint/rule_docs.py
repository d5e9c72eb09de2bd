"""A rule's documentation as markdown, for `explain`, SARIF help and the docs page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

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


DOCS_URL = "https://platform-lint.dev/docs/rules"
"""Where the generated pages are published; each is `docs/rules/<id>.md` of the repository."""
INDEX = "README.md"
REGENERATE = "platform-lint rules --format markdown --output-dir docs/rules"
"""The one command that brings docs/rules/ in line with rules/."""


def is_builtin(rule: Rule) -> bool:
    """A rule of the pack that ships with platform-lint (it has a published page)."""
    from platform_lint.resources import data_dir

    return Path(rule.source).resolve().parent == data_dir("rules").resolve()


def help_uri(rule: Rule) -> str | None:
    return f"{DOCS_URL}/{rule.id}.md" if is_builtin(rule) else None


def _generated(rule_file: str) -> str:
    return (f"<!-- Generated from {rule_file} by `{REGENERATE}`. "
            "Edit the rule file, not this page. -->")


def page(rule: Rule) -> str:
    """The rule's docs page: its documentation and a way back to the index."""
    source = f"rules/{rule.id}.yaml"
    return (f"{_generated(source)}\n\n{markdown(rule)}\n"
            f"[All rules by category]({INDEX}) · source: [{source}](../../{source})\n")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def index(rules: Iterable[Rule]) -> str:
    """Every rule by category, each linking to its page."""
    by_category: dict[str, list[Rule]] = {}
    for rule in sorted(rules, key=lambda r: r.id):
        by_category.setdefault(rule.category, []).append(rule)
    count = sum(len(v) for v in by_category.values())
    lines = [_generated("rules/*.yaml"), "", "# platform-lint rules", "",
             f"{count} rules in {len(by_category)} categories. `platform-lint explain RULE` shows "
             "a page in the terminal; `--select` and `--ignore` take rule ids or categories.", ""]
    lines += [f"- [{category}](#{category}) ({len(listed)})" for category, listed in
              sorted(by_category.items())]
    for category, listed in sorted(by_category.items()):
        lines += ["", f"## {category}", "", "| Rule | Severity | What it flags |", "|---|---|---|"]
        lines += [f"| [{r.id}]({r.id}.md) | {r.severity} | {_cell(r.title)} |" for r in listed]
    return "\n".join(lines) + "\n"


def pages(rules: Iterable[Rule]) -> dict[str, str]:
    """File name to text of every page in docs/rules/: one per rule plus the index."""
    listed = sorted(rules, key=lambda r: r.id)
    return {**{f"{r.id}.md": page(r) for r in listed}, INDEX: index(listed)}


def write_pages(rules: Iterable[Rule], directory: Path) -> tuple[list[str], list[str]]:
    """Bring `directory` in line with `rules`: (pages written, stale pages removed)."""
    wanted = pages(rules)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in wanted.items():
        target = directory / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(name)
    removed = sorted(p.name for p in directory.glob("*.md") if p.name not in wanted)
    for name in removed:
        (directory / name).unlink()
    return written, removed


def catalogue(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """Every rule as plain data (`rules --format json`)."""
    return [
        {
            "id": r.id,
            "title": r.title,
            "severity": str(r.severity),
            "category": r.category,
            "scope": {"documents": sorted(r.scope.documents), "kinds": sorted(r.scope.kinds),
                      "paths": list(r.scope.paths), "exclude_paths": list(r.scope.exclude_paths)},
            "logic": ({"check": r.check, "params": dict(r.params)} if r.check
                      else {"schema": dict(r.schema or {})}),
            "docs": {k: r.docs[k] for k in ("summary", "why", "fix", "bad", "good", "references")
                     if k in r.docs},
            "help_uri": help_uri(r),
        }
        for r in sorted(rules, key=lambda r: r.id)
    ]
