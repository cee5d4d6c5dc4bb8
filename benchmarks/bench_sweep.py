"""Runs per second of a tuanzhang sweep (100 points x 20 replicates = 2,000 runs, 12 weeks):
in-process `simulate` in a loop, then `run_points` here (1 worker), in 2 local processes and on
a Dask LocalCluster of 2 processes, then in-process again, all in the same invocation so the
machine's load is shared alike; the faster in-process rate is the reference. Wall-clock rates
include starting the workers; "after the first chunk" is the rate from the first finished chunk
to the end, i.e. without the workers' start-up (imports, loading the compiled kernels). Run on
demand: `.venv/bin/python benchmarks/bench_sweep.py [--runs N]`.

Targets (issue 6): each worker at >= 80% of the in-process rate; 2 workers >= 1.7x one.
"""

import argparse
import os
import time

from experiments.points import run_points
from scenarios.loader import load_plan
from sim.run import simulate

REPLICATES = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs per measurement")
    args = parser.parse_args()
    base = load_plan("tuanzhang")
    n_points = max(1, args.runs // REPLICATES)
    points = [{"host.ip_strength": round(0.1 + 0.8 * i / max(1, n_points - 1), 6)}
              for i in range(n_points)]
    runs = n_points * REPLICATES
    simulate(base, 0)  # compile or load the kernels once, as a warm process would

    print(f"tuanzhang sweep: {n_points} points x {REPLICATES} replicates = {runs} runs, "
          f"{base.group.weeks} weeks; load average before: {os.getloadavg()[0]:.1f}")
    def in_process() -> float:
        t = time.perf_counter()
        for point in points:
            plan = base.model_copy(update={"host": base.host.model_copy(update={
                "ip_strength": point["host.ip_strength"]})})
            for r in range(REPLICATES):
                simulate(plan, r)
        return runs / (time.perf_counter() - t)

    before = in_process()
    print(f"{'in-process simulate':28s} {before:7.1f} runs/s")

    rates = {}
    for label, kwargs in (
        ("run_points, 1 worker", {"workers": 1}),
        ("run_points, 2 processes", {"workers": 2}),
        ("run_points, --dask local (2)", {"workers": 2, "dask": "local"}),
    ):
        first: list[tuple[float, int]] = []

        def progress(done: int, total: int) -> None:
            if done and not first:
                first.append((time.perf_counter(), done))

        t = time.perf_counter()
        run_points(base, points, REPLICATES, progress=progress, **kwargs)
        end = time.perf_counter()
        rates[label] = runs / (end - t)
        steady = (runs - first[0][1]) / (end - first[0][0])
        print(f"{label:28s} {rates[label]:7.1f} runs/s; after the first chunk {steady:7.1f} "
              f"runs/s; first chunk after {first[0][0] - t:.1f} s")
    after = in_process()
    here = max(before, after)
    print(f"{'in-process simulate, again':28s} {after:7.1f} runs/s; the faster of the two is the "
          "reference")
    one = rates["run_points, 1 worker"]
    for label, rate in rates.items():
        n = 1 if "1 worker" in label else 2
        print(f"{label:28s} {rate / n / here:4.0%} of in-process per worker, wall clock")
    print(f"2 processes / 1 worker: {rates['run_points, 2 processes'] / one:.2f}x; "
          f"Dask (2) / 1 worker: {rates['run_points, --dask local (2)'] / one:.2f}x; "
          f"load average after: {os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main()
