"""The shared answers the Kubernetes rules ask (issue 14): run-once or long-running,
an image reference's one problem, a canary that is a rolling update."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from fixture_harness import FIXTURES, Expectation, all_rules, expectations, found, scan_fixture
from platform_lint.checks.k8s_workloads import (
    ImageProblem,
    ImageRef,
    canary_is_rolling_update,
    long_running,
)
from platform_lint.model import Obj
from platform_lint.sources import kubernetes as source

RULES = all_rules()
IMAGE_RULES = ("image-tag-latest", "image-without-tag", "image-not-pinned-by-digest")


def load_one(text: str) -> Obj:
    parsed = source.load("k8s/app.yaml", text, lambda _: None)
    assert not parsed.problems
    (obj,) = [obj for doc in parsed.documents for obj in source.objects(doc)]
    return obj


def pod(annotations: str = "{}", restart: str | None = None) -> str:
    policy = f"  restartPolicy: {restart}\n" if restart else ""
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
        f"  annotations: {annotations}\nspec:\n{policy}"
        "  containers:\n    - name: c\n      image: registry.example.com/c:1.0\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (pod(), True),
        (pod(restart="Always"), True),
        (pod(restart="Never"), False),
        (pod(restart="OnFailure"), False),
        (pod('{"helm.sh/hook": test}'), False),
        (pod('{"helm.sh/hook": test-success}'), False),
        (pod('{"helm.sh/hook": "pre-install,pre-upgrade"}'), False),
        (pod('{"helm.sh/hook-weight": "5"}'), True),
        (pod('{"helm.sh/hook": ""}'), True),
        (pod('{"argocd.argoproj.io/hook": PostSync}'), False),
        (pod('{"argocd.argoproj.io/hook": Skip}'), True),
        ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {}\n", False),
        ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\nspec: {}\n", False),
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n", True),
    ],
)
def test_long_running(text: str, expected: bool) -> None:
    assert long_running(load_one(text)) is expected


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("nginx", ImageProblem.UNTAGGED),
        ("registry.example.com:5000/team/app", ImageProblem.UNTAGGED),
        ("nginx:latest", ImageProblem.LATEST),
        ("nginx:1.27", ImageProblem.MUTABLE_TAG),
        ("registry.example.com:5000/team/app:2.0", ImageProblem.MUTABLE_TAG),
        ("nginx@sha256:abc", None),
        ("nginx:latest@sha256:abc", None),
        ("nginx:1.27@sha256:abc", None),
    ],
)
def test_an_image_has_at_most_one_problem(image: str, problem: ImageProblem | None) -> None:
    assert ImageRef.parse(image).problem is problem


def test_image_rules_together_give_one_finding_per_image_line() -> None:
    """Every image rule's bad fixtures, scanned with all image rules at once, carry
    exactly their own rule's expectations, and no line of any image rule's
    fixtures gets a second image finding."""
    rules = [RULES[r] for r in IMAGE_RULES]
    for rule_id in IMAGE_RULES:
        for kind in ("bad", "good"):
            case = FIXTURES / "rules" / rule_id / kind
            result = scan_fixture(case, rules, frozenset(RULES))
            assert not result.errors
            if kind == "bad":
                expected: Counter[Expectation] = expectations(case)
                assert found(result) == expected, case
            per_line = Counter((path, line) for path, line, _ in found(result).elements())
            assert all(count == 1 for count in per_line.values()), case


@pytest.mark.parametrize(
    ("canary", "rolling"),
    [
        ({}, True),
        ({"steps": [], "maxSurge": "25%"}, True),
        ({"canaryService": "a-canary", "stableService": "a"}, True),
        ({"trafficRouting": {"nginx": {"stableIngress": "a"}}}, False),
        ({"steps": [{"setWeight": 10}]}, False),
    ],
)
def test_canary_is_rolling_update(canary: dict[str, Any], rolling: bool) -> None:
    assert canary_is_rolling_update(canary) is rolling
