"""``python -m tests.bench [--scale S] [filter ...]``: run the benchmarks and print the ratios."""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "playbooks", "collections")]  # the collection, as in pytest.ini

from tests.bench.harness import discover, report, run  # noqa: E402  pylint: disable=wrong-import-position


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="workload size multiplier (default 1)")
    parser.add_argument("filters", nargs="*", help="only benchmarks whose name contains one of these")
    args = parser.parse_args(argv)
    failed = 0
    for module, factory in sorted(discover().items()):
        for bench in factory(scale=args.scale):
            if args.filters and not any(f in bench.name or f in module for f in args.filters):
                continue
            try:
                ours, naive = run(bench)
            except AssertionError as exc:
                print("FAILED %s" % exc)
                failed += 1
                continue
            print(report(bench, ours, naive), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
