"""`platform-lint render CHART`: print what `helm template` would, so users see what is judged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from platform_lint.helm import words

if TYPE_CHECKING:
    from platform_lint.helm.render import Manifest

KIND_ORDER = words(
    "PriorityClass Namespace NetworkPolicy ResourceQuota LimitRange PodSecurityPolicy PodDisruptionBudget "
    "ServiceAccount Secret SecretList ConfigMap StorageClass PersistentVolume PersistentVolumeClaim "
    "CustomResourceDefinition ClusterRole ClusterRoleList ClusterRoleBinding ClusterRoleBindingList Role "
    "RoleList RoleBinding RoleBindingList Service DaemonSet Pod ReplicationController ReplicaSet "
    "Deployment HorizontalPodAutoscaler StatefulSet Job CronJob IngressClass Ingress APIService"
)
@click.command("render")
@click.argument("chart", type=click.Path(exists=True, file_okay=False))
@click.option("--values", "-f", "values_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A values file over the chart's values.yaml (repeatable; later files win).")
@click.option("--set", "set_values", multiple=True, metavar="K=V", help="Override a value (repeatable).")
@click.option("--set-string", "set_strings", multiple=True, metavar="K=V",
              help="Override a value as a string.")
@click.option("--release-name", default="release-name", show_default=True)
@click.option("--namespace", "-n", default="default", show_default=True)
@click.option("--kube-version", default="1.29", show_default=True,
              help="Kubernetes version for .Capabilities.")
@click.option("--api-versions", "-a", multiple=True, help="Extra API versions for .Capabilities.APIVersions.")
def render_command(chart: str, values_files: tuple[str, ...], set_values: tuple[str, ...],
                   set_strings: tuple[str, ...], release_name: str, namespace: str, kube_version: str,
                   api_versions: tuple[str, ...]) -> None:
    """Render CHART as `helm template` does (pure Python, no helm binary) and print the manifests."""
    from platform_lint.helm.chart import load_dir
    from platform_lint.helm.errors import TemplateError
    from platform_lint.helm.render import Options, render

    try:
        loaded = load_dir(chart)
    except TemplateError as exc:
        click.echo(f"platform-lint: {exc}", err=True)
        raise SystemExit(2) from None
    opts = Options(release_name=release_name, namespace=namespace, kube_version=kube_version,
                   api_versions=api_versions,
                   values_files=[(f, Path(f).read_text(encoding="utf-8", errors="replace"))
                                 for f in values_files],
                   set_values=list(set_values), set_string_values=list(set_strings))
    result = render(loaded, opts)
    click.echo(to_stream(result.manifests), nl=False)
    for notice in result.notices:
        click.echo(f"notice: {notice}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.errors:
        raise SystemExit(1)


def to_stream(manifests: list[Manifest]) -> str:
    """Multi-document YAML with `# Source:` comments, in Helm's install order."""
    docs: list[tuple[int, str, str, str]] = []
    for m in manifests:
        for doc in re.split(r"^---[ \t]*$", m.text, flags=re.MULTILINE):
            if not doc.strip():
                continue
            kind = re.search(r"^kind:\s*(\S+)", doc, re.MULTILINE)
            k = kind.group(1) if kind else ""
            order = KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER)
            docs.append((order, m.template, doc.strip("\n"), k))
    docs.sort(key=lambda d: (d[0], d[1]))
    return "".join(f"---\n# Source: {t}\n{text}\n" for _o, t, text, _k in docs)
