"""A rendered object's model cut down to what relocation reaches (`helm.stored.compact`)
relocates every finding exactly as the whole rendering's model does."""

from __future__ import annotations

from pathlib import Path

from test_helm_check import CHART

from platform_lint.helm.chart import load_dir
from platform_lint.helm.locate import Rendered, ValuesFile
from platform_lint.helm.render import Options, render
from platform_lint.helm.yaml_pieces import ParseCache
from repo_helpers import write

SECOND = (
    "---\n"
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata:\n"
    '  name: {{ include "web.name" . }}\n'
    "spec:\n"
    "  ports:\n"
    "    - port: {{ .Values.port | default 80 }}\n"
)


def test_compact_models_relocate_every_path_as_the_whole_rendering(tmp_path: Path) -> None:
    write(tmp_path, {**CHART, "chart/templates/deployment.yaml": CHART["chart/templates/deployment.yaml"]
                     + SECOND})
    chart = load_dir(tmp_path / "chart")
    result = render(chart, Options(release_name="r", trace=True))
    values = [ValuesFile.parse("chart/values.yaml", (tmp_path / "chart" / "values.yaml").read_text())]
    lines = {f"chart/{name}": (tmp_path / "chart" / name).read_text().split("\n")
             for name in ("templates/deployment.yaml", "templates/_helpers.tpl")}
    compared = 0
    located: set[str] = set()
    for manifest in result.manifests:
        placed, _problems = ParseCache().placed(manifest.text)
        for doc, shift in placed:
            whole = Rendered(manifest.path, ["values.yaml"], result.origins, manifest.marks or [], doc.spans,
                             doc.key_spans, doc.data, values, lines, shift)
            small = whole.compact()
            assert len(small.origins) < len(result.origins)
            for path in {*doc.spans, *doc.key_spans, ("spec", "no-such-key")}:
                for key in (True, False):
                    moved = small.relocate(path, key)
                    assert moved == whole.relocate(path, key), (path, key)
                    compared += 1
                    located.add(moved.path if moved else "")
    assert compared > 50
    # Findings land on the template and on the values file, with the template line beside them.
    assert {"chart/templates/deployment.yaml", "chart/values.yaml"} <= located
