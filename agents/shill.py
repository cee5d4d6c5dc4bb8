from agents.base import Member


class Shill(Member):
    """水军/小号: operator-run account posting on a script (M9). Not a member in the counts."""

    role_id = 4
    name = "shill"
    traits = dict(post=0.0, buy=0.0, share=0.0, tie=0.0, complain=0.0)
