"""Member: a mesa Agent that is a thin view onto the model's state arrays.

Behaviour lives in the numba kernels (`sim/hour.py` and the phase modules), which act on all
members at once. A role is one module of this package holding one `Member` subclass: its code
(`role_id`), name, colour, trait row (the kernels read it for its members; `sim.codes.TRAITS`
says what each trait does) and assignment rule (`assign`). The class reads back the member's
state for interactive use and pictures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import mesa
import numpy as np

from scenarios.schema import Plan
from sim.codes import STATUS_NAMES


@dataclass
class Setup:
    """What role assignment rules read: the plan, the slot layout (see `sim.pool.Pool`) and
    the set-up streams (`stream(name)`, names in `sim.model.STREAMS`)."""

    plan: Plan
    n: int
    shill_lo: int
    pool_lo: int
    pool_hi: int
    spam_hi: int
    stream: Callable[[str], np.random.Generator]
    _u: np.ndarray | None = field(default=None, repr=False)
    _claimed: float = 0.0

    def share(self, share: float) -> np.ndarray:
        """(n,) bool: the slots of a role drawn with chance `share`. Each call takes the next
        interval of one uniform draw per slot (stream "roles"), so roles drawn by share never
        overlap, and a new role with share 0 takes nobody and moves no other draw."""
        if self._u is None:
            self._u = self.stream("roles").random(self.n)
        lo = self._claimed
        self._claimed = lo + share
        return (self._u >= lo) & (self._u < self._claimed)


class Member(mesa.Agent):
    """One account in or around the group; `slot` indexes the state arrays."""

    role_id: int = -1
    #: the role's code in the kernels' `role` array: 0, 1, ... without gaps across the roles
    name: str = "member"
    colour: str = "#000000"
    #: when `assign` runs among the roles' rules (lower first; a later rule overrides)
    assign_order: int = 0
    #: the role's row of the trait table: multipliers on the shared behavioural constants and
    #: flags; these defaults are a plain member's, and each role overrides what differs.
    traits: dict[str, float] = dict(
        post=1.0, buy=1.0, share=1.0, tie=1.0, complain=0.0, unhappy_post=1.0, recognition=1.0,
        motive_floor=0.0, member=1.0, scripted=0.0, advertiser=0.0, lecturer=0.0,
    )

    @classmethod
    def assign(cls, roles: np.ndarray, setup: Setup) -> None:
        """Write `cls.role_id` into `roles` ((n,) int64, by slot) where this role applies."""

    def __init__(self, model: mesa.Model, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    def _get(self, field: str) -> float:
        return getattr(self.model.state, field)[self.slot]

    @property
    def status(self) -> str:
        return STATUS_NAMES[self._get("status")]

    @property
    def trust(self) -> float:
        return float(self._get("trust"))

    @property
    def satisfaction(self) -> float:
        return float(self._get("satisfaction"))

    @property
    def sentiment(self) -> float:
        return float(self._get("sentiment"))

    @property
    def engagement(self) -> float:
        return float(self._get("intrinsic") + self._get("paid") + self._get("recognised"))

    @property
    def n_posts(self) -> int:
        return int(self._get("n_posts"))

    @property
    def n_purchases(self) -> int:
        return int(self._get("n_purchases"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(slot={self.slot}, {self.status}, trust={self.trust:.2f})"
