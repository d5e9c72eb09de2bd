"""`platform-lint init`: a starter `.platform-lint.yaml` for the repository it is
run in, from what is found there (CI systems, CODEOWNERS, team charters,
manifests), with the other options written out as comments; and a
`.pre-commit-config.yaml` entry when the repository has none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from platform_lint import __version__
from platform_lint.config import DEFAULT_CHARTERS
from platform_lint.config_files import CONFIG_NAMES, find_config
from platform_lint.errors import PlatformLintError
from platform_lint.globs import matcher

PRE_COMMIT_REPO = "https://example.invalid/platform-lint"
"""Where pre-commit fetches the hooks from (this project's repository)."""
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
VENDORED = ("vendor/", "node_modules/", "third_party/", ".terraform/")
_SYSTEM_NAMES = {"github-actions": "GitHub Actions", "gitlab-ci": "GitLab CI",
                 "azure-pipelines": "Azure Pipelines", "circleci": "CircleCI",
                 "bitbucket-pipelines": "Bitbucket Pipelines"}


class InitError(PlatformLintError, ValueError):
    """The repository already has a configuration (and --force was not given)."""


@dataclass(slots=True)
class Survey:
    """What `init` found in the repository."""

    ci: Counter[str] = field(default_factory=Counter)
    codeowners: list[str] = field(default_factory=list)
    charters: list[str] = field(default_factory=list)
    charter_globs: list[str] = field(default_factory=list)
    """Set only when charters lie outside the default places."""
    kubernetes: int = 0
    terraform: int = 0
    helm_charts: int = 0
    vendored: list[str] = field(default_factory=list)

    @property
    def gitlab(self) -> bool:
        return "gitlab-ci" in self.ci or ".gitlab/CODEOWNERS" in self.codeowners


def survey(root: Path) -> Survey:
    from platform_lint.discovery import list_paths
    from platform_lint.sources import classify
    from platform_lint.sources.pipelines import system_for

    paths = list_paths(root)
    found = Survey()
    default_charter = matcher(DEFAULT_CHARTERS)
    for path in paths:
        system = system_for(path)
        if system is not None and PurePosixPath(path).name not in ("action.yml", "action.yaml"):
            found.ci[system] += 1
        if path in CODEOWNERS_PLACES:
            found.codeowners.append(path)
        name = PurePosixPath(path).name.lower()
        if default_charter is not None and default_charter(path):
            found.charters.append(path)
        elif name.endswith(".md") and "charter" in path.lower():
            found.charters.append(path)
            parent = PurePosixPath(path).parent
            pattern = "*charter*.md" if "charter" in name else "*.md"  # else the folder says charter
            glob = (parent / pattern).as_posix() if parent.name else path
            if glob not in found.charter_globs:
                found.charter_globs.append(glob)
        kind = classify(path)
        found.terraform += kind == "terraform"
        found.kubernetes += kind == "kubernetes" and "/templates/" not in f"/{path}"
        found.helm_charts += name == "chart.yaml"
    found.vendored = [d for d in VENDORED if any(p.startswith(d) for p in paths)]
    return found


def config_text(found: Survey, schema_id: str) -> str:
    """The starter configuration: what was found as comments, settings that follow
    from it, and every other option commented out."""
    lines = [
        f"# yaml-language-server: $schema={schema_id}",
        f"# platform-lint configuration, written by `platform-lint init` (platform-lint {__version__}).",
        "# Every key is optional. The schema on the first line lets editors check and complete",
        "# this file; `platform-lint rules` lists the rules and `platform-lint explain ID` shows one.",
        "#",
        "# Found in this repository:",
        f"#   CI: {_ci_summary(found)}",
        f"#   CODEOWNERS: {', '.join(found.codeowners) or 'none'}",
        f"#   team charters: {_listed(found.charters)}",
        f"#   YAML files (Kubernetes manifests among them): {found.kubernetes}, "
        f"Helm charts: {found.helm_charts}, Terraform files: {found.terraform}",
        "",
        "# Team charters (Markdown) saying which team owns which paths and who escalates.",
    ]
    globs = found.charter_globs and [*DEFAULT_CHARTERS, *found.charter_globs]
    if globs:
        lines += ["charters:", *(f"  - {_quoted(g)}" for g in globs)]
    else:
        lines += [f"# charters: [{', '.join(_quoted(g) for g in DEFAULT_CHARTERS)}]   # the default"]
    lines += ["", "# Ownership rules read CODEOWNERS with GitHub's or GitLab's semantics."]
    if found.codeowners or found.charters:
        lines += ["ownership:", f"  flavour: {'gitlab' if found.gitlab else 'github'}"]
    else:
        lines += ["# ownership:", "#   flavour: github"]
    lines += ["", "# Files not to scan, in gitignore syntax (.gitignore is honoured already)."]
    if found.vendored:
        lines += ["exclude:", *(f"  - {d}" for d in found.vendored)]
    else:
        lines += ['# exclude: [vendor/, "**/*.generated.yaml"]']
    lines += [
        "",
        "# The lowest severity that fails a run: error, warning (the default) or note.",
        "fail_on: warning",
        "",
        "# Only some rules or categories, or all but some (ids or categories):",
        "# select: [secrets, supply-chain, deploy-strategy, rollback]",
        "# ignore: [image-not-pinned-by-digest]",
        "",
        "# Per-rule settings: false turns a rule off; severity and params adjust it.",
        "# rules:",
        "#   missing-liveness-probe: {severity: note}",
        "#   single-replica-workload: false",
        "",
        "# What your organisation calls its environments (delivery rules read these).",
        "# pipelines:",
        "#   production_environments: [prod, production, live]",
        "#   pre_production_environments: [staging, canary]",
        "",
        "# Exceptions with a reason and an end date (an expired one is itself a finding).",
        "# exemptions:",
        "#   - rule: image-tag-latest",
        "#     paths: [demo/]",
        "#     reason: demo cluster, torn down nightly",
        "#     expires: 2027-03-31",
        "",
        "# Findings under tests, examples and docs are hidden (and counted) unless",
        "# --include-examples; a class set here replaces its default patterns.",
        "# contexts:",
        "#   docs: []                 # our docs/ holds deployed manifests",
        "#   examples: [examples/, demo/]",
        "",
        "# Your own rules, in the same format as platform-lint's rules/ directory.",
        "# rule_dirs: [policies/]",
        "",
        "# Helm charts are judged with their values.yaml and each ci/*values.yaml; more sets, per chart:",
        "# helm:",
        "#   kube_version: \"1.29\"",
        "#   charts:",
        "#     deploy/web:                # the chart's folder",
        "#       namespace: web",
        "#       values_sets:",
        "#         - {name: prod, values: [deploy/web/values-prod.yaml], set: {image.tag: \"1.4.2\"}}",
    ]
    return "\n".join(lines) + "\n"


def _ci_summary(found: Survey) -> str:
    if not found.ci:
        return "none"
    return ", ".join(f"{_SYSTEM_NAMES.get(s, s)} ({n} file{'s' if n > 1 else ''})"
                     for s, n in sorted(found.ci.items()))


def _listed(paths: Sequence[str], most: int = 4) -> str:
    if not paths:
        return "none"
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


def _quoted(glob: str) -> str:
    return f'"{glob}"' if glob.startswith(("*", "!", "&", "[", "{")) or ": " in glob else glob


def hooks(found: Survey) -> list[str]:
    owned = bool(found.codeowners or found.charters)
    return ["platform-lint", *(["platform-lint-ownership"] if owned else [])]


def pre_commit_entry(found: Survey, indent: str = "  ") -> str:
    inner = indent + "  "
    lines = [f"{indent}- repo: {PRE_COMMIT_REPO}", f"{inner}rev: v{__version__}", f"{inner}hooks:"]
    return "\n".join([*lines, *(f"{inner}  - id: {h}" for h in hooks(found))]) + "\n"


_REPOS = re.compile(r"^repos:\s*(#.*)?$")
_ITEM = re.compile(r"^(\s*)- ")


def _add_pre_commit(root: Path, found: Survey) -> str:
    """Write .pre-commit-config.yaml, or add an entry at the end of its `repos:`
    list, in the file's own indentation, leaving every other byte as it was."""
    target = root / PRE_COMMIT_CONFIG
    if not target.exists():
        target.write_text("# pre-commit hooks: `pre-commit install` runs them on every commit.\n"
                          "repos:\n" + pre_commit_entry(found), encoding="utf-8")
        return f"wrote {PRE_COMMIT_CONFIG} with the platform-lint hooks"
    text = target.read_text(encoding="utf-8", errors="replace")
    if PRE_COMMIT_REPO in text or "id: platform-lint" in text:
        return f"{PRE_COMMIT_CONFIG} already runs platform-lint; left as it is"
    extended = _appended(text, found)
    if extended is None:
        return (f"{PRE_COMMIT_CONFIG}: could not add to its repos: list safely; add this there:\n"
                + pre_commit_entry(found))
    target.write_text(extended, encoding="utf-8")
    return f"added the platform-lint hooks to {PRE_COMMIT_CONFIG}"


def _appended(text: str, found: Survey) -> str | None:
    """`text` with our entry after the last item of `repos:`, when `repos:` is the
    last top-level key and the result parses to one more repo; else None."""
    from platform_lint.sources.yaml_tree import parse_yaml

    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if _REPOS.match(line)), None)
    if at is None or any(line[:1].isalpha() for line in lines[at + 1:]):
        return None
    items = [m.group(1) for line in lines[at + 1:] if (m := _ITEM.match(line))]
    if not items:
        return None
    extended = text + ("" if text.endswith("\n") else "\n") + pre_commit_entry(found, items[0])
    before, _ = parse_yaml(text)
    after, problems = parse_yaml(extended)
    try:
        grew = len(after[0].data["repos"]) == len(before[0].data["repos"]) + 1
    except (IndexError, KeyError, TypeError):
        grew = False
    return extended if grew and not problems else None


def init(root: Path, *, force: bool = False) -> list[str]:
    """Write the starter files into `root`; the lines to tell the user."""
    from platform_lint.resources import schema

    existing = find_config(root)
    if existing is not None and not force:
        raise InitError(f"{existing} already configures platform-lint (--force replaces it)")
    found = survey(root)
    target = root / CONFIG_NAMES[0]
    target.write_text(config_text(found, str(schema("config")["$id"])), encoding="utf-8")
    told = [f"wrote {CONFIG_NAMES[0]}: CI {_ci_summary(found)}; CODEOWNERS "
            f"{', '.join(found.codeowners) or 'none'}; {len(found.charters)} team charter(s)"]
    return [*told, _add_pre_commit(root, found)]
