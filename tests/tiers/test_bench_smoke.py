"""The benchmarks run at 1% of their sizes, and at every size ours and the baseline compute the same output
(no timing is asserted: benchmarks are not timed tests; ``python -m tests.bench`` checks the targets)."""
import pytest

from tests.bench.harness import discover, run_job

JOBS = [job for _name, factory in sorted(discover().items()) for job in factory(scale=0.01)]


@pytest.mark.parametrize("job", JOBS, ids=[j.name for j in JOBS])
def test_benchmark_agrees_with_its_baseline(job):
    job.repeat = 1
    rows = run_job(job)
    assert [r.size for r in rows] == sorted(set(job.sizes))   # small scales collapse sizes together
