"""Time and peak memory of one replicate of the largest plan the schema allows.

Every size lever at its schema maximum (QQ's 2,000 members, the largest pool, the longest
horizon, the most QR influx, the largest referral rewards, no budget to stop the money) and the
heaviest calendar: one item of every kind firing every day, each kind's sizes at their maxima.
Each measure runs one replicate in a fresh child process (after a one-week warm-up that
compiles the kernels), reading its peak resident memory from resource.getrusage; CPU time is
printed beside wall time because a shared machine stretches the latter.

    python benchmarks/bench_worst.py                 # the worst case
    python benchmarks/bench_worst.py --set group.weeks=4 --set pool.size=5000   # variations
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import get_args

import yaml

from scenarios.loader import load_plan
from scenarios.schema import (
    HOST_ACCOUNTS, PLATFORM_CAP, CalendarItem, Group, Growth, Plan, Platform, Pool,
)

CHILD = """
import json, resource, sys, time
from scenarios.loader import validate_dict
from sim.run import simulate
raw = json.loads(sys.argv[1])
warm = json.loads(sys.argv[1]); warm["group"]["weeks"] = 1; warm["calendar"] = []
simulate(validate_dict(warm), 0)  # compile (or load) the kernels
plan = validate_dict(raw)
t, cpu = time.perf_counter(), time.process_time()
simulate(plan, 0)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - cpu,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _maximum(model, name: str):
    return next(m.le for m in model.model_fields[name].metadata if hasattr(m, "le"))


def worst_plan() -> dict:
    """The largest plan the schema admits, as the dict a YAML file would hold."""
    cap = PLATFORM_CAP[Platform.qq]
    calendar = []
    for model in get_args(get_args(CalendarItem)[0]):
        item = {"kind": get_args(model.model_fields["kind"].annotation)[0], "every_days": 1}
        for name in ("count", "stock", "hours_open", "capacity", "valid_hours"):
            if name in model.model_fields:
                item[name] = _maximum(model, name)
        calendar.append(item)
    return {
        "name": "worst",
        "group": {"platform": "qq", "weeks": _maximum(Group, "weeks")},
        "pool": {"size": _maximum(Pool, "size"), "mean_friends": _maximum(Pool, "mean_friends"),
                 "money_sensitivity": 1.0, "interest_mean": 1.0},
        "members": {"initial": cap - HOST_ACCOUNTS},  # the cap counts the host too
        "growth": {"qr_influx_per_day": _maximum(Growth, "qr_influx_per_day"),
                   "referral_reward_referrer": _maximum(Growth, "referral_reward_referrer"),
                   "referral_reward_referee": _maximum(Growth, "referral_reward_referee")},
        "calendar": calendar,
    }


def measure(plan: Plan) -> dict:
    """Seconds and peak resident MB of one replicate of `plan`, in a fresh child process."""
    raw = json.dumps(plan.model_dump(mode="json"))
    out = subprocess.run([sys.executable, "-c", CHILD, raw], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="dotted.key=value")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "worst.yaml"
        path.write_text(yaml.safe_dump(worst_plan()))
        plan = load_plan(str(path), args.set)
    result = measure(plan)
    print(f"one replicate of the worst plan ({', '.join(args.set) or 'schema maxima'}): "
          f"{result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s of CPU), "
          f"peak resident memory {result['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
