"""The cache of validated rule files stays small: every run reads all of it at start-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_lint import rule_pack, validation
from platform_lint.rules import load_rules


def test_entries_past_the_bound_go_first_those_this_run_did_not_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = load_rules()  # learns the built-in pack
    cache_file = validation._cache_file()
    learnt = json.loads(cache_file.read_text())
    assert len(learnt) >= len(rules) - 1
    stale = {f"{i:064x}": True for i in range(validation.MAX_VALIDATED + 50)}
    cache_file.write_text(json.dumps({**stale, **learnt}))
    rule_pack._pack_file().unlink()  # without the built-in pack, every rule file is looked up
    load_rules()
    kept = json.loads(cache_file.read_text())
    assert len(kept) == validation.MAX_VALIDATED
    assert set(learnt) <= set(kept)  # what this run used stays
    assert f"{0:064x}" not in kept  # the oldest unused went
    again = validation.ValidatedCache()
    for key in learnt:
        assert again._known[key] == learnt[key]
