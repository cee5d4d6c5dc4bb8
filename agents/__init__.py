"""Roles of the accounts in and around a group, and the host."""

import numpy as np

from agents.base import Member
from agents.complainer import Complainer
from agents.connector import Connector
from agents.host import Host
from agents.kol import NativeKol
from agents.lurker import Lurker
from agents.regular import Regular
from agents.shill import Shill
from agents.spammer import Spammer
from sim.kernels import TRAITS

ROLES: tuple[type[Member], ...] = (Regular, Lurker, NativeKol, Connector, Shill, Complainer, Spammer)


def trait_table() -> np.ndarray:
    """roles × traits, in role_id order, for the kernel."""
    assert [r.role_id for r in ROLES] == list(range(len(ROLES)))
    return np.array([[r.traits[t] for t in TRAITS] for r in ROLES], dtype=np.float64)


__all__ = ["ROLES", "Host", "Member", "trait_table", *[r.__name__ for r in ROLES]]
