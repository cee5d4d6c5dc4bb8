"""Memory is known before a run: an estimate from the plan's sizes, a warning when the runs may
not fit, a refusal (exit 2) when one cannot, and a MemoryError worded the same way."""

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from experiments.running import memory
from experiments.cli.main import app
from experiments.running.memory import Room, assess, run_bytes
from experiments.running.runner import RunError, run_plans
from scenarios.loader import load_plan
from sim.pool import slot_count

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 2_200_000_000  # the 2.2 GB address-space limit (ulimit -v)
BIG = ["--set", "pool.size=20000"]  # QQ (open_door) with 20,582 slots
HUGE_SLOTS = "import experiments.running.memory as m; m.PER_SLOT_BYTES = 10**6; "
"""Makes a slot cost 1 MB in the estimate: no plan the schema admits needs more than the
address-space limit since ties are sparse (issue 17), so the refusal is tested this way."""


def qq(size: int = 20000):
    return load_plan("open_door", [f"pool.size={size}"])


def groupsim(*args: str, env: dict | None = None, patch: str = "") -> subprocess.CompletedProcess:
    """The command line in a child process under `ulimit -v` LIMIT."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    code = f"import sys; sys.argv[0] = 'groupsim'; {patch}from experiments.cli.main import app; app()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, preexec_fn=limit,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                          capture_output=True, text=True, timeout=600)


def test_the_estimate_grows_with_the_slots_not_their_square():
    small, big = qq(1000), qq(20000)
    n = slot_count(big)
    assert n == 100 + 20000 + int(25 * 84 * 0.15 * 1.5) + 10  # members, pool, QR spammers
    per_slot = (run_bytes(big) - memory.FIXED_BYTES) / n
    assert per_slot == (run_bytes(small) - memory.FIXED_BYTES) / slot_count(small)
    assert run_bytes(big) < 100 * 2**20


def rooms(monkeypatch, available: int, hard: int | None = None) -> None:
    made = [Room(available, "available memory", hard=False)]
    if hard is not None:
        made.append(Room(hard, "the address-space limit (ulimit -v)", hard=True, per_process=True))
    monkeypatch.setattr(memory, "rooms", lambda: made)


def test_assess_refuses_warns_or_passes(monkeypatch):
    plan = qq()
    need = run_bytes(plan)
    rooms(monkeypatch, available=10 * need, hard=need - 1)
    verdict = assess([[plan]], 1)
    assert verdict.warning is None
    assert "Not enough memory" in verdict.refusal and "'open_door'" in verdict.refusal
    assert "20,582 slots" in verdict.refusal and "pool.size (now 20000" in verdict.refusal
    rooms(monkeypatch, available=3 * (need + memory.WORKER_BYTES), hard=2 * need)
    verdict = assess([[plan]], 4)  # each worker fits its own address space, but not 4 in memory
    assert verdict.refusal is None and "× 4 workers" in verdict.warning
    assert "fewer --workers" in verdict.warning
    assert assess([[plan]], 3) == memory.Assessment(None, None)
    assert assess([[qq(100)], [plan], [qq(50)]], 4).warning == verdict.warning  # the largest run


def test_commands_print_the_warning_and_run(monkeypatch, tmp_path):
    plan = load_plan("small_start", ["group.weeks=1"])
    rooms(monkeypatch, available=run_bytes(plan) - 1)
    result = CliRunner().invoke(app, ["validate", str(ROOT / "scenarios/library/small_start.yaml"),
                                      "--workers", "2"])
    assert result.exit_code == 0 and "Memory may run short" in result.output, result.output
    assert "ok" in result.output
    with pytest.raises(RunError, match="Not enough memory"):
        rooms(monkeypatch, available=10**12, hard=1000)
        run_plans([plan], replicates=1, out=tmp_path)


@pytest.mark.parametrize("command", [["validate", "{plan}"],
                                     ["run", "open_door", *BIG, "--replicates", "1",
                                      "--out", "{out}"],
                                     ["sweep", "open_door", *BIG, "--vary", "host.capacity=2,3",
                                      "--replicates", "1", "--out", "{out}"]])
def test_under_ulimit_v_a_plan_that_cannot_fit_is_refused_before_it_runs(tmp_path, command):
    """Before: ~120 lines of traceback ending `MemoryError ... (20150, 20150)`. Slots are made
    to cost 1 MB in the estimate (`HUGE_SLOTS`): with sparse ties the plan itself fits."""
    plan = tmp_path / "qq.yaml"
    plan.write_text("extends: open_door\nname: QQ 大群\npool: {size: 20000}\n", encoding="utf-8")
    args = [a.format(plan=plan, out=tmp_path / "out") for a in command]
    result = groupsim(*args, patch=HUGE_SLOTS)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for needle in ("Not enough memory", "20,582 slots",
                   "address-space limit (ulimit -v)", "pool.size (now 20000"):
        assert needle in result.stderr, result.stderr


def test_a_run_that_may_not_fit_says_so_on_stderr_and_runs(tmp_path):
    result = groupsim("run", "small_start", "--weeks", "1", "--replicates", "1",
                      "--out", str(tmp_path), env={"NUMBA_DISABLE_JIT": "1"},
                      patch="import experiments.running.memory as m; "
                            "m.rooms = lambda: [m.Room(1, 'available memory', hard=False)]; ")
    assert result.returncode == 0, result.stderr
    assert "Warning: Memory may run short: one run of plan 'small_start' needs about" in (
        result.stderr)
    assert "available memory leaves 0 MB. Lower pool.size (now 300" in result.stderr


def test_a_memory_error_becomes_an_exit_2_message(tmp_path):
    """An allocation during the run fails (the tie rows are asked for 8 TB): still a message,
    not a traceback, naming the plan and what to change."""
    result = groupsim("run", "open_door", *BIG, "--replicates", "1", "--weeks", "1",
                      "--out", str(tmp_path), env={"NUMBA_DISABLE_JIT": "1"},
                      patch="import numpy, sim.state as st; "
                            "st.tie_arrays = lambda n, ptr: dict(tie_w=numpy.empty(2**40)); ")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Out of memory running plan 'open_door'" in result.stderr
    assert "Lower pool.size (now 20000" in result.stderr


def test_a_portfolio_run_needs_all_its_groups_at_once(monkeypatch, tmp_path):
    plan = load_plan("small_start", ["group.weeks=1"])
    group = run_bytes(plan) - memory.FIXED_BYTES  # the process's fixed part is counted once
    rooms(monkeypatch, available=memory.FIXED_BYTES + int(2.5 * group),
          hard=memory.FIXED_BYTES + int(4.5 * group))
    assert assess([[plan], [plan, plan]], 1) == memory.Assessment(None, None)
    warned = assess([[plan]] * 2 + [[plan] * 3], 1).warning
    assert "one run of a portfolio of 3 groups ('small_start', 'small_start', 'small_start')" \
        in warned
    assert "pool.size of its largest group (now 300;" in warned
    assert "or the number of groups (now 3)" in warned
    assert "Not enough memory" in assess([[plan] * 5], 1).refusal
    assert "groups ('small_start', 'small_start', 'small_start', …)" in assess([[plan] * 5], 1).refusal
    spec = tmp_path / "five.yaml"
    spec.write_text("portfolio: five\npool: {size: 800}\ntargets: {alive_week: 1}\n"
                    "groups: [{plan: small_start, copies: 5, set: {group.weeks: 1}}]\n")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2 and "a portfolio of 5 groups" in result.output, result.output
