"""What a Kubernetes object is, as the deploy-safety checks judge it (issue 14).

One answer per question, shared by every rule that asks it, so rules do not
each grow their own exceptions:

- `long_running`: whether a workload serves until replaced (a Deployment, a
  Pod with the default `restartPolicy: Always`) or runs to completion (a Job,
  a CronJob, a Helm or Argo CD hook, a Pod with `restartPolicy: Never` or
  `OnFailure`). Only long-running pods need probes and disruption budgets.
- `image_problem`: the single most specific thing wrong with an image
  reference (latest > no tag > mutable tag), so one image line carries one
  finding, not three; none for a name a build tool substitutes at deploy time.
- `canary_is_rolling_update`: an Argo Rollouts canary with no steps and no
  traffic routing replaces pods by maxSurge/maxUnavailable like a Deployment's
  rolling update, so it is judged as one.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from platform_lint.model import Obj, Path
from platform_lint.records import record

_POD_SPEC_PATHS: dict[str, Path] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

_RUN_TO_COMPLETION_KINDS = frozenset({"Job", "CronJob"})
_RUN_ONCE_RESTART_POLICIES = frozenset({"Never", "OnFailure"})
_HELM_HOOK = "helm.sh/hook"
_ARGOCD_HOOK = "argocd.argoproj.io/hook"
# Argo CD's `Skip` is not a hook: it tells Argo CD not to apply the object at all.
_ARGOCD_RUN_ONCE_HOOKS = frozenset({"PreSync", "Sync", "PostSync", "SyncFail", "PostDelete"})


def pod_spec_path(kind: str) -> Path | None:
    """Where a workload of `kind` keeps its pod spec, or None for other kinds."""
    return _POD_SPEC_PATHS.get(kind)


def _annotations(obj: Obj) -> Mapping[str, Any]:
    value = obj.get("metadata", "annotations")
    return value if isinstance(value, dict) else {}


def _is_hook(annotations: Mapping[str, Any]) -> bool:
    """Helm hooks (`test`, `test-success`, `pre-install`, ...) run at a release
    event and are not part of the running release; so are Argo CD sync hooks."""
    helm = annotations.get(_HELM_HOOK)
    if isinstance(helm, str) and helm.strip():
        return True
    argocd = annotations.get(_ARGOCD_HOOK)
    return isinstance(argocd, str) and any(
        part.strip() in _ARGOCD_RUN_ONCE_HOOKS for part in argocd.split(",")
    )


def long_running(obj: Obj) -> bool:
    """Whether `obj`'s pods run until replaced, rather than to completion."""
    if obj.kind in _RUN_TO_COMPLETION_KINDS or _is_hook(_annotations(obj)):
        return False
    base = pod_spec_path(obj.kind)
    restart = obj.get(*base, "restartPolicy") if base is not None else None
    return restart not in _RUN_ONCE_RESTART_POLICIES


# --- images -------------------------------------------------------------------


class ImageProblem(Enum):
    """What is wrong with an image reference, most specific first."""

    LATEST = "latest"
    UNTAGGED = "untagged"
    MUTABLE_TAG = "mutable-tag"


@record(frozen=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, image: str) -> ImageRef:
        rest, _, digest = image.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > slash:
            return cls(rest[:colon], rest[colon + 1 :], digest or None)
        return cls(rest, None, digest or None)

    @property
    def problem(self) -> ImageProblem | None:
        """The one problem to report: none once a digest decides what runs."""
        if self.digest is not None:
            return None
        if self.tag is None:
            return ImageProblem.UNTAGGED
        if self.tag == "latest":
            return ImageProblem.LATEST
        return ImageProblem.MUTABLE_TAG


def image_problem(obj: Obj, path: Path, ref: ImageRef) -> ImageProblem | None:
    """The one problem of the image at `path` of `obj`, as deployed: an untagged name that a
    build tool replaces at deploy time is a placeholder, not an untagged image. Sources say
    which in their documents' model: `substituted_images` (a skaffold artifact, a kustomize
    `images:` entry that leaves the tag to the pipeline) or `from_values(path)` (an image a
    Helm chart prints from its values)."""
    problem = ref.problem
    if problem is ImageProblem.UNTAGGED and _set_at_deploy(obj, path, ref.repository):
        return None
    return problem


def _set_at_deploy(obj: Obj, path: Path, repository: str) -> bool:
    model = obj.doc.model
    names = getattr(model, "substituted_images", None)
    if isinstance(names, frozenset) and repository in names:
        return True
    from_values = getattr(model, "from_values", None)
    return callable(from_values) and from_values((*obj.path, *path)) is True


# --- Argo Rollouts ------------------------------------------------------------


def canary_is_rolling_update(canary: Mapping[str, Any]) -> bool:
    """A canary with no steps and no trafficRouting: Argo Rollouts scales the new
    ReplicaSet up and the old one down by maxSurge/maxUnavailable, as a
    Deployment's rolling update does. With trafficRouting and no steps, the
    router is switched to 100% of the new version at once."""
    steps = canary.get("steps")
    return not (isinstance(steps, list) and steps) and not canary.get("trafficRouting")
