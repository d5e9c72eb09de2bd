"""Subcharts in `check`: `.tgz` archives read safely, dependencies that are not vendored counted."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from platform_lint.cli import main
from platform_lint.helm.chart import load_dir
from platform_lint.helm.render import Options, render
from repo_helpers import write

PARENT = {
    "chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n"
                        "  - name: cache\n    version: 0.1.0\n",
    "chart/values.yaml": "cache:\n  image:\n    tag: latest\n",   # line 3: image-tag-latest
    "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shop}\n",
}
SUB_DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-cache\nspec:\n"
    "  replicas: 2\n  selector: {matchLabels: {app: cache}}\n  template:\n"
    "    metadata: {labels: {app: cache}}\n    spec:\n      containers:\n        - name: cache\n"
    '          image: "redis:{{ .Values.image.tag }}"\n'
)


def tgz(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buf.getvalue()


CACHE_TGZ = {
    "cache/Chart.yaml": b"apiVersion: v2\nname: cache\nversion: 0.1.0\n",
    "cache/values.yaml": b"image:\n  tag: '7.2'\n",
    "cache/templates/deployment.yaml": SUB_DEPLOYMENT.encode(),
}


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    main(["check", str(tmp_path), "--format", "json", *args])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_a_tgz_subchart_is_rendered_and_judged_in_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, PARENT)
    (tmp_path / "chart/charts").mkdir()
    (tmp_path / "chart/charts/cache-0.1.0.tgz").write_bytes(tgz(CACHE_TGZ))
    report = check(tmp_path, capsys)
    found = {(f["rule"], f["path"], f["line"]) for f in report["findings"]}
    # the value came from the parent's values.yaml: that is where the fix goes
    assert ("image-tag-latest", "chart/values.yaml", 3) in found
    # a key missing from the packed template: at the template inside the archive
    assert ("missing-liveness-probe", "chart/charts/cache-0.1.0.tgz/cache/templates/deployment.yaml",
            12) in found
    assert not [f for f in report["findings"] if f["rule"] in ("parse-error", "helm-dependency-not-vendored")]
    # `render` reads the same archive from disk
    rendered = render(load_dir(tmp_path / "chart"), Options())
    assert [m.template for m in rendered.manifests] == [
        "shop/charts/cache/templates/deployment.yaml", "shop/templates/cm.yaml"]


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (tgz({**CACHE_TGZ, "cache/../../evil/templates/x.yaml": b"kind: X\n"}), "leaves the chart folder"),
        (tgz({**CACHE_TGZ, "/abs/templates/x.yaml": b"kind: X\n"}), "leaves the chart folder"),
        (tgz({f"cache/f{i}": b"" for i in range(10_001)}), "expands too large"),
        (b"\x1f\x8b not really gzip", "cannot read subchart archive (ReadError)"),
    ],
    ids=["parent-traversal", "absolute", "too-many-members", "corrupt"],
)
def test_a_hostile_tgz_is_one_finding_and_nothing_else_of_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], archive: bytes, message: str
) -> None:
    write(tmp_path, PARENT)
    (tmp_path / "chart/charts").mkdir()
    (tmp_path / "chart/charts/cache-0.1.0.tgz").write_bytes(archive)
    report = check(tmp_path, capsys)
    problems = [(f["path"], f["line"], f["message"])
                for f in report["findings"] if f["rule"] == "parse-error"]
    assert len(problems) == 1 and message in problems[0][2], problems
    assert problems[0][:2] == ("chart/charts/cache-0.1.0.tgz", 1)
    assert not report["errors"]
    assert not [f for f in report["findings"] if "/cache/" in f["path"]]


def test_links_in_a_tgz_are_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("apiVersion: v1\nkind: Secret\n")
    write(tmp_path, PARENT)
    (tmp_path / "chart/charts").mkdir()
    archive = tgz(CACHE_TGZ, links={"cache/templates/leak.yaml": str(outside)})
    (tmp_path / "chart/charts/cache-0.1.0.tgz").write_bytes(archive)
    rendered = render(load_dir(tmp_path / "chart"), Options())
    assert rendered.errors == []
    assert "shop/charts/cache/templates/leak.yaml" not in [m.template for m in rendered.manifests]


def test_a_tgz_symlinked_out_of_the_repository_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    write(repo, PARENT)
    (tmp_path / "cache-0.1.0.tgz").write_bytes(tgz(CACHE_TGZ))
    (repo / "chart/charts").mkdir()
    (repo / "chart/charts/cache-0.1.0.tgz").symlink_to(tmp_path / "cache-0.1.0.tgz")
    report = check(repo, capsys)
    assert not [f for f in report["findings"] if "/cache/templates/" in f["path"]]
    assert {"path": "chart/charts/cache-0.1.0.tgz", "reason": "symlink outside the scanned root"} in report[
        "skipped"]


def test_a_dependency_that_is_not_vendored_is_a_counted_note_at_its_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**PARENT, "chart/Chart.yaml": PARENT["chart/Chart.yaml"]
             + "  - name: db\n    version: 12.1.0\n    repository: https://charts.example.invalid\n"}
    write(tmp_path, files)
    (tmp_path / "chart/charts").mkdir()
    (tmp_path / "chart/charts/cache-0.1.0.tgz").write_bytes(tgz(CACHE_TGZ))
    report = check(tmp_path, capsys)
    notes = [(f["path"], f["line"], f["severity"], f["message"]) for f in report["findings"]
             if f["rule"] == "helm-dependency-not-vendored"]
    assert notes == [("chart/Chart.yaml", 7, "note",
                      "Helm: dependency 'db' 12.1.0 from https://charts.example.invalid is not vendored "
                      "under chart/charts/: the chart is rendered and judged without it "
                      "(`helm dependency build` vendors it)")]
    assert report["summary"]["note"] >= 1
    # the vendored one is judged all the same
    assert any(f["path"].startswith("chart/charts/cache-0.1.0.tgz/") for f in report["findings"])
    main(["check", str(tmp_path)])
    text = capsys.readouterr().out
    assert "chart/Chart.yaml:7:5: note [helm-dependency-not-vendored]" in text


def test_a_chart_with_too_many_files_is_one_finding_not_a_partial_rendering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from platform_lint.sources import helm_chart

    monkeypatch.setattr(helm_chart, "MAX_CHART_FILES", 3)
    write(tmp_path, {**PARENT, "chart/templates/more.yaml": "kind: X\n"})
    report = check(tmp_path, capsys, "--jobs", "1", "--no-cache")
    errors = [(f["path"], f["line"], f["message"]) for f in report["findings"] if f["rule"] == "parse-error"]
    assert errors == [("chart/Chart.yaml", 1, "Helm: the chart has more than 3 files; not rendered")]


def test_a_helmignore_pattern_that_cannot_be_read_stops_the_chart_at_its_line(tmp_path: Path) -> None:
    import warnings

    from platform_lint.helm.errors import TemplateError

    write(tmp_path, {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
                     "chart/templates/a.yaml": "kind: A\n", "chart/a.bak": "x\n",
                     "chart/.helmignore": "# kept out\n*.bak\na[[x]\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # `[[` is a class holding `[`, read without a warning
        assert "a.bak" not in load_dir(tmp_path / "chart").files
    (tmp_path / "chart/.helmignore").write_text("*.bak\n[z-a]\n")
    with pytest.raises(TemplateError) as caught:
        load_dir(tmp_path / "chart")
    assert (caught.value.file, caught.value.line) == (".helmignore", 2)
    assert "syntax error in pattern" in caught.value.message


def test_a_helmignore_too_large_for_one_pattern_set_stops_the_chart(tmp_path: Path) -> None:
    from platform_lint.helm.errors import TemplateError

    patterns = "".join(f"**/a{i}/**/b/**/*.x\n" for i in range(6000))  # past RE2's memory bound
    write(tmp_path, {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
                     "chart/templates/a.yaml": "kind: A\n", "chart/.helmignore": patterns})
    with pytest.raises(TemplateError) as caught:  # it was RE2's own error: 'internal error'
        load_dir(tmp_path / "chart")
    assert (caught.value.file, caught.value.line) == (".helmignore", 1)
    assert caught.value.message == "too many patterns to read (6000 lines)"
