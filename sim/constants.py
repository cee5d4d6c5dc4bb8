"""Behavioural constants: how people respond. One set, shared by every plan.

A plan sets levers (what the operator does); these say how members react to them. Each value
carries its reason; the seed articles are in ../shared/seeds (000-004). All eight seed cases in
CASES.md hold with this one set; change a value only if they all still hold (`make test`).
Rates are per hour unless the name says per day.
"""

from typing import NamedTuple

import numpy as np

# Share of a day's activity that falls in each hour: quiet at night, a noon peak and an
# evening peak 20:00-22:00 (fixed-time rituals only mean something against this rhythm).
RHYTHM = np.array(
    [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.0, 1.0, 1.1,
     1.5, 1.3, 0.9, 0.9, 0.9, 1.0, 1.1, 1.3, 1.7, 1.9, 1.7, 0.8]
)
RHYTHM = RHYTHM / RHYTHM.mean()


class Constants(NamedTuple):
    # M1 critical mass: posting is multiplied by floor + S^2/(S^2+K^2), S = conversation seen
    # in roughly the last day. A Hill curve gives two stable states (alive/silent) [000].
    social_floor: float = 0.1
    social_half: float = 14.0  # messages per day at which social proof is half-way
    social_memory_hours: float = 18.0
    # Base chance that a willing member posts in an average hour (times role rate).
    post_rate: float = 0.012
    intrinsic_interest: float = 1.5  # unpaid motive = this × interest
    opening_burst: float = 2.0  # extra pull on day 0 (greetings, curiosity), fades in ~2 days
    reply_share: float = 0.45  # share of posts that reply to a recent poster
    # M2 value and satisfaction.
    sat_memory_days: float = 5.0  # satisfaction is a moving average over about this many days
    value_info: float = 0.12  # most value a day from information (host posts, reports, experts)
    info_half: float = 3.0  # information posts a day that give about half of that
    value_talk: float = 0.3  # most value a day from members' talk, times the topic's value
    talk_half: float = 30.0  # messages a day that give about half of that
    value_deal: float = 0.12  # most value a day from offers, times trust × match (M6)
    deal_half: float = 3.0
    value_tie: float = 0.03  # daily value of each strong tie, up to five
    value_money: float = 0.02  # value per yuan received, times money sensitivity
    sat_base: float = -0.15  # daily cost of membership (attention) before value
    mute_below: float = -0.15  # satisfaction below which a member may mute
    leave_below: float = -0.30  # satisfaction below which a member may leave
    mute_hazard: float = 0.25  # per day, scaled by how far below
    leave_hazard: float = 0.12  # per day, scaled by how far below
    muted_leave_hazard: float = 0.04  # per day: muted and still unhappy, they leave in the end
    muted_read: float = 0.15  # muted members open the group this often relative to others
    muted_post: float = 0.1
    # M3 trust.
    trust_from_ip: float = 0.55  # initial trust = base + ip * this + relation * trust_from_relation
    trust_base: float = 0.1
    trust_from_relation: float = 0.3
    trust_value_gain: float = 0.004  # per host value post read, times ip_match
    trust_hard_sell: float = 0.006  # loss per product post read while trust < sell_trust
    sell_trust: float = 0.45
    trust_answer_gain: float = 0.02
    trust_silence_loss: float = 0.03
    trust_shill_loss: float = 0.25
    # M4 match: purchase ∝ match^match_power.
    match_power: float = 2.0
    # M5 habituation and crowding-out [001, 002].
    hab_gain: float = 0.35  # habituation added per money exposure
    hab_recovery_days: float = 20.0
    paid_gain: float = 0.5  # paid motive per money exposure, times money sensitivity
    paid_decay_days: float = 2.0
    erosion: float = 0.03  # share of the unpaid motive lost per money exposure
    thanks_share: float = 0.35  # grabbers who post a thank-you (prompted)
    # M6 marketing pressure: annoyance ∝ volume × (1 − trust × match).
    annoy_product: float = 0.03  # per product post, times (1 − trust × match)
    annoy_spam: float = 0.03
    # M7 ties [001, 004].
    tie_reply: float = 0.18
    tie_homophily: float = 2.0  # faster in the same segment
    tie_triad: float = 0.3  # triadic closure: share of a reply's strength passed to a friend
    tie_meetup: float = 0.8
    tie_decay_days: float = 60.0
    tie_strong: float = 0.3  # a tie counts from this strength
    tie_initial: float = 0.5  # friends invited together
    two_ties_protect: float = 0.25  # leave hazard times this with ≥ 2 ties [001]
    # M8 complaints and contagion.
    complain_below: float = -0.1  # complainers complain when satisfaction is below this
    complain_rate: float = 3.0  # complainers' posting multiplier when unhappy
    sentiment_pull: float = 0.04  # per complaint read, times (1 + tie_weight × tie)
    tie_weight: float = 3.0
    sentiment_to_sat: float = 0.05  # daily satisfaction effect of sentiment
    # M9 shills.
    shill_rate: float = 0.25  # scripted posts per shill per waking hour when on duty
    shill_notice: float = 0.05  # per day, times shill share of messages × weeks in group
    shill_rest_above: float = 20.0  # real messages/day above which resting shills stop
    # M10 spam and rules.
    spam_rate: float = 0.3
    defect_hazard: float = 0.004  # per day, dissatisfied stayers turning to ads, × (1 - strictness)
    chill: float = 0.5  # strict rules dampen posting by chill × strictness²
    # M11 overload.
    tolerance_mean: float = 60.0  # low-value messages a day a member puts up with
    overload_annoy: float = 0.004  # per message over tolerance
    # M12 funnel and sales.
    buy_rate: float = 0.25  # chance a desiring, fully trusting, matched member buys at a sale
    post_buy: float = 0.03  # a product post sells this much of what a sale would
    repeat_weight: float = 0.5  # a past buyer's pull relative to a first-time desirer
    desire_fade_days: float = 20.0  # unmet desire fades back to interest
    lecture_desire: float = 0.3  # a native demo turns interest into desire, × match
    stage_up: float = 0.05  # chance per value post read to move attention → interest
    desire_up: float = 0.08  # chance per product post read (× trust × match) interest → desire
    discount_pull: float = 2.5  # purchase odds × (1 + this × discount)
    jielong_proof: float = 0.5  # purchase odds × (1 + this × log1p(entries))
    repeat_gap_days: float = 5.0  # buyers are saturated for about this long
    pleased_sat: float = 0.15
    pleased_share: float = 0.6  # pleased buyers move to the share stage with this chance
    disappointed_urge: float = 1.0  # complaint urge after a bad experience
    # M13 referral.
    share_rate: float = 0.01  # shares a day (each reaches all friends outside) by a satisfied, trusting member
    reward_share: float = 0.01  # shares a day per yuan of referrer reward, × money sensitivity
    urgency: float = 8.0  # shares × (1 + this × early-join discount still open) [001]
    join_base: float = 0.1
    join_friends: float = 0.7  # 1 − exp(−this × friends inside): diminishing returns
    join_clustered: float = 0.3  # bonus when the friends inside know each other
    join_reward: float = 0.02  # per yuan of referee reward, × money sensitivity
    feed_reach: float = 0.003  # share of the pool seeing a host post about the group each day
    # M14 KOLs.
    kol_recognition: float = 0.05  # engagement gained per reply received
    guest_messages: float = 12.0  # messages a guest posts in a lecture
    # M15 pre-warming.
    prewarm_trust: float = 0.04  # trust per pre-warm day, × ip_strength × ip_match
    prewarm_desire: float = 0.15  # chance per day that an interested candidate starts desiring
    # M16 thresholds.
    threshold_filter: float = 0.8  # low-match candidates and spammers stopped by threshold × this
    fee_commitment: float = 0.002  # satisfaction per yuan of fee
    points_motive: float = 0.2  # extra motive to post when posts earn points/levels
    privilege_sat: float = 0.1  # initial satisfaction of seed members given privileges
    wecom_auto_answer: float = 0.3  # WeCom's auto-reply answers this share of complaints
    # M17 novelty.
    novelty_decay: float = 0.15
    topic_pull: float = 2.0
    lecture_pull: float = 4.0
    lecture_value_guest: float = 0.15
    lecture_value_native: float = 0.35
    # M18 salience.
    salience_days: float = 3.0  # the chance to open the group halves about every this × ln2 days
    notice_annoy: float = 0.01


CONSTANTS = Constants()
