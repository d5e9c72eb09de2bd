"""A value holding thousands of secret-like assignments is judged in time linear
in its length: the text scan a structured check consults (so as not to report a
token twice) runs once per document, not once per secret found. A 1 MB line of
`password=...` took more than two minutes before."""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import assert_no_exception_text, check

from repo_helpers import write


def _cost(root: Path, capsys: pytest.CaptureFixture[str], repeats: int) -> float:
    write(root, {"conf/app.yaml": 'settings: "' + "password=hunter2xyz " * repeats + '"\n'})
    code, out, cost = check(capsys, root, "--no-cache", "--jobs", "1", "--select", "secrets", memory="none")
    assert code == 1
    assert "[hardcoded-secret-assignment]" in out
    assert "hunter2xyz" not in out
    assert_no_exception_text(out)
    return cost.cpu_seconds


def test_thousands_of_assignments_in_one_value_cost_linear_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = _cost(tmp_path / "small", capsys, 2500)
    large = _cost(tmp_path / "large", capsys, 10000)
    # Four times the text: about four times the work; quadratic would be sixteen.
    assert large < 8 * max(small, 0.05), (small, large)
    assert large < 20
