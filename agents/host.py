"""群主: the trust and IP centre of the group. One per group; not a member in the counts."""

import mesa


class Host(mesa.Agent):
    """The host's traits come from the plan (`plan.host`); their effect on members (trust, sales,
    answers to complaints) is played out by the kernel."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.plan = model.plan.host

    @property
    def ip_strength(self) -> float:
        return self.plan.ip_strength

    @property
    def ip_match(self) -> float:
        return self.plan.ip_match

    def __repr__(self) -> str:
        return f"Host(ip_strength={self.ip_strength}, ip_match={self.ip_match})"
