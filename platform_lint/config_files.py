"""Where a scan root's configuration file is (without reading what it says)."""

from __future__ import annotations

from pathlib import Path

CONFIG_NAMES = (".platform-lint.yaml", ".platform-lint.yml")


def find_config(root: Path) -> Path | None:
    """`.platform-lint.yaml` / `.yml` at `root`, else a `pyproject.toml` with a
    `[tool.platform-lint]` table, else None."""
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "[tool.platform-lint]" in pyproject.read_text(errors="replace"):
        return pyproject
    return None


def outside(path: Path, root: Path) -> bool:
    """Whether `path` resolves outside `root`; a looping symlink does not resolve
    at all, and reading it fails with its own clear error."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    except (OSError, RuntimeError):
        return False
    return False
