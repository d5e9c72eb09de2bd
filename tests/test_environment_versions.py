"""Environment drift in variable files, Kustomize overlays and Helm values per environment."""

from __future__ import annotations

import pytest

from platform_lint.checks.environment_versions import placement
from platform_lint.sources import classify, terraform
from platform_lint.sources import kubernetes as k8s

DIRS = ("environments", "envs", "overlays")
NAMES = ("prod", "production", "staging", "dev")


@pytest.mark.parametrize(("path", "expected"), [
    ("app/overlays/prod/kustomization.yaml", ("app/overlays//kustomization.yaml", "prod")),
    ("app/overlays/prod/eu/kustomization.yaml", ("app/overlays//eu/kustomization.yaml", "prod")),
    ("environments/staging/values.yaml", ("environments//values.yaml", "staging")),
    ("chart/values-prod.yaml", ("chart//values", "prod")),
    ("chart/values.production.yaml", ("chart//values", "production")),
    ("chart/prod-values.yaml", ("chart//values", "prod")),
    ("infra/env/prod.tfvars", ("infra/env//tfvars", "prod")),
    ("infra/eu-prod.auto.tfvars", ("infra//tfvars", "eu-prod")),
    ("tfvars/staging/staging.tfvars", ("tfvars//tfvars", "staging")),
    ("infra/prod.tfvars.json", ("infra//tfvars", "prod")),
    # not environments: a values variant, a plain values file, a manifest
    ("chart/values-large.yaml", None),
    ("chart/values.yaml", None),
    ("k8s/deployment.yaml", None),
])
def test_where_an_environment_is_and_what_it_is_compared_with(
        path: str, expected: tuple[str, str] | None) -> None:
    assert placement(path, DIRS, NAMES) == expected


def test_a_variable_file_is_a_tfvars_document_with_spans() -> None:
    assert classify("env/prod.tfvars") == "terraform" and classify("env/prod.tfvars.json") == "terraform"
    parsed = terraform.load("env/prod.tfvars", 'image_tag = "1.2"\nreplicas = 3\n', lambda _: None)
    (doc,) = parsed.documents
    assert doc.kind == "tfvars" and doc.data == {"image_tag": "1.2", "replicas": 3}
    (obj,) = terraform.objects(doc)
    assert obj.kind == "tfvars" and doc.locate(("image_tag",)).line == 1


def test_a_kustomization_is_still_skipped_and_its_contents_read() -> None:
    text = "resources:\n  - github.com/acme/base?ref=v1\nimages:\n  - name: shop\n    newTag: '2'\n"
    parsed = k8s.load("overlays/prod/kustomization.yaml", text, lambda _: None)
    assert parsed.skipped == "kustomize"
    (doc,) = parsed.documents
    (obj,) = k8s.objects(doc)
    assert (doc.kind, obj.kind) == ("kustomization", "Kustomization")
    assert doc.locate(("images", 0, "newTag")).line == 5
    broken = k8s.load("overlays/prod/kustomization.yaml", "resources: [\n", lambda _: None)
    assert broken.documents == [] and broken.skipped == "kustomize" and broken.problems == []
