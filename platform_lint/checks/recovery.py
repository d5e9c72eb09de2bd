"""Disaster recovery: stateful data with no backup schedule, and no recent
restore drill on record (issue 16).

Stateful data: databases, buckets, file systems and volumes in Terraform;
StatefulSets with volume claim templates and PersistentVolumeClaims in
Kubernetes. A backup schedule: the resource's own automated backups (RDS,
DocumentDB, Redshift and ElastiCache retention, DynamoDB point-in-time
recovery, Cloud SQL `backup_configuration`), an AWS Backup plan with a
selection, a DLM or Google snapshot policy for disks, a Velero `Schedule`
for the namespace.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks import tf_reading as tf
from platform_lint.finding import Hit
from platform_lint.model import Obj
from platform_lint.sources.terraform_values import UNKNOWN, Module

CHECKS = Registry()

# type -> the setting that gives it automated backups, and the value that turns them off
_RETENTION = {
    "aws_db_instance": "backup_retention_period",
    "aws_rds_cluster": "backup_retention_period",
    "aws_docdb_cluster": "backup_retention_period",
    "aws_neptune_cluster": "backup_retention_period",
    "aws_redshift_cluster": "automated_snapshot_retention_period",
}
_NEEDS_POLICY = (
    "aws_s3_bucket", "aws_dynamodb_table", "aws_efs_file_system", "aws_ebs_volume",
    "aws_elasticache_replication_group", "aws_fsx_lustre_file_system",
    "google_sql_database_instance", "google_storage_bucket", "google_compute_disk",
    "azurerm_storage_account", "azurerm_postgresql_flexible_server", "azurerm_mssql_database",
)
STATEFUL_TERRAFORM = (*_RETENTION, *_NEEDS_POLICY)
STATEFUL_KUBERNETES = ("StatefulSet", "PersistentVolumeClaim")
BACKUP_KINDS = ("aws_backup_plan", "aws_backup_selection", "aws_dlm_lifecycle_policy",
                "azurerm_data_protection_backup_instance_blob_storage",
                "google_compute_resource_policy", "google_compute_disk_resource_policy_attachment",
                "Schedule", "SnapshotSchedule")


_ALWAYS_BACKED_UP = ("azurerm_mssql_database", "azurerm_postgresql_flexible_server")
"""Services that keep automated backups that cannot be turned off (7 days by default)."""
_AZURE_BACKUP = "azurerm_data_protection_backup_instance_blob_storage"


def _setting(body: Any, module: Module, *steps: str) -> Any:
    """The first value at `steps` as the module knows it: `tf.MISSING` when absent,
    `UNKNOWN` when it cannot be known (an expression, a dynamic block)."""
    for _, raw in tf.walk(body, steps):
        return tf.known(module, raw)
    return UNKNOWN


def _own_backups(obj: Obj, module: Module) -> bool:
    """Whether the resource keeps its own automated backups; a value that cannot be
    known counts as on (a violation is never guessed)."""
    body = obj.value if isinstance(obj.value, dict) else {}
    if obj.kind in _ALWAYS_BACKED_UP:
        return True
    if obj.kind in _RETENTION:  # the API keeps one day when unset
        return bool(tf.norm(_setting(body, module, _RETENTION[obj.kind])) != ("number", 0.0))
    if obj.kind == "aws_elasticache_replication_group":
        value = _setting(body, module, "snapshot_retention_limit")
        return value is not tf.MISSING and tf.norm(value) != ("number", 0.0)
    steps = {"aws_dynamodb_table": ("point_in_time_recovery", "enabled"),
             "google_sql_database_instance": ("settings", "backup_configuration", "enabled")}
    if obj.kind in steps:
        value = _setting(body, module, *steps[obj.kind])
        return value is UNKNOWN or tf.norm(value) == ("bool", True)
    return False


def _stateful(obj: Obj) -> bool:
    if obj.kind in STATEFUL_TERRAFORM:
        return obj.doc.kind == "terraform"
    if obj.kind == "StatefulSet":
        return bool(obj.get("spec", "volumeClaimTemplates"))
    return obj.kind == "PersistentVolumeClaim"


def stateful_objects(objs: Sequence[Obj]) -> list[Obj]:
    return [o for o in objs if _stateful(o)]


def _velero_namespaces(objs: Sequence[Obj]) -> set[str] | None:
    """Namespaces a Velero (or snapshot) schedule covers; "*" for all; None if none."""
    found: set[str] | None = None
    for obj in objs:
        if obj.kind == "SnapshotSchedule" or (
                obj.kind == "Schedule" and "velero" in str(obj.get("apiVersion", default=""))):
            found = found or set()
            included = obj.get("spec", "template", "includedNamespaces", default=["*"])
            found.update(str(n) for n in (included if isinstance(included, list) else ["*"]))
    return found


def _covered(obj: Obj, module: Module | None, kinds: set[str], velero: set[str] | None) -> bool:
    if module is None:
        namespace = str(obj.get("metadata", "namespace", default="default"))
        return velero is not None and ("*" in velero or namespace in velero)
    if _own_backups(obj, module):
        return True
    if obj.kind == "azurerm_storage_account" and _AZURE_BACKUP in kinds:
        return True
    if obj.kind.startswith("aws_") and {"aws_backup_plan", "aws_backup_selection"} <= kinds:
        return True
    if obj.kind == "aws_ebs_volume" and "aws_dlm_lifecycle_policy" in kinds:
        return True
    return obj.kind == "google_compute_disk" and "google_compute_resource_policy" in kinds


@CHECKS.check("stateful-data-without-backup", over="set")
@tf.distinct
def stateful_data_without_backup(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """Stateful data no backup covers, a Terraform resource in each context of its
    module (values through variables, locals, module calls and var files)."""
    kinds = {o.kind for o in objs}
    velero = _velero_namespaces(objs)
    stateful = stateful_objects(objs)
    judged: list[tuple[Obj, Module | None]] = [(o, None) for o in stateful if o.doc.kind != "terraform"]
    judged += [(o, m) for o, m in tf.scoped([o for o in objs if o.doc.kind != "kubernetes"])
               if o.kind in STATEFUL_TERRAFORM]
    for obj, module in judged:
        if _covered(obj, module, kinds, velero):
            continue
        yield Hit(obj, f"{obj.kind} {obj.name} holds data but no backup schedule covers it: "
                  f"{_hint(obj)}", path=("kind",) if module is None else (), key=True)


def _hint(obj: Obj) -> str:
    if obj.doc.kind == "kubernetes":
        return "add a Velero Schedule that includes its namespace"
    if obj.kind in _RETENTION:
        return f"set {_RETENTION[obj.kind]} to the days of backups to keep"
    if obj.kind == "aws_dynamodb_table":
        return "set point_in_time_recovery { enabled = true }, or add an AWS Backup plan and selection"
    if obj.kind == "aws_elasticache_replication_group":
        return "set snapshot_retention_limit to the days of snapshots to keep"
    if obj.kind == "google_sql_database_instance":
        return "set settings { backup_configuration { enabled = true } }"
    if obj.kind == "google_compute_disk":
        return "attach a snapshot schedule (google_compute_resource_policy)"
    if obj.kind == "azurerm_storage_account":
        return f"protect its blobs with an Azure Backup vault ({_AZURE_BACKUP})"
    if obj.kind.startswith("aws_"):
        return "add an AWS Backup plan and selection"
    return "copy it on a schedule to storage it cannot be deleted with"


_DATE = re.compile(r"(20\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])")


def _dates(text: str) -> Iterator[dt.date]:
    for m in _DATE.finditer(text):
        try:
            yield dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue


def _under(path: str, folders: Sequence[str]) -> bool:
    return any(path.startswith(f.rstrip("/") + "/") for f in folders)


@CHECKS.check("restore-drill-missing", over="set", params={
    "type": "object", "additionalProperties": False,
    "properties": {
        "drill_paths": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "max_age_days": {"type": "integer", "minimum": 1},
    },
})
def restore_drill_missing(objs: Sequence[Obj], params: Mapping[str, Any]) -> Iterator[Hit]:
    """A repository with stateful data and no drill record newer than `max_age_days`
    in `drill_paths`. A record's date is the newest date in its path or its head
    (the repository document carries the heads of files in record folders)."""
    repo = next((o for o in objs if o.kind == "repository"), None)
    data = stateful_objects(objs)
    if repo is None or not data:
        return
    folders = params.get("drill_paths", ["infra/disaster-recovery"])
    max_age = int(params.get("max_age_days", 180))
    today = dt.date.fromisoformat(repo.value["today"])
    records = [p for p in repo.value["tree"] if _under(p, folders)]
    texts: dict[str, str] = repo.value.get("records", {})
    dated = [d for p in records for d in (*_dates(p), *_dates(texts.get(p, ""))) if d <= today]
    newest = max(dated, default=None)
    if newest is not None and (today - newest).days <= max_age:
        return
    where = " or ".join(f"{f.rstrip('/')}/" for f in folders)
    if newest is not None:
        why = f"the newest drill record in {where} is from {newest}, over {max_age} days ago"
    elif records:
        why = f"the records in {where} carry no date (YYYY-MM-DD in the name or text)"
    else:
        why = f"there is no drill record in {where}"
    more = f" and {len(data) - 1} more" if len(data) > 1 else ""
    yield Hit(repo, f"the repository holds stateful data ({data[0].kind} {data[0].name}{more}) but "
              f"{why}: recovery must be tested; run a restore drill and commit its record", path=())
