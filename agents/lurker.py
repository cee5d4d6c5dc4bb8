from agents.base import Member


class Lurker(Member):
    """潜水: reads and never talks (M21), though may grab, say thanks, join a 接龙 and buy."""

    role_id = 1
    name = "lurker"
    colour = "#b6b6b6"
    assign_order = 2
    traits = Member.traits | dict(post=0.0, buy=0.8, share=0.3, tie=0.5, complain=0.1)

    @classmethod
    def assign(cls, roles, setup):
        """A share `members.lurker_share` of every slot."""
        roles[setup.share(setup.plan.members.lurker_share)] = cls.role_id
