"""Per-file budgets (`budgets:`): CPU time, YAML nodes, characters of values,
line length and objects. A file past one is a `file-too-complex` finding at the
line where the limit was crossed, and the other files are still judged. Costs
are measured in this process (getrusage, tracemalloc), never by the wall clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import MB, assert_no_exception_text, check

from repo_helpers import write

POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
       "spec:\n  containers: [{name: web, image: 'nginx:latest'}]\n")
STILL_JUDGED = "k8s/pod.yaml:5:35: warning [image-tag-latest]"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return tmp_path / "repo"


def too_complex(out: str) -> list[str]:
    """`path:line:col measure` of each file-too-complex finding, the path from the repository."""
    return [line.split(": error ")[0].split("/repo/", 1)[-1] + " " + line.split("(budgets.")[1].split(")")[0]
            for line in out.splitlines() if "[file-too-complex]" in line]


def test_aliases_of_a_long_value_stop_at_the_scalar_budget_at_the_alias(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """40 KB of `password=...` aliased 1,000 times is 40 MB of strings for every
    check that reads values (each finding a secret 2,000 times): refused at the
    alias that crosses the default 32 MiB, the text still scanned once."""
    value = "password=hunter2xyz " * 2000
    write(repo, {"k8s/aliases.yaml": f'a: &a "{value}"\nb:\n' + "  - *a\n" * 1000, "k8s/pod.yaml": POD})
    code, out, cost = check(capsys, repo, "--no-cache", "--jobs", "1", memory="rss")
    assert code == 1
    crossing = (32 * MB) // len(value) + 2  # the anchor counts once, then each alias on its line
    assert too_complex(out) == [f"k8s/aliases.yaml:{crossing}:5 scalar_bytes"]
    assert "k8s/aliases.yaml:1:" in out and "[hardcoded-secret-assignment]" in out  # the text, once
    assert STILL_JUDGED in out
    assert cost.cpu_seconds < 30 and cost.peak_bytes < 400 * MB
    assert_no_exception_text(out)


def test_the_node_budget_stops_building_at_the_node_that_crosses_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "".join(f"  key{i}: value{i}\n" for i in range(2000))
    write(repo, {
        ".platform-lint.yaml": "budgets: {nodes: 1000}\n",
        "k8s/big.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + data,
        "k8s/pod.yaml": POD,
    })
    code, out, cost = check(capsys, repo, "--no-cache")
    assert code == 1
    # Nodes are values (a key is read with its entry): the root, apiVersion, kind,
    # metadata and its name, data: 6; then value0 on line 5 is the 7th, and the
    # 1,001st is value994, on line 999.
    assert too_complex(out) == ["k8s/big.yaml:999:11 nodes"]
    assert STILL_JUDGED in out
    assert "3 files scanned, 1 unparseable" in out
    assert cost.cpu_seconds < 10
    assert_no_exception_text(out)


def test_a_line_past_the_line_budget_is_reported_at_the_column_crossing_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: " + "echo ok && " * 100 + "true\n")
    write(repo, {".platform-lint.yaml": "budgets: {line_length: 200}\n",
                     ".github/workflows/ci.yml": workflow, "k8s/pod.yaml": POD})
    code, out, _ = check(capsys, repo, "--no-cache")
    assert code == 1
    assert too_complex(out) == [".github/workflows/ci.yml:6:201 line_length"]
    assert STILL_JUDGED in out
    assert_no_exception_text(out)


CONFIG_MAPS = "".join(f"  - {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}}}}}\n" for i in "01234")
BUCKETS = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n' for i in range(5))


@pytest.mark.parametrize("path, text, where", [
    ("k8s/list.yaml", "apiVersion: v1\nkind: List\nitems:\n" + CONFIG_MAPS, "k8s/list.yaml:7:5"),
    ("infra/main.tf", BUCKETS, "infra/main.tf:10:1"),  # the fourth block
])
def test_the_object_budget_counts_objects_and_blocks(
    repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, where: str
) -> None:
    write(repo, {".platform-lint.yaml": "budgets: {objects: 3}\n", path: text, "k8s/pod.yaml": POD})
    code, out, _ = check(capsys, repo, "--no-cache")
    assert code == 1
    assert too_complex(out) == [f"{where} objects"]
    assert STILL_JUDGED in out
    assert_no_exception_text(out)


def _slow_manifest() -> str:
    """About 1 MB, 200,000 nodes: well over a second of building and judging."""
    return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: slow}\ndata:\n" + "".join(
        f"  k{i}: [a, b, c]\n" for i in range(50000))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_cpu_budget_stops_a_file_mid_parse_and_the_scan_goes_on(
    repo: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """No signal or timer: the builder and the rule loops look at the process's
    CPU time, so worker processes (--jobs 2) are stopped the same way."""
    write(repo, {".platform-lint.yaml": "budgets: {cpu_seconds: 0.1}\n",
                     "k8s/slow.yaml": _slow_manifest(), "k8s/pod.yaml": POD})
    code, out, cost = check(capsys, repo, "--no-cache", "--jobs", jobs, memory="none")
    assert code == 1
    found = [line for line in out.splitlines() if "[file-too-complex]" in line]
    assert len(found) == 1 and too_complex(out)[0].startswith("k8s/slow.yaml:")
    assert "took more than 0.1 s of CPU time (budgets.cpu_seconds); it went unchecked" in found[0]
    assert STILL_JUDGED in out
    if jobs == "1":  # the file was judged in this process: its cost is bounded by the budget
        assert cost.cpu_seconds < 2
    assert_no_exception_text(out)


def test_within_its_budgets_the_same_file_is_judged_in_full(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"k8s/slow.yaml": _slow_manifest(), "k8s/pod.yaml": POD})
    code, out, cost = check(capsys, repo, "--no-cache", "--jobs", "1", memory="none")
    assert code == 1
    assert "[file-too-complex]" not in out
    assert cost.cpu_seconds > 0.3  # so the 0.1 s budget above stopped it part way
    assert "2 files scanned, 0 unparseable" in out


@pytest.mark.parametrize("budgets, message", [
    ("{cpu_seconds: 0}", "budgets.cpu_seconds: 0 is less than or equal to the minimum of 0"),
    ("{nodes: many}", "budgets.nodes: 'many' is not of type 'integer'"),
    ("{lines: 5}", "budgets: Additional properties are not allowed ('lines' was unexpected)"),
])
def test_budgets_are_validated_like_the_rest_of_the_config(
    repo: Path, capsys: pytest.CaptureFixture[str], budgets: str, message: str
) -> None:
    write(repo, {".platform-lint.yaml": f"budgets: {budgets}\n", "k8s/pod.yaml": POD})
    code, out, _ = check(capsys, repo, "--no-cache")
    assert code == 2
    assert message in out
    assert_no_exception_text(out)
