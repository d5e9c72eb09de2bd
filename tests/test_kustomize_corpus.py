"""Kustomize trees of a real repository (GoogleCloudPlatform/microservices-demo, see
../shared/corpus/MANIFEST.tsv): what `kustomize build` makes of them, worked out by reading
the kustomizations, and where findings on the built objects land."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_harness import all_rules, found, scan_fixture
from platform_lint.kustomize.build import build
from platform_lint.kustomize.nodes import to_plain

REPO = "GoogleCloudPlatform+microservices-demo"


def _reader(root: Path) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        file = root / path
        return file.read_text() if file.is_file() else None

    return read


def _root(corpus: Path) -> Path:
    root = corpus / REPO
    if not root.is_dir():
        pytest.skip(f"{root} is not present")
    return root


def test_memorystore_overlay_builds_as_kustomize_would(corpus: Path) -> None:
    root = _root(corpus)
    path = "kustomize/tests/memorystore-with-all-components/kustomization.yaml"
    read = _reader(root)
    result = build(path, read(path) or "", read)
    assert result.faults == [] and result.remote == []
    built = [to_plain(r.node) for r in result.resources]
    objects = {(o["kind"], o["metadata"]["name"]): o for o in built}
    # the memorystore component deletes the in-cluster redis and points cartservice elsewhere
    assert ("Deployment", "redis-cart") not in objects and ("Service", "redis-cart") not in objects
    cart = objects[("Deployment", "cartservice")]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "REDIS_ADDR", "value": "REDIS_CONNECTION_STRING"} in cart["env"]
    # network-policies adds one policy per service and a deny-all; google-cloud-operations its collector
    assert sum(kind == "NetworkPolicy" for kind, _ in objects) == 13
    assert ("Deployment", "opentelemetrycollector") in objects
    # cymbal-branding adds an env var to frontend without touching its others
    frontend = objects[("Deployment", "frontend")]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "CYMBAL_BRANDING", "value": "true"} in frontend["env"]
    assert any(e["name"] == "PORT" for e in frontend["env"])


def test_base_findings_land_on_the_base_and_patched_values_on_the_patch(corpus: Path) -> None:
    root = _root(corpus)
    rules = all_rules()
    chosen = [rules[r] for r in ("service-without-slo", "image-without-tag", "image-not-pinned-by-digest",
                                 "single-replica-workload")]
    result = scan_fixture(root, chosen, frozenset(rules))
    # the repository's kustomize/tests overlays build the base too: count what they hide
    got = {*found(result), *((h.finding.path, h.finding.span.line, h.finding.rule_id) for h in result.hidden)}
    # `image: redis:alpine` in the base, judged through the overlays that build it
    assert ("kustomize/base/cartservice.yaml", 118, "image-not-pinned-by-digest") in got
    # kubernetes-manifests' `image: cartservice` is a skaffold artifact: tagged at deploy time
    assert not any(r == "image-without-tag" and p.startswith("kubernetes-manifests/") for p, _, r in got)
    # a component's patch restates `kind: Deployment` to name its target: findings stay on the base
    assert not any(p.endswith("components/google-cloud-operations/kustomization.yaml") for p, _, _ in got)
