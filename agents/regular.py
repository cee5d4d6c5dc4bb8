from agents.base import Member


class Regular(Member):
    """普通群员: reads, sometimes posts and replies, may buy. Every slot starts as one."""

    role_id = 0
    name = "regular"
    colour = "#636efa"
    assign_order = 0
    traits = Member.traits | dict(post=1.0, buy=1.0, share=1.0, tie=1.0, complain=0.3)

    @classmethod
    def assign(cls, roles, setup):
        roles[:] = cls.role_id
