"""tree-sitter-hcl builds exactly what python-hcl2 (the reference) builds.

Every `.tf` of ../shared/corpus and of fixtures/, plus constructs written here:
same data, spans, key spans and problems. A text tree-sitter does not parse
cleanly falls back to python-hcl2, so it must be one python-hcl2 rejects too
or one listed as a known grammar gap.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from platform_lint.sources.hcl_lark import parse_hcl_lark
from platform_lint.sources.hcl_tree_sitter import parse_hcl

CONSTRUCTS = '''# héllo wörld
locals {
  names = [for s in var.list : upper(s) if s != ""] # trailing
  m     = { for k, v in var.map : k => v }
  cond  = var.enabled ? "yes" : "no"
  splat = aws_instance.web[*].id
  esc   = "tab\\there \\u00e9 \\"q\\" $${not} %%{nope}"
  tmpl  = "prefix-${var.name}-ü"
  multi = [
    1,   # one
    "two",
    -3.5,
    null,
  ]
  obj = {
    "quoted key" = true
    bare         = false
    (var.k)      = 1
    nested       = { deep = [1, { x = "y" }] }
  }
  neg   = -var.x
  paren = (1 + 2)
  call  = merge(var.a, {
    b = 2
  })
  hd = <<EOT
line one é
  ${var.x}
EOT
  hd2 = <<-EOT
      indented
    less
    EOT
}

resource "aws_security_group" "sg" {
  name = "ß-sg"
  ingress {
    from_port = 80
  }
  ingress {}
  dynamic "egress" {
    for_each = var.rules
    content {
      port = egress.value
    }
  }
  lifecycle { create_before_destroy = true }
}
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
terraform {
  backend "s3" {}
}
module "m" {
  b = 0.5
  c = 1.5e3
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
  bucket = "dup"
}
resource "only_one_label" {
}
'''


def _tf_files() -> list[Path]:
    roots = [ROOT / "fixtures", *([CORPUS] if CORPUS.is_dir() else [])]
    return sorted(p for root in roots for p in root.rglob("*.tf") if p.is_file())


def _same(text: str) -> bool:
    """True when tree-sitter parsed it and agrees; False when it fell back."""
    ref_data, ref = parse_hcl_lark(text)
    fast = parse_hcl(text)
    if fast is None:
        assert ref.problems, "tree-sitter rejected what python-hcl2 accepts"
        return False
    data, got = fast
    assert data == ref_data
    assert got.spans == ref.spans
    assert got.key_spans == ref.key_spans
    assert [(p.span, p.message) for p in got.problems] == [(p.span, p.message) for p in ref.problems]
    return True


@pytest.mark.parametrize("text", [CONSTRUCTS, CONSTRUCTS.replace("\n", "\r\n"), "\ufeffa = 1\n", ""],
                         ids=["constructs", "crlf", "bom", "empty"])
def test_written_constructs(text: str) -> None:
    assert _same(text.removeprefix("\ufeff"))


def test_every_tf_file() -> None:
    files = _tf_files()
    assert files
    parsed = sum(_same(p.read_bytes().decode("utf-8-sig", errors="replace")) for p in files)
    assert parsed >= 0.95 * len(files), "tree-sitter is the path nearly every file takes"


@pytest.mark.parametrize("text", ["a = 1\nb = 2 c {\n}\n", "a = 1 b = 2\n", "c {\n  x = 1 y = 2\n}\n"])
def test_two_items_on_one_line_are_python_hcl2s_syntax_error(text: str) -> None:
    assert parse_hcl(text) is None
    assert parse_hcl_lark(text)[1].problems


def test_exponent_without_fraction_falls_back_to_python_hcl2() -> None:
    # tree-sitter-hcl 1.2 does not lex `1e3` before another attribute; python-hcl2 does.
    text = "module \"m\" {\n  a = 1e3\n  b = 2\n}\n"
    assert parse_hcl(text) is None
    data, builder = parse_hcl_lark(text)
    assert data["module"]["m"] == {"a": 1000.0, "b": 2} and not builder.problems
