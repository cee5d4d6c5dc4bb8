"""Seconds to calibrate a 12-week, 200-member history: 200 trials × 8 replicates (the target is
under 10 minutes on this 2-core machine). Run on demand:
`python benchmarks/bench_calibrate.py [--trials 200] [--replicates 8] [--workers 2]`.

The history is the recovery plan (experiments/analyses/recovery.py) played with its `TRUTH`
profile, rendered as a WhatsApp export and imported; the calibration fits the default names
(experiments/analyses/calibrate.py, `DEFAULT_FIT`). The load average is printed with the time:
wall time depends on what else the machine runs.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from experiments.analyses.calibrate import calibrate
from experiments.analyses.recovery import TRUTH, recovery_plan
from experiments.running.history.export_chat import export_chat
from experiments.running.history.importer import import_exports
from experiments.running.runner import run_plan
from scenarios.loader import validate_dict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--replicates", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plan = validate_dict(recovery_plan(12, 200))
        run_plan(plan, replicates=1, seed=777, hourly=True, out=work / "run", profile=TRUTH)
        export = export_chat(work / "run", 0, "whatsapp-txt", work / "chat.txt")
        import_exports([export], work / "history", salt="bench")
        load = os.getloadavg()
        started = time.perf_counter()
        cpu = time.process_time()
        result = calibrate(work / "history", work / "run" / "plan.yaml", trials=a.trials,
                           replicates=a.replicates, workers=a.workers)
        wall = time.perf_counter() - started
        print(f"{a.trials} trials × {a.replicates} replicates, {a.workers} workers: "
              f"{wall:.0f} s wall ({wall / a.trials:.2f} s a trial); driver CPU "
              f"{time.process_time() - cpu:.0f} s; load average before "
              f"{load[0]:.1f}, after {os.getloadavg()[0]:.1f}")
        for line in result.lines():
            print(" ", line)


if __name__ == "__main__":
    main()
