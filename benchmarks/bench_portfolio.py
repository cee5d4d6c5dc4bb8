"""A portfolio at scale (issue 17 part 4): N copies of tuanzhang, each with 200 members and a
300-candidate share of one pool (200,000 people), one host each, 12 weeks, one replicate
played in process by `sim.portfolio.simulate_portfolio` (set-up, the days with their coupling,
the tables), in 1 thread and in 2, each in a fresh process of its own (as `groupsim run` plays
a replicate: a second portfolio in the same process ran 2–3 s slower, after the first's 1,000
models). Prints wall and CPU seconds, split into set-up, days and tables, the load average
and whether both thread counts gave the same tables (they must). Target: 1,000 copies in
< 10 s on this machine's 2 cores.

    python benchmarks/bench_portfolio.py            # 1,000 copies
    python benchmarks/bench_portfolio.py --copies 100
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from scenarios.portfolio import PortfolioFile, resolve


def portfolio(copies: int):
    """`copies` copies of tuanzhang (200 members, 300 candidates) sharing 200,000 people."""
    spec = {"portfolio": f"copies_{copies}", "pool": {"size": 200_000},
            "groups": [{"plan": "tuanzhang", "name": "tz", "copies": copies,
                        "set": {"members.initial": 200, "pool.size": 300}}],
            "targets": {"alive_week": 12}}
    return resolve(PortfolioFile.model_validate(spec), Path("."))


def child(copies: int, threads: int, out: Path) -> None:
    """Play one replicate in this process and write its daily table to `out`."""
    from sim import portfolio as played

    played.simulate_portfolio(portfolio(2), 0, threads)  # loads or compiles the kernels
    whole = portfolio(copies)
    marks = [(time.perf_counter(), time.process_time())]
    model = played.PortfolioModel(whole, 0, threads)
    marks.append((time.perf_counter(), time.process_time()))
    model.run()
    marks.append((time.perf_counter(), time.process_time()))
    result = played.portfolio_result(model, 0)
    marks.append((time.perf_counter(), time.process_time()))
    parts = ", ".join(f"{name} {b[0] - a[0]:.1f} s" for name, a, b in
                      zip(("set-up", "days", "tables"), marks, marks[1:]))
    print(f"{copies} copies, {threads} thread(s): {marks[-1][0] - marks[0][0]:.1f} s wall "
          f"({parts}), {marks[-1][1] - marks[0][1]:.1f} s CPU; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    result.daily.to_parquet(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)  # threads, in a child
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.copies, args.child, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 2):
            subprocess.run([sys.executable, __file__, "--copies", str(args.copies),
                            "--child", str(threads), "--out", f"{tmp}/{threads}.parquet"],
                           check=True)
        pd.testing.assert_frame_equal(pd.read_parquet(f"{tmp}/1.parquet"),
                                      pd.read_parquet(f"{tmp}/2.parquet"))
    print("1 and 2 threads: the same daily table")


if __name__ == "__main__":
    main()
