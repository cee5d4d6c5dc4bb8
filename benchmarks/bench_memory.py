"""Peak memory of one replicate against `experiments.running.memory.run_bytes`, at a few sizes.

Each size runs in a fresh child process after a small warm-up run (which compiles or loads the
kernels): the peak of Python's traced allocations during the run (numpy's arrays included) and
the growth of peak resident memory, beside the estimate. The estimate's calibration (its
docstring) comes from this table.

    python benchmarks/bench_memory.py                       # open_door (QQ), 2 weeks, 4 pool sizes
    python benchmarks/bench_memory.py --plan tuanzhang --sizes 0 5000 --set pool.mean_friends=40
"""

import argparse
import json
import subprocess
import sys

from experiments.running.memory import run_bytes
from scenarios.loader import load_plan
from sim.pool import slot_count

CHILD = """
import json, resource, sys, tracemalloc
from scenarios.loader import validate_dict
from sim.run import simulate
simulate(validate_dict({"name": "warm", "group": {"weeks": 1}}), 0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tracemalloc.start()
simulate(validate_dict(json.loads(sys.argv[1])), 0)
traced = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
print(json.dumps({"traced": traced, "rss_growth": rss}))
"""


def measure(raw: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(raw)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="open_door")
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 3000, 6000, 10000])
    parser.add_argument("--set", action="append", default=[], metavar="dotted.key=value")
    args = parser.parse_args()
    print("pool.size  slots  traced MB  RSS growth MB  estimate MB")
    for size in args.sizes:
        plan = load_plan(args.plan, [f"pool.size={size}", f"group.weeks={args.weeks}", *args.set])
        got = measure(plan.model_dump(mode="json"))
        print(f"{size:9d} {slot_count(plan):6d} {got['traced'] / 2**20:10.0f} "
              f"{got['rss_growth'] / 2**20:14.0f} {run_bytes(plan) / 2**20:12.0f}", flush=True)


if __name__ == "__main__":
    main()
