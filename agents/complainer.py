from agents.base import Member


class Complainer(Member):
    """愤青/吐槽: posts negative messages when dissatisfied; negativity spreads (M8)."""

    role_id = 5
    name = "complainer"
    colour = "#ef553b"
    assign_order = 1
    traits = Member.traits | dict(post=1.2, buy=0.7, share=0.5, tie=0.8, complain=1.0,
                                  unhappy_post=3.0)

    @classmethod
    def assign(cls, roles, setup):
        """A share `members.complainer_share` of every slot."""
        roles[setup.share(setup.plan.members.complainer_share)] = cls.role_id
