"""`platform-lint init` in real repositories: a starter configuration that loads,
validates and runs, and a pre-commit entry that pre-commit accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from platform_lint.cli import main
from platform_lint.config import load_config
from platform_lint.resources import schema
from platform_lint.sources.yaml_tree import parse_yaml
from repo_helpers import commit, make_repo, write

REPOSITORY = {
    ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                "    steps:\n      - run: make test\n",
    ".gitlab-ci.yml": "test:\n  script: [make test]\n",
    ".github/CODEOWNERS": "* @acme/platform\n",
    "docs/charters/platform.md": "# Charter: Platform\n",
    "org/teams/payments-charter.md": "# Charter: Payments\n",
    "org/teams/README.md": "Not a charter.\n",
    "k8s/web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
    "infra/main.tf": 'resource "aws_s3_bucket" "logs" {}\n',
    "vendor/lib/x.yaml": "a: 1\n",
}


def _init(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str]:
    code = main(["init", str(repo), *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_init_writes_a_config_from_what_the_repository_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo, REPOSITORY)
    commit(repo, "initial").check_returncode()
    code, told = _init(capsys, repo)
    assert code == 0, told
    assert "GitHub Actions (1 file), GitLab CI (1 file)" in told

    text = (repo / ".platform-lint.yaml").read_text()
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema('config')['$id']}"
    assert "#   CODEOWNERS: .github/CODEOWNERS" in text
    assert "#   team charters: docs/charters/platform.md, org/teams/payments-charter.md" in text
    config = load_config(repo / ".platform-lint.yaml")  # validated against the schema
    assert "org/teams/*charter*.md" in config.charters
    assert "docs/charters/*.md" in config.charters  # the defaults are kept
    assert config.sections["ownership"] == {"flavour": "gitlab"}
    assert config.exclude == ("vendor/",)
    # every option a user may want is there, commented out
    for option in ("select", "ignore", "rules", "pipelines", "exemptions", "rule_dirs"):
        assert f"# {option}:" in text

    hooks = parse_yaml((repo / ".pre-commit-config.yaml").read_text())[0][0].data
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == ["platform-lint", "platform-lint-ownership"]
    checked = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config",
                              ".pre-commit-config.yaml"], cwd=repo, capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    assert main(["check", str(repo)]) in (0, 1)  # the written config runs
    assert "vendor/" not in capsys.readouterr().out


def test_init_refuses_to_replace_a_config_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo, {".platform-lint.yaml": "fail_on: error\n"})
    code, told = _init(capsys, repo)
    assert code == 2 and "already configures platform-lint" in told
    assert (repo / ".platform-lint.yaml").read_text() == "fail_on: error\n"
    code, _ = _init(capsys, repo, "--force")
    assert code == 0
    assert "fail_on: warning" in (repo / ".platform-lint.yaml").read_text()


def test_init_adds_to_an_existing_pre_commit_config_and_keeps_its_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    original = ("# our hooks\nrepos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
                "    rev: v4.6.0  # pinned\n    hooks:\n      - id: trailing-whitespace\n")
    write(repo, {".pre-commit-config.yaml": original})
    code, told = _init(capsys, repo)
    assert code == 0 and "added the platform-lint hooks" in told
    text = (repo / ".pre-commit-config.yaml").read_text()
    assert text.startswith(original)
    data = parse_yaml(text)[0][0].data
    assert [r["repo"] for r in data["repos"]][-1].endswith("/platform-lint")
    assert data["repos"][-1]["hooks"] == [{"id": "platform-lint"}]  # no ownership files

    (repo / ".platform-lint.yaml").unlink()
    code, told = _init(capsys, repo)
    assert "already runs platform-lint" in told
    assert (repo / ".pre-commit-config.yaml").read_text() == text


def test_an_empty_directory_gets_a_config_with_everything_commented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _init(capsys, tmp_path)
    assert code == 0
    text = (tmp_path / ".platform-lint.yaml").read_text()
    assert "#   CI: none" in text and "\ncharters:" not in text and "\nownership:" not in text
    assert load_config(tmp_path / ".platform-lint.yaml").fail_on.name == "WARNING"


def test_the_config_schema_has_an_id_editors_can_use_and_describes_every_option() -> None:
    import jsonschema

    config_schema = schema("config")
    jsonschema.Draft202012Validator.check_schema(config_schema)
    assert config_schema["$id"].startswith("https://")
    assert config_schema["$id"].endswith("/config.schema.json")
    undocumented = [k for k, v in config_schema["properties"].items() if not v.get("description")]
    assert undocumented == []
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert f"# yaml-language-server: $schema={config_schema['$id']}" in readme


def test_the_projects_own_config_is_valid() -> None:
    project = Path(__file__).resolve().parents[1]
    config = load_config(project / ".platform-lint.yaml")
    assert "fixtures/" in config.exclude
