"""A kustomization file's own contents, as a `kustomization` document.

What the file says (its `resources`, `images`, `helmCharts`), with spans, for
the rules that compare environments' overlays (`checks/environment_versions`).
Building what an overlay deploys is another matter: this reads the file only.
"""

from __future__ import annotations

from platform_lint.model import Document, source_lines
from platform_lint.sources.yaml_tree import parse_yaml

KIND = "kustomization"


def document(path: str, text: str) -> Document | None:
    """The file's first YAML document when it is a mapping; None otherwise (a file
    that does not parse is the Kustomize build's to report)."""
    docs, problems = parse_yaml(text)
    if problems or not docs or not isinstance(docs[0].data, dict):
        return None
    first = docs[0]
    return Document(path=path, kind=KIND, data=first.data, spans=first.spans,
                    key_spans=first.key_spans, lines=source_lines(text))
