from agents.base import Member
from sim.kernels import SHILL


class Shill(Member):
    """水军/小号: operator-run account posting on a script (M9). Not a member in the counts."""

    role_id = SHILL
    name = "shill"
    traits = Member.traits | dict(post=0.0, buy=0.0, share=0.0, tie=0.0, member=0.0, scripted=1.0, recognition=0.0)
