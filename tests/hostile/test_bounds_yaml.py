"""YAML alias bombs are refused wherever platform-lint reads YAML: scanned files
(manifests, pipelines, charter front matter), the config file and rule files.

Six levels of nine aliases are 340 bytes and 531,441 leaves; nine levels are
387 million. Both must stop at the alias budget, reported at the first alias.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import MB, assert_no_exception_text, check, measure

from platform_lint.sources.yaml_events import MAX_ALIAS_NODES
from platform_lint.sources.yaml_tree import parse_yaml
from repo_helpers import write


def bomb(levels: int, width: int = 9, indent: str = "") -> str:
    lines = [f"{indent}a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"{indent}a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_the_340_byte_bomb_is_340_bytes() -> None:
    assert len(bomb(6)) == 340


@pytest.mark.parametrize("levels", [6, 9])
def test_parse_yaml_refuses_an_alias_bomb_at_its_first_alias(levels: int) -> None:
    with measure() as cost:
        docs, problems = parse_yaml("before: 1\n" + bomb(levels))
    assert docs == []
    assert [(p.span.line, p.span.col) for p in problems] == [(3, 10)]  # `*a0` on line 3
    assert "aliases expand" in problems[0].message
    assert cost.cpu_seconds < 5 and cost.peak_bytes < 200 * MB


def test_aliases_within_the_budget_still_expand() -> None:
    docs, problems = parse_yaml(bomb(4))  # 9**5 = 59,049 leaves
    assert problems == [] and MAX_ALIAS_NODES > 9**5
    assert docs[0].data["a4"][8][8][8][8][8] == "lol"


def test_a_bomb_in_a_later_document_keeps_the_earlier_ones() -> None:
    docs, problems = parse_yaml("a: 1\n---\n" + bomb(7))
    assert [d.data for d in docs] == [{"a": 1}]
    assert problems[0].span.line == 4


@pytest.mark.parametrize(
    ("path", "prefix", "line"),
    [
        ("k8s/bomb.yaml", "", 2),
        (".gitlab-ci.yml", "", 2),
        (".github/workflows/ci.yml", "on: push\n", 3),
        ("docs/charters/payments.md", "---\n", 3),
    ],
)
def test_a_scanned_bomb_is_a_parse_error_and_the_scan_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, prefix: str, line: int
) -> None:
    suffix = "---\n# Charter: Payments\n" if path.endswith(".md") else ""
    write(tmp_path, {path: prefix + bomb(9) + suffix, "app.env": "DB_PASSWORD=Xk9#mP2v!Lq7zR\n"})
    code, out, cost = check(capsys, tmp_path)
    assert code == 1
    assert_no_exception_text(out)
    assert f"{path}:{line}:10: error [parse-error] aliases expand to more than" in out
    assert "app.env:1:13: error [hardcoded-secret-assignment]" in out
    assert cost.cpu_seconds < 10 and cost.peak_bytes < 300 * MB


def test_a_bomb_in_the_config_file_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".platform-lint.yaml": "fail_on: error\n" + bomb(9)})
    code, out, cost = check(capsys, tmp_path)
    assert code == 2
    assert_no_exception_text(out)
    assert ".platform-lint.yaml:3:10: aliases expand to more than" in out
    assert cost.cpu_seconds < 10 and cost.peak_bytes < 300 * MB


def test_a_bomb_in_a_rule_file_is_a_rule_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {
        ".platform-lint.yaml": "rule_dirs: [policies]\n",
        "policies/bomb.yaml": "id: laughs\n" + bomb(9),
    })
    code, out, cost = check(capsys, tmp_path)
    assert code == 2
    assert_no_exception_text(out)
    assert "policies/bomb.yaml:3:10: aliases expand to more than" in out
    assert cost.cpu_seconds < 10 and cost.peak_bytes < 300 * MB
