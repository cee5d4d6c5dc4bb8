"""Replicate-runs per second for `tuanzhang` (12 weeks, hourly), cold and warm first-call
times, and peak memory of a 500-member run. Run on demand: `make bench`.

Runs per second are counted in process, by wall time and by CPU time of this process (runs per
CPU-second, the steadier figure on a shared machine; the load average is printed with them).
Issue 17's target is 100 runs per second per core, compared with the parent commit in the
same minute.

Resident memory counts the mapped pages of numba/LLVM, pandas and numpy, which vary with the
page cache; private memory and the run's own increment are the stable figures.
Cold start uses an empty numba cache directory; warm start reuses it. Both are measured in
fresh subprocesses so that the import and compile costs are real.
"""

import os
import subprocess
import sys
import tempfile
import time

FIRST_CALL = """
import time
t = time.perf_counter()
from scenarios.loader import load_plan
from sim.run import simulate
simulate(load_plan("tuanzhang"), 0)
print(time.perf_counter() - t)
"""

BIG_RUN = """
import resource
from scenarios.loader import load_plan
from sim.run import simulate
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
simulate(load_plan("tuanzhang", ["group.weeks=1"]), 0)
floor = peak()
simulate(load_plan("tuanzhang", ["members.initial=499", "pool.size=1000"]), 0)  # 500 with the host
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
private = float(status["RssAnon"].split()[0]) / 1024
print(floor, peak(), private)
"""


def _subprocess(code: str, cache_dir: str) -> list[float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        (cold,) = _subprocess(FIRST_CALL, cache)
        (warm,) = _subprocess(FIRST_CALL, cache)
        floor_mb, peak_mb, private_mb = _subprocess(BIG_RUN, cache)

    from scenarios.loader import load_plan
    from sim.run import simulate

    plan = load_plan("tuanzhang")
    simulate(plan, 0)  # warm-up
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < 10.0:
        simulate(plan, n)
        n += 1
    rate = n / (time.perf_counter() - start)
    cpu_rate = n / (time.process_time() - cpu)
    print(f"tuanzhang, 12 weeks hourly: {rate:.1f} runs/s on one core, {cpu_rate:.1f} runs per "
          f"CPU-second ({n} runs, load average {os.getloadavg()[0]:.1f})")
    print(f"first call, cold compile cache: {cold:.1f} s")
    print(f"first call, warm compile cache: {warm:.2f} s")
    print(f"peak memory, 500-member run (pool 1000): {peak_mb:.0f} MB resident, of which "
          f"{private_mb:.0f} MB private (the rest is shared library pages); the run itself adds "
          f"{peak_mb - floor_mb:.0f} MB to the process after a one-week run ({floor_mb:.0f} MB)")
    print(f"ratios: warm/cold start {warm / cold:.3f}; targets 40 runs/s (issue 17: 100 runs/s "
          "per core), warm < 2 s, < 300 MB")


if __name__ == "__main__":
    main()
