"""The registry of per-account fields, and the arrays that hold them (structure of arrays).

Every account in or around the group (initial members, shills, pool candidates, spammer slots)
has one slot; each field is one numpy array indexed by slot. The kernel reads and writes them;
agents are views onto them.
"""

from typing import NamedTuple

import numpy as np

RECENT = 24  # recent posters remembered for replies

# status codes
OUT, IN, MUTED, LEFT, REMOVED = 0, 1, 2, 3, 4
# role codes (agents.ROLES order)
REGULAR, LURKER, KOL, CONNECTOR, SHILL, COMPLAINER, SPAMMER = range(7)
# funnel stages (AIDASS)
ATTENTION, INTEREST, DESIRE, ACTION, SATISFIED, SHARE = range(6)

FLOAT_FIELDS = {
    "interest": "match between the member's interests and the group's topic, 0-1",
    "money_sens": "sensitivity to money incentives, 0-1",
    "tolerance": "low-value messages a day the member puts up with",
    "intrinsic": "unpaid motive to take part (eroded by money, M5)",
    "paid": "paid motive to take part (from money, wears off, M5)",
    "habituation": "habituation to money incentives (M5)",
    "satisfaction": "moving average of value received minus annoyance (M2)",
    "trust": "trust in the host, 0-1 (M3)",
    "sentiment": "mood, -1 to 1 (M8)",
    "last_reason": "hour the group last gave the member a reason to open it (M18)",
    "join_hour": "hour the member joined",
    "last_post": "hour of the member's last post",
    "value_day": "value received today",
    "annoy_day": "annoyance received today",
    "read_day": "low-value messages read today (M11)",
    "info_day": "host value posts, reports and expert posts read today (M2)",
    "talk_day": "members' messages read today (M2)",
    "deal_day": "offers read today (M6)",
    "spend": "yuan spent",
    "trust_end": "trust when the member left, or now",
    "early_disc": "personal early-join discount (M13)",
    "coupon_disc": "discount of the member's coupon",
    "coupon_until": "hour the coupon expires",
    "complain_urge": "urge to complain after a bad purchase (M12)",
    "last_buy": "hour of the last purchase",
    "share_w": "shares a day the member would make now (M13)",
    "open_now": "chance the member opens the group this hour (M18)",
}
INT_FIELDS = {
    "status": "OUT, IN, MUTED, LEFT, REMOVED",
    "role": "role code (agents.ROLES)",
    "segment": "city/age/profile segment (homophily)",
    "stage": "AIDASS funnel stage",
    "n_posts": "conversation messages posted (not prompted, not 接龙 entries)",
    "n_purchases": "purchases made",
    "noticed": "1 once the member noticed the shills",
    "n_ties": "ties of meaningful strength to other members",
    "invited_by": "slot of the member whose invite brought them in, -1 otherwise",
    "left_hour": "hour the member left or was removed, -1 while in",
    "muted_hour": "hour the member muted the group, -1 never",
    "n_prompted": "prompted messages posted (thanks, paid check-ins)",
    "n_entries": "接龙 entries posted",
    "event_mark": "id of the last sale/jielong the member took part in",
    "posted_day": "last day the member posted an unprompted message",
    "first_ad": "hour of a spammer's first ad, -1 before",
    "was_member": "1 once the account has been a real member",
}


class State(NamedTuple):
    interest: np.ndarray
    money_sens: np.ndarray
    tolerance: np.ndarray
    intrinsic: np.ndarray
    paid: np.ndarray
    habituation: np.ndarray
    satisfaction: np.ndarray
    trust: np.ndarray
    sentiment: np.ndarray
    last_reason: np.ndarray
    join_hour: np.ndarray
    last_post: np.ndarray
    value_day: np.ndarray
    annoy_day: np.ndarray
    read_day: np.ndarray
    info_day: np.ndarray
    talk_day: np.ndarray
    deal_day: np.ndarray
    spend: np.ndarray
    trust_end: np.ndarray
    early_disc: np.ndarray
    coupon_disc: np.ndarray
    coupon_until: np.ndarray
    complain_urge: np.ndarray
    last_buy: np.ndarray
    share_w: np.ndarray
    open_now: np.ndarray
    status: np.ndarray
    role: np.ndarray
    segment: np.ndarray
    stage: np.ndarray
    n_posts: np.ndarray
    n_purchases: np.ndarray
    noticed: np.ndarray
    n_ties: np.ndarray
    invited_by: np.ndarray
    left_hour: np.ndarray
    muted_hour: np.ndarray
    n_prompted: np.ndarray
    n_entries: np.ndarray
    event_mark: np.ndarray
    posted_day: np.ndarray
    first_ad: np.ndarray
    was_member: np.ndarray
    tie: np.ndarray  # slots × slots tie strength, 0-1 (M7)
    friend_ptr: np.ndarray  # pool friendship graph, CSR
    friend_idx: np.ndarray
    ever: np.ndarray  # slots that have been in the group, in join order
    recent: np.ndarray  # the last posters, for replies (ring buffer)
    recent_n: np.ndarray  # posts written into `recent` so far
    complaints: np.ndarray  # kernel scratch: this hour's complainers
    answered: np.ndarray  # kernel scratch: whether each was answered
    n_complaints: np.ndarray  # kernel scratch: how many
    scratch: np.ndarray  # kernel scratch: a meetup's attendees
    group: np.ndarray  # group-level scalars, see sim.kernels G_*
    novelty: np.ndarray  # per event kind (M17)


assert list(State._fields[: len(FLOAT_FIELDS) + len(INT_FIELDS)]) == [*FLOAT_FIELDS, *INT_FIELDS]


def allocate(n: int, n_group_fields: int, n_kinds: int, friend_ptr, friend_idx) -> State:
    """Zeroed state for `n` slots."""
    floats = [np.zeros(n) for _ in FLOAT_FIELDS]
    ints = [np.zeros(n, dtype=np.int64) for _ in INT_FIELDS]
    return State(
        *floats,
        *ints,
        tie=np.zeros((n, n), dtype=np.float32),
        friend_ptr=friend_ptr,
        friend_idx=friend_idx,
        ever=np.full(n, -1, dtype=np.int64),
        recent=np.full(RECENT, -1, dtype=np.int64),
        recent_n=np.zeros(1, dtype=np.int64),
        complaints=np.zeros(64, dtype=np.int64),
        answered=np.zeros(64, dtype=np.bool_),
        n_complaints=np.zeros(1, dtype=np.int64),
        scratch=np.zeros(max(n, 200), dtype=np.int64),
        group=np.zeros(n_group_fields),
        novelty=np.ones(n_kinds),
    )
