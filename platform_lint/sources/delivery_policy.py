"""What the organisation calls its environments and its default branch: the policy
every delivery check reads (`deploys`), apart from the recogniser so that a check
needing only the names (`checks.environment_versions`, on every YAML file) does not
import it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platform_lint.records import record


@record(frozen=True)
class Policy:
    """What the organisation calls its environments and its default branch."""

    production: tuple[str, ...] = ("prod", "production", "live")
    pre_production: tuple[str, ...] = (
        "staging", "stage", "stg", "canary", "preprod", "pre-prod", "uat", "qa", "preview",
        "test", "testing", "dev", "development", "sandbox", "review",
    )
    default_branches: tuple[str, ...] = ("main", "master")
    gate_environments: tuple[str, ...] = ("github-actions", "azure-pipelines")
    """Systems where an environment carries its approvals in settings, so naming one is a gate."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Policy:
        names = {"production_environments": "production",
                 "pre_production_environments": "pre_production",
                 "default_branches": "default_branches",
                 "environment_gate_systems": "gate_environments"}
        return cls(**{attr: tuple(params[key]) for key, attr in names.items() if key in params})


PARAMS_SCHEMA: dict[str, Any] = {
    "production_environments": {"type": "array", "items": {"type": "string"}},
    "pre_production_environments": {"type": "array", "items": {"type": "string"}},
    "default_branches": {"type": "array", "items": {"type": "string"}},
    "environment_gate_systems": {"type": "array", "items": {"type": "string"}},
}
"""JSON Schema properties for the `Policy` params every delivery check accepts."""
