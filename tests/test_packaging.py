"""A wheel built from a clean clone carries rules/ and schemas/ and works without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from repo_helpers import PROJECT, git


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clone = tmp_path_factory.mktemp("clone") / "platform-lint"
    git(PROJECT, "clone", "-q", str(PROJECT), str(clone)).check_returncode()
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(clone)],
        capture_output=True, text=True, check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"wheel build failed: {built.stderr[-2000:]}")
    return next(out.glob("platform_lint-*.whl"))


def test_wheel_contains_rule_pack_and_schemas(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    rules = {Path(n).name for n in names if n.startswith("platform_lint/_data/rules/")}
    assert rules == {p.name for p in (PROJECT / "rules").glob("*.yaml")
                     if git(PROJECT, "ls-files", "--error-unmatch", f"rules/{p.name}").returncode == 0}
    for schema in ("rule", "config", "baseline"):
        assert f"platform_lint/_data/schemas/{schema}.schema.json" in names


def test_installed_wheel_loads_rules_from_package_data(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "from platform_lint.resources import data_dir; "
         "print(data_dir('rules'))"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )
    assert probe.stdout.strip() == str(target / "platform_lint" / "_data" / "rules")
    listed = subprocess.run([sys.executable, "-m", "platform_lint", "rules"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, check=False)
    assert listed.returncode == 0, listed.stderr
    assert "parse-error" in listed.stdout
