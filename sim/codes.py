"""The kernels' vocabulary: every code and index they compare against.

Status, funnel stage, trait column, group scalar, output row and random purpose. Role codes
live with their roles (`agents/`), calendar kind codes with their handlers (`sim/events.py`).
numba freezes these numbers into the compiled kernels; `sim/__init__.py` keys each kernel
module's cache by the sources it imports, this file among them.
"""

RECENT = 24  # recent posters remembered for replies
NEVER = 1e18  # an hour that never comes
# docs/model.md "When a group is dead": a day is quiet when fewer than max(3, 3% of members) members
# post an unprompted message; a group is dead from the first of 14 quiet days in a row
QUIET_MIN_POSTERS, QUIET_SHARE, DEAD_AFTER_QUIET_DAYS = 3.0, 0.03, 14

# account status; ELSEWHERE: accepted a member's invitation while the group was full and was sent
# on by the portfolio's live code to another of its groups (sim/portfolio.py)
OUT, IN, MUTED, LEFT, REMOVED, ELSEWHERE = range(6)
STATUS_NAMES = ("candidate", "in", "muted", "left", "removed", "elsewhere")
# funnel stages (AIDASS)
ATTENTION, INTEREST, DESIRE, ACTION, SATISFIED, SHARE = range(6)

# trait table columns (agents: each role's behaviour as data)
TRAITS = (
    "post",  # multiplier on the shared posting rate
    "buy",  # multiplier on the purchase chance
    "share",  # multiplier on invitations sent
    "tie",  # multiplier on tie formation
    "complain",  # share of an unhappy member's posts that are complaints
    "unhappy_post",  # posting multiplier when dissatisfied (complainers speak up)
    "recognition",  # multiplier on the motive gained per reply received (M14, M21)
    "motive_floor",  # the unpaid motive never falls below this (native KOLs live in the group)
    "member",  # 1: a real member in the counts; 0: shill or spammer
    "scripted",  # 1: posts on the operator's script (shill)
    "advertiser",  # 1: posts ads (spammer)
    "lecturer",  # 1: gives native lectures when there is one
)
(T_POST, T_BUY, T_SHARE, T_TIE, T_COMPLAIN, T_UNHAPPY_POST, T_RECOGNITION, T_MOTIVE_FLOOR,
 T_MEMBER, T_SCRIPTED, T_ADVERTISER, T_LECTURER) = range(len(TRAITS))

# group-level scalars (State.group)
GROUP_FIELDS = (
    "social", "boost", "quiet_run", "dead_day", "cost", "shill_share", "n_ever", "peak",
    "referral_joins", "next_spam", "next_event", "guest_left", "real_day", "shill_day", "members",
    "share_total", "budget_out_hour", "skipped_money", "accounts", "ties_dropped", "n_live",
    "n_routed", "n_arrivals", "next_arrival", "next_seat", "boost_bound",
)
(G_SOCIAL, G_BOOST, G_QUIET_RUN, G_DEAD_DAY, G_COST, G_SHILL_SHARE, G_N_EVER, G_PEAK,
 G_REFERRAL_JOINS, G_NEXT_SPAM, G_NEXT_EVENT, G_GUEST_LEFT, G_REAL_DAY, G_SHILL_DAY, G_MEMBERS,
 G_SHARE_TOTAL, G_BUDGET_OUT_HOUR, G_SKIPPED_MONEY, G_ACCOUNTS, G_TIES_DROPPED,
 G_N_LIVE, G_N_ROUTED, G_N_ARRIVALS, G_NEXT_ARRIVAL, G_NEXT_SEAT,
 G_BOOST_BOUND) = range(len(GROUP_FIELDS))
# `n_live` is the length of State.live (the accounts in the group, see sim.core.compact_live);
# `members` counts the real members; `accounts` counts every account in the group as the
# platform does for its caps: the host (scenarios.schema.HOST_ACCOUNTS), real members, shills,
# spammers and defectors; `n_routed` counts the rows of State.routed, `n_arrivals` those of
# State.arrivals and `next_arrival` the first not yet played, `next_seat` is the first free
# arrival slot (portfolios with a live code); `boost_bound` is the most boost the day's posting
# candidates allow for (sim.core.mark_candidates)

# open offers (State.offers rows; see `sim.events.open_offer`): the calendar kind (−1: free
# slot), its two parameters, the hour it opened and the hour it closes, a count (grabs or stock
# left, 接龙 entries so far) and the event's id
OFFER_FIELDS = ("kind", "a", "b", "start", "until", "n", "eid")
O_KIND, O_A, O_B, O_START, O_UNTIL, O_N, O_EID = range(len(OFFER_FIELDS))
MAX_OFFERS = 8  # offers open at once; a ninth replaces the one closing first

# hourly output rows (out_h) with their column names in the hourly and daily tables
HOURLY = (
    "members", "joins", "leaves", "real_messages", "prompted_messages", "jielong_entries",
    "host_messages", "shill_messages", "spam_messages", "complaint_messages", "guest_messages",
    "purchases", "gmv", "incentive_cost", "referral_joins", "red_packet_grabs", "red_packet_yuan",
)
(H_MEMBERS, H_JOINS, H_LEAVES, H_REAL, H_PROMPTED, H_ENTRIES, H_HOST, H_SHILL, H_SPAM,
 H_COMPLAINT, H_GUEST, H_PURCHASES, H_GMV, H_COST, H_REFERRAL, H_GRABS, H_PACKET_YUAN) = range(len(HOURLY))
# daily output rows (out_d) that are not sums of hourly ones, with their column names
DAILY = (
    "members", "muted", "active_posters", "weekly_posters", "mean_trust", "mean_satisfaction",
    "mean_sentiment", "share_two_ties", "quiet",
)
(D_MEMBERS, D_MUTED, D_ACTIVE, D_WEEKLY_POSTERS, D_TRUST, D_SAT, D_SENT, D_TWO_TIES,
 D_QUIET) = range(len(DAILY))

# purposes of random draws: each its own stream (see `sim.core.rand`); a new purpose is
# appended, so existing draws keep their streams
(R_HOST_POSTS, R_HOST_KIND, R_SHILL, R_SPAM, R_POST, R_BURST, R_COMPLAIN, R_REPLY, R_REPLY_TO,
 R_TRIAD, R_ANSWER, R_ENTRY, R_QUALITY, R_PLEASED_SHARE, R_STAGE, R_POST_BUY, R_OPEN,
 R_GRAB, R_THANKS, R_CHECKIN, R_SALE_BUY, R_LECTURE_DESIRE,
 R_MEET_START, R_MEET, R_SHARE, R_JOIN, R_N_ARRIVE, R_ARRIVE_SPAM, R_ARRIVE_WHO,
 R_ARRIVE_FILTER, R_FEED_SEE, R_FEED_JOIN, R_MODERATE, R_DESIRE_FADE, R_LEAVE, R_MUTE, R_NOTICE,
 R_DEFECT, R_INTRO) = range(39)
