"""Container images: no tag, the moving tag `latest`, no digest (one finding per image, the most specific).

An image whose tag a build tool sets at deploy time (a skaffold artifact, a
kustomize `images:` entry) is not reported as untagged: see `k8s_workloads.image_problem`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from platform_lint.checks import Registry
from platform_lint.checks.k8s_objects import container_name, containers
from platform_lint.checks.k8s_workloads import ImageProblem, ImageRef, image_problem
from platform_lint.finding import Hit
from platform_lint.model import Obj, Path

CHECKS = Registry()


_TEMPLATED = re.compile(r"\$\{|\{\{|\$\(")


def _images(obj: Obj) -> Iterator[tuple[Path, dict[str, Any], str, ImageRef, ImageProblem | None]]:
    """Every container image written out literally (not a ${VAR} placeholder), with its problem."""
    for path, container in containers(obj, init=True):
        image = container.get("image")
        if isinstance(image, str) and image.strip() and not _TEMPLATED.search(image):
            ref = ImageRef.parse(image.strip())
            at = (*path, "image")
            yield at, container, image, ref, image_problem(obj, at, ref)


def _problem_hits(obj: Obj, wanted: ImageProblem, advice: Callable[[str, ImageRef], str]) -> Iterator[Hit]:
    """A finding on each image whose one problem is `wanted`: the container, the image, then `advice`."""
    for path, container, image, ref, problem in _images(obj):
        if problem is wanted:
            message = f"container {container_name(container)!r} image {image!r} {advice(image, ref)}"
            yield Hit(obj, message, path=path)


@CHECKS.check("image-without-tag")
def image_without_tag(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    return _problem_hits(obj, ImageProblem.UNTAGGED, lambda _image, ref: (
        "has no tag, so it runs whatever 'latest' is at pull time; "
        f"write {ref.repository}:<version>@sha256:<digest>"))


@CHECKS.check("image-tag-latest")
def image_tag_latest(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    return _problem_hits(obj, ImageProblem.LATEST, lambda _image, ref: (
        f"uses the moving tag 'latest'; write {ref.repository}:<version>@sha256:<digest>"))


@CHECKS.check("image-not-pinned-by-digest")
def image_not_pinned_by_digest(obj: Obj, params: Mapping[str, Any]) -> Iterator[Hit]:
    return _problem_hits(obj, ImageProblem.MUTABLE_TAG, lambda image, _ref: (
        "is not pinned by digest, so a signature cannot be tied to what runs; "
        f"write {image}@sha256:<digest>"))
