"""Member: a mesa Agent that is a thin view onto the model's state arrays.

Behaviour lives in the numba kernel (`sim.kernels`), which acts on all members at once; a role
class carries its behaviour as data, the trait row the kernel reads for its members
(`sim.kernels.TRAITS` says what each trait does), and reads back the member's state for
interactive use and pictures.
"""

import mesa

from sim.kernels import STATUS_NAMES


class Member(mesa.Agent):
    """One account in or around the group; `slot` indexes the state arrays."""

    role_id: int = -1
    name: str = "member"
    #: the role's row of the trait table: multipliers on the shared behavioural constants and
    #: flags; these defaults are a plain member's, and each role overrides what differs.
    traits: dict[str, float] = dict(
        post=1.0, buy=1.0, share=1.0, tie=1.0, complain=0.0, unhappy_post=1.0, recognition=1.0,
        motive_floor=0.0, member=1.0, scripted=0.0, advertiser=0.0, lecturer=0.0,
    )

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
        return float(self._get("intrinsic") + self._get("paid"))

    @property
    def n_posts(self) -> int:
        return int(self._get("n_posts"))

    @property
    def n_purchases(self) -> int:
        return int(self._get("n_purchases"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(slot={self.slot}, {self.status}, trust={self.trust:.2f})"
