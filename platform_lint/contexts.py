"""Where a file sits: tests, examples or documentation, not what is deployed.

A finding in a test fixture, an example folder or a docs page is not actionable
where it is: nobody deploys it, and in repositories full of examples such
findings outnumber the real ones. They are *hidden* rather than lowered: a note
still prints a line per finding, and the point is that a user reads only what
they must act on. Hidden findings are counted in every summary and shown with
`--include-examples`.

Classes and their gitignore-style patterns come from the config's `contexts:`
(a class given there replaces its defaults; `[]` turns it off). Paths are
matched relative to the scan root: checking `fixtures/example-repo` makes it
the root, so its files are judged as a repository's, not as fixtures. Files
platform-lint reads as ownership configuration (CODEOWNERS, team charters,
often under `docs/`) and findings on the repository itself are never classed.
A finding moved to a chart's values line is classed by the template that wrote
the object too: a Helm test hook under `templates/tests/` is a test wherever
its image tag is set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from platform_lint.finding import Finding

DEFAULT_CONTEXTS: Mapping[str, tuple[str, ...]] = {
    "tests": (
        "test/", "tests/", "__tests__/", "e2e/", "testdata/", "test-data/", "fixtures/",
        "__fixtures__/", "*_test.go", "test_*.py", "*_test.py", "*.test.yaml", "*.test.yml",
        "**/charts/*/ci/",  # a chart's chart-testing values
    ),
    "examples": ("example/", "examples/", "sample/", "samples/", "rendered/"),
    "docs": ("docs/", "doc/"),
}

_NEVER_CLASSED = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS", ".")


def contexts_of(configured: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The defaults, each class given in the config replacing its own."""
    return {**DEFAULT_CONTEXTS, **{name: tuple(globs) for name, globs in configured.items()}}


def classifier(
    configured: Mapping[str, Sequence[str]], charters: Sequence[str]
) -> Callable[[str], str | None]:
    """A function naming the context class of a root-relative path, or None."""
    from platform_lint.discovery import path_matcher
    from platform_lint.globs import matcher

    classes = [(name, path_matcher(globs)) for name, globs in contexts_of(configured).items()]
    is_charter = matcher(charters)

    known: dict[str, str | None] = {}  # a file's findings share its path

    def class_of(path: str) -> str | None:
        if path in _NEVER_CLASSED or (is_charter is not None and is_charter(path)):
            return None
        return next((name for name, match in classes if match is not None and match(path)), None)

    def classify(path: str) -> str | None:
        if path not in known:
            known[path] = class_of(path)
        return known[path]

    return classify


def _class_of_writers(finding: Finding, classify: Callable[[str], str | None]) -> str | None:
    """The context class of what wrote a relocated finding, when all of it lies in contexts
    (a template under templates/tests/, every overlay that built a base being a test one)."""
    classes = [classify(p) for p in _written_by(finding)]
    return classes[0] if classes and all(classes) else None


def _written_by(finding: Finding) -> list[str]:
    """The template files a relocated finding names as related locations."""
    related = finding.properties.get("relatedLocations", ())
    return [r["path"] for r in related if isinstance(r, dict) and isinstance(r.get("path"), str)]


def split_by_context(
    findings: Sequence[Finding], classify: Callable[[str], str | None]
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """(findings shown, (finding, class) hidden)."""
    shown: list[Finding] = []
    hidden: list[tuple[Finding, str]] = []
    for finding in findings:
        name = classify(finding.path) or _class_of_writers(finding, classify)
        if name is None:
            shown.append(finding)
        else:
            hidden.append((finding, name))
    return shown, hidden
