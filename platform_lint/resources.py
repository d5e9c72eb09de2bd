"""Where the built-in rule pack and JSON Schemas live, installed or in a checkout.

In a wheel they are package data under `platform_lint/_data/`; in a source
checkout (or an editable install) they are the top-level `rules/` and
`schemas/` directories beside the package.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema from `schemas/`, e.g. `schema("config")`."""
    loaded: dict[str, Any] = json.loads((data_dir("schemas") / f"{name}.schema.json").read_text())
    return loaded
