"""The Kubernetes deploy-safety rules on real repositories, at lines checked by reading them.

Corpus: madhuakula/kubernetes-goat and GoogleCloudPlatform/microservices-demo's
kubernetes-manifests (see ../shared/corpus/MANIFEST.tsv for the commits).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_harness import all_rules, found, scan_fixture

RULES = all_rules()
KUBERNETES_RULES = [rule for rule in RULES.values() if rule.scope.documents == {"kubernetes"}]


def scan(root: Path) -> set[tuple[str, int, str]]:
    if not root.is_dir():
        pytest.skip(f"{root} is not present")
    result = scan_fixture(root, KUBERNETES_RULES, frozenset(RULES))
    assert not result.errors
    return set(found(result))


def test_kubernetes_goat(corpus: Path) -> None:
    got = scan(corpus / "madhuakula+kubernetes-goat")
    expected = {
        # `- name: health-check` has neither probe; its image has no tag (nor digest)
        ("scenarios/health-check/deployment.yaml", 15, "missing-readiness-probe"),
        ("scenarios/health-check/deployment.yaml", 15, "missing-liveness-probe"),
        ("scenarios/health-check/deployment.yaml", 16, "image-without-tag"),
        # no replicas and no HPA: reported on `spec:`
        ("scenarios/health-check/deployment.yaml", 5, "single-replica-workload"),
        # the Deployment after a Namespace and a Service in the same file
        ("scenarios/cache-store/deployment.yaml", 36, "missing-readiness-probe"),
        ("scenarios/cache-store/deployment.yaml", 36, "missing-resource-requests"),
        ("scenarios/cache-store/deployment.yaml", 37, "image-without-tag"),
        ("scenarios/cache-store/deployment.yaml", 26, "single-replica-workload"),
        # `image: docker.io/aquasec/kube-bench:latest` in a Job
        ("scenarios/kube-bench-security/node-job.yaml", 12, "image-tag-latest"),
        ("scenarios/batch-check/job.yaml", 12, "image-without-tag"),
    }
    assert expected <= got
    # one line, one problem: the missing tag is reported, not also the missing digest
    assert ("scenarios/health-check/deployment.yaml", 16, "image-not-pinned-by-digest") not in got
    # health-check sets only limits, which the API server copies into requests
    assert ("scenarios/health-check/deployment.yaml", 17, "missing-resource-requests") not in got
    # Jobs are not asked for probes; Helm templates are skipped, not parsed
    assert not any(rule.endswith("-probe") and "job" in path for path, _, rule in got)
    assert not any("/templates/" in path for path, _, _ in got)


def test_microservices_demo(corpus: Path) -> None:
    got = scan(corpus / "GoogleCloudPlatform+microservices-demo" / "kubernetes-manifests")
    expected = {
        # `image: frontend` is a skaffold placeholder with no tag
        ("frontend.yaml", 47, "image-without-tag"),
        ("frontend.yaml", 21, "single-replica-workload"),
        # same grpc probe on port 9555 for readiness (line 59) and liveness (line 64)
        ("adservice.yaml", 64, "identical-liveness-readiness-probe"),
        # `image: redis:alpine` has a tag but no digest
        ("cartservice.yaml", 118, "image-not-pinned-by-digest"),
        ("cartservice.yaml", 125, "identical-liveness-readiness-probe"),
        # `replicas: 1`
        ("loadgenerator.yaml", 24, "single-replica-workload"),
        # `- name: main` has no probes; its init container `- command:` has no resources
        ("loadgenerator.yaml", 72, "missing-readiness-probe"),
        ("loadgenerator.yaml", 72, "missing-liveness-probe"),
        ("loadgenerator.yaml", 41, "missing-resource-requests"),
        ("loadgenerator.yaml", 80, "image-without-tag"),
    }
    assert expected <= got
    # frontend's probes differ in one header value, so they are not identical
    assert not any(p == "frontend.yaml" and r.startswith("identical") for p, _, r in got)
    # busybox in loadgenerator is pinned: `busybox:1.38.0@sha256:...`
    assert not any(p == "loadgenerator.yaml" and line == 67 for p, line, _ in got)
    assert ("cartservice.yaml", 118, "image-without-tag") not in got
