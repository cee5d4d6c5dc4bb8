from agents.base import Member


class Lurker(Member):
    """潜水: reads, almost never posts, still may buy."""

    role_id = 1
    name = "lurker"
    traits = dict(post=0.05, buy=0.8, share=0.3, tie=0.5, complain=0.1)
