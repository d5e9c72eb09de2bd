"""Checks over Terraform resources.

Every check here runs over the set of Terraform objects in a rule's scope, so
it can see the `variable` and `locals` blocks of each module (directory) and
the `module` blocks calling it, and resolve `var.x` / `local.y` to what a
caller passes, else to their literal defaults (`terraform_values`). A rule
therefore lists `variable`, `locals` and `module` among its kinds. A module
called from elsewhere in the repository is judged once per call: a value the
caller passes is reported at the caller's argument, with the child's resource
as a related location; a value the child writes itself, at the child, once. A
value that cannot be known statically is never reported.

`terraform.settings` is the generic check: a list of conditions, each naming
an attribute path (nested blocks are walked, every instance of a repeated
block is checked), what to say when it is absent, and which values are
allowed or forbidden. The other checks need to relate resources to each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks import tf_reading as tf
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path
from platform_lint.sources.terraform import is_expression
from platform_lint.sources.terraform_values import UNKNOWN, Module, contexts, directories

CHECKS = Registry()

# ---------------------------------------------------------------- module calls


@CHECKS.check("module-call-not-evaluated", over="set")
def module_call_not_evaluated(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A module block whose child is not judged with its inputs, and why: a registry
    or remote source (never fetched), a source outside the repository, a cycle, a
    chain of calls deeper than the bound."""
    for call in contexts(objs)[1]:
        yield Hit(call.obj, f"module.{call.obj.name} is not evaluated: {call.refused}; the "
                  "resources it creates are not judged with these inputs", path=("source",))


# ---------------------------------------------------------------- settings

_VALUES = {"type": "array", "minItems": 1}
_CONDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path"],
    "properties": {
        "kinds": {"type": "array", "items": {"type": "string"}},
        "block": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "path": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "missing": {"type": "string"},
        "allow": _VALUES,
        "forbid": _VALUES,
        "message": {"type": "string"},
        "unless": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path"],
                "properties": {
                    "path": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "in": _VALUES,
                },
            },
        },
        "unless_module_has": {"type": "array", "items": {"type": "string"}},
    },
}


@CHECKS.check(
    "settings",
    over="set",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["conditions"],
        "properties": {"conditions": {"type": "array", "items": _CONDITION, "minItems": 1}},
    },
)
@tf.distinct
def settings(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """Each condition: `path` (below each `block` instance when given) must be present
    when `missing` says what to write, and its value must be in `allow` / not in
    `forbid`. `{value}` in `message` is the value found. `unless` skips objects
    whose attribute has one of the listed values (or is set at all, without `in`);
    `unless_module_has` skips modules holding an object of one of those kinds."""
    where = directories(objs)
    kinds_present = {(where[o.doc.path], o.kind) for o in objs}
    for obj, module in tf.scoped(objs):
        for cond in params["conditions"]:
            if "kinds" in cond and obj.kind not in cond["kinds"]:
                continue
            blockers = cond.get("unless_module_has", ())
            if any((module.directory, k) in kinds_present for k in blockers):
                continue
            if any(_matches(obj.value, module, rule) for rule in cond.get("unless", ())):
                continue
            yield from _condition(obj, module, cond)


def _matches(body: Any, module: Module, rule: Mapping[str, Any]) -> bool:
    for _, raw in tf.walk(body, rule["path"]):
        value = tf.known(module, raw)
        if value is UNKNOWN:
            return True  # cannot tell: do not guess a violation
        if value is tf.MISSING:
            continue
        if "in" not in rule or tf.norm(value) in {tf.norm(v) for v in rule["in"]}:
            return True
    return False


def _condition(obj: Obj, module: Module, cond: Mapping[str, Any]) -> Iterator[Hit]:
    scopes: list[tuple[Path, Any]] = [((), obj.value)]
    if "block" in cond:
        scopes = list(tf.walk(obj.value, cond["block"]))
        scopes = [(p, b) for p, b in scopes if b is not tf.MISSING]
        scopes = [(p + sub, block) for p, b in scopes for sub, block in _instances(b)]
    allow = {tf.norm(v) for v in cond.get("allow", ())}
    forbid = {tf.norm(v) for v in cond.get("forbid", ())}
    for base, body in scopes:
        for path, raw in tf.walk(body, cond["path"]):
            value = tf.known(module, raw)
            if value is UNKNOWN:
                continue
            if value is tf.MISSING:
                if "missing" in cond:
                    yield Hit(obj, cond["missing"], path=base + path, key=True)
                continue
            key = tf.norm(value)
            if (allow and key not in allow) or key in forbid:
                text = cond.get("message", "{value} is not allowed here")
                text = text.replace("{value}", tf.hcl(value))
                yield tf.value_hit(obj, module, raw, value, text, base + path)


def _instances(value: Any) -> list[tuple[Path, Any]]:
    if isinstance(value, list):
        return [((i,), v) for i, v in enumerate(value) if isinstance(v, dict)]
    return [((), value)] if isinstance(value, dict) else []


# ---------------------------------------------------------------- S3 versioning

_BUCKET_REF = re.compile(r"\baws_s3_bucket\.([A-Za-z_][A-Za-z0-9_-]*)")


@CHECKS.check("s3-versioning", over="set")
@tf.distinct
def s3_versioning(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """An `aws_s3_bucket` is versioned by an inline `versioning` block (provider v3) or
    by an `aws_s3_bucket_versioning` resource naming it (v4+) with status Enabled."""
    scoped = list(tf.scoped(objs))
    controls: dict[str, dict[str, Obj]] = {}  # directory -> bucket name or ref -> versioning obj
    blind: set[str] = set()  # modules with a versioning resource whose bucket is unknown
    for obj, module in scoped:
        if obj.kind != "aws_s3_bucket_versioning":
            continue
        yield from _status(obj, module)
        raw = obj.value.get("bucket")
        ref = _BUCKET_REF.search(raw) if isinstance(raw, str) else None
        target = ref[1] if ref else module.resolve(raw)
        if not isinstance(target, str) or (ref is None and is_expression(target)):
            blind.add(module.directory)
            continue
        controls.setdefault(module.directory, {})[target] = obj
    for obj, module in scoped:
        if obj.kind != "aws_s3_bucket":
            continue
        inline = list(tf.walk(obj.value, ("versioning", "enabled")))
        if obj.value.get("versioning") is not None or tf.has_dynamic(obj.value, "versioning"):
            yield from _inline_versioning(obj, module, inline)
            continue
        name = obj.name.split(".", 1)[1]
        bucket = module.resolve(obj.value.get("bucket"))
        known = controls.get(module.directory, {})
        if name in known or (isinstance(bucket, str) and bucket in known):
            continue
        if module.directory not in blind:
            yield Hit(
                obj,
                "bucket has no versioning: add resource \"aws_s3_bucket_versioning\" with "
                f"bucket = aws_s3_bucket.{name}.id and versioning_configuration "
                '{ status = "Enabled" } so overwritten or deleted objects can be recovered',
                key=True,
            )


def _inline_versioning(obj: Obj, module: Module, places: list[tuple[Path, Any]]) -> Iterator[Hit]:
    for path, raw in places:
        value = tf.known(module, raw)
        if value is UNKNOWN or (value is not tf.MISSING and tf.norm(value) == ("bool", True)):
            continue
        text = "versioning is not enabled: set enabled = true in the versioning block"
        if value is tf.MISSING:
            yield Hit(obj, text, path=path, key=True)
        else:
            yield tf.value_hit(obj, module, raw, value, text, path)


def _status(obj: Obj, module: Module) -> Iterator[Hit]:
    for path, raw in tf.walk(obj.value, ("versioning_configuration", "status")):
        value = tf.known(module, raw)
        if value is UNKNOWN or value == "Enabled":
            continue
        if value is tf.MISSING:
            yield Hit(obj, 'versioning status is not set: set status = "Enabled"', path=path, key=True)
        else:
            yield tf.value_hit(obj, module, raw, value,
                             f'versioning status is {tf.hcl(value)}: set status = "Enabled"', path)


# ---------------------------------------------------------------- alarms

_WATCHED = {
    "aws_db_instance": "DBInstanceIdentifier = aws_db_instance.{name}.identifier",
    "aws_rds_cluster": "DBClusterIdentifier = aws_rds_cluster.{name}.cluster_identifier",
    "aws_lb": "LoadBalancer = aws_lb.{name}.arn_suffix",
    "aws_alb": "LoadBalancer = aws_alb.{name}.arn_suffix",
    "aws_elb": "LoadBalancerName = aws_elb.{name}.name",
}
_ALARM = "aws_cloudwatch_metric_alarm"
_RESOURCE_REF = re.compile(r"\b(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)")


@CHECKS.check("resource-without-alarm", over="set")
@tf.distinct
def resource_without_alarm(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A database or load balancer that no CloudWatch metric alarm of its module refers
    to, by reference or by literal identifier. A module whose alarms name their
    targets through variables or other modules is skipped: the target is unknown."""
    scoped = list(tf.scoped(objs))
    seen: dict[str, set[str]] = {}
    blind: set[str] = set()
    for obj, module in scoped:
        if obj.kind != _ALARM:
            continue
        names = seen.setdefault(module.directory, set())
        for text in _dimension_values(obj.value):
            refs = _RESOURCE_REF.findall(text)
            names.update(f"{t}.{n}" for t, n in refs)
            resolved = module.resolve(text)
            if isinstance(resolved, str) and not is_expression(resolved):
                names.add(resolved)
            elif not refs:
                blind.add(module.directory)
    for obj, module in scoped:
        if obj.kind not in _WATCHED or module.directory in blind:
            continue
        names = seen.get(module.directory, set())
        ident = _identifiers(obj, module)
        if obj.name in names or ident & names:
            continue
        short = obj.name.split(".", 1)[1]
        yield Hit(
            obj,
            f"no {_ALARM} in this module watches {obj.name}: add one with "
            f"dimensions = {{ {_WATCHED[obj.kind].format(name=short)} }} and alarm_actions",
            key=True,
        )


def _dimension_values(value: Any) -> Iterator[str]:
    """The string values under every `dimensions` map of an alarm (metric queries too)."""
    if isinstance(value, list):
        for item in value:
            yield from _dimension_values(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "dimensions" and isinstance(item, dict):
                yield from (v for v in item.values() if isinstance(v, str))
            elif key == "dimensions" and isinstance(item, str):
                yield item  # the whole map from an expression
            else:
                yield from _dimension_values(item)


def _identifiers(obj: Obj, module: Module) -> set[str]:
    out = set()
    for attr in ("identifier", "cluster_identifier", "name"):
        value = module.resolve(obj.value.get(attr))
        if isinstance(value, str) and not is_expression(value):
            out.add(value)
    return out


# ---------------------------------------------------------------- autoscaling groups

_TEMPLATE_REF = re.compile(r"\baws_launch_template\.([A-Za-z_][A-Za-z0-9_-]*)")
_TEMPLATE_KEYS = ("id", "name", "launch_template_id", "launch_template_name")
_MOVING_VERSION = re.compile(r"\.(latest|default)_version\b")


@CHECKS.check("asg-instance-refresh", over="set")
@tf.distinct
def asg_instance_refresh(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """An autoscaling group following a launch template of its module that Terraform
    updates in place (version $Latest/$Default, unset, or latest_version) and no
    `instance_refresh`: a template change never rolls out in a controlled way."""
    for obj, module in tf.scoped(objs):
        if obj.kind != "aws_autoscaling_group" or "instance_refresh" in obj.value:
            continue
        if tf.has_dynamic(obj.value, "instance_refresh"):
            continue
        for template in _templates(obj.value):
            names = (template.get(k) for k in _TEMPLATE_KEYS)
            ref = next((m for n in names if isinstance(n, str) and (m := _TEMPLATE_REF.search(n))), None)
            if ref is None or not _moving(template.get("version"), module):
                continue
            yield Hit(
                obj,
                f"launch template aws_launch_template.{ref[1]} changes in place and this "
                "group has no instance_refresh, so a new template version never rolls out "
                'under control: add instance_refresh { strategy = "Rolling" preferences '
                "{ min_healthy_percentage = 90 } }",
                key=True,
            )
            break


def _templates(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for _, block in tf.blocks(body, "launch_template"):
        yield block
    for _, policy in tf.blocks(body, "mixed_instances_policy"):
        for _, wrapper in tf.blocks(policy, "launch_template"):
            for _, spec in tf.blocks(wrapper, "launch_template_specification"):
                yield spec


def _moving(raw: Any, module: Module) -> bool:
    if raw is None:
        return True  # defaults to $Default, which moves when the template's default does
    if isinstance(raw, str) and _MOVING_VERSION.search(raw):
        return True
    value = module.resolve(raw)
    return value in ("$Latest", "$Default")


# ---------------------------------------------------------------- ECS container insights


@CHECKS.check("ecs-container-insights", over="set")
@tf.distinct
def ecs_container_insights(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """An `aws_ecs_cluster` without `setting { name = "containerInsights" value =
    "enabled" }` (or "enhanced"), unless the module sets the account default."""
    scoped = list(tf.scoped(objs))
    account_on = {
        module.directory
        for obj, module in scoped
        if obj.kind == "aws_ecs_account_setting_default"
        and module.resolve(obj.value.get("name")) == "containerInsights"
        and module.resolve(obj.value.get("value")) in ("enabled", "enhanced")
    }
    for obj, module in scoped:
        if obj.kind != "aws_ecs_cluster" or module.directory in account_on:
            continue
        if tf.has_dynamic(obj.value, "setting"):
            continue
        found = False
        for path, block in tf.blocks(obj.value, "setting"):
            if module.resolve(block.get("name")) != "containerInsights":
                continue
            found = True
            raw = block.get("value", tf.MISSING)
            value = tf.known(module, raw)
            if value is UNKNOWN or value in ("enabled", "enhanced"):
                continue
            if value is tf.MISSING:
                yield Hit(obj, 'container insights is not set: set value = "enabled"',
                          path=(*path, "value"), key=True)
            else:
                yield tf.value_hit(obj, module, raw, value, f"container insights is {tf.hcl(value)}: "
                                 'set value = "enabled"', (*path, "value"))
        if not found:
            yield Hit(
                obj,
                "cluster has no container insights: add setting "
                '{ name = "containerInsights" value = "enabled" }',
                key=True,
            )
