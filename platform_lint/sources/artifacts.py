"""What a pipeline step does to artifacts: publishes an image, package or release; signs one.

Pure functions over the model: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from platform_lint.sources.pipeline_model import Step
from platform_lint.sources.step_commands import (
    Evidence,
    command_evidence,
    command_lines,
    matching,
    positional_arguments,
    rx,
    step_evidence,
    truthy,
)

_PUBLISH_CMD = rx(
    r"\b(docker|podman|buildah)\s+(image\s+)?push\b", r"\bdocker\s+buildx\s+build\b.*--push\b",
    r"\bko\s+(build|publish|resolve|apply)\b", r"\bjib(:build)?\b", r"\bcrane\s+(push|copy|cp)\b",
    r"\bskopeo\s+copy\b", r"\bgcloud\s+builds\s+submit\b", r"\btwine\s+upload\b",
    r"\b(npm|yarn|pnpm)\s+publish\b", r"\bgh\s+release\s+upload\b", r"\bmvn\b.*\sdeploy\b",
    r"\bgradlew?\b.*\spublish\b", r"\bpoetry\s+publish\b",
    r"(?:^|(?<=\n))(?>.*\bgoreleaser\b)(?!.*--snapshot)",  # the last goreleaser on the line
    r"\bcargo\s+publish\b", r"\bgem\s+push\b", r"\bnuget\s+push\b", r"\b(uv|flit)\s+publish\b",
    r"\bhelm\s+push\b", r"\bdocker[- ]compose\b.*\spush\b", r"\bcr\s+upload\b",
)
_PUBLISH_USES = rx(
    r"^docker/build-push-action@", r"^pypa/gh-action-pypi-publish@",
    r"^goreleaser/goreleaser-action@", r"^JS-DevTools/npm-publish@",
    r"^redhat-actions/push-to-registry@", r"push-?image", r"build-and-push", r"^docker/publish",
    r"ecr-push", r"^helm/chart-releaser-action@",
)
_SIGN_CMD = rx(
    r"\bcosign\s+(sign|attest)", r"\bsigstore\s+sign\b", r"\bnotation\s+sign\b",
    r"\b(npm|pnpm|yarn)\s+publish\b.*--provenance\b",
    r"\bgpg2?\b.*\s--(detach-sign|detach-sig|sign|clearsign|clear-sign)\b",
    r"\bgpg2?\b.*\s-[a-z]*[bs][a-z]*(\s|$)",  # -b (detach), -s (sign), combined as -ab, -sb
    r"\bdocker\s+trust\s+sign\b",
    r"\bhelm[0-9]?\s+package\b.*\s--sign\b",  # writes the chart's .prov provenance file
    r"\bcr\s+(package|upload)\b.*\s--sign\b",  # chart-releaser
    r"\w\.prov\b",  # a chart's provenance file, uploaded or verified
)
_SIGN_USES = rx(
    r"^actions/attest(-build-provenance|-sbom)?@", r"^sigstore/gh-action-sigstore-python@",
    r"^slsa-framework/slsa-github-generator/", r"^sigstore/cosign-installer@",
)
_COSIGN = rx(r"\bcosign\s+(sign|attest)")
_KEYLESS_USES = rx(r"^actions/attest", r"^sigstore/gh-action-sigstore-python@",
                    r"^slsa-framework/slsa-github-generator/", r"^pypa/gh-action-pypi-publish@")


def publish(step: Step) -> Evidence | None:
    """The step pushes a container image or publishes a package or release."""
    found = matching(step, _PUBLISH_CMD) or next(
        (c for c in command_lines(step) if _gh_release_with_assets(c[0])), None)
    if found is not None:
        return command_evidence(f"`{found[0]}`", step, found)
    uses = step.uses or ""
    if uses.startswith("docker/build-push-action@"):
        return step_evidence(f"`{uses}` with push", step) if truthy(step.with_.get("push")) else None
    if uses.startswith(("softprops/action-gh-release@", "ncipollo/release-action@")):
        assets = step.with_.get("files") or step.with_.get("artifacts")
        return step_evidence(f"`{uses}` with assets", step) if assets else None
    if re.match(r"^(Docker|NuGetCommand|Npm|DotNetCoreCLI)@", uses):
        command = str(step.with_.get("command", "")).lower()
        if command in ("push", "buildandpush", "publish") and not uses.startswith("DotNet"):
            return step_evidence(f"`{uses}` {command}", step)
        return None
    if uses and _PUBLISH_USES.search(uses):
        return step_evidence(f"`{uses}`", step)
    for key, value in step.with_.items():
        if (_PUSH_INPUT.match(key) and truthy(value)) or (
                key in ("action", "command") and _PUSH_VALUE.search(str(value))):
            return step_evidence(f"`{uses}` with `{key}: {value}`", step)
    return None


_PUSH_INPUT = re.compile(r"^push([-_]images?)?$", re.I)
_PUSH_VALUE = re.compile(r"(image|package)[-_]?(publish|push)|^(publish|push)$", re.I)


_GH_FLAGS_WITH_VALUE = {"-t", "--title", "-n", "--notes", "-F", "--notes-file", "--target",
                        "-R", "--repo", "--discussion-category", "--notes-start-tag"}


def _gh_release_with_assets(line: str) -> bool:
    """`gh release create TAG FILE...`: a release that uploads assets."""
    if not re.search(r"\bgh\s+release\s+create\b", line):
        return False
    found = positional_arguments(line[re.search(r"\bcreate\b", line).end():],  # type: ignore[union-attr]
                                 _GH_FLAGS_WITH_VALUE)
    return found is not None and len(found) >= 2


def signing(step: Step) -> Evidence | None:
    """The step signs or attests an artifact (or publishes with provenance)."""
    found = matching(step, _SIGN_CMD)
    if found is not None:
        return command_evidence(f"`{found[0]}`", step, found)
    uses = step.uses or ""
    if _SIGN_USES.search(uses):
        return step_evidence(f"`{uses}`", step)
    if uses.startswith("pypa/gh-action-pypi-publish@") and not step.with_.get("password"):
        return step_evidence("PyPI trusted publishing", step)
    setting = signing_setting(step.env)
    return step_evidence(setting, step) if setting is not None else None


_SIGNING_SETTINGS = ("NPM_CONFIG_PROVENANCE", "DOCKER_CONTENT_TRUST", "CR_SIGN")
"""Variables that make a publishing tool sign: npm provenance, Docker Content Trust,
chart-releaser's `CR_SIGN` (a `.prov` file for each chart)."""


def signing_setting(env: Mapping[str, Any]) -> str | None:
    """The variable among `env` (a step's, job's or pipeline's) that turns signing on."""
    return next((name for name in _SIGNING_SETTINGS if truthy(env.get(name))), None)


def keyless(step: Step) -> bool:
    """The step signs with an OIDC identity (Sigstore keyless), which needs `id-token: write`."""
    found = matching(step, _COSIGN)
    if found is not None:
        return not re.search(r"--key\b", found[0])
    return bool(step.uses and _KEYLESS_USES.search(step.uses)) and not step.with_.get("password")
