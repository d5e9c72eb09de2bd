"""Which files the structure-aware checks judge for generic `name = value` secrets."""

from __future__ import annotations

import re

from platform_lint.sources import classify
from platform_lint.sources.kubernetes import skip_reason

_API_VERSION = re.compile(r"^apiVersion:[ \t]*\S", re.M)
_KIND = re.compile(r"^kind:[ \t]*\S", re.M)


def judged_structurally(path: str, text: str) -> bool:
    """True when the Terraform, pipeline or Kubernetes checks read this file's
    parsed values, so the text scan leaves its generic assignments to them.

    YAML that holds no Kubernetes object (Helm values, Compose files, app
    config) is not read by any structural check and stays with the text scan.
    """
    kind = classify(path)
    if kind in ("terraform", "pipeline"):
        return True
    if kind != "kubernetes" or skip_reason(path, text) is not None:
        return False
    return _API_VERSION.search(text) is not None and _KIND.search(text) is not None
