"""Memory, known before a run: what one replicate needs (from the plan's array sizes) and what
the process may use (available memory, the cgroup limit, the address-space limit).

`assess` compares the two for the runs of a command: it refuses (one run cannot fit) or warns
(the runs side by side on `workers` may not fit). `out_of_memory` words a `MemoryError` the same
way, so it too names the plan, the estimate and what to change.
"""

import resource
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from scenarios.schema import Plan
from sim.pool import slot_count
from sim.ties import TIE_ROOM, TIE_SPARE

FIXED_BYTES = 16 * 2**20
PER_SLOT_BYTES = 1024
PER_SLOT_FRIEND_BYTES = 64
TIE_BYTES = 16
"""Per entry of room in the tie rows: a neighbour (int32) and a strength (float32), 8 bytes, ×2
like the other constants."""
WORKER_BYTES = 300 * 2**20
"""Resident memory of a worker process before its first run (interpreter, numpy, numba, the
kernels); README gives 282 MB for a whole 500-member run."""


def run_bytes(plan: Plan) -> int:
    """Estimated peak bytes one replicate of `plan` allocates on top of a loaded process.

    n = `sim.pool.slot_count(plan)` (members, shills, pool and QR spammer slots): n ×
    (`PER_SLOT_BYTES` + `PER_SLOT_FRIEND_BYTES` × pool.mean_friends + `TIE_BYTES` ×
    (`sim.ties.TIE_ROOM` + `sim.ties.TIE_SPARE`)) for the per-slot state arrays, the
    friendship graph, the sparse tie rows, the agents and the members table, plus
    `FIXED_BYTES` (hourly and daily outputs, tables). Memory grows with the slots, not their
    square (issue 17).

    Calibration (benchmarks/bench_memory.py: the peak of traced allocations during one
    replicate of open_door, QQ, 2 weeks, after a warm-up), measured MiB against this estimate:

    ==========  ======  =======  ==========  ========
    pool.size   slots   friends  measured    estimate
    ==========  ======  =======  ==========  ========
    3000        3188    8        5           25
    10000       10188   8        17          46
    20000       20188   8        33          75
    20000       20188   40       63          115
    50000       50188   8        83          163
    ==========  ======  =======  ==========  ========

    A slot takes about 1.7 kB (+ about 50 bytes per mean friend); the constants are about
    twice that, as before issue 17, when the dense tie matrix (4 n² bytes) came on top.
    """
    n = slot_count(plan)
    per_slot = (PER_SLOT_BYTES + PER_SLOT_FRIEND_BYTES * plan.pool.mean_friends
                + TIE_BYTES * (TIE_ROOM + TIE_SPARE))
    return per_slot * n + FIXED_BYTES


@dataclass(frozen=True)
class Room:
    """Bytes this process may still use under one limit, and the limit's name in words."""

    bytes: int
    what: str
    hard: bool
    """True for a limit a run cannot pass (available memory is soft: others may free some)."""
    per_process: bool = False
    """True for a limit each worker process has for itself (the address space)."""


def rooms() -> list[Room]:
    """What this process may still allocate: available memory, what the cgroup limit leaves
    and what the address-space limit (`ulimit -v`, RLIMIT_AS) leaves (only limits that are
    set), and the machine's memory and swap (a run larger than these cannot fit anywhere here)."""
    memory = psutil.virtual_memory()
    out = [Room(memory.available, "available memory", hard=False),
           Room(memory.total + psutil.swap_memory().free, "this machine's memory and swap",
                hard=True)]
    cgroup = _cgroup_room()
    if cgroup is not None:
        out.append(Room(cgroup, "the container's memory limit (cgroup)", hard=True))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        used = psutil.Process().memory_info().vms
        out.append(Room(max(0, soft - used), "the address-space limit (ulimit -v)", hard=True,
                        per_process=True))
    return out


_CGROUP_FILES = (  # (limit, usage): cgroup v2, then v1
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def _cgroup_room() -> int | None:
    for limit_file, usage_file in _CGROUP_FILES:
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or int(limit) >= 2**60:  # v1 writes "no limit" as a huge number
            return None
        return max(0, int(limit) - usage)
    return None


@dataclass(frozen=True)
class Assessment:
    """The memory verdict for `workers` processes running `plans`: `refusal` when one run
    cannot fit, else `warning` when the runs side by side may not, else neither."""

    refusal: str | None
    warning: str | None


def assess(runs: Sequence[Sequence[Plan]], workers: int) -> Assessment:
    """Compare the largest run's bytes (each run: the plans it holds in memory at once, one
    plan or a portfolio's groups; the sum of their `run_bytes`) with `rooms()`: one run against
    each hard limit, then `workers` runs side by side (each worker process also holding
    `WORKER_BYTES`) against the shared ones, one run against the address space each process
    has for itself."""
    run = max(runs, key=_bytes)
    need = _bytes(run)
    places = rooms()
    for room in places:
        if room.hard and need > room.bytes:
            return Assessment(_words(run, need, room, "Not enough memory: ") + _change(run), None)
    total = (need + WORKER_BYTES) * workers if workers > 1 else need
    for room in places:
        if (need if room.per_process else total) > room.bytes:
            side = f" × {workers} workers = {_size(total)}" if workers > 1 else ""
            return Assessment(None, _words(run, need, room, "Memory may run short: ", side)
                              + _change(run, workers))
    return Assessment(None, None)


def out_of_memory(runs: Sequence[Sequence[Plan]], workers: int) -> str:
    """What to say when a run raised `MemoryError`."""
    run = max(runs, key=_bytes)
    need = _bytes(run)
    room = min(rooms(), key=lambda r: r.bytes)
    return f"Out of memory running {_what(run)} ({_words(run, need, room, '')}). " + _change(run, workers)


def _bytes(run: Sequence[Plan]) -> int:
    """A run's plans' `run_bytes`, the process's fixed part (`FIXED_BYTES`) counted once: a
    portfolio's groups share it (measured: 1,000 tuanzhang copies of 200 members and 300
    candidates peaked at 1.73 GB; this gives 1.6 GB, and counting it per group gave 17 GB)."""
    return sum(run_bytes(plan) - FIXED_BYTES for plan in run) + FIXED_BYTES


def _what(run: Sequence[Plan]) -> str:
    """'plan NAME', or 'a portfolio of N groups (NAME, NAME, … )'."""
    if len(run) == 1:
        return f"plan '{run[0].name}'"
    names = [f"'{plan.name}'" for plan in run[:3]]
    return f"a portfolio of {len(run):,} groups ({', '.join(names)}{', …' * (len(run) > 3)})"


def _words(run: Sequence[Plan], need: int, room: Room, verdict: str, side: str = "") -> str:
    n = sum(slot_count(plan) for plan in run)
    return (f"{verdict}one run of {_what(run)} needs about {_size(need)}{side} "
            f"({n:,} slots), and "
            f"{room.what} leaves {_size(room.bytes)}.")


def _change(run: Sequence[Plan], workers: int = 1) -> str:
    """What to change, largest saving first."""
    lower = " Use fewer --workers, or lower" if workers > 1 else " Lower"
    plan = max(run, key=run_bytes)
    where = "" if len(run) == 1 else " of its largest group"
    groups = f", or the number of groups (now {len(run):,})" if len(run) > 1 else ""
    return (f"{lower} pool.size{where} (now {plan.pool.size}; memory grows with "
            f"the slots: members.initial + members.shills + pool.size + QR spammer slots){groups}, "
            "or run where more memory is free.")


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"
