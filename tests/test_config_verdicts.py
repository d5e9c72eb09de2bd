"""A configuration file's verdict is remembered by the digest of its bytes: only the
first run with a config validates it (`config._validate`), and the file holds no config text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint import validation
from platform_lint.config import ConfigError, load_config

VALID = "exclude: [vendor/]\nrules:\n  image-tag-latest: {severity: error}\n"
INVALID = "exclude: 3\n"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def _verdicts() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(validation._cache_file("config").read_text())
    return loaded


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".platform-lint.yaml"
    path.write_text(text)
    return path


def test_a_valid_config_is_remembered_by_digest_only(cache_home: Path) -> None:
    path = _config(cache_home, VALID + "# token: ghp_notarealtokenbutlongenough0123456789\n")
    first = load_config(path)
    assert list(_verdicts().values()) == [True]
    [key] = _verdicts()
    assert len(key) == 64 and int(key, 16) >= 0  # a sha256 digest, nothing of the text
    text = validation._cache_file("config").read_text()
    assert "vendor" not in text and "ghp_" not in text and "image-tag-latest" not in text
    assert load_config(path) == first  # the remembered verdict gives the same config


def test_an_invalid_config_is_never_remembered(cache_home: Path) -> None:
    path = _config(cache_home, INVALID)
    messages = []
    for _ in range(2):
        with pytest.raises(ConfigError) as raised:
            load_config(path)
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and "exclude" in messages[0]
    assert not validation._cache_file("config").exists()


def test_an_edit_is_validated_afresh(cache_home: Path) -> None:
    path = _config(cache_home, VALID)
    load_config(path)
    path.write_text(INVALID)
    with pytest.raises(ConfigError):
        load_config(path)


@pytest.mark.parametrize("stored", ["not json {", "[1, 2]", '"x"', None])
def test_a_corrupt_or_foreign_verdict_file_is_not_trusted(cache_home: Path, stored: str | None) -> None:
    path = _config(cache_home, INVALID)
    cache_file = validation._cache_file("config")
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    if stored is None:  # the right key, holding something other than a verdict
        key = validation.ValidatedCache("config")._key(path.read_bytes(), _schema())
        stored = json.dumps({key: "valid"})
    cache_file.write_text(stored)
    with pytest.raises(ConfigError):
        load_config(path)
    path.write_text(VALID)
    assert load_config(path).exclude == ("vendor/",)


def _schema() -> dict[str, object]:
    from platform_lint.resources import schema

    return schema("config")
