"""Helm's own template objects and functions: .Files, .Capabilities, include, tpl, toYaml..."""

from __future__ import annotations

import base64
import json
import posixpath
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from platform_lint.helm import goyaml, words
from platform_lint.helm.errors import RenderLimit, TemplateError
from platform_lint.helm.executor import Executor, Func, GoObject, Template
from platform_lint.helm.funcs_core import strval
from platform_lint.helm.parser import Parsed, parse
from platform_lint.helm.values import copied, parse_yaml

# API groups/versions the Kubernetes 1.29 client libraries know (Helm's default set).
_DEFAULT_APIS = words(
    "v1 admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1alpha1 "
    "admissionregistration.k8s.io/v1beta1 apiextensions.k8s.io/v1 apiextensions.k8s.io/v1beta1 "
    "apiregistration.k8s.io/v1 apiregistration.k8s.io/v1beta1 apps/v1 apps/v1beta1 apps/v1beta2 "
    "authentication.k8s.io/v1 authentication.k8s.io/v1alpha1 authentication.k8s.io/v1beta1 "
    "authorization.k8s.io/v1 authorization.k8s.io/v1beta1 autoscaling/v1 autoscaling/v2 "
    "autoscaling/v2beta1 autoscaling/v2beta2 batch/v1 batch/v1beta1 certificates.k8s.io/v1 "
    "certificates.k8s.io/v1alpha1 certificates.k8s.io/v1beta1 coordination.k8s.io/v1 "
    "coordination.k8s.io/v1beta1 discovery.k8s.io/v1 discovery.k8s.io/v1beta1 events.k8s.io/v1 "
    "events.k8s.io/v1beta1 extensions/v1beta1 flowcontrol.apiserver.k8s.io/v1 "
    "flowcontrol.apiserver.k8s.io/v1beta1 flowcontrol.apiserver.k8s.io/v1beta2 "
    "flowcontrol.apiserver.k8s.io/v1beta3 networking.k8s.io/v1 networking.k8s.io/v1alpha1 "
    "networking.k8s.io/v1beta1 node.k8s.io/v1 node.k8s.io/v1alpha1 node.k8s.io/v1beta1 policy/v1 "
    "policy/v1beta1 rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1alpha1 "
    "rbac.authorization.k8s.io/v1beta1 resource.k8s.io/v1alpha2 scheduling.k8s.io/v1 "
    "scheduling.k8s.io/v1alpha1 scheduling.k8s.io/v1beta1 storage.k8s.io/v1 storage.k8s.io/v1alpha1 "
    "storage.k8s.io/v1beta1"
)
_DEFAULT_KINDS = words(
    "v1/Pod v1/Service v1/ConfigMap v1/Secret v1/ServiceAccount v1/Namespace v1/PersistentVolumeClaim "
    "apps/v1/Deployment apps/v1/DaemonSet apps/v1/StatefulSet apps/v1/ReplicaSet batch/v1/Job "
    "batch/v1/CronJob policy/v1/PodDisruptionBudget autoscaling/v2/HorizontalPodAutoscaler "
    "autoscaling/v1/HorizontalPodAutoscaler networking.k8s.io/v1/Ingress "
    "networking.k8s.io/v1/NetworkPolicy networking.k8s.io/v1/IngressClass "
    "rbac.authorization.k8s.io/v1/Role rbac.authorization.k8s.io/v1/ClusterRole "
    "rbac.authorization.k8s.io/v1/RoleBinding rbac.authorization.k8s.io/v1/ClusterRoleBinding "
    "storage.k8s.io/v1/StorageClass scheduling.k8s.io/v1/PriorityClass "
    "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration "
    "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration "
    "apiextensions.k8s.io/v1/CustomResourceDefinition"
)
class APIVersions(GoObject):
    def __init__(self, extra: tuple[str, ...] = ()) -> None:
        self.items = [*_DEFAULT_APIS, *_DEFAULT_KINDS, *extra]
        self._set = frozenset(self.items)

    def go_method(self, name: str) -> Func | None:
        return (lambda v: strval(v) in self._set) if name == "Has" else None

    def go_data(self) -> list[str]:
        return list(self.items)

    def go_string(self) -> str:
        return "[" + " ".join(self.items) + "]"


class KubeVersion(GoObject):
    def __init__(self, text: str) -> None:
        m = re.match(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$", text.strip())
        major, minor, patch, rest = (m.groups() if m else ("1", "29", "0", ""))
        self.version = f"v{major}.{minor or 0}.{patch or 0}{rest or ''}"
        self.major = major
        self.minor = minor or "0"

    def go_field(self, name: str) -> Any:
        fields = {"Version": self.version, "GitVersion": self.version,
                  "Major": self.major, "Minor": self.minor}
        if name not in fields:
            raise KeyError(name)
        return fields[name]

    def go_method(self, name: str) -> Func | None:
        return (lambda: self.version) if name == "String" else None

    def go_string(self) -> str:
        return self.version

    def go_data(self) -> dict[str, str]:
        return {"version": self.version, "major": self.major, "minor": self.minor}


class Capabilities(GoObject):
    def __init__(self, kube_version: str = "1.29", api_versions: tuple[str, ...] = ()) -> None:
        self.kube = KubeVersion(kube_version)
        self.apis = APIVersions(api_versions)

    def go_field(self, name: str) -> Any:
        if name == "KubeVersion":
            return self.kube
        if name == "APIVersions":
            return self.apis
        if name == "HelmVersion":
            return {"Version": "v3.16.0", "GitCommit": "", "GitTreeState": "", "GoVersion": ""}
        raise KeyError(name)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """gobwas/glob with '/' as separator: `*` stays in a segment, `**` crosses them."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            j = pattern.find("}", i)
            if j > i:
                out.append("(?:" + "|".join(re.escape(x) for x in pattern[i + 1 : j].split(",")) + ")")
                i = j + 1
                continue
            out.append(re.escape(c))
        elif c == "[":
            j = pattern.find("]", i)
            if j > i:
                body = pattern[i + 1 : j]
                negate = body.startswith("!")
                chars = "".join(x if x == "-" else re.escape(x) for x in body[negate:])
                out.append(("[^" if negate else "[") + chars + "]")
                i = j + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


class Files(GoObject):
    """The chart's non-template files, by path relative to the chart root."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def go_method(self, name: str) -> Func | None:
        methods: dict[str, Func] = {
            "Get": lambda p: self.files.get(strval(p), ""),
            "GetBytes": lambda p: self.files.get(strval(p), ""),
            "Glob": self.glob,
            "AsConfig": self.as_config,
            "AsSecrets": self.as_secrets,
            "Lines": lambda p: self.files.get(strval(p), "").split("\n"),
        }
        return methods.get(name)

    def glob(self, pattern: str) -> Files:
        try:
            rx = _glob_regex(pattern)
        except re.error:  # `[z-a]`: what gobwas/glob does not compile, Helm reads as `**`
            return Files(dict(self.files))
        return Files({k: v for k, v in self.files.items() if rx.match(k)})

    def as_config(self) -> str:
        return _to_yaml({posixpath.basename(k): v for k, v in self.files.items()})

    def as_secrets(self) -> str:
        return _to_yaml({posixpath.basename(k): base64.b64encode(v.encode()).decode()
                         for k, v in self.files.items()})

    def go_data(self) -> dict[str, str]:
        return dict(self.files)


def _to_yaml(v: Any) -> str:
    try:
        return goyaml.dump(v).removesuffix("\n")
    except (TypeError, ValueError, RecursionError):
        return ""


def _must_to_yaml(v: Any) -> str:
    return goyaml.dump(v).removesuffix("\n")


def _from_yaml(s: Any) -> Any:
    try:
        data = _yaml_values(strval(s))
    except TemplateError as exc:
        return {"Error": exc.message}
    return data if isinstance(data, dict) else {} if data is None else {"Error": "not a map"}


def _yaml_values(text: str) -> Any:
    """`parse_yaml(text)`, a copy of the values read before when the text is short (templates
    often read the same `include` output in every values set). Only texts up to 4 KiB are
    kept, so the 256 kept parses stay within a few tens of MB."""
    return copied(_parsed_short(text)) if len(text) <= 4_096 else parse_yaml(text)


@lru_cache(maxsize=256)
def _parsed_short(text: str) -> Any:
    return parse_yaml(text)


def _from_yaml_array(s: Any) -> Any:
    try:
        data = _yaml_values(strval(s))
    except TemplateError as exc:
        return [exc.message]
    return data if isinstance(data, list) else [] if data is None else ["not a list"]


def _floats(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _floats(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_floats(x) for x in v]
    return float(v) if isinstance(v, int) and not isinstance(v, bool) else v


def _from_json(s: Any) -> Any:
    try:
        return _floats(json.loads(strval(s)))
    except ValueError as exc:
        return {"Error": str(exc)}


def _required(msg: Any, v: Any) -> Any:
    if v is None or (isinstance(v, str) and v == ""):
        raise TemplateError(strval(msg))
    return v


def parse_cached(text: str, name: str, funcs: frozenset[str] | None = None) -> Parsed:
    """Templates parse once per process: a later render of the same text reuses the tree,
    whatever file it is in (copies of a chart share one; the tree holds no file name). A
    text that does not parse is parsed again under its name, for the error's file."""
    try:
        return _parsed(text, funcs)
    except TemplateError:
        return parse(text, name, funcs)


@lru_cache(maxsize=512)
def _parsed(text: str, funcs: frozenset[str] | None) -> Parsed:
    return parse(text, "", funcs)


def _function_names() -> frozenset[str]:
    from platform_lint.helm.render import function_names  # render composes the function map

    return function_names()


def helm_funcs(executor_ref: Callable[[], Executor]) -> dict[str, Func]:
    """Functions that need the running executor (include, tpl) plus the stateless Helm ones."""

    def include(name: str, data: Any = None) -> str:
        return executor_ref().execute(strval(name), data)

    def tpl(text: Any, data: Any) -> str:
        ex = executor_ref()
        file, line = ex.file, ex.line
        tracer, ex.tracer = ex.tracer, None  # tpl output is located at the calling action
        try:
            parsed = parse_cached(strval(text), file, _function_names())
            for dname, body in parsed.defines.items():
                ex.templates[dname] = Template(body, file)
            return ex.run_nodes(parsed.nodes, file, data)
        except RenderLimit:
            raise
        except TemplateError as exc:
            raise TemplateError(f"error in tpl: {exc.message}", file, line) from None
        finally:
            ex.file, ex.line = file, line
            ex.tracer = tracer

    return {
        "include": include, "tpl": tpl, "required": _required,
        "toYaml": _to_yaml, "mustToYaml": _must_to_yaml, "toYamlPretty": _to_yaml,
        "fromYaml": _from_yaml, "fromYamlArray": _from_yaml_array,
        "toJson": lambda v: _safe(goyaml.json_dump, v), "mustToJson": goyaml.json_dump,
        "toRawJson": lambda v: _safe(goyaml.json_dump, v).replace("\\u003c", "<").replace("\\u003e", ">")
        .replace("\\u0026", "&"),
        "toPrettyJson": lambda v: _safe(goyaml.json_pretty, v), "fromJson": _from_json,
        "fromJsonArray": _from_json,
        "lookup": lambda *a: {},
    }


def _safe(fn: Func, v: Any) -> str:
    try:
        return str(fn(v))
    except (TypeError, ValueError, RecursionError):
        return ""
