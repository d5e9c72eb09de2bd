"""The Terraform source: data shape, exact spans, expressions, bad input, the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_lint.model import Document, Span
from platform_lint.sources import Parsed
from platform_lint.sources.terraform import is_expression, load, objects
from platform_lint.sources.terraform_values import UNKNOWN, modules

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

MAIN_TF = """\
resource "aws_db_instance" "db" {
  name    = "orders"
  port    = 5432
  ratio   = 1.5
  public  = false
  neg     = -1
  nothing = null
  ref     = var.dbname
  tmpl    = "rds-${local.prefix}"
  call    = merge(local.tags, { a = 1 })
  cond    = var.prod ? 35 : 1
  escaped = "say \\"hi\\"\\n"
  list    = [1, "a", var.x]
  tags    = { Name = "db", "team" = "data" }

  ingress {
    from = 1
  }
  ingress {
    from = 2
  }
  dynamic "setting" {
    for_each = var.settings
    content {
      name = setting.value
    }
  }
}

variable "dbname" {
  default = "orders"
}

variable ami {}

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

locals {
  prefix = "acme"
}

locals {
  retention = var.days
}

data "aws_caller_identity" "current" {}

module "vpc" {
  source = "./vpc"
}

terraform {
  required_version = ">= 1.5"
}
"""


def parse(text: str, path: str = "infra/main.tf") -> Parsed:
    return load(path, text, lambda _: None)


def doc_of(text: str, path: str = "infra/main.tf") -> Document:
    parsed = parse(text, path)
    assert parsed.problems == []
    assert len(parsed.documents) == 1
    return parsed.documents[0]


def test_data_shape() -> None:
    data = doc_of(MAIN_TF).data
    body = data["resource"]["aws_db_instance"]["db"]
    assert body["name"] == "orders"
    assert body["port"] == 5432
    assert body["ratio"] == 1.5
    assert body["public"] is False
    assert body["neg"] == -1
    assert body["nothing"] is None
    assert body["escaped"] == 'say "hi"\n'
    assert body["tags"] == {"Name": "db", "team": "data"}
    assert body["ingress"] == [{"from": 1}, {"from": 2}]
    setting = {"for_each": "${var.settings}", "content": [{"name": "${setting.value}"}]}
    assert body["dynamic"] == [{"setting": setting}]
    assert data["variable"] == {"dbname": {"default": "orders"}, "ami": {}}
    assert data["provider"] == {"aws": [{"region": "eu-west-1"}, {"alias": "us", "region": "us-east-1"}]}
    assert data["locals"] == {"prefix": "acme", "retention": "${var.days}"}
    assert data["data"] == {"aws_caller_identity": {"current": {}}}
    assert data["module"] == {"vpc": {"source": "./vpc"}}
    assert data["terraform"] == [{"required_version": ">= 1.5"}]


def test_non_literal_expressions_keep_their_source_text() -> None:
    body = doc_of(MAIN_TF).data["resource"]["aws_db_instance"]["db"]
    assert body["ref"] == "${var.dbname}"
    assert body["tmpl"] == "rds-${local.prefix}"
    assert body["call"] == "${merge(local.tags, { a = 1 })}"
    assert body["cond"] == "${var.prod ? 35 : 1}"
    assert body["list"] == [1, "a", "${var.x}"]
    assert all(is_expression(body[k]) for k in ("ref", "tmpl", "call", "cond"))
    assert not is_expression(body["name"])


def test_attribute_key_and_value_spans() -> None:
    doc = doc_of(MAIN_TF)
    db = ("resource", "aws_db_instance", "db")
    assert doc.key_spans[(*db, "port")] == Span(3, 3, 3, 7)
    assert doc.spans[(*db, "port")] == Span(3, 13, 3, 17)
    assert doc.spans[(*db, "tmpl")] == Span(9, 13, 9, 34)
    assert doc.spans[(*db, "cond")] == Span(11, 13, 11, 30)
    assert doc.spans[(*db, "list", 2)] == Span(13, 22, 13, 27)
    assert doc.key_spans[(*db, "tags", "team")] == Span(14, 28, 14, 34)
    assert doc.spans[(*db, "tags", "team")] == Span(14, 37, 14, 43)


def test_block_header_and_nested_block_spans() -> None:
    doc = doc_of(MAIN_TF)
    db = ("resource", "aws_db_instance", "db")
    assert doc.key_spans[db] == Span(1, 1, 1, 32)
    assert doc.spans[db] == Span(1, 1, 28, 2)
    assert doc.key_spans[(*db, "ingress", 1)] == Span(19, 3, 19, 10)
    assert doc.spans[(*db, "ingress", 1)] == Span(19, 3, 21, 4)
    assert doc.key_spans[(*db, "ingress", 1, "from")] == Span(20, 5, 20, 9)
    assert doc.key_spans[(*db, "dynamic", 0, "setting")] == Span(22, 3, 22, 20)
    assert doc.key_spans[("variable", "ami")] == Span(34, 1, 34, 13)
    assert doc.key_spans[("provider", "aws", 1)] == Span(40, 1, 40, 15)


def test_missing_attribute_lands_on_its_block_header() -> None:
    doc = doc_of(MAIN_TF)
    db = ("resource", "aws_db_instance", "db")
    assert doc.locate((*db, "deletion_protection"), key=True) == Span(1, 1, 1, 32)
    assert doc.locate((*db, "ingress", 0, "to"), key=True) == Span(16, 3, 16, 10)


def test_objects() -> None:
    found = [(o.kind, o.name, o.path) for o in objects(doc_of(MAIN_TF))]
    assert found == [
        ("aws_db_instance", "aws_db_instance.db", ("resource", "aws_db_instance", "db")),
        ("data.aws_caller_identity", "data.aws_caller_identity.current",
         ("data", "aws_caller_identity", "current")),
        ("module", "vpc", ("module", "vpc")),
        ("variable", "dbname", ("variable", "dbname")),
        ("variable", "ami", ("variable", "ami")),
        ("provider", "aws", ("provider", "aws", 0)),
        ("provider", "aws.us", ("provider", "aws", 1)),
        ("locals", "locals", ("locals",)),
        ("terraform", "terraform", ("terraform", 0)),
    ]


def test_module_resolves_literal_defaults_and_reports_unknown() -> None:
    objs = list(objects(doc_of(MAIN_TF)))
    module = modules(objs)["infra"]
    assert module.resolve("${var.dbname}") == "orders"
    assert module.resolve("${local.prefix}") == "acme"
    assert module.resolve("${local.retention}") is UNKNOWN  # var.days is not declared
    assert module.resolve("${var.ami}") is UNKNOWN  # declared without a default
    assert module.resolve("rds-${local.prefix}") is UNKNOWN
    assert module.resolve(7) == 7


def test_crlf_and_bom_keep_columns() -> None:
    text = (
        '\ufeffresource "aws_s3_bucket" "b" {\r\n  bucket = "logs"\r\n'
        "  policy = <<EOF\r\n{}\r\nEOF\r\n}\r\n"
    )
    doc = doc_of(text)
    path = ("resource", "aws_s3_bucket", "b")
    assert doc.data["resource"]["aws_s3_bucket"]["b"] == {"bucket": "logs", "policy": "{}\n"}
    assert doc.key_spans[path] == Span(1, 1, 1, 29)
    assert doc.spans[(*path, "bucket")] == Span(2, 12, 2, 18)
    assert doc.spans[(*path, "policy")] == Span(3, 12, 5, 4)


def test_heredoc_trim_and_template() -> None:
    text = 'locals {\n  a = <<-EOT\n    one\n      two\n    EOT\n  b = <<EOT\nhi ${var.x}\nEOT\n}\n'
    data = doc_of(text).data["locals"]
    assert data == {"a": "one\n  two\n", "b": "hi ${var.x}\n"}


def test_empty_file_has_no_objects() -> None:
    for text in ("", "\n", "# only a comment\n"):
        assert list(objects(doc_of(text))) == []


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ('resource "a" "b" {\n  x = \n}\n', 2, 7),
        ('resource "a" "b" {\n  x = 1\n', 2, 8),
        ('variable "x" {\n  default = [1, 2\n}\n', 3, 1),
        ('resource "a" "b" {\n  x = 1 ! 2\n}\n', 2, 9),
    ],
)
def test_syntax_error_is_a_problem_at_its_position(text: str, line: int, col: int) -> None:
    parsed = parse(text)
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert (problem.span.line, problem.span.col) == (line, col)
    assert problem.message.startswith("HCL syntax error")
    assert list(objects(parsed.documents[0])) == []


def test_syntax_error_does_not_quote_a_long_token() -> None:
    """The token at fault may be a secret: a long one is named by kind and length."""
    (problem,) = parse('locals {\n  keys = [var.primary tK7rV2mQ9xLp4ZwN8bYc3HfJ6sDgA1eU]\n}\n').problems
    assert "tK7rV2" not in problem.message and "32 characters" in problem.message


def test_wrong_label_count_and_duplicates_are_problems() -> None:
    parsed = parse('resource "aws_s3_bucket" {\n}\nresource "a" "b" {\n  x = 1\n  x = 2\n}\n')
    assert [(p.span.line, p.message) for p in parsed.problems] == [
        (1, "a resource block takes 2 label(s), found 1"),
        (5, "duplicate attribute 'x' (the later value wins)"),
    ]


def test_tf_json_has_the_same_shape_and_spans() -> None:
    text = """{
  "provider": {"aws": {"region": "eu-west-1"}},
  "terraform": {"required_version": ">= 1.5"},
  "resource": {
    "aws_db_instance": {
      "db": {
        "backup_retention_period": 0,
        "name": "${var.dbname}"
      }
    }
  }
}
"""
    doc = doc_of(text, "infra/main.tf.json")
    assert doc.data["provider"] == {"aws": [{"region": "eu-west-1"}]}
    assert doc.data["terraform"] == [{"required_version": ">= 1.5"}]
    db = ("resource", "aws_db_instance", "db")
    assert doc.data["resource"]["aws_db_instance"]["db"]["name"] == "${var.dbname}"
    assert doc.key_spans[(*db, "backup_retention_period")] == Span(7, 9, 7, 34)
    assert doc.spans[(*db, "backup_retention_period")] == Span(7, 36, 7, 37)
    assert doc.key_spans[("provider", "aws", 0, "region")] == Span(2, 24, 2, 32)
    assert [o.name for o in objects(doc)] == ["aws_db_instance.db", "aws", "terraform"]


def test_tf_json_syntax_error() -> None:
    parsed = parse('{\n  "resource": {\n    "a": [1,\n}\n', "x.tf.json")
    assert len(parsed.problems) == 1
    assert parsed.problems[0].span.line == 4


def test_every_corpus_file_parses() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    files = sorted(CORPUS.rglob("*.tf")) + sorted(CORPUS.rglob("*.tf.json"))
    assert files
    for path in files:
        parsed = parse(path.read_text(encoding="utf-8"), path.relative_to(CORPUS).as_posix())
        assert parsed.problems == [], path
        list(objects(parsed.documents[0]))


def test_an_escape_of_no_character_is_the_replacement_character() -> None:
    # a surrogate or a code point past U+10FFFF: Go writes U+FFFD; a lone surrogate reached
    # the output and ended the run in 'internal error (UnicodeEncodeError)'
    body = doc_of('resource "aws_s3_bucket" "b\\udcff" {\n  bucket = "x\\U00110000 \\u00e9"\n}\n').data
    (name, bucket), = body["resource"]["aws_s3_bucket"].items()
    assert name == "b\ufffd" and bucket["bucket"] == "x\ufffd \u00e9"
