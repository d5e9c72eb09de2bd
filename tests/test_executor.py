"""The process pool: input order, failures as results, a dead worker survived."""

from __future__ import annotations

import os

from platform_lint.executor import Failed, map_units


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
