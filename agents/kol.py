from agents.base import Member


class NativeKol(Member):
    """意见领袖 living in the group: posts high-value content between events and draws replies;
    stays engaged while recognised (M14). Guest experts are not members: they appear only as
    the guest messages of a lecture (see `sim.kernels`)."""

    role_id = 2
    name = "kol"
    traits = dict(post=5.0, buy=1.0, share=1.5, tie=1.5, complain=0.0)
