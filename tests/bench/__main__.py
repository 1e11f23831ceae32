"""``python -m tests.bench [--scale S] [name ...]``: every benchmark job at its sizes, next to its baseline, as a table,
then each job's targets (met or not met; every job also promises a growth exponent of at most 1.1 between its two
largest sizes). ``site`` adds the end-to-end run of site.yml on 100 and 1,000 sandbox nodes. Exit status 1 when two
sides disagree or a target is not met."""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "playbooks", "collections")]  # the collection, as in pytest.ini

from tests.bench.harness import (  # noqa: E402  pylint: disable=wrong-import-position
    HEADER, Disagreement, discover, format_row, growth_at_most, run_job)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="workload size multiplier (default 1)")
    parser.add_argument("names", nargs="*", help="only jobs (or bench modules) whose name contains one of these")
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    verdicts, failed = [], 0
    for module, factory in sorted(discover().items()):
        for job in factory(scale=args.scale):
            if args.names and not any(n in job.name or n in module for n in args.names):
                continue
            try:
                rows = run_job(job, progress=lambda row: print(format_row(row), flush=True))
            except Disagreement as exc:
                print("DISAGREE %s" % exc, flush=True)
                failed += 1
                continue
            for target in job.targets + [growth_at_most(1.1)]:
                met, text = target.check(rows)
                verdicts.append((met, "%s: %s -- %s" % (job.name, target.text, text)))
    if "site" in args.names:
        from tests.bench import bench_site    # pylint: disable=import-outside-toplevel
        print()
        for line in bench_site.report():
            print(line, flush=True)
    print()
    for met, text in verdicts:
        print("%-8s %s" % ("met" if met else "NOT MET", text))
    return 1 if failed or not all(met for met, _text in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
