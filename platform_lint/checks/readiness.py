"""Evidence checks for the readiness scorecard (`platform_lint.readiness`).

The scorecard asks "is there any X in the repository?" as well as "is
anything wrong?". Its criteria file names the evidence it looks for; each
piece of evidence runs as a rule whose check is `readiness.evidence`, and
every hit is a place where it was seen. No finding of these reaches a user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.finding import Hit
from platform_lint.model import Obj
from platform_lint.sources import deploys
from platform_lint.sources.pipeline_model import Job, Pipeline

CHECKS = Registry()

_STEP_TESTS: dict[str, Callable[..., bool]] = {
    "test": deploys.does_test,
    "security-scan": deploys.does_scan,
}
_JOB_TESTS: dict[str, Callable[[Pipeline, Job], object]] = {
    "deploy": lambda _p, job: deploys.deploy(job),
    "rollback": lambda p, job: deploys.deploy(job) and deploys.rollback(p, job),
    "progressive": lambda _p, job: deploys.deploy(job) and deploys.progressive(job),
    "verification": lambda p, job: deploys.deploy(job) and deploys.verification(p, job),
}


@CHECKS.check("evidence", params={
    "type": "object", "additionalProperties": False,
    "properties": {
        "where": {"type": "object", "description": "a JSON Schema the object must satisfy"},
        "pipeline": {"enum": [*_STEP_TESTS, *_JOB_TESTS]},
    },
})
def evidence(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A hit for each place the evidence is seen: the object itself (matching
    `where` when given), or a pipeline job doing what `pipeline` names."""
    what = params.get("pipeline")
    if what is not None:
        yield from _pipeline_evidence(obj, what)
        return
    where = params.get("where")
    if where is not None:
        from platform_lint.validation import schema_errors

        if next(iter(schema_errors(obj.value, where)), None) is not None:
            return
    yield Hit(obj, f"{obj.kind} {obj.name}", path=("kind",) if obj.doc.kind == "kubernetes" else ())


def _pipeline_evidence(obj: Obj, what: str) -> Iterator[Hit]:
    pipeline = obj.doc.model
    if not isinstance(pipeline, Pipeline):
        return
    for job in pipeline.jobs:
        if job.file != obj.doc.path:
            continue
        if what in _STEP_TESTS:
            found = any(_STEP_TESTS[what](step) for step in job.steps)
        else:
            found = bool(_JOB_TESTS[what](pipeline, job))
        if found:
            yield Hit(obj, f"job {job.id} ({what})", path=job.path, key=True)
