from agents.base import Member
from sim.kernels import REGULAR


class Regular(Member):
    """普通群员: reads, sometimes posts and replies, may buy."""

    role_id = REGULAR
    name = "regular"
    traits = Member.traits | dict(post=1.0, buy=1.0, share=1.0, tie=1.0, complain=0.3)
