"""Seconds from Ctrl-C to the exit, and to the last worker gone, for every backend: the tight
figures behind the README's "within seconds" (tests/promises.py holds the tests to 20 s and
10 s, room for a loaded CI machine). Each round starts `groupsim sweep` in its own process
group, as a terminal does, waits for its first chunks, sends SIGINT to the group and times.
Run on demand: `.venv/bin/python benchmarks/bench_interrupt.py [--rounds N]`.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

GROUPSIM = [sys.executable, "-m", "experiments.cli"]  # this checkout's groupsim
SWEEP = ["sweep", "tuanzhang", "--vary", "host.ip_strength=0.1:0.9:100", "--replicates", "2",
         "--weeks", "3"]
BACKENDS = {
    "1 worker": ["--workers", "1"],
    "2 processes": ["--workers", "2"],
    "--dask local (2)": ["--workers", "2", "--dask", "local"],
}


def once(extra: list[str]) -> tuple[float, float]:
    """Seconds from SIGINT to the exit, and to the last worker gone."""
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.Popen([*GROUPSIM, *SWEEP, "--out", out, *extra],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        while len(list(Path(out, "chunks").glob("*.summary.parquet"))) < 2:
            if proc.poll() is not None:
                raise SystemExit(f"groupsim exited with {proc.returncode} before two chunks")
            time.sleep(0.05)
        workers = psutil.Process(proc.pid).children(recursive=True)
        sent = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait()
        exited = time.perf_counter() - sent
        psutil.wait_procs(workers, timeout=60)
        return exited, time.perf_counter() - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interrupts per backend")
    args = parser.parse_args()
    print(f"{'backend':<18} {'exit median':>12} {'exit max':>9} {'workers gone max':>17}")
    for name, extra in BACKENDS.items():
        times = [once(extra) for _ in range(args.rounds)]
        exits = [t[0] for t in times]
        print(f"{name:<18} {statistics.median(exits):>11.2f}s {max(exits):>8.2f}s "
              f"{max(t[1] for t in times):>16.2f}s")


if __name__ == "__main__":
    main()
