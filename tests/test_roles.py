"""Roles: one file each under agents/, found and checked at import."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from agents import ADVERTISER, ROLES, Setup, Shill, assign_roles, trait_table
from scenarios.loader import load_plan
from sim.codes import TRAITS
from sim.model import GroupModel

ROOT = Path(__file__).resolve().parent.parent


def test_roles_have_consecutive_codes_names_colours_and_full_trait_rows():
    assert [r.role_id for r in ROLES] == list(range(len(ROLES)))
    assert len({r.name for r in ROLES}) == len(ROLES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", r.colour) for r in ROLES)
    assert trait_table().shape == (len(ROLES), len(TRAITS))
    assert ADVERTISER.traits["advertiser"] == 1.0


def test_assignment_follows_the_plan():
    plan = load_plan("tuanzhang", ["members.complainer_share=0.2", "members.lurker_share=0.3",
                                     "pool.size=3000"])
    model = GroupModel(plan, rng=0)
    roles = model.state.role
    share = {r.name: np.mean(roles[model.pool.pool_lo:model.pool.pool_hi] == r.role_id) for r in ROLES}
    assert abs(share["complainer"] - 0.2) < 0.05 and abs(share["lurker"] - 0.3) < 0.05
    assert (roles[model.pool.shill_lo:model.pool.pool_lo] == Shill.role_id).all()
    assert (roles[model.pool.pool_hi:model.pool.spam_hi] == ADVERTISER.role_id).all()
    again = assign_roles(Setup(plan, model.pool.n, model.pool.shill_lo, model.pool.pool_lo,
                               model.pool.pool_hi, model.pool.spam_hi, model.stream))
    np.testing.assert_array_equal(again, roles)


def test_a_gap_in_the_role_codes_fails_at_import(tmp_path):
    for folder in ("sim", "agents", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "agents" / "helper.py").write_text(
        "from agents.base import Member\n\n\nclass Helper(Member):\n    role_id = 9\n")
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run([sys.executable, "-c", "import agents"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "role codes must be 0..7" in out.stderr
