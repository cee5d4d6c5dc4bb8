from agents.base import Member
from agents.regular import Regular


class Connector(Member):
    """万金油: replies across sub-groups and makes introductions, so ties form faster."""

    role_id = 3
    name = "connector"
    colour = "#00cc96"
    assign_order = 3
    traits = Member.traits | dict(post=2.0, buy=1.0, share=2.0, tie=3.0, complain=0.0)

    @classmethod
    def assign(cls, roles, setup):
        """`members.connectors` initial members after the native KOLs, and regulars elsewhere
        at the same rate (connectors per initial member)."""
        m = setup.plan.members
        drawn = setup.stream("connectors").random(setup.n) < m.connectors / max(m.initial, 1)
        roles[drawn & (roles == Regular.role_id)] = cls.role_id
        roles[m.native_kols: min(m.native_kols + m.connectors, m.initial)] = cls.role_id
