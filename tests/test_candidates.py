"""The hourly loops pass over the accounts that cannot post or share that hour
(`sim.core.mark_candidates`, `sim.joins.mark_sharing`): the outcomes are those of loops that
compute every account's chance every hour, exactly.

The reference reads every account as marked at every hour, whatever the marking wrote: every
draw meets its chance, as before the marks. Run without the JIT, where the marks can be
replaced; with social proof pinned at its largest and no boost, so the bound is tight and a
rise of a chance that did not mark again would change a post (each marking call left out fails
the test).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# plans whose runs raise members' chances through every path that marks again: money (red
# packets, check-in rewards), recognition (replies; a native KOL's lectures), purchases that
# please or disappoint, joins by referral and by QR (spammers), shills, muting
PLANS = [
    ("tuanzhang", ["group.weeks=2", "members.initial=40", "pool.size=80", "members.shills=3",
                   "growth.qr_influx_per_day=5", "growth.referral_reward_referrer=5",
                   "economics.quality=0.4"]),
    ("native_kol", ["group.weeks=3", "members.initial=40", "pool.size=60"]),
    ("ip_mismatch", ["group.weeks=2", "members.initial=50", "pool.size=60",
                     "incentives.points=true"]),
    ("DAILY", ["group.weeks=2", "members.initial=40", "pool.size=60"]),
]
DAILY = """
extends: native_kol
calendar:
  - {kind: lecture, by: native, every_days: 1, hour: 20}
  - {kind: red_packet, every_days: 1, hour: 12, amount: 50, count: 30}
  - {kind: checkin, every_days: 1, hour: 9, reward: 2}
"""  # money, check-in rewards and a member's lecture every day
SEEDS = (1, 2, 3)

PLAY = """
import hashlib, json, sys
from scenarios.loader import load_plan
from sim.constants import CONSTANTS
from sim.run import simulate
import sim.hour, sim.state
# "tight": social proof at its largest every hour and no boost: the bound is tight and never
# marked again for the boost, so a missed rise shows; else the model's own constants, where the
# boost marks again
constants = CONSTANTS if sys.argv[3] == "own" else CONSTANTS._replace(social_floor=1.0, opening_burst=0.0, interaction_pull=0.0,
                               grab_buzz=0.0, topic_pull=0.0, lecture_pull=0.0,
                               lecture_recognition=3.0, recognised_max=30.0)


class EveryHour:  # candidates read as marked for everything, always, whatever is written

    def __getitem__(self, key):
        return 255

    def __setitem__(self, key, value):
        pass


if sys.argv[2] == "every hour":
    allocate = sim.state.allocate
    sim.state.allocate = lambda *args: allocate(*args)._replace(candidates=EveryHour())
elif sys.argv[3] == "tight":
    sim.hour.BOOST_ROOM = 0.0
out = []
for plan, sets in json.loads(sys.argv[1]):
    for seed in %s:
        r = simulate(load_plan(plan, sets), seed, constants=constants)
        out.append([plan, seed, int(r.daily["real_messages"].sum()), int(r.daily["joins"].sum()),
                    hashlib.sha256(r.daily.to_csv().encode()).hexdigest()])
print(json.dumps(out))
""" % (SEEDS,)


def play(marks: str, daily: Path, constants: str = "tight") -> list:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT)}
    plans = [(str(daily) if plan == "DAILY" else plan, sets) for plan, sets in PLANS]
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", PLAY, json.dumps(plans), marks,
                           constants],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_passing_over_unmarked_accounts_changes_no_outcome(tmp_path):
    daily = tmp_path / "daily.yaml"
    daily.write_text(DAILY, encoding="utf-8")
    marked, every = play("marked", daily), play("every hour", daily)
    assert all(m[2] > 50 and m[3] > 0 for m in marked), marked  # people talk and join
    assert marked == every


def test_with_the_models_own_constants_the_boost_marks_again(tmp_path):
    """The boost (openings, host prompts, grabs, topics, lectures) rises past the day's bound
    and marks everyone again (`G_BOOST_BOUND`): the same outcomes as the reference."""
    daily = tmp_path / "daily.yaml"
    daily.write_text(DAILY, encoding="utf-8")
    assert play("marked", daily, "own") == play("every hour", daily, "own")
