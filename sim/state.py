"""The registry of per-account fields, and the arrays that hold them (structure of arrays).

Every account in or around the group (initial members, shills, pool candidates, spammer slots)
has one slot; each field is one numpy array indexed by slot. The kernel reads and writes them;
agents are views onto them.
"""

from typing import NamedTuple

import numpy as np

from sim.codes import GROUP_FIELDS, MAX_OFFERS, OFFER_FIELDS, RECENT
from sim.events import KINDS
from sim.ties import tie_arrays

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
    "share_w": "shares a day the member would make now (M13)",
    "recognised": "motive from replies received (M14, M21); fades",
    "voice": "how much the member talks, a heavy-tailed multiplier with mean 1 (M21)",
    "wtp": "taste for the goods: willingness to pay relative to the market price (M19)",
    "opinion": "opinion of this seller's product, 1 untried; falls with bad experiences (M19)",
    "need_at": "hour the member's need for the product returns (M19)",
    "cycle": "the member's repurchase cycle relative to the plan's (M19)",
    "sale_fatigue": "tiredness of sales; purchase chance × exp(−this) (M6, M19)",
}
INT_FIELDS = {
    "status": "OUT, IN, MUTED, LEFT, REMOVED, ELSEWHERE",
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
    "posted_day": "last day the member posted an unprompted message (talk or 接龙 entry)",
    "conv_day": "last day the member posted conversation",
    "first_ad": "hour of a spammer's first ad, -1 before",
    "was_member": "1 once the account has been a real member",
}


STRUCTURES = {
    "tie_ptr": "ties (M7), sparse rows (sim/ties.py): where each slot's row starts",
    "tie_cap": "room in each slot's row",
    "tie_len": "ties in each slot's row",
    "tie_top": "the first free entry of the rows' spare area",
    "tie_nb": "the rows' neighbours (int32)",
    "tie_w": "the rows' tie strengths, 0-1 (float32)",
    "tie_mark": "kernel scratch: friends marked while counting their ties",
    "friend_ptr": "pool friendship graph, CSR row pointers",
    "friend_idx": "pool friendship graph, CSR neighbours",
    "ever": "slots that have been in the group, in join order",
    "salience": "kernel table: `sim.core.salience` by whole hour over the horizon",
    "post_stream": "per slot, the fixed part of its hourly posting draw (sim.core.stream_of)",
    "open_stream": "per slot, the fixed part of its hourly draw to open the group",
    "share_stream": "per slot, the fixed part of its hourly draw to share the group",
    "live": "slots in the group (IN or MUTED) in join order, and those who went out since the "
            "day began (sim.core.compact_live drops them at its end)",
    "live_at": "per slot, its position in `live` (valid while it is there)",
    "candidates": "24 × slots uint8, by hour of the day and position in `live`: bits for the "
                  "hours the account may post (sim.core.mark_candidates) or share "
                  "(sim.joins.mark_sharing)",
    "recent": "the last posters, for replies (ring buffer)",
    "recent_n": "posts written into `recent` so far",
    "complaints": "kernel scratch: this hour's complainers",
    "answered": "kernel scratch: whether each was answered",
    "n_complaints": "kernel scratch: how many",
    "scratch": "kernel scratch: a meetup's attendees",
    "routed": "invitations accepted while the group was full, for a portfolio's live code to "
              "send on: rows (slot, hour) (sim/portfolio.py)",
    "arrivals": "people a portfolio's live code sends here from another group's invitation: "
                "rows (slot, hour), in hour order",
    "group": "group-level scalars, see sim.codes.GROUP_FIELDS",
    "novelty": "per calendar kind (M17)",
    "offers": "the open offers, MAX_OFFERS × OFFER_FIELDS (sim.codes); kind −1 is a free slot",
    "met": "slots × MAX_OFFERS: 1 + the event id of the offer the member last met in each offer slot",
}

State = NamedTuple("State", [(name, np.ndarray) for name in (*FLOAT_FIELDS, *INT_FIELDS, *STRUCTURES)])
State.__doc__ = "Every per-account field (FLOAT_FIELDS, INT_FIELDS) and the kernels' structures."


def allocate(n: int, friend_ptr: np.ndarray, friend_idx: np.ndarray, hours: int) -> State:
    """Zeroed state for `n` slots: every field (n,) (float64 or int64), empty tie rows
    (`sim.ties.tie_arrays`), the friendships as given (CSR over slots: `friend_ptr` (n + 1,), `friend_idx`), scratch
    of at least (n,), `group` (len(GROUP_FIELDS),), `novelty` (len(KINDS),) at 1, `offers`
    (MAX_OFFERS, len(OFFER_FIELDS)) at −1 (free), `routed` and `arrivals` (n, 2)
    int64 zeros, `met` (n, MAX_OFFERS) int64 zeros, and the
    tables `sim.core.fill_tables` fills: `salience` (hours,), `post_stream`, `open_stream` and
    `share_stream` (n,) uint64; `live_at` (n,) int64 at −1 and `candidates` (24, n) uint8 zeros
    (`sim.core.mark_candidates`)."""
    return State(
        **{name: np.zeros(n) for name in FLOAT_FIELDS},
        **{name: np.zeros(n, dtype=np.int64) for name in INT_FIELDS},
        **tie_arrays(n, friend_ptr),
        friend_ptr=friend_ptr,
        friend_idx=friend_idx,
        ever=np.full(n, -1, dtype=np.int64),
        live=np.full(n, -1, dtype=np.int64),
        live_at=np.full(n, -1, dtype=np.int64),
        candidates=np.zeros((24, n), dtype=np.uint8),
        salience=np.zeros(hours),
        post_stream=np.zeros(n, dtype=np.uint64),
        open_stream=np.zeros(n, dtype=np.uint64),
        share_stream=np.zeros(n, dtype=np.uint64),
        recent=np.full(RECENT, -1, dtype=np.int64),
        recent_n=np.zeros(1, dtype=np.int64),
        complaints=np.zeros(64, dtype=np.int64),
        answered=np.zeros(64, dtype=np.bool_),
        n_complaints=np.zeros(1, dtype=np.int64),
        scratch=np.zeros(max(n, 200), dtype=np.int64),
        routed=np.zeros((n, 2), dtype=np.int64),
        arrivals=np.zeros((n, 2), dtype=np.int64),
        group=np.zeros(len(GROUP_FIELDS)),
        novelty=np.ones(len(KINDS)),
        offers=np.full((MAX_OFFERS, len(OFFER_FIELDS)), -1.0),
        met=np.zeros((n, MAX_OFFERS), dtype=np.int64),
    )
