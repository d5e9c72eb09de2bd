"""GitHub Actions token permissions: least privilege for `GITHUB_TOKEN`.

A workflow without a top-level `permissions:` gives each job that does not
declare its own the repository's default token, which on many repositories
(and every one created before 2023) can write contents, packages and pull
requests; `write-all` does so explicitly. Findings point at the job key (the
job that runs with the default) or at the `permissions` value at fault.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj

CHECKS = Registry()

_DEFAULT = (
    "job {job!r} runs with the repository's default GITHUB_TOKEN permissions (often write "
    "access to contents, packages and pull requests): declare `permissions: {{contents: read}}` "
    "at the top of the workflow and grant more only on the job that needs it")
_WRITE_ALL = ("`permissions: write-all` gives {whom} a token that can write to everything in the "
              "repository; grant only the scopes needed (`contents: read`, `security-events: "
              "write`...)")
_TOP_WRITE = ("top-level `permissions` grant {scope}: write to every job in the workflow; declare it "
              "on the job that needs it instead")


@CHECKS.check("unrestricted-token-permissions", params={
    "type": "object", "additionalProperties": False,
    "properties": {"workflow_write_scopes": {"type": "array", "items": {"type": "string"}}},
})
def unrestricted_token_permissions(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """`workflow_write_scopes`: scopes a workflow may grant to all its jobs (none by default)."""
    data = obj.value
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, dict):
        return  # not a workflow (an action's metadata, or not parsed as one)
    top = data.get("permissions")
    allowed = set(params.get("workflow_write_scopes", ()))
    if top == "write-all":
        yield Hit(obj, _WRITE_ALL.format(whom="every job"), path=("permissions",))
    elif isinstance(top, dict) and len(jobs) > 1:  # with one job, top level is job level
        for scope, level in top.items():
            if level == "write" and scope not in allowed:
                yield Hit(obj, _TOP_WRITE.format(scope=scope), path=("permissions", scope), key=True)
    for name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        own = job.get("permissions")
        if own == "write-all":
            yield Hit(obj, _WRITE_ALL.format(whom=f"job {name!r}"), path=("jobs", name, "permissions"))
        elif "permissions" not in data and "permissions" not in job:
            yield Hit(obj, _DEFAULT.format(job=name), path=("jobs", name), key=True)
