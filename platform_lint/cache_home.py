"""The one place that knows where platform-lint's user cache folder is."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def user_cache_root() -> Path:
    """`platform-lint` under the platform's user cache folder (XDG on Linux)."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "platform-lint"


CACHE_DIR_VARIABLE = "PLATFORM_LINT_CACHE_DIR"


def default_directory() -> Path:
    """The result caches' folder: `$PLATFORM_LINT_CACHE_DIR`, else `results` in the
    platform's user cache folder."""
    explicit = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(explicit) if explicit else user_cache_root() / "results"
