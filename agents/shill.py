from agents.base import Member


class Shill(Member):
    """水军/小号: operator-run account posting on a script (M9). Not a member in the counts."""

    role_id = 4
    name = "shill"
    colour = "#ffa15a"
    assign_order = 5
    traits = Member.traits | dict(post=0.0, buy=0.0, share=0.0, tie=0.0, member=0.0, scripted=1.0,
                                  recognition=0.0)

    @classmethod
    def assign(cls, roles, setup):
        """The shill slots (`members.shills` of them)."""
        roles[setup.shill_lo: setup.pool_lo] = cls.role_id
