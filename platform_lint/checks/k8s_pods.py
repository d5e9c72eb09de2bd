"""What each container of a long-running pod needs: probes, resource requests and limits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks.k8s_objects import container_name, containers
from platform_lint.checks.k8s_workloads import long_running
from platform_lint.finding import Hit
from platform_lint.model import Obj

_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")

CHECKS = Registry()


@CHECKS.check(
    "missing-probe",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["probe"],
        "properties": {"probe": {"enum": list(_PROBES)}},
    },
)
def missing_probe(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Regular containers (not init containers) of a long-running workload
    without the probe named in params: a pod that runs to completion is never
    put behind a Service or restarted for hanging."""
    if not long_running(obj):
        return
    probe = params["probe"]
    advice = {
        "readinessProbe": "traffic and rollouts go to it before it can serve",
        "livenessProbe": "a hung process is never restarted",
        "startupProbe": "slow starts are judged by the liveness probe",
    }[probe]
    for path, container in containers(obj):
        if not isinstance(container.get(probe), dict):
            yield Hit(
                obj,
                f"container {container_name(container)!r} has no {probe}: {advice}; add {probe}: with an "
                "httpGet, grpc, tcpSocket or exec check",
                path=(*path, probe),
            )


@CHECKS.check("identical-liveness-readiness-probe")
def identical_liveness_readiness_probe(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    for path, container in containers(obj):
        liveness, readiness = container.get("livenessProbe"), container.get("readinessProbe")
        if isinstance(liveness, dict) and liveness == readiness:
            yield Hit(
                obj,
                f"container {container_name(container)!r} uses the same probe for liveness and readiness: "
                "a pod that is only busy or waiting on a dependency gets restarted instead of "
                "taken out of rotation; make livenessProbe a cheaper check that the process is "
                "alive, with a higher failureThreshold",
                path=(*path, "livenessProbe"),
                key=True,
            )


# --- resources ------------------------------------------------------------------
_EXAMPLE = {
    "requests": {"cpu": "100m", "memory": "128Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}


@CHECKS.check(
    "missing-resources",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["field"],
        "properties": {
            "field": {"enum": ["requests", "limits"]},
            "resources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    },
)
def missing_resources(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Containers (init containers included: they are scheduled too) lacking
    `resources.<field>.<name>` for each name in `resources` (default cpu, memory).

    A limit without a request counts as the request, as the API server
    defaults the request to the limit.
    """
    field = params["field"]
    wanted: list[str] = list(params.get("resources") or ["cpu", "memory"])
    for path, container in containers(obj, init=True):
        if path[-2] == "ephemeralContainers":
            continue  # ephemeral containers may not set resources
        declared = container.get("resources")
        declared = declared if isinstance(declared, dict) else {}
        section = declared.get(field)
        have = set(section) if isinstance(section, dict) else set()
        if field == "requests" and isinstance(declared.get("limits"), dict):
            have |= set(declared["limits"])
        missing = [name for name in wanted if name not in have]
        if missing:
            example = ", ".join(f"{n}: {_EXAMPLE[field].get(n, '<amount>')}" for n in missing)
            yield Hit(
                obj,
                f"container {container_name(container)!r} sets no {field} for {', '.join(missing)}; "
                f"add resources.{field}: {{{example}}}",
                path=(*path, "resources", field, missing[0])
                if section is not None
                else (*path, "resources", field),
            )
