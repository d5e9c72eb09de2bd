"""The built-in rules read as one cached pack: used only for exactly those files, never trusted blindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint import rule_pack, validation
from platform_lint.rules import load_rules


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_second_run_reads_the_pack_and_not_the_validated_cache(
        private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_rules()
    assert rule_pack._pack_file().is_file()

    def refuse() -> None:
        raise AssertionError("the validated-rules cache was opened")

    monkeypatch.setattr(validation.ValidatedCache, "__init__", lambda self: refuse())
    assert load_rules() == first


@pytest.mark.parametrize("stored", [
    "{", "[]", '{"key": "0"}',
    "SAME_KEY_NO_RULES", "SAME_KEY_RULE_OF_ANOTHER_SHAPE", "SAME_KEY_ONE_RULE_MISSING",
])
def test_a_pack_of_another_shape_is_read_past(private_cache: Path, stored: str) -> None:
    first = load_rules()
    path = rule_pack._pack_file()
    pack = json.loads(path.read_text())
    name = sorted(pack["rules"])[0]
    forged = {
        "SAME_KEY_NO_RULES": {"key": pack["key"]},
        "SAME_KEY_RULE_OF_ANOTHER_SHAPE": {**pack, "rules": {**pack["rules"], name: {"id": 5}}},
        "SAME_KEY_ONE_RULE_MISSING": {**pack, "rules": {k: v for k, v in pack["rules"].items() if k != name}},
    }
    path.write_text(json.dumps(forged[stored]) if stored in forged else stored)
    assert load_rules() == first
    assert json.loads(path.read_text()) == pack  # and it is written again whole


def test_the_pack_is_keyed_by_every_file_and_by_what_validation_depends_on(tmp_path: Path,
                                                                          private_cache: Path) -> None:
    files = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for f in files:
        f.write_text(f"id: {f.stem}\n")
    rule_pack.RulePack(files, {"logic": 1}).save({"a.yaml": {"id": "a"}, "b.yaml": {"id": "b"}})
    assert rule_pack.RulePack(files, {"logic": 1}).load() == {"a.yaml": {"id": "a"}, "b.yaml": {"id": "b"}}
    assert rule_pack.RulePack(files, {"logic": 2}).load() is None
    assert rule_pack.RulePack(files[:1], {"logic": 1}).load() is None
    files[1].write_text("id: c\n")
    assert rule_pack.RulePack(files, {"logic": 1}).load() is None
