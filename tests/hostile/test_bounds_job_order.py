"""`Pipeline.before(job)` and `Pipeline.after(job)` walk the `needs` graph once
each: `after` asked `before` of every job and compared the records, so the
signing check (`after` twice per job) cost n^4 in a chain of n jobs: a workflow
of 500 jobs each needing the one before it (45 KB) ran 87 s, 1,000 jobs past two
minutes, with no CPU budget stopping it. Now each call is linear in the graph, and
a call past the file's CPU budget stops judging it."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from bounded import assert_no_exception_text, check, cpu_limit

from platform_lint.sources.pipeline_model import Job, Pipeline
from repo_helpers import write


class Counted(Mapping[str, Job]):
    """A pipeline's index of jobs that counts its look-ups."""

    def __init__(self, index: Mapping[str, Job]) -> None:
        self.index, self.lookups = index, 0

    def __getitem__(self, key: str) -> Job:
        self.lookups += 1
        return self.index[key]

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.lookups += 1
        return self.index.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


def pipeline(needs: Mapping[str, tuple[str, ...]]) -> Pipeline:
    jobs = tuple(Job(id=i, name=i, path=("jobs", i), file="ci.yml", needs=n) for i, n in needs.items())
    return Pipeline(system="github-actions", path="ci.yml", jobs=jobs)


def test_after_walks_the_graph_once() -> None:
    chain = pipeline({f"j{i}": (f"j{i - 1}",) if i else () for i in range(300)})
    counted = Counted(chain._index)
    object.__setattr__(chain, "_index", counted)
    assert [j.id for j in chain.after(chain.jobs[0])] == [f"j{i}" for i in range(1, 300)]
    assert counted.lookups <= 2 * 300  # was a walk of every job's ancestors: 45,000
    counted.lookups = 0
    assert len(chain.before(chain.jobs[-1])) == 299
    assert counted.lookups <= 2 * 300


def _before(p: Pipeline, job: Job) -> tuple[Job, ...]:
    """The reference, as `before` was written: breadth first, nearest first."""
    seen: dict[str, Job] = {}
    queue = list(job.needs)
    while queue:
        current = queue.pop(0)
        found = p.job(current)
        if found is None or current in seen or current == job.id:
            continue
        seen[current] = found
        queue.extend(found.needs)
    return tuple(seen.values())


def test_before_and_after_read_any_graph_as_the_closure_of_needs() -> None:
    """Random graphs with cycles, jobs needing themselves or unknown ids, repeated ids."""
    rnd = random.Random(7)
    for _ in range(200):
        ids = [f"j{i}" for i in range(rnd.randint(1, 12))]
        jobs = tuple(Job(id=rnd.choice(ids) if rnd.random() < 0.2 else i, name=i, path=("jobs", i),
                         file="ci.yml", needs=tuple(rnd.choice([*ids, "gone"])
                                                    for _ in range(rnd.randint(0, 3))))
                     for i in ids)
        p = Pipeline(system="gitlab-ci", path="ci.yml", jobs=jobs)
        for job in p.jobs:
            assert p.before(job) == _before(p, job)
            assert p.after(job) == tuple(j for j in p.jobs if job in _before(p, j))


def test_a_workflow_of_many_jobs_needing_each_other_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """200 jobs, each needing every one before it (20,000 edges, 300 KB): judged whole
    within the default CPU budget, where it ran for hours."""
    jobs = "".join(f"  j{i}:\n    runs-on: ubuntu-latest\n"
                   + (f"    needs: [{', '.join(f'j{k}' for k in range(i))}]\n" if i else "")
                   + "    steps:\n      - run: docker push x/y:1\n" for i in range(200))
    write(tmp_path, {".github/workflows/ci.yml": "on: push\npermissions: {}\njobs:\n" + jobs})
    with cpu_limit(60):  # a guard, so that the quadratic walks fail rather than hang
        code, out, _cost = check(capsys, tmp_path, "--no-cache", "--jobs", "1", memory="none")
    assert code == 1, out
    assert out.count("[unsigned-artifact-publish]") == 200
    assert "[file-too-complex]" not in out and "[internal-error]" not in out
    assert_no_exception_text(out)
