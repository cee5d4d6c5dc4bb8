from agents.base import Member
from sim.kernels import COMPLAINER


class Complainer(Member):
    """愤青/吐槽: posts negative messages when dissatisfied; negativity spreads (M8)."""

    role_id = COMPLAINER
    name = "complainer"
    traits = Member.traits | dict(post=1.2, buy=0.7, share=0.5, tie=0.8, complain=1.0, unhappy_post=3.0)
