"""YAML files written for a template engine, outside a chart's `templates/`.

A CRD under `conf/` with `{{ .Values.x }}`, a values snippet, a Jinja or Go
template of a manifest: none is YAML until rendered, so kubectl could not read
it either. Such a file is skipped with the reason `template` (counted, listed by
`--show-skipped`), never reported as a parse error. Template syntax that YAML
reads without complaint (`summary: "{{ $labels.pod }} is down"` in a quoted
string, an Argo `{{inputs.parameters.x}}` inside a plain scalar) is data, and
the file is judged as usual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from platform_lint.sources.yaml_tree import Problem

REASON = "template"

_MARKER = re.compile(r"\{\{|\{%|\{#")
"""Go/Helm and Jinja actions, Jinja statements and comments."""

_STRUCTURAL = re.compile(r"^[ \t]*+(?:-[ \t]++)*+(?:[^\s'\"#{-][^:#\n]*+:[ \t]++)?(?:\{\{|\{%|\{#)", re.M)
"""A template action where YAML expects structure: a line of its own, a list
item, or a value (`replicas: {{ .Values.replicas }}`), read by YAML as a flow
mapping with a mapping for a key (which kubectl refuses) or not read at all."""


def is_template(text: str, problems: Sequence[Problem]) -> bool:
    """Whether `text` is a template rather than YAML: an action stands where
    YAML expects structure, or YAML failed on a line holding one."""
    if _MARKER.search(text) is None:
        return False
    if _STRUCTURAL.search(text) is not None:
        return True
    if not problems:
        return False
    lines = text.splitlines()
    line = problems[0].span.line
    return 0 < line <= len(lines) and _MARKER.search(lines[line - 1]) is not None
