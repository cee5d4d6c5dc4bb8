"""Runs per second of a tuanzhang sweep (100 points x 20 replicates = 2,000 runs, 12 weeks):
in-process `simulate` in a loop, `run_points` here (1 worker), in 2 local processes and on a
Dask LocalCluster of 2 processes, in rounds, all in one invocation. Each round measures
in-process before and after the three; the faster of the two is that round's reference, so a
slow spell of a shared machine does not flatter the workers. Wall-clock rates include starting
the workers; "after the first chunk" leaves out their start-up (imports, loading the compiled
kernels). The medians over the rounds are the figures to quote. Run on demand:
`.venv/bin/python benchmarks/bench_sweep.py [--runs N] [--rounds N]`.

Targets (issue 6): each worker at >= 80% of the in-process rate; 2 workers >= 1.7x one.
"""

import argparse
import os
import statistics
import time

from experiments.running.points import run_points
from scenarios.loader import load_plan
from sim.run import simulate

REPLICATES = 20
SETUPS = {
    "1 worker": {"workers": 1},
    "2 processes": {"workers": 2},
    "--dask local (2)": {"workers": 2, "dask": "local"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of measurements")
    args = parser.parse_args()
    base = load_plan("tuanzhang")
    n_points = max(1, args.runs // REPLICATES)
    points = [{"host.ip_strength": round(0.1 + 0.8 * i / max(1, n_points - 1), 6)}
              for i in range(n_points)]
    runs = n_points * REPLICATES
    simulate(base, 0)  # compile or load the kernels once, as a warm process would

    def in_process() -> float:
        t = time.perf_counter()
        for point in points:
            plan = base.model_copy(update={"host": base.host.model_copy(update={
                "ip_strength": point["host.ip_strength"]})})
            for r in range(REPLICATES):
                simulate(plan, r)
        return runs / (time.perf_counter() - t)

    def setup(kwargs: dict) -> tuple[float, float, float]:
        """Wall-clock rate, rate after the first chunk, seconds to the first chunk."""
        first: list[tuple[float, int]] = []

        def progress(done: int, total: int) -> None:
            if done and not first:
                first.append((time.perf_counter(), done))

        t = time.perf_counter()
        run_points(base, points, REPLICATES, progress=progress, **kwargs)
        end = time.perf_counter()
        return runs / (end - t), (runs - first[0][1]) / (end - first[0][0]), first[0][0] - t

    print(f"tuanzhang sweep: {n_points} points x {REPLICATES} replicates = {runs} runs, "
          f"{base.group.weeks} weeks; load average before: {os.getloadavg()[0]:.1f}")
    share: dict[str, list[float]] = {label: [] for label in SETUPS}
    speedup: dict[str, list[float]] = {label: [] for label in SETUPS if label != "1 worker"}
    before = in_process()
    for round_ in range(1, args.rounds + 1):
        rates = {}
        for label, kwargs in SETUPS.items():
            rates[label], steady, start = setup(kwargs)
            print(f"round {round_}: {label:17s} {rates[label]:6.1f} runs/s; after the first "
                  f"chunk {steady:6.1f}; first chunk after {start:.1f} s")
        after = in_process()
        here = max(before, after)
        print(f"round {round_}: in-process {before:.1f} before, {after:.1f} after -> "
              f"reference {here:.1f} runs/s")
        for label, rate in rates.items():
            share[label].append(rate / SETUPS[label]["workers"] / here)
        for label in speedup:
            speedup[label].append(rates[label] / rates["1 worker"])
        before = after
    print("medians over the rounds (wall clock, start-up included):")
    for label, values in share.items():
        print(f"  {label:17s} {statistics.median(values):4.0%} of in-process per worker "
              f"(rounds: {', '.join(f'{v:.0%}' for v in values)})")
    for label, values in speedup.items():
        print(f"  {label:17s} {statistics.median(values):.2f}x one worker "
              f"(rounds: {', '.join(f'{v:.2f}' for v in values)})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
