from agents.base import Member


class Spammer(Member):
    """广告/传销: posts ads until removed (M10). Enters through an open door, or is a
    dissatisfied member who stayed and turned; not a member in the counts."""

    role_id = 6
    name = "spammer"
    colour = "#222222"
    assign_order = 6
    traits = Member.traits | dict(post=0.0, buy=0.0, share=0.0, tie=0.0, member=0.0, advertiser=1.0,
                                  recognition=0.0)

    @classmethod
    def assign(cls, roles, setup):
        """The spammer slots QR influx draws from."""
        roles[setup.pool_hi:setup.spam_hi] = cls.role_id
