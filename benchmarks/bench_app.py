"""How long the what-if page takes to answer a lever change: the changed plan's 20 replicates
(the base plan's are already remembered) for `tuanzhang` with 200 initial members, after the
kernels are warm, as `groupsim app` runs them. Run on demand:
`.venv/bin/python benchmarks/bench_app.py`.
"""

import os
import statistics
import time

from experiments.outputs.app import apply_levers, read_levers, run_whatif, warm_up, whatif_name
from scenarios.loader import load_plan

REPLICATES = 20


def main() -> None:
    warm_up()
    base = load_plan("tuanzhang", ["members.initial=200"])
    levers = read_levers(base)
    run_whatif(base, apply_levers(base, levers, name=whatif_name(base)), REPLICATES)
    seconds, cpu = [], []
    for price in range(61, 71):  # ten lever changes, none seen before
        changed = apply_levers(base, {**levers, "economics.price": float(price)},
                               name=whatif_name(base))
        start, start_cpu = time.perf_counter(), time.process_time()
        run_whatif(base, changed, REPLICATES)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"lever change -> {REPLICATES} replicates of a 200-member plan and the paired "
          f"differences: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s; "
          f"CPU time median {statistics.median(cpu):.2f} s (what an idle core would take; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
