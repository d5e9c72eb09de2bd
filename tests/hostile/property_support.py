"""Hypothesis strategies for hostile-but-plausible documents, and the one
property every scan must keep on them.

Documents are built from a *skeleton* of the structure a source reads (jobs,
steps, containers...), where any slot may instead hold an arbitrary value of
the wrong type, and from a *vocabulary*: the string constants of the modules
that read that kind of file, so generated keys and values are the ones the
code looks for.

The property (`assert_scans_cleanly`): every built-in rule runs, no exception
escapes, no internal error is reported (neither as an error nor as an
`internal-error` finding), and every finding lies inside its file: line
within the file's lines, column >= 1, end after start.

Seed and size: the `ci` profile (the default) is derandomized, so CI runs the
same examples every time; `HYPOTHESIS_PROFILE=long` runs many more, randomly
(see bench/hostile/README.md).
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Mapping, Sequence
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from platform_lint.changes import full_repository
from platform_lint.config import Config
from platform_lint.discovery import SourceFile
from platform_lint.engine import ScanOptions, scan_files
from platform_lint.model import Obj, source_lines
from platform_lint.rules import Rule, load_rules
from platform_lint.scan_result import ScanResult

settings.register_profile(
    "ci", max_examples=100, derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "5000")), deadline=None, database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PACKAGE = Path(__file__).resolve().parents[2] / "platform_lint"

# ------------------------------------------------------------------ vocabulary


_WORDLIKE = re.compile(r"[\w.@/$:+*-]+(?: [\w.@/$:+*-]+)*")


@cache
def vocabulary(*modules: str) -> tuple[str, ...]:
    """Short identifier-like string constants of `modules` (paths under platform_lint/)."""
    words: set[str] = set()
    for module in modules:
        tree = ast.parse((PACKAGE / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if 0 < len(text) <= 40 and _WORDLIKE.fullmatch(text):
                    words.add(text)
    return tuple(sorted(words))


COMMANDS = (
    "kubectl apply -f k8s/", "helm upgrade --install app ./chart", "terraform apply -auto-approve",
    "docker push registry.example.com/app:1.2", "cosign sign $IMAGE", "curl -sL https://x.sh | sh",
    "echo ${{ github.event.pull_request.head.ref }}", "failure()", "always()", "success()",
    "production", "prod", "staging", "main", "manual", "on_failure", "never", "approval",
    "actions/checkout@v4", "docker://alpine:3.19", "${{ secrets.TOKEN }}", "$CI_COMMIT_BRANCH",
    "kubectl rollout undo deployment/app", "argocd app sync app", "aws ecs update-service",
    "latest", "nginx:latest", "nginx@sha256:" + "a" * 64, "Recreate", "RollingUpdate", "100%", "0",
)


def values(words: Sequence[str], leaves: int = 12) -> st.SearchStrategy[Any]:
    """Arbitrary JSON-shaped values whose strings are mostly from `words`."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-5, 10**6),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(words), st.sampled_from(COMMANDS), st.text(max_size=10),
    )
    keys = st.one_of(st.sampled_from(words), st.text(max_size=6))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(keys, inner, max_size=4)),
        max_leaves=leaves,
    )


# ------------------------------------------------------------------ skeletons

ANY = "<any>"
"""A skeleton slot for any value at all."""
NAMES = "*"
"""A skeleton key: any number of entries with arbitrary names (jobs, services...)."""

Shape = Any
"""ANY | {key: Shape} (keys optional; NAMES for named entries) | [Shape] | (Shape, ...)
alternatives | a strategy of its own."""


def shaped(shape: Shape, words: Sequence[str], top: bool = False) -> st.SearchStrategy[Any]:
    """Values that follow `shape`, except that any slot below the top may be of the wrong type."""
    wild = values(words, leaves=6)
    if isinstance(shape, st.SearchStrategy):
        return shape
    if shape == ANY:
        return values(words)
    if isinstance(shape, tuple):
        return st.one_of(*(shaped(s, words) for s in shape))
    structured: st.SearchStrategy[Any]
    if isinstance(shape, list):
        structured = st.lists(shaped(shape[0], words), max_size=3)
    else:
        fixed = {k: shaped(v, words) for k, v in shape.items() if k != NAMES}
        structured = st.fixed_dictionaries({}, optional=fixed)
        if NAMES in shape:
            names = st.one_of(st.sampled_from(words), st.text(min_size=1, max_size=8))
            named = st.dictionaries(names, shaped(shape[NAMES], words), max_size=4)
            structured = st.tuples(structured, named).map(lambda pair: {**pair[1], **pair[0]})
    return structured if top else st.one_of(structured, structured, structured, wild)


def yaml_text(data: Any, flow: bool) -> str:
    """`data` as YAML: block style, or flow style (JSON, which is YAML too)."""
    if flow:
        # Not ASCII-escaped: YAML refuses JSON's surrogate-pair escapes; what YAML cannot
        # carry raw (C1 controls, U+FFFE/U+FFFF) is escaped as YAML's \\uXXXX.
        text = json.dumps(data, allow_nan=True, ensure_ascii=False)
        return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"
    from ruamel.yaml import YAML

    dumper = YAML(typ="safe", pure=True)
    dumper.default_flow_style = False
    out = StringIO()
    dumper.dump(data, out)
    return out.getvalue()


_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def yaml_files(shape: Shape, words: Sequence[str], documents: int = 1) -> st.SearchStrategy[str]:
    """YAML text of 1..`documents` documents following `shape` (at the top, always)."""
    docs = st.lists(shaped(shape, words, top=True), min_size=1, max_size=documents)
    return st.tuples(docs, st.booleans()).map(
        lambda pair: "---\n".join(yaml_text(d, pair[1]) for d in pair[0])
    )


# ------------------------------------------------------------------ the property


@cache
def builtin_rules() -> tuple[Rule, ...]:
    return tuple(sorted(load_rules().values(), key=lambda r: r.id))


def scan_texts(
    files: Mapping[str, str | bytes], *, ownership: bool = False, change: str | None = None
) -> ScanResult:
    """Every built-in rule over `files`, as a whole-repository scan (or, with
    `change`, a change written as the CHANGE fixtures write it)."""
    sources = [SourceFile(p, t.encode() if isinstance(t, str) else t) for p, t in files.items()]
    extra = [change_document_of(files, ownership, change)] if ownership else []
    rules = builtin_rules()
    options = ScanOptions(known_rules=frozenset(r.id for r in rules), extra_documents=extra)
    return scan_files("/repo", sources, [], Config(), rules, options)


def change_document_of(files: Mapping[str, str | bytes], ownership: bool, change: str | None) -> Any:
    from platform_lint.changes import change_from_text

    return full_repository(sorted(files)) if change is None else change_from_text(change)


def assert_scans_cleanly(
    files: Mapping[str, str | bytes], *, ownership: bool = False, change: str | None = None
) -> ScanResult:
    """The property: no exception, no internal error, every span inside its file."""
    result = scan_texts(files, ownership=ownership, change=change)
    if result.errors or any(f.rule_id == "internal-error" for f in result.findings):
        raise_crash(files, ownership, change)  # the engine hides the exception; show it here
    assert result.errors == []
    assert [f for f in result.findings if f.rule_id == "internal-error"] == []
    for finding in [*result.findings, *(s.finding for s in result.suppressed)]:
        assert_span_inside(finding.path, finding.span, files, finding.rule_id)
    return result


def assert_span_inside(path: str, span: Any, files: Mapping[str, str | bytes], rule: str) -> None:
    content = files.get(path)
    if content is None:  # the change document and other files that are not files
        assert span.line >= 1 and span.col >= 1, (rule, path, span)
        return
    text = content if isinstance(content, str) else content.decode("utf-8-sig", errors="replace")
    count = max(len(source_lines(text.removeprefix("\ufeff"))), 1)
    where = (rule, path, span, count)
    assert 1 <= span.line <= count and 1 <= span.end_line <= count, where
    assert span.col >= 1 and span.end_col >= 1, where
    assert (span.end_line, span.end_col) > (span.line, span.col), where


def raise_crash(files: Mapping[str, str | bytes], ownership: bool, change: str | None) -> None:
    """Run each source and each check as the engine does, but without its guard,
    so the exception behind an internal error surfaces with its traceback."""
    from platform_lint.globs import matcher
    from platform_lint.rule_runner import in_scope
    from platform_lint.sources import classify, source_for

    texts = {p: t if isinstance(t, str) else t.decode("utf-8-sig", "replace") for p, t in files.items()}
    objects: list[Obj] = []
    for path, text in texts.items():
        kind = classify(path, matcher(Config().charters))
        if kind is not None:
            source = source_for(kind)
            for doc in source.load(path, text, texts.get).documents:
                objects.extend(source.objects(doc))
    objects += [Obj(doc=d, kind=d.kind, name=d.path, value=d.data)
                for d in ([change_document_of(files, ownership, change)] if ownership else [])]
    for rule in builtin_rules():
        if rule.check is None:
            continue
        spec = rule.spec()
        candidates = [o for o in objects if in_scope(rule, o)]
        if spec.over == "set":
            list(spec.fn(candidates, rule.params)) if candidates else None
        for obj in candidates if spec.over == "object" else ():
            list(spec.fn(obj, rule.params))
