from agents.base import Member
from sim.kernels import CONNECTOR


class Connector(Member):
    """万金油: replies across sub-groups and makes introductions, so ties form faster."""

    role_id = CONNECTOR
    name = "connector"
    traits = Member.traits | dict(post=2.0, buy=1.0, share=2.0, tie=3.0, complain=0.0)
