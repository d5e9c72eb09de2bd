"""`yaml_memo.parse_manifest` reads a manifest exactly as `parse_yaml` reads it whole:
the same documents, spans and problems, the same charge to the file's budget."""

from __future__ import annotations

from typing import Any

import pytest

from platform_lint import budget
from platform_lint.budget import Budgets, OverBudget
from platform_lint.sources import yaml_memo
from platform_lint.sources.yaml_tree import parse_yaml, read_yaml

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n" + "".join(
    f"  key{i}: value-{i}\n" for i in range(1000))
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [frontend:80]\n"
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n"
              + "".join(f"    note{i}: text-{i}\n" for i in range(900))
              + "spec:\n  template:\n    spec:\n      containers:\n      - name: web\n"
              "        image: nginx:latest")  # no line break at the end


def _read(parse: Any, text: str, nodes: int = 1_000_000) -> tuple[Any, ...]:
    try:
        with budget.metered(Budgets(nodes=nodes)) as meter:
            docs, problems = parse(text)
            return ([(repr(d.data), d.spans, d.key_spans) for d in docs], problems,
                    meter.nodes, meter.scalar_bytes)
    except OverBudget as over:
        return ("over", over.measure)


@pytest.mark.parametrize("text", [
    CONFIG_MAP + "---\n" + SERVICE,  # a flow scalar's `:` after a large piece
    "---\n" + SERVICE + "---\n" + DEPLOYMENT,  # ... before one, the text's last line unbroken
    CONFIG_MAP + "---\n" + DEPLOYMENT,
])
def test_a_manifest_reads_as_parse_yaml_reads_it_whole_remembered_or_not(text: str) -> None:
    assert len(max(text.split("---\n"), key=len)) >= yaml_memo.LARGE
    whole = _read(parse_yaml, text)
    assert _read(yaml_memo.parse_manifest, text) == whole
    assert _read(yaml_memo.parse_manifest, text) == whole  # its large pieces now remembered


def test_a_remembered_piece_meets_a_flow_colon_elsewhere_and_the_budget_as_whole() -> None:
    _read(yaml_memo.parse_manifest, CONFIG_MAP)  # remembered from a file without the `:`
    text = CONFIG_MAP + "---\n" + SERVICE
    assert _read(yaml_memo.parse_manifest, text) == _read(parse_yaml, text)
    # the whole text is read twice (C parser, then ruamel's): the budget is crossed as so
    assert _read(yaml_memo.parse_manifest, text, nodes=1500) == _read(parse_yaml, text, nodes=1500)
    assert _read(parse_yaml, text, nodes=1500)[0] == "over"


def test_a_piece_no_manifest_used_for_files_in_a_row_is_forgotten() -> None:
    text = CONFIG_MAP + "---\n" + DEPLOYMENT
    whole = _read(parse_yaml, text)
    assert _read(yaml_memo.parse_manifest, text) == whole
    for _ in range(yaml_memo.FILES - 2):
        _read(yaml_memo.parse_manifest, "kind: Namespace\n")
    assert _read(yaml_memo.parse_manifest, text) == whole  # used again in time: kept
    assert CONFIG_MAP in yaml_memo._MEMO
    for _ in range(yaml_memo.FILES):
        _read(yaml_memo.parse_manifest, "kind: Namespace\n")
    assert CONFIG_MAP not in yaml_memo._MEMO
    assert _read(yaml_memo.parse_manifest, text) == whole


def test_a_piece_parsed_below_other_pieces_and_met_again_higher_reads_as_whole() -> None:
    lower = CONFIG_MAP + "---\n" + SERVICE.replace("[frontend:80]", "[80]") + "---\n" + DEPLOYMENT
    assert _read(yaml_memo.parse_manifest, lower) == _read(parse_yaml, lower)  # parsed at its line
    for text in ("---\n" + DEPLOYMENT, DEPLOYMENT + "\n---\n" + CONFIG_MAP):  # met again higher up
        assert _read(yaml_memo.parse_manifest, text) == _read(parse_yaml, text)


def test_many_small_documents_below_a_large_one_are_read_in_linear_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each piece is parsed at its own lines only while that costs no more line breaks
    than it has characters; further down it is parsed alone and moved. The characters
    the parser is given stay within a few times the text's (not a sum over the pieces
    of the lines above each), and the documents are those of a whole parse."""
    small = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n" for i in range(400))
    text = CONFIG_MAP + small + "---\n" + DEPLOYMENT
    given: list[int] = []
    real = read_yaml

    def counted(piece: str) -> Any:
        given.append(len(piece))
        return real(piece)

    monkeypatch.setattr("platform_lint.sources.yaml_memo.read_yaml", counted)
    yaml_memo._MEMO.clear()
    assert _read(yaml_memo.parse_manifest, text) == _read(parse_yaml, text)
    assert len(given) > 400 and sum(given) <= 3 * len(text)
