"""The benchmarks run (at 1% of their size) and ours agrees with each naive baseline."""
import pytest

from tests.bench.harness import discover, run

BENCHMARKS = [bench for _name, factory in sorted(discover().items()) for bench in factory(scale=0.01)]


@pytest.mark.parametrize("bench", BENCHMARKS, ids=[b.name for b in BENCHMARKS])
def test_benchmark_agrees_with_baseline(bench):
    bench.repeat = 1
    run(bench)
