from agents.base import Member
from sim.kernels import LURKER


class Lurker(Member):
    """潜水: reads and never talks (M21), though may grab, say thanks, join a 接龙 and buy."""

    role_id = LURKER
    name = "lurker"
    traits = Member.traits | dict(post=0.0, buy=0.8, share=0.3, tie=0.5, complain=0.1)
