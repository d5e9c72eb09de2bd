"""Parameters a config gives a rule's check must fit that check's schema (`run._check_params`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example-repo"


def _check(tmp_path: Path, config: str) -> subprocess.CompletedProcess[str]:
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    (repo / "deployment.yaml").write_bytes((EXAMPLE / "k8s/gateway/deployment.yaml").read_bytes())
    (repo / ".platform-lint.yaml").write_text(config)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "platform_lint", "check", "--no-cache", "deployment.yaml"],
                          cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=120)


def test_a_parameter_of_the_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    done = _check(tmp_path, "rules: {missing-resource-limits: {params: {resources: 7}}}\n")
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        ".platform-lint.yaml: parameters of missing-resource-limits: resources: 7 is not of type 'array'")


@pytest.mark.parametrize("config", [
    "rules: {missing-resource-limits: {params: {resources: [cpu]}}}\n",
    "rules: {image-tag-latest: {severity: note}}\n",
])
def test_fitting_parameters_and_plain_settings_pass(tmp_path: Path, config: str) -> None:
    done = _check(tmp_path, config)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
