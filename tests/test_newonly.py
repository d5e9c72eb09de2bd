"""`check --diff BASE --new-only`, `--staged --new-only` and `--filter added-lines`
against real git repositories: only what the change introduced is reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from platform_lint.cli import main
from repo_helpers import commit, git, make_repo, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is required")

Found = tuple[str, str, int]
"""(rule id, path, line)"""

WEB = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  strategy:
    type: Recreate
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:latest
"""

WEB_FIXED_WITH_SECRET = WEB.replace("type: Recreate", "type: RollingUpdate") + """\
          env:
            - name: DB_PASSWORD
              value: "Zq8vN3rT6wLp1sXe"
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

API = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: registry.example/api:1.2.3
        - name: sidecar
          image: registry.example/proxy:latest
"""

PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: api}
"""


def findings(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], repo: Path,
             *args: str) -> tuple[int, set[Found]]:
    monkeypatch.chdir(repo)
    code = main(["check", "--format", "json", *args])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    report = json.loads(out)
    return code, {(f["rule"], f["path"], f["line"]) for f in report["findings"]}


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "repo")
    write(path, {"k8s/web.yaml": WEB + "---\n" + SERVICE, "k8s/api.yaml": API, "k8s/pdb.yaml": PDB})
    commit(path, "base").check_returncode()
    git(path, "checkout", "-q", "-b", "feature").check_returncode()
    return path


def test_a_change_that_fixes_one_finding_and_adds_another_reports_the_new_one(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/web.yaml": WEB_FIXED_WITH_SECRET + "---\n" + SERVICE})
    commit(repo, "fix the strategy, add a password").check_returncode()

    code, new = findings(monkeypatch, capsys, repo, "--diff", "main", "--new-only")
    assert code == 1
    assert new == {("hardcoded-secret-in-manifest", "k8s/web.yaml", 18)}

    _, everything = findings(monkeypatch, capsys, repo, "--diff", "main")
    assert ("recreate-deploy-strategy", "k8s/web.yaml", 8) not in everything  # fixed
    assert len(everything) > len(new)  # the old findings in the file are still there


def test_a_change_that_only_moves_blocks_reports_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    containers = API.split("      containers:\n")[1]
    first, second = containers.split("        - name: sidecar\n")
    swapped = API.replace(containers, "        - name: sidecar\n" + second + first)
    write(repo, {
        # documents reordered and shifted down by a comment
        "k8s/web.yaml": "# the web tier\n" + SERVICE + "---\n" + WEB,
        # a Deployment moved into another file, its containers swapped
        "k8s/pdb.yaml": PDB + "---\n" + swapped,
    })
    (repo / "k8s/api.yaml").unlink()
    commit(repo, "reorganise").check_returncode()

    code, new = findings(monkeypatch, capsys, repo, "--diff", "main", "--new-only")
    assert new == set()
    assert code == 0
    _, everything = findings(monkeypatch, capsys, repo, "--diff", "main")
    assert {path for _, path, _ in everything} == {"k8s/web.yaml", "k8s/pdb.yaml"}


def test_deleting_a_pdb_is_caught_on_the_unchanged_deployment(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", "k8s/pdb.yaml").check_returncode()
    commit(repo, "drop the PDB").check_returncode()

    _, new = findings(monkeypatch, capsys, repo, "--diff", "main", "--new-only")
    assert new == {("missing-pod-disruption-budget", "k8s/api.yaml", 2)}
    _, plain = findings(monkeypatch, capsys, repo, "--diff", "main")
    assert plain == set()  # only the deleted file changed: nothing to check in it


def test_a_renamed_file_keeps_its_old_findings_old(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "deploy").mkdir()
    git(repo, "mv", "k8s/api.yaml", "deploy/api.yaml").check_returncode()
    commit(repo, "move").check_returncode()
    _, new = findings(monkeypatch, capsys, repo, "--diff", "main", "--new-only")
    assert new == set()


def test_a_second_copy_of_an_old_finding_is_new(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/web.yaml": WEB_FIXED_WITH_SECRET + "---\n" + SERVICE})
    commit(repo, "password").check_returncode()
    git(repo, "checkout", "-q", "-b", "again").check_returncode()
    write(repo, {"k8s/other.yaml": WEB_FIXED_WITH_SECRET.replace("name: web\n", "name: other\n", 1)})
    commit(repo, "the same password elsewhere").check_returncode()
    _, new = findings(monkeypatch, capsys, repo, "--diff", "feature", "--new-only",
                      "--select", "secrets")
    assert new == {("hardcoded-secret-in-manifest", "k8s/other.yaml", 18)}


def test_staged_new_only_for_pre_commit(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/web.yaml": WEB.replace("replicas: 1", "replicas: 0")})
    git(repo, "add", "k8s/web.yaml").check_returncode()
    _, new = findings(monkeypatch, capsys, repo, "--staged", "--new-only")
    assert new == set()  # replicas 0 is not a new problem; the old ones are old
    write(repo, {"k8s/web.yaml": WEB.replace("nginx:latest", "nginx")})
    git(repo, "add", "k8s/web.yaml").check_returncode()
    _, new = findings(monkeypatch, capsys, repo, "--staged", "--new-only")
    # the changed image line is judged afresh: its one finding names the new problem
    assert new == {("image-without-tag", "k8s/web.yaml", 15)}


def test_staged_new_only_in_a_repository_without_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "fresh")
    write(repo, {"k8s/web.yaml": WEB})
    git(repo, "add", "-A").check_returncode()
    _, new = findings(monkeypatch, capsys, repo, "--staged", "--new-only",
                      "--select", "recreate-deploy-strategy")
    assert new == {("recreate-deploy-strategy", "k8s/web.yaml", 8)}


def test_filter_added_lines_keeps_only_findings_on_changed_lines(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/api.yaml": API.replace("proxy:latest", "proxy:1.0").replace(
        "api:1.2.3", "api:latest")})
    commit(repo, "retag").check_returncode()
    _, on_lines = findings(monkeypatch, capsys, repo, "--diff", "main", "--filter", "added-lines")
    assert on_lines == {("image-tag-latest", "k8s/api.yaml", 13),
                        ("image-not-pinned-by-digest", "k8s/api.yaml", 15)}
    _, everything = findings(monkeypatch, capsys, repo, "--diff", "main")
    assert len(everything) > 1


def test_ownership_findings_are_unchanged_by_new_only(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "checkout", "-q", "main").check_returncode()
    write(repo, {".github/CODEOWNERS": "/k8s/ @acme/platform\n"})
    commit(repo, "owners").check_returncode()
    git(repo, "checkout", "-q", "-b", "edit").check_returncode()
    write(repo, {"k8s/api.yaml": API + "# a comment\n"})
    commit(repo, "edit").check_returncode()
    args = ("--diff", "main", "--team", "payments", "--select", "ownership")
    _, plain = findings(monkeypatch, capsys, repo, *args)
    _, new = findings(monkeypatch, capsys, repo, *args, "--new-only")
    assert ("cross-team-edit", "k8s/api.yaml", 1) in plain
    assert new == plain


@pytest.mark.parametrize("base", ["--output=OUT", "-h", "main;touch pwned", "no-such-branch", ""])
def test_a_base_that_is_not_a_commit_is_a_usage_error(
    repo: Path, tmp_path: Path, base: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    for args in (["--new-only"], ["--filter", "added-lines"]):
        code = main(["check", f"--diff={base.replace('OUT', str(tmp_path / 'out'))}", *args])
        _, err = capsys.readouterr()
        assert code == 2
        assert "Traceback" not in err
    assert not (repo / "pwned").exists()
    assert not list(tmp_path.glob("out*"))  # never an option to git


def test_new_only_needs_a_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(tmp_path), "--new-only"])
    assert code == 2
    assert "--diff BASE or --staged" in capsys.readouterr().err


CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/GoogleCloudPlatform+microservices-demo"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the project")
def test_microservices_demo_one_edited_manifest_reports_only_what_the_edit_introduced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "microservices-demo"
    shutil.copytree(CORPUS, repo)
    make_repo(repo)
    commit(repo, "as published").check_returncode()
    manifest = repo / "kubernetes-manifests/cartservice.yaml"
    text = manifest.read_text()
    # two lines at the top shift every old finding; two real problems are added
    text = text.replace("# Copyright 2018 Google LLC\n",
                        "# Copyright 2018 Google LLC\n# Edited by a pull request.\n#\n", 1)
    text = text.replace("spec:\n  selector:\n",
                        "spec:\n  replicas: 3\n  strategy:\n    type: Recreate\n  selector:\n", 1)
    manifest.write_text(text)
    commit(repo, "scale the cart, recreate on deploy").check_returncode()

    # (the corpus has a CODEOWNERS: ownership findings are about the change, tested above)
    args = ("--diff", "HEAD~1", "--ignore", "ownership")
    _, new = findings(monkeypatch, capsys, repo, *args, "--new-only")
    assert new == {
        ("missing-pod-disruption-budget", "kubernetes-manifests/cartservice.yaml", 18),
        ("recreate-deploy-strategy", "kubernetes-manifests/cartservice.yaml", 26),
    }
    _, everything = findings(monkeypatch, capsys, repo, *args)
    assert new < everything and len(everything - new) >= 4  # the file's old findings


def test_named_paths_limit_the_change(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/web.yaml": WEB_FIXED_WITH_SECRET + "---\n" + SERVICE,
                 "k8s/api.yaml": API.replace("api:1.2.3", "api:latest")})
    commit(repo, "two new problems").check_returncode()
    _, both = findings(monkeypatch, capsys, repo, "--diff", "main", "--new-only")
    assert {path for _, path, _ in both} == {"k8s/web.yaml", "k8s/api.yaml"}
    _, named = findings(monkeypatch, capsys, repo, "--diff", "main", "--new-only", "k8s/api.yaml")
    assert named and {path for _, path, _ in named} == {"k8s/api.yaml"}
