"""Cost against group size (issue 17): tuanzhang with more members and a larger pool, 12 weeks.

Each size runs in a child process of its own: a one-week warm-up run (it loads or compiles
the kernels), then replicates of the size until two seconds have passed (at least one). It
prints per size the wall time of one replicate (median; set-up, kernel and tables, as
`sim.run.simulate`) and its CPU time (less stretched on a shared machine), the mean members
over the run's days, ns per member-hour = time ÷ (mean members × hours) by wall and by CPU
time, its ratios to the first size's, and the child's peak resident memory (the libraries
included, about 270 MB before any run) with the part the runs added to it (the garbage
collector runs between replicates, untimed, so the peak is that of one replicate: a mesa model
is cyclic garbage and would otherwise wait for a collection).

Sizes (members.initial / pool.size): 200 / 300 and 499 / 1,000 on tuanzhang's own platform
(WeChat, 500 accounts at most, the host included); 1,000 / 5,000, 2,000 / 20,000 and
2,999 / 50,000 on QQ, whose groups hold up to 2,000 or 3,000 members by the group's kind and
level (`scenarios.schema.PLATFORM_CAP` takes 3,000, the largest). Sources are secondary and
disagree: https://cn-qq.org/485.html gives 2,000 for an ordinary group,
https://zhidao.cneem.com.cn/zhidao/202509151391703.html 3,000 for an interest group (兴趣群);
no Tencent page was at hand.

Targets (issue 17): ns per member-hour at 2,000 / 20,000 within 1.5× of 200 / 300; 2,000 /
20,000 in < 1 s and < 400 MB; 3,000 / 50,000 runs.

Portfolio scale (issue 17 part 4): `--groups N` sets up N groups of the first size (200
members, a pool of 300, 12 weeks) and plays them one day at a time (`sim.run.advance_together`,
the way a portfolio advances its groups), in 1 thread and in 2, timing set-up, the days and the
daily tables (wall, and CPU for the whole; that 1 and 2 threads give the same groups is
tests/test_model.py's to check). It prints the CPU cost of entering
the kernel for no hour: through numba's dispatcher (which types the context each call) and as
`GroupModel.advance` enters it after its first call. Target: 1,000 groups in < 10 s on this
machine's 2 cores.

    python benchmarks/bench_scale.py            # all sizes
    python benchmarks/bench_scale.py --max 3    # the first three
    python benchmarks/bench_scale.py --groups 1000
"""

import argparse
import json
import os
import subprocess
import sys
import time

SIZES = ((200, 300, None), (499, 1000, None), (1000, 5000, "qq"), (2000, 20000, "qq"),
         (2999, 50000, "qq"))

CHILD = """
import gc, json, resource, statistics, sys, time
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
    del result
    gc.collect()  # a model is cyclic garbage (mesa): free it before the next replicate, untimed
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": statistics.median(walls), "cpu": statistics.median(cpus), "members": statistics.mean(members),
                  "hours": plan.horizon_days * 24, "runs": len(walls), "peak": peak,
                  "added": peak - before}))
"""


def measure(initial: int, size: int, platform: str | None) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([initial, size, platform])],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def groups(n_groups: int, threads: int) -> dict:
    """Set up `n_groups` groups of the first size and play them a day at a time in `threads`
    threads; seconds of wall time per part, and CPU seconds of the whole."""
    from scenarios.loader import load_plan
    from sim import metrics
    from sim.codes import G_DEAD_DAY
    from sim.model import GroupModel
    from sim.run import advance_together

    initial, size, _ = SIZES[0]
    plan = load_plan("tuanzhang", [f"members.initial={initial}", f"pool.size={size}"])
    cpu, t0 = time.process_time(), time.perf_counter()
    models = [GroupModel(plan, rng=seed) for seed in range(n_groups)]
    t1 = time.perf_counter()
    for _ in range(plan.horizon_days):
        advance_together(models, 24, threads)
    t2 = time.perf_counter()
    for m in models:
        metrics.daily_table(m.out_h, m.out_d, plan.economics.unit_cost,
                            int(m.state.group[G_DEAD_DAY]))
    t3 = time.perf_counter()
    return {"setup": t1 - t0, "days": t2 - t1, "tables": t3 - t2, "wall": t3 - t0,
            "cpu": time.process_time() - cpu, "calls": n_groups * plan.horizon_days}


def entry_cost() -> tuple[float, float]:
    """µs of CPU per kernel entry that plays no hour: through numba's dispatcher, and as
    `GroupModel.advance` enters it after its first call."""
    from scenarios.loader import load_plan
    from sim.hour import run_hours
    from sim.model import GroupModel

    model = GroupModel(load_plan("tuanzhang", ["group.weeks=1"]), rng=0)
    model.advance(1)
    cost = []
    for enter in (run_hours, model._kernel):
        n, cpu = 2000, time.process_time()
        for _ in range(n):
            enter(model.ctx, 1, 1)
        cost.append((time.process_time() - cpu) / n * 1e6)
    return cost[0], cost[1]


def main_groups(n_groups: int) -> None:
    from scenarios.loader import load_plan
    from sim.run import simulate

    simulate(load_plan("tuanzhang", ["group.weeks=1"]), 99)  # load or compile the kernels
    dispatcher, direct = entry_cost()
    print(f"kernel entry, µs CPU per call: {dispatcher:.1f} through numba's dispatcher, "
          f"{direct:.1f} as `advance` enters it; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"| {n_groups:,} groups of {SIZES[0][0]} / {SIZES[0][1]}, 12 weeks, a day at a time "
          "| set-up | days | daily tables | total wall (CPU) | µs per group-day |")
    print("|---|---|---|---|---|---|")
    for threads in (1, 2):
        got = groups(n_groups, threads)
        print(f"| {threads} thread{'s' if threads > 1 else ''} | {got['setup']:.2f} s "
              f"| {got['days']:.2f} s | {got['tables']:.2f} s | {got['wall']:.2f} s "
              f"({got['cpu']:.2f} s) | {got['days'] / got['calls'] * 1e6:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=len(SIZES), help="measure the first N sizes")
    parser.add_argument("--groups", type=int, default=0, help="instead: N groups of the first "
                        "size, a day at a time, in 1 and 2 threads")
    args = parser.parse_args()
    if args.groups:
        main_groups(args.groups)
        return
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
