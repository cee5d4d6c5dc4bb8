from agents.base import Member
from sim.kernels import KOL


class NativeKol(Member):
    """意见领袖 living in the group: posts high-value content between events and draws replies;
    stays engaged while recognised (M14). Guest experts are not members: they appear only as
    the guest messages of a lecture (see `sim.kernels`)."""

    role_id = KOL
    name = "kol"
    traits = Member.traits | dict(post=5.0, buy=1.0, share=1.5, tie=1.5, complain=0.0,
                                  recognition=2.0, motive_floor=1.0, lecturer=1.0)
