from agents.base import Member


class Connector(Member):
    """万金油: replies across sub-groups and makes introductions, so ties form faster."""

    role_id = 3
    name = "connector"
    traits = dict(post=2.0, buy=1.0, share=2.0, tie=3.0, complain=0.0)
