"""Terraform blocks (HCL and .tf.json) with values of any type: a finding or nothing, never a crash."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from property_support import ANY, NAMES, assert_scans_cleanly, builtin_rules, shaped, values, vocabulary

WORDS = vocabulary("sources/terraform.py", "sources/hcl_lark.py", "sources/terraform_values.py",
                   "checks/terraform.py", "checks/tf_reading.py", "checks/secrets.py")
TYPES = tuple(sorted({k for r in builtin_rules() for k in r.scope.kinds if k.startswith(("aws_", "google"))}
                     | {w for w in WORDS if re.fullmatch(r"(aws|google|azurerm)_[a-z0-9_]+", w)}))
ATTRIBUTES = tuple(w for w in WORDS if re.fullmatch(r"[a-z][a-z0-9_]*", w))
IDENT = st.one_of(st.sampled_from(ATTRIBUTES), st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True))

# ------------------------------------------------------------------ HCL text

REFERENCES = ("var.name", "local.setting", "module.app.id", "data.aws_caller_identity.me.id",
              "aws_s3_bucket.b.id", "aws_db_instance.db.identifier", "each.value", "count.index")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _hcl_value(value: Any, depth: int = 0) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "0.5"
    if isinstance(value, str):
        return value if value in REFERENCES else _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(v, depth + 1) for v in value) + "]"
    pad = "  " * (depth + 2)
    items = "".join(f"{pad}{_string(k)} = {_hcl_value(v, depth + 1)}\n" for k, v in value.items())
    return "{\n" + items + "  " * (depth + 1) + "}"


Body = list[tuple[str, str, Any]]
"""(\"attr\", name, value) or (\"block\", name, Body)."""


def _bodies() -> st.SearchStrategy[Body]:
    scalar_values = st.one_of(values(WORDS, leaves=6), st.sampled_from(REFERENCES))
    attribute = st.tuples(st.just("attr"), IDENT, scalar_values)
    return st.recursive(
        st.lists(attribute, max_size=5),
        lambda inner: st.lists(st.one_of(attribute, st.tuples(st.just("block"), IDENT, inner)),
                               max_size=5),
        max_leaves=12,
    )


def _hcl_body(body: Body, depth: int) -> str:
    pad = "  " * depth
    out = []
    for kind, name, value in body:
        if kind == "attr":
            out.append(f"{pad}{name} = {_hcl_value(value, depth)}\n")
        else:
            out.append(f"{pad}{name} {{\n{_hcl_body(value, depth + 1)}{pad}}}\n")
    return "".join(out)


def _block() -> st.SearchStrategy[str]:
    labels = st.one_of(
        st.tuples(st.sampled_from(["resource", "data"]), st.sampled_from(TYPES), IDENT)
        .map(lambda t: f'{t[0]} "{t[1]}" "{t[2]}"'),
        st.tuples(st.sampled_from(["module", "variable", "output", "provider"]), IDENT)
        .map(lambda t: f'{t[0]} "{t[1]}"'),
        st.sampled_from(["locals", "terraform"]),
    )
    return st.tuples(labels, _bodies()).map(lambda t: f"{t[0]} {{\n{_hcl_body(t[1], 1)}}}\n")


@given(st.lists(_block(), min_size=1, max_size=5))
def test_hcl_blocks(blocks: list[str]) -> None:
    assert_scans_cleanly({"infra/main.tf": "\n".join(blocks)})


@given(st.lists(_block(), min_size=1, max_size=3), st.lists(_block(), min_size=1, max_size=3))
def test_a_module_and_its_caller(caller: list[str], module: list[str]) -> None:
    call = 'module "app" {\n  source = "./modules/app"\n  name = "x"\n}\n'
    assert_scans_cleanly({"infra/main.tf": call + "\n".join(caller),
                          "infra/modules/app/main.tf": "\n".join(module)})


# ------------------------------------------------------------------ .tf.json

_RESOURCE_BODY = {NAMES: ANY, "lifecycle": {"prevent_destroy": ANY}, "tags": ANY}
TF_JSON = {
    "resource": {NAMES: {NAMES: _RESOURCE_BODY}},
    "data": {NAMES: {NAMES: ANY}},
    "module": {NAMES: {"source": ANY, NAMES: ANY}},
    "variable": {NAMES: {"default": ANY, "type": ANY}},
    "output": {NAMES: {"value": ANY}},
    "locals": ANY, "provider": ANY, "terraform": ANY,
}


@given(shaped(TF_JSON, (*WORDS, *TYPES), top=True))
def test_tf_json(data: dict[str, Any]) -> None:
    assert_scans_cleanly({"infra/main.tf.json": json.dumps(data, allow_nan=True)})


@given(st.text(alphabet=st.sampled_from(list('ab =\n{}[]"$%~<>#/*\\,.:()?!\t')), max_size=60))
def test_terraform_of_arbitrary_text(text: str) -> None:
    assert_scans_cleanly({"infra/main.tf": text})
