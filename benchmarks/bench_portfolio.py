"""A portfolio at scale (issue 17 part 4): N copies of tuanzhang, each with 200 members and a
300-candidate share of one pool (200,000 people), one host each, 12 weeks, one replicate
played in process by `sim.portfolio.simulate_portfolio` (set-up, the days with their coupling,
the tables), in 1 thread and in 2. Prints wall and CPU seconds, the load average and whether
both thread counts gave the same tables (they must). Target: 1,000 copies in < 10 s on this
machine's 2 cores.

    python benchmarks/bench_portfolio.py            # 1,000 copies
    python benchmarks/bench_portfolio.py --copies 100
"""

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from scenarios.portfolio import PortfolioFile, resolve
from sim.portfolio import simulate_portfolio


def portfolio(copies: int):
    """`copies` copies of tuanzhang (200 members, 300 candidates) sharing 200,000 people."""
    spec = {"portfolio": f"copies_{copies}", "pool": {"size": 200_000},
            "groups": [{"plan": "tuanzhang", "name": "tz", "copies": copies,
                        "set": {"members.initial": 200, "pool.size": 300}}],
            "targets": {"alive_week": 12}}
    return resolve(PortfolioFile.model_validate(spec), Path("."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    args = parser.parse_args()
    simulate_portfolio(portfolio(2), 0, 2)  # loads or compiles the kernels
    whole = portfolio(args.copies)
    results = {}
    for threads in (1, 2):
        wall, cpu = time.perf_counter(), time.process_time()
        results[threads] = simulate_portfolio(whole, 0, threads)
        print(f"{args.copies} copies, {threads} thread(s): {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f}",
              flush=True)
    pd.testing.assert_frame_equal(results[1].daily, results[2].daily)
    print("1 and 2 threads: the same daily table")


if __name__ == "__main__":
    main()
