"""Roles of the accounts in and around a group, and the host.

A role is one module of this package with one `Member` subclass (code, name, colour, trait row,
assignment rule); `ROLES` is found here, ordered by code, and nothing else lists the roles.
Gaps or repeats in the codes fail at import.
"""

import importlib
import pkgutil

import numpy as np

from agents.base import Member, Setup
from agents.host import Host
from sim.codes import TRAITS


def _find_roles() -> tuple[type[Member], ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += [obj for obj in vars(module).values()
                  if isinstance(obj, type) and issubclass(obj, Member) and obj is not Member
                  and obj.__module__ == module.__name__]
    roles = tuple(sorted(found, key=lambda r: r.role_id))
    codes = [r.role_id for r in roles]
    if codes != list(range(len(roles))):
        raise ImportError(f"role codes must be 0..{len(roles) - 1} without repeats, found "
                          f"{dict((r.__name__, r.role_id) for r in roles)}")
    for role in roles:
        if set(role.traits) != set(TRAITS):
            raise ImportError(f"{role.__name__}.traits must give exactly {TRAITS}")
    return roles


ROLES: tuple[type[Member], ...] = _find_roles()
"""Every role, by code."""
ADVERTISER: type[Member] = next(r for r in ROLES if r.traits["advertiser"] > 0)
"""The role that posts ads; a dissatisfied member who stays may turn into it (M10)."""
globals().update({r.__name__: r for r in ROLES})


def trait_table() -> np.ndarray:
    """(roles, traits) float64: each role's trait row, rows by code, columns `sim.codes.TRAITS`."""
    return np.array([[r.traits[t] for t in TRAITS] for r in ROLES], dtype=np.float64)


def assign_roles(setup: Setup) -> np.ndarray:
    """(n,) int64: each slot's role code, from the roles' rules in `assign_order`."""
    roles = np.zeros(setup.n, dtype=np.int64)
    for role in sorted(ROLES, key=lambda r: r.assign_order):
        role.assign(roles, setup)
    return roles


__all__ = ["ADVERTISER", "ROLES", "Host", "Member", "Setup", "assign_roles", "trait_table",
           *[r.__name__ for r in ROLES]]
