"""The inner loop's two timings (`make loop-timings`), on a warm numba cache:

(a) from an edit of `sim/metrics.py` (no kernel imports it, so nothing recompiles) to the
    result of `tests/test_model.py`;
(b) from an edit of one kernel module (`sim/day.py`: recompiles it and `sim/hour.py`, which
    imports it) to a finished run of `tuanzhang`.

Each edit appends a comment that differs from run to run (so the cache cannot already hold
it) and is undone afterwards; the cache keeps the unedited version's code, so nothing else
recompiles later. Targets: (a) under 20 s, (b) under 60 s.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = "from scenarios.loader import load_plan; from sim.run import simulate; simulate(load_plan('tuanzhang'), 0)"


def timed_after_edit(path: Path, command: list[str]) -> float:
    """Seconds from appending a fresh comment to `path` to the end of `command`."""
    original = path.read_bytes()
    try:
        start = time.perf_counter()
        with path.open("a", encoding="utf-8") as f:
            f.write(f"# loop-timings edit {time.time_ns()}\n")
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        path.write_bytes(original)


def main() -> None:
    python = sys.executable
    subprocess.run([python, "-c", RUN], cwd=ROOT, check=True)  # warm the cache as it stands
    a = timed_after_edit(ROOT / "sim" / "metrics.py",
                         [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_model.py"])
    b = timed_after_edit(ROOT / "sim" / "day.py", [python, "-c", RUN])
    print(f"(a) edit sim/metrics.py -> tests/test_model.py result: {a:5.1f} s (target < 20 s)")
    print(f"(b) edit sim/day.py -> finished tuanzhang run:          {b:5.1f} s (target < 60 s)")


if __name__ == "__main__":
    main()
