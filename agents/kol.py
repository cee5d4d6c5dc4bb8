from agents.base import Member


class NativeKol(Member):
    """意见领袖 living in the group: posts high-value content between events and draws replies;
    stays engaged while recognised (M14). Guest experts are not members: they appear only as
    the guest messages of a lecture (`sim/events.py`)."""

    role_id = 2
    name = "kol"
    colour = "#ab63fa"
    assign_order = 4
    traits = Member.traits | dict(post=5.0, buy=1.0, share=1.5, tie=1.5, complain=0.0,
                                  recognition=2.0, motive_floor=1.0, lecturer=1.0)

    @classmethod
    def assign(cls, roles, setup):
        """The first `members.native_kols` initial members."""
        roles[: setup.plan.members.native_kols] = cls.role_id
