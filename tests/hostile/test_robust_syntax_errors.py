"""Syntax errors land on the line at fault, with our words, never the parser's internals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint.cli import main
from repo_helpers import write

PARSER_TEXT = ("Traceback", "<unicode string>", "position ", "ReaderError", "lark", "ruamel")


def parse_errors(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, list[str]]:
    code = main(["check", str(root), "--select", "parse-error"])
    out, err = capsys.readouterr()
    for text in PARSER_TEXT:
        assert text not in out + err
    return code, [line.split(" error ")[0].rsplit("/", 1)[-1] + line.split("[parse-error]")[1]
                  for line in out.splitlines() if "[parse-error]" in line]


def test_a_nul_byte_after_the_binary_probe_is_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past the first 8 KB the file is text to discovery; ruamel refuses the NUL and
    used to be reported at 1:1 with its own position text."""
    lines = [f"key{i}: value{i}" for i in range(600)]  # about 9 KB
    write(tmp_path, {"k8s/config.yaml": "\n".join(lines) + "\nlast: a\x00b\n"})
    code, found = parse_errors(capsys, tmp_path)
    assert code == 1
    assert found == ["config.yaml:601:8: YAML syntax error: character U+0000 is not allowed"]


_JOINED = "must end with a newline"


@pytest.mark.parametrize("path, text, where", [
    # `a = "x" b c` was reported on the line after, where the grammar gave up.
    ("main.tf", 'a = "x" b c\nd = 1\n', "main.tf:1:9: HCL syntax error: unexpected 'b': an argument"),
    ("main.tf", 'locals {\n  a = "x" b c\n  d = 1\n}\n', "main.tf:2:11:"),
    ("main.tf", 'a = 1\nb = 2 c {\n}\n', "main.tf:2:7:"),  # the grammar takes it, as two items
    ("main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x" acl = "private"\n}\n', "main.tf:2:16:"),
    # Found at the end of the file; reported on its last line, not past it.
    ("x.yaml", "a: {\n", "x.yaml:1:5:"),
    ("x.yaml", "a: [1, 2\n", "x.yaml:1:9:"),
    ("x.yaml", "a: 1\nb: 'open\n", "x.yaml:2:9:"),
])
def test_syntax_errors_are_reported_where_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, where: str
) -> None:
    write(tmp_path, {path: text})
    code, found = parse_errors(capsys, tmp_path)
    assert code == 1
    assert len(found) == 1 and found[0].startswith(where), found
    assert _JOINED in found[0] if path.endswith(".tf") else "YAML syntax error" in found[0]


def test_hcl_single_line_blocks_stay_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"infra/main.tf": 'variable "a" { default = 1 }\nlocals { b = { c = 1 } }\n'})
    assert parse_errors(capsys, tmp_path) == (0, [])


def test_yaml_line_numbers_ignore_unicode_line_separators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ruamel breaks lines at NEL and U+2028 too; editors and GitHub do not."""
    write(tmp_path, {"k8s/pod.yaml": (
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "a\u2028b\x85c"\n'
        "spec:\n  containers:\n    - name: app\n      image: nginx:latest\n"
    )})
    code = main(["check", str(tmp_path), "--select", "image-tag-latest"])
    out = capsys.readouterr().out
    assert code == 1
    assert "pod.yaml:8:14: warning [image-tag-latest]" in out


def test_a_problem_at_an_empty_node_has_a_span_of_one_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the long property run: two empty keys (`?` NEL `?`) gave a duplicate-key
    problem whose span ended where it started."""
    write(tmp_path, {".github/workflows/ci.yml": "?\x85?"})
    code = main(["check", str(tmp_path), "--select", "parse-error", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    [finding] = report["findings"]
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (1, 4, 1, 5)
    assert finding["message"] == "duplicate key '' (the later value wins)"
