"""Calendar kinds: one schema class and one registered handler each (sim/events.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

from scenarios.loader import load_plan
from scenarios.schema import CALENDAR_KINDS, Plan, Topic
from sim.calendar import compile_calendar
from sim.events import CONTEXT_ARGS, HANDLERS, KINDS, PARAMS, handles

ROOT = Path(__file__).resolve().parent.parent


def test_every_schema_kind_has_one_handler_reading_its_own_fields():
    assert list(KINDS) == [m.model_fields["kind"].annotation.__args__[0] for m in CALENDAR_KINDS]
    assert set(HANDLERS) == set(KINDS)
    for kind, item in zip(KINDS, CALENDAR_KINDS):
        assert all(hasattr(item, name) or name in item.model_fields for name in PARAMS[kind])
        assert not set(PARAMS[kind]) & set(CONTEXT_ARGS)


def test_a_second_handler_or_an_unknown_field_fails_at_registration():
    with pytest.raises(TypeError, match="two handlers"):
        handles(Topic)(numba.njit(lambda ctx, h: None))
    with pytest.raises(TypeError, match="lacks"):
        handles(Topic)(numba.njit(lambda ctx, h, amount: None))


def test_the_calendar_packs_each_kinds_fields_in_its_handlers_order():
    data = load_plan("tuanzhang", ["group.weeks=1"]).model_dump()
    data["calendar"].append({"kind": "coupon", "discount": 0.3, "valid_hours": 12, "start_day": 2,
                             "hour": 9})
    plan = Plan.model_validate(data)
    ev = compile_calendar(plan)
    row = np.flatnonzero((ev.kind == KINDS.index("coupon")) & (ev.hour == 2 * 24 + 9))
    assert row.size == 1
    assert PARAMS["coupon"] == ("discount", "valid_hours")
    np.testing.assert_array_equal(ev.params[row[0], :2], [0.3, 12.0])
    assert (np.diff(ev.hour) >= 0).all()


def test_a_kind_without_a_handler_fails_at_import(tmp_path):
    for folder in ("sim", "agents", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    schema = tmp_path / "scenarios" / "schema.py"
    text = schema.read_text(encoding="utf-8")
    new_kind = 'class UnhandledProbe(Timing):\n    kind: Literal["unhandled_probe"]\n\n\n'
    schema.write_text(text.replace("CALENDAR_KINDS: tuple", new_kind + "CALENDAR_KINDS: tuple"),
                      encoding="utf-8")
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run([sys.executable, "-c", "import sim.events"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode != 0
    assert ("ImportError: calendar kinds without a handler in sim/events.py: ['unhandled_probe']"
            in out.stderr)
