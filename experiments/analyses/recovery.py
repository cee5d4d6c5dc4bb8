"""Recovery of known constants: simulate a plan with a changed audience (`TRUTH`), render it in
each export format, import it, calibrate, and check each fitted interval against the truth.
Histories of apps without red packets (Telegram, WhatsApp) are played without them.

`python -m experiments.analyses.recovery [--trials N] [--replicates R] [--weeks W]
[--members M] [--formats f,g] [--workers K] [--truth name=value,...] [--seed S] [--out DIR]`
writes DIR/recovery.csv and prints it as a table; `--truth` changes values of `TRUTH` (another
truth checks that the method is not tuned to one), `--seed` the history's luck (its run plays
seed S + 777, the calibration seeds S, S + 1, ...: one history is one draw, and seed 0's is a
loud one); tests/test_history_calibrate.py runs a small one.
"""

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments.running.history.importer import import_exports
from experiments.analyses.calibrate import calibrate
from experiments.running.history.export_chat import LOSSES
from experiments.running.history.formats.registry import EXPORT_FORMATS
from experiments.running.runner import run_plan
from scenarios.loader import validate_dict
from sim.profile import Profile, ProfileError

TRUTH = Profile("truth", {"post_rate": 0.014, "voice_spread": 1.2, "shift": 1.5,
                          "night": 0.6, "evening": 1.3, "churn_per_day": 0.003,
                          "thanks_share": 0.5})
"""Constants changed from the defaults in the simulated history."""
IDENTIFIABLE = {"post_rate": EXPORT_FORMATS, "voice_spread": EXPORT_FORMATS,
                "shift": EXPORT_FORMATS, "night": EXPORT_FORMATS, "evening": EXPORT_FORMATS,
                "churn_per_day": ("telegram-json", "whatsapp-txt"),
                "thanks_share": ("wechat-chatlog-csv", "qq-txt")}
"""Which formats each name is claimed identifiable from (docs/history.md, "What the data pins
down"): the target; on eight random audiences `voice_spread` was pinned in 4 of 16 fits and
`churn_per_day` in 3 of 8 (docs/history.md, "Eight random audiences")."""
SUFFIX = {"wechat-chatlog-csv": "csv", "telegram-json": "json", "qq-txt": "txt",
          "whatsapp-txt": "txt"}


RED_PACKET_FORMATS = ("wechat-chatlog-csv", "qq-txt")
"""Formats of apps with red packets; the others' histories are played without them."""


def recovery_plan(weeks: int = 12, members: int = 200, red_packets: bool = True) -> dict:
    """The simulated history's plan: daily red packets (if `red_packets`), a weekly 接龙, a topic
    every 2 days."""
    plan = {
        "name": "recovery",
        "description": "recovery test: daily red packets, a weekly 接龙, QR influx",
        "group": {"type": "fan", "topic_value": 0.5, "weeks": weeks},
        "host": {"ip_strength": 0.5, "ip_match": 0.6, "capacity": 4},
        "members": {"initial": members, "clustered": 0.3},
        "pool": {"size": 2 * members},
        "growth": {"qr_influx_per_day": 1.0},
        "calendar": [{"kind": "topic", "every_days": 2, "hour": 20},
                     {"kind": "red_packet", "every_days": 1, "hour": 21, "amount": 20,
                      "count": 10},
                     {"kind": "jielong", "weekday": "sat", "hour": 10}],
    }
    if not red_packets:
        plan["calendar"] = [i for i in plan["calendar"] if i["kind"] != "red_packet"]
    return plan


def recovery(work: Path, formats: Sequence[str] = EXPORT_FORMATS, *, trials: int = 200,
             replicates: int = 8, weeks: int = 12, members: int = 200, workers: int = 1,
             names: Sequence[str] | None = None, seed: int = 0,
             truth: Profile = TRUTH) -> pd.DataFrame:
    """One row per format and fitted name: truth, fitted value, interval, whether the truth is
    inside, whether the data pinned it down, and whether the docs call it identifiable there
    (rows of names not fitted carry the reason in `note`). The history plays the recovery plan
    with `truth`; `names` default to calibrate's `DEFAULT_FIT`."""
    from experiments.running.history.export_chat import export_chat

    rows = []
    for fmt in formats:
        plan = validate_dict(recovery_plan(weeks, members, fmt in RED_PACKET_FORMATS))
        run_dir = work / f"run-{fmt}"
        run_plan(plan, replicates=1, seed=seed + 777, hourly=True, out=run_dir, profile=truth)
        export = export_chat(run_dir, 0, fmt, work / f"{fmt}.{SUFFIX[fmt]}")
        hist = work / f"history-{fmt}"
        import_exports([export], hist, salt="recovery")
        started = time.perf_counter()
        kwargs = {"names": names} if names else {}
        result = calibrate(hist, run_dir / "plan.yaml", trials=trials, replicates=replicates,
                           workers=workers, seed=seed, out=hist / "fit", **kwargs)
        seconds = time.perf_counter() - started
        check = result.profile.fit["fit_check"]
        for r in result.table.itertuples():
            true = truth.values.get(r.name, r.prior)
            rows.append({"format": fmt, "name": r.name, "truth": true, "fitted": r.value,
                         "lo": r.lo, "hi": r.hi, "inside": bool(r.lo <= true <= r.hi),
                         "identified": r.identified,
                         "identifiable": fmt in IDENTIFIABLE.get(r.name, ()),
                         "seconds": round(seconds),
                         "fit_p": check["p"], "worst": f'{check["worst"]} {check["z"]:+.1f}'})
        rows += [{"format": fmt, "name": s.split(":")[0], "note": s, "identifiable": False}
                 for s in result.skipped]
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--replicates", type=int, default=8)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--formats", default=",".join(EXPORT_FORMATS))
    ap.add_argument("--truth", default="", help="name=value,... changed from TRUTH")
    ap.add_argument("--seed", type=int, default=0, help="the history's and the fit's seeds")
    ap.add_argument("--out", type=Path, default=Path("recovery"))
    a = ap.parse_args(argv)
    try:
        truth = Profile("truth", {**TRUTH.values, **{
            k: float(v) for k, v in (item.split("=") for item in a.truth.split(",") if item)}})
    except (ValueError, ProfileError) as error:
        ap.error(f"--truth {a.truth}: {error} (give name=value,... of names in a profile)")
    a.out.mkdir(parents=True, exist_ok=True)
    tables = []
    for fmt in a.formats.split(","):  # one format at a time: the table grows as each finishes
        with tempfile.TemporaryDirectory() as tmp:
            tables.append(recovery(Path(tmp), [fmt], trials=a.trials, replicates=a.replicates,
                                   weeks=a.weeks, members=a.members, workers=a.workers,
                                   truth=truth, seed=a.seed))
        table = pd.concat(tables, ignore_index=True)
        table.to_csv(a.out / "recovery.csv", index=False)
    print(table.to_markdown(index=False, floatfmt=".4g"))
    print("\nFormat losses: " + "; ".join(f"{k}: {v}" for k, v in LOSSES.items()))


if __name__ == "__main__":
    main()
