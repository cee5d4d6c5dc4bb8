"""Kernels take the context by reference (sim/byref.py): a `Ref` reads like its tuple, and
after a run only the kernels Python calls have taken a tuple by value (numba flattens a tuple
argument into hundreds of machine arguments; see the module's docstring)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import numba
import numpy as np
import pytest

from sim.byref import by_ref

ROOT = Path(__file__).resolve().parent.parent


class Inner(NamedTuple):
    a: np.ndarray
    x: float


class Outer(NamedTuple):
    inner: Inner
    n: int


@numba.njit
def _write_through(outer, i, v):
    ref = by_ref(outer)
    same = by_ref(ref)  # a Ref as it is
    same.inner.a[i] = v * ref.inner.x + ref.n
    return ref.inner.a[i], ref.n


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="without the JIT a tuple is its own reference")
def test_a_ref_reads_and_writes_the_tuples_arrays():
    outer = Outer(Inner(np.zeros(3), 2.0), 5)
    assert _write_through(outer, 1, 4.0) == (13.0, 5)
    assert outer.inner.a.tolist() == [0.0, 13.0, 0.0]


SIGNATURES = """
import importlib, json
import numba
from numba.core import types
from scenarios.loader import load_plan
from sim.run import simulate
for plan in ("tuanzhang", "large_start", "guest_lectures", "xiaomei_launch"):
    simulate(load_plan(plan, ["group.weeks=2"]), 1)
by_value = set()
for name in ("core", "hour", "day", "events", "joins", "ties", "posting", "sales", "money"):
    module = importlib.import_module(f"sim.{name}")
    for attr, f in vars(module).items():
        if isinstance(f, numba.core.registry.CPUDispatcher) and f.__module__ == module.__name__:
            if any(isinstance(a, types.BaseNamedTuple) for sig in f.signatures for a in sig):
                by_value.add(f"{name}.{attr}")
print(json.dumps(sorted(by_value)))
"""


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="signatures exist only compiled")
def test_only_the_kernels_python_calls_take_a_tuple_by_value():
    done = subprocess.run([sys.executable, "-c", SIGNATURES], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    by_value = json.loads(done.stdout.strip().splitlines()[-1])
    assert by_value == ["core.fill_tables", "hour.run_hours", "joins.refresh_share_weights"]
