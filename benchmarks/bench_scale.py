"""Cost against group size (issue 17): tuanzhang with more members and a larger pool, 12 weeks.

Each size runs in a child process of its own: a one-week warm-up run (it loads or compiles
the kernels), then replicates of the size until two seconds have passed (at least one). It
prints per size the wall time of one replicate (median; set-up, kernel and tables, as
`sim.run.simulate`) and its CPU time (less stretched on a shared machine), the mean members over the run's days, ns per member-hour = wall ÷ (mean
members × hours) by wall and by CPU time, its ratios to the first size's, and the child's peak resident memory (the
libraries included, about 270 MB before any run) with the part the runs added to it.

Sizes (members.initial / pool.size): 200 / 300 and 499 / 1,000 on tuanzhang's own platform
(WeChat, 500 accounts at most, the host included); 1,000 / 5,000, 2,000 / 20,000 and 2,999 / 50,000
on QQ, whose
groups hold up to 2,000 or 3,000 members by the group's kind and level
(`scenarios.schema.PLATFORM_CAP` takes 3,000, the largest). Sources are secondary and disagree:
https://cn-qq.org/485.html gives 2,000 for an ordinary group, https://zhidao.cneem.com.cn/zhidao/
202509151391703.html 3,000 for an interest group (兴趣群); no Tencent page was at hand.

Targets (issue 17): ns per member-hour at 2,000 / 20,000 within 1.5× of 200 / 300; 2,000 /
20,000 in < 1 s and < 400 MB; 3,000 / 50,000 runs.

    python benchmarks/bench_scale.py            # all sizes
    python benchmarks/bench_scale.py --max 3    # the first three
"""

import argparse
import json
import subprocess
import sys

SIZES = ((200, 300, None), (499, 1000, None), (1000, 5000, "qq"), (2000, 20000, "qq"),
         (2999, 50000, "qq"))

CHILD = """
import json, resource, statistics, sys, time
from scenarios.loader import load_plan
from sim.run import simulate
initial, size, platform = json.loads(sys.argv[1])
sets = [f"members.initial={initial}", f"pool.size={size}"]
if platform:
    sets.append(f"group.platform={platform}")
simulate(load_plan("tuanzhang", [*sets, "group.weeks=1"]), 99)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
plan = load_plan("tuanzhang", sets)
walls, cpus, members, start = [], [], [], time.perf_counter()
while not walls or time.perf_counter() - start < 2.0:
    t, c = time.perf_counter(), time.process_time()
    result = simulate(plan, len(walls))
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
    members.append(float(result.daily["members"].mean()))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": statistics.median(walls), "cpu": statistics.median(cpus), "members": statistics.mean(members),
                  "hours": plan.horizon_days * 24, "runs": len(walls), "peak": peak,
                  "added": peak - before}))
"""


def measure(initial: int, size: int, platform: str | None) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([initial, size, platform])],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=len(SIZES), help="measure the first N sizes")
    args = parser.parse_args()
    print("| members / pool | platform | wall (CPU) | mean members | ns per member-hour, wall (CPU) "
          "| ratio to first, wall (CPU) | peak memory (run's part) | runs |")
    print("|---|---|---|---|---|---|---|---|")
    first = None
    for initial, size, platform in SIZES[:args.max]:
        got = measure(initial, size, platform)
        ns = [got[k] * 1e9 / (got["members"] * got["hours"]) for k in ("wall", "cpu")]
        first = first or ns
        print(f"| {initial:,} / {size:,} | {platform or 'wechat'} | {got['wall']:.3f} s "
              f"({got['cpu']:.3f} s) | {got['members']:.0f} | {ns[0]:.0f} ({ns[1]:.0f}) "
              f"| {ns[0] / first[0]:.2f} ({ns[1] / first[1]:.2f}) "
              f"| {got['peak']:.0f} MB ({got['added']:.0f} MB) | {got['runs']} |", flush=True)


if __name__ == "__main__":
    main()
