"""The process pool: input order, failures as results, a dead worker survived."""

from __future__ import annotations

import os
from pathlib import Path

from platform_lint.discovery import SourceFile
from platform_lint.executor import Failed, available_cores, map_units


def _triple_unless_bad(factor: int, unit: int) -> int:
    if unit == 5:
        raise ValueError("five is bad")
    if unit == 9:
        os._exit(3)  # a worker killed mid-unit (a C crash, the OOM killer)
    return factor * unit


def test_results_in_input_order_for_any_number_of_processes() -> None:
    units = [u for u in range(30) if u != 9]
    one = list(map_units(_triple_unless_bad, units, jobs=1, context=3))
    two = list(map_units(_triple_unless_bad, units, jobs=2, context=3))
    assert one == two
    assert one[:5] == [0, 3, 6, 9, 12]
    assert one[5] == Failed(5, "ValueError: five is bad")


def test_a_unit_that_kills_its_worker_fails_alone() -> None:
    outcomes = list(map_units(_triple_unless_bad, list(range(40)), jobs=2, context=1))
    assert outcomes[9] == Failed(9, "the worker process died")
    assert outcomes[5] == Failed(5, "ValueError: five is bad")
    assert [o for i, o in enumerate(outcomes) if i not in (5, 9)] == [
        i for i in range(40) if i not in (5, 9)
    ]


def test_units_started_first_still_come_back_in_order() -> None:
    units = list(range(40))
    first = [33, 9, 12, 33, 99]  # a dead worker among them; a repeat and an index out of range ignored
    outcomes = list(map_units(_triple_unless_bad, units, jobs=2, context=2, first=first))
    assert outcomes[9] == Failed(9, "the worker process died")
    assert outcomes[5] == Failed(5, "ValueError: five is bad")
    assert [o for i, o in enumerate(outcomes) if i not in (5, 9)] == [
        2 * i for i in range(40) if i not in (5, 9)
    ]


def test_plan_starts_the_first_alone_then_runs_of_the_rest() -> None:
    from platform_lint.executor import _plan

    assert _plan(7, [4, 1], 2) == [[4], [1], [0], [2, 3], [5, 6]]
    assert _plan(3, [], 5) == [[0, 1, 2]]


def test_a_pool_is_chosen_by_the_bytes_to_judge_and_an_asked_number_is_kept(tmp_path: Path) -> None:
    from platform_lint.engine import _BYTES_PER_POOL, _jobs

    largest = 2 * _BYTES_PER_POOL
    (tmp_path / "big.tf").write_bytes(b"#" * (_BYTES_PER_POOL // 2))
    many_small = [SourceFile(f"f{i}.yaml", b"a: 1\n") for i in range(500)]
    assert _jobs(0, many_small, str(tmp_path), largest) == 1
    assert _jobs(0, ["big.tf", "gone.tf"], str(tmp_path), largest) == 1
    half = SourceFile("half.yaml", b"#" * (_BYTES_PER_POOL // 2))
    assert _jobs(0, ["big.tf", half], str(tmp_path), largest) == available_cores()
    assert _jobs(3, many_small, str(tmp_path), largest) == 3


def test_what_judging_will_not_read_does_not_start_a_pool(tmp_path: Path) -> None:
    """A file over `max_file_size` is skipped unread and a symlink may point anywhere:
    neither counts toward the bytes that start a pool."""
    from platform_lint.engine import _BYTES_PER_POOL, _jobs

    outside = tmp_path / "outside.tf"
    outside.write_bytes(b"#" * _BYTES_PER_POOL)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "huge.tf").write_bytes(b"#" * _BYTES_PER_POOL)
    (repo / "link.tf").symlink_to(outside)
    assert _jobs(0, ["huge.tf", "link.tf"], str(repo), _BYTES_PER_POOL - 1) == 1
    assert _jobs(0, ["huge.tf"], str(repo), _BYTES_PER_POOL) == available_cores()
