"""Behavioural constants: how people respond. One set, shared by every plan.

A plan sets levers (what the operator does); these say how members react to them. Each value
carries its unit and its reason; [000]-[004] are the seed articles (docs/model.md, Sources).
The eight seed cases (tests/test_cases.py) and the plausibility ranges (docs/plausibility.md)
hold with this one set; change a value only if they all still hold (`make test`, then
`make baseline` and a commit that says why the numbers moved).

Units: `_per_day` and `_days` are per day and days, `_hours` hours, `_per_yuan` per yuan; a
hazard is a chance per day; a rate without a unit in its name is per hour. Satisfaction, trust,
sentiment and motives are unitless scores.
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
    # ---- M1 critical mass: posting × floor + S²/(S²+K²), S = conversation seen in about the
    # last day. A Hill curve gives two stable states, alive and silent [000].
    social_floor: float = 0.05
    social_half: float = 14.0  # messages a day at which social proof is half-way
    social_memory_hours: float = 18.0
    post_rate: float = 0.009  # chance a willing member with average voice speaks in an average hour
    intrinsic_interest: float = 1.5  # unpaid motive = this × interest
    intro_share: float = 0.5  # newcomers who can talk introduce themselves in their first day
    opening_burst: float = 2.0  # extra pull on day 0 (curiosity about a new group)
    opening_burst_hours: float = 36.0  # ... fading over about this long
    boost_hours: float = 2.0  # a topic's or a lecture's pull fades over about this long
    interaction_pull: float = 0.3  # pull of one host post that asks members to talk
    host_talk_weight: float = 0.3  # host and guest posts count this much as conversation
    reply_share: float = 0.45  # share of speaking turns that reply to a recent poster
    sat_motive: float = 2.0  # motive × (1 + this × satisfaction), within the two bounds below
    sat_motive_min: float = 0.2
    sat_motive_max: float = 2.0
    # ---- M21 unequal voices [000, 004]: most members read, a few speak a great deal.
    voice_spread: float = 0.9  # σ of the log-normal voice multiplier (mean 1): heavy-tailed
    burst_extra: float = 1.0  # extra messages in a speaking turn (Poisson): exchanges, not lone lines
    recognition: float = 0.05  # motive gained per reply received (times the role's recognition)
    recognised_max: float = 1.5  # most motive recognition can add
    recognised_days: float = 10.0  # recognition's motive fades over about this many days
    lecture_recognition: float = 0.25  # motive a native lecturer gains from giving a lecture
    # ---- M2 value and satisfaction [004].
    sat_memory_days: float = 5.0  # satisfaction is a moving average over about this many days
    value_info: float = 0.12  # most value a day from information (host posts, reports, experts)
    info_half: float = 3.0  # information posts a day that give about half of that
    value_talk: float = 0.3  # most value a day from members' talk, times the topic's value
    talk_half: float = 30.0  # messages a day that give about half of that
    value_deal: float = 0.2  # most value a day from offers, times trust × match (M6)
    deal_half: float = 3.0
    value_tie: float = 0.03  # daily value of each strong tie ...
    ties_valued: int = 5  # ... up to this many
    value_money_per_yuan: float = 0.02  # value of money received, times money sensitivity
    sat_base: float = -0.15  # daily cost of membership (attention) before value
    # ---- M2/M11/M20 muting and leaving: hazards per day.
    churn_per_day: float = 0.0007  # everyday churn (moved, changed job, need gone): 0.5% a week
    hazard_scale: float = 0.2  # the hazards below grow linearly, by their value per this much
    mute_below: float = -0.15  # satisfaction below which a member may mute ...
    mute_hazard: float = 0.25  # ... per hazard_scale below it
    leave_below: float = -0.30  # satisfaction below which a member may leave ...
    leave_hazard: float = 0.12  # ... per hazard_scale below it
    # M20: newcomers who have not yet found value are the most likely to leave (most who leave
    # do so soon after joining [Zhang et al. KDD 2016; Qiu et al. WWW 2016]): extra leave hazard
    # newcomer_leave × e^(−tenure/newcomer_days) × max(newcomer_found_sat − satisfaction, 0)/hazard_scale
    newcomer_leave: float = 0.3
    newcomer_days: float = 4.0
    newcomer_found_sat: float = 0.05  # satisfaction at which a newcomer has found enough to stay
    muted_leave_hazard: float = 0.04  # muted and still unhappy, they leave in the end
    overload_leave: float = 0.01  # leave hazard per unit of overload (read / tolerance − 1)
    overload_mute: float = 0.15  # mute hazard per unit of overload
    sentiment_leave: float = 0.05  # leave hazard at sentiment −1, × sentiment²
    muted_read: float = 0.15  # muted members open the group this often relative to others
    muted_post: float = 0.1
    # ---- M3 trust; traits of the pool.
    money_sens_spread: float = 0.2  # σ of money sensitivity around pool.money_sensitivity
    relation_spread: float = 0.5  # relation to the host: pool.relation_to_host × U(1 − this, 1 + this)
    trust_base: float = 0.1  # initial trust = base + ip × from_ip + relation × from_relation
    trust_from_ip: float = 0.55
    trust_from_relation: float = 0.3
    trust_value_gain: float = 0.004  # per host value post read ...
    value_trust_match_weight: float = 0.5  # ... times (1 − this + this × ip_match)
    trust_hard_sell: float = 0.006  # loss per product post read while trust < sell_trust
    hard_sell_match_relief: float = 0.5  # ... times (1 − this × match)
    sell_trust: float = 0.45
    trust_answer_gain: float = 0.02
    trust_silence_loss: float = 0.03
    trust_shill_loss: float = 0.25
    shill_sentiment_loss: float = 0.2
    # ---- M4 match: purchase ∝ match^match_power.
    match_power: float = 2.0
    # ---- M5 habituation and crowding-out [001, 002].
    # What a member feels of money is the yuan that reaches them (per grab, per coupon, per prize)
    # against their money sensitivity, with diminishing returns: felt = 1 − (1 + yuan/felt_yuan)^−sens,
    # 0-1. At sensitivity 0.5 a ¥0.5 grab is felt 0.18, ¥2.5 (the default ¥50/20) 0.47, ¥10 0.70:
    # twenty times the money is felt about four times as much.
    felt_yuan: float = 1.0  # yuan at which money starts to count (a ¥1 grab: felt 1 − 2^−sens)
    hab_gain: float = 0.75  # habituation added per money exposure, times felt (0.35 at ¥2.5)
    hab_recovery_days: float = 20.0
    paid_gain: float = 0.5  # paid motive per money exposure, times felt
    paid_decay_days: float = 2.0
    erosion: float = 0.075  # share of the unpaid motive lost per money exposure, times felt (3.5% at ¥2.5)
    thanks_share: float = 0.75  # grabbers who post a thank-you (prompted), times felt ...
    thanks_fresh_hours: float = 3.0  # ... fading with the packet's age: thanks go round while it is new
    grab_money_weight: float = 0.5  # who feel nothing of the money grab this much less often
    grab_buzz: float = 0.05  # group boost per grab, times felt and freshness: the chatter around a live packet
    grab_numb_floor: float = 0.3  # the fully habituated still grab this share as often
    coupon_hab_share: float = 0.5  # a coupon or a discounted sale habituates this much of a red packet
    money_open_pull: float = 1.0  # an open red packet raises the rate of opening the group by this × felt
    checkin_pull: float = 0.3  # share of the motive that answers a check-in call
    checkin_reward_pull: float = 0.5  # pull of a paid check-in, times money sensitivity
    # ---- M6 marketing pressure: annoyance ∝ volume × (1 − trust × match).
    annoy_product: float = 0.04  # per product post
    annoy_sale: float = 0.03  # per sale or 接龙 seen
    annoy_spam: float = 0.03
    notice_annoy: float = 0.01  # per @all notice
    # ---- M7 ties [001, 004]; the pool's friendships.
    friend_triads: float = 0.5  # Holme-Kim triad chance: friends of friends become friends
    segment_homophily: float = 0.8  # a candidate shares a placed friend's segment with this chance
    tie_reply: float = 0.18
    tie_homophily: float = 2.0  # faster in the same segment
    tie_triad: float = 0.3  # triadic closure: share of a reply's strength passed to a friend
    tie_meetup: float = 0.8
    tie_decay_days: float = 60.0
    tie_strong: float = 0.3  # a tie counts from this strength
    tie_initial: float = 0.5  # friends invited together
    two_ties_protect: float = 0.15  # leave hazard times this with ≥ 2 ties: far less likely [001]
    meetup_turnout: float = 0.3  # chance to come, times (1 + satisfaction) × interest
    meetup_value: float = 0.2
    meetup_sentiment: float = 0.2
    meetup_trust: float = 0.1  # share of the distance to full trust a meetup closes
    # ---- M8 complaints and contagion.
    complain_below: float = -0.1  # unhappy below this satisfaction
    complain_slope: float = 5.0  # complaint share of posts rises by this per unit below
    sentiment_pull: float = 0.08  # per complaint read, times (1 + tie_weight × tie)
    tie_weight: float = 3.0
    answered_pull_share: float = 0.25  # an answered complaint pulls this much
    talk_mood: float = 0.003  # per message of talk read: share of the way to talk_mood_level
    talk_mood_level: float = 0.3  # the mood of ordinary talk
    complaint_opinion: float = 0.02  # share of the opinion of the product lost per complaint read, × tie weight
    sentiment_to_sat: float = 0.05  # daily satisfaction effect of sentiment
    sentiment_keep: float = 0.97  # per day: moods fade back to neutral
    urge_keep: float = 0.7  # per day: the urge to complain fades
    # ---- M9 shills.
    shill_rate: float = 0.25  # scripted posts per shill per waking hour when on duty
    shill_morning: float = 0.2  # share of that rate at midnight, rising to all of it by evening
    shill_notice: float = 0.05  # per day, times shill share of messages × weeks in group
    shill_share_weight: float = 0.3  # today's weight in the remembered shill share
    shill_rest_above: float = 20.0  # real messages a day above which resting shills stop
    # ---- M10 spam and rules [004].
    spam_per_day: float = 1.2  # ads per spammer a day
    defect_hazard: float = 0.004  # dissatisfied stayers turning to ads, × (1 − strictness)
    chill: float = 0.5  # strict rules dampen posting by chill × strictness²
    # ---- M11 overload [004].
    tolerance_mean: float = 60.0  # low-value messages a day a member puts up with (median)
    tolerance_spread: float = 0.4  # σ of its log-normal spread
    overload_annoy: float = 0.004  # per message over tolerance
    # ---- M12 funnel and sales [002, 001].
    buy_rate: float = 0.4  # chance a desiring, trusting, matched member with a need buys at a sale
    stage_weight_attention: float = 0.1  # purchase weight of each funnel stage (desire = 1)
    stage_weight_interest: float = 0.35
    repeat_weight: float = 1.0  # a pleased buyer wants it again as much as a desiring member
    post_buy: float = 0.01  # a product post sells this much of what a sale would
    desire_fade_days: float = 20.0  # unmet desire fades back to interest
    lecture_desire: float = 0.3  # a native demo turns interest into desire, × match
    stage_up: float = 0.05  # chance per value post read to move attention → interest
    talk_interest: float = 0.2  # a member's message counts this much as a value post for that
    desire_up: float = 0.08  # chance per product post read (× trust × match) interest → desire
    jielong_proof: float = 0.5  # 接龙 odds × (1 + this × log1p(entries))
    pleased_sat: float = 0.25
    pleased_sentiment: float = 0.1
    pleased_share: float = 0.6  # pleased buyers move to the share stage with this chance
    disappointed_urge: float = 1.0  # complaint urge after a bad experience ...
    urge_post_rate: float = 0.1  # ... and the chance per hour, per unit of urge, to voice it
    disappointed_sat: float = 0.15  # satisfaction lost by a disappointed buyer
    disappointed_sentiment: float = 0.4
    disappointed_trust: float = 0.12  # share of trust in the host lost
    disappointed_opinion: float = 0.4  # share of the opinion of the product lost (M19, M6)
    pleased_opinion: float = 0.5  # share of the way back to a full opinion a pleased purchase goes
    # ---- M19 demand and the need cycle [002, 001].
    price_steepness: float = 6.0  # acceptance 1/(1 + (price/willingness)^this): −this/2 at 1 for one
    # member; the need cycle dampens it over weeks (a cheap sale pulls purchases forward), so a
    # plan's units answer price with an elasticity of about −1.5 [Bijmolt et al. 2005: −2.6]
    wtp_spread: float = 0.3  # σ of the log-normal willingness to pay relative to the market price
    cycle_spread: float = 0.3  # σ of the log-normal spread of personal repurchase cycles
    initial_need_share: float = 0.5  # members who need a repeat product on opening day (a one-off
    # product, repurchase_days 0, is needed by everyone until bought)
    sale_fatigue_gain: float = 0.1  # fatigue per sale seen; purchase chance × exp(−fatigue)
    sale_fatigue_days: float = 7.0  # ... fading over about this many days
    # ---- M13 referral [001].
    share_rate_per_day: float = 0.01  # shares by a satisfied, trusting member (each reaches all friends outside)
    # The urge to invite is highest while the group is new to the member and wanes [Qiu et al.
    # WWW 2016: in WeChat groups about 80% of first invitations come within ~5 days of joining]:
    # share weight × (invite_settled + invite_new·e^(−tenure/invite_days))
    # (invite_new is set so that total referral joins stay about where the old flat urge had them,
    # docs/model.md M13 gives the figures; the shape keeps ~80% of first invitations within about
    # a week; trust, not yet satisfaction, carries a newcomer's first invitations)
    invite_new: float = 23.0
    invite_days: float = 3.0
    invite_settled: float = 0.08
    share_sat_offset: float = 0.1  # willingness to share ∝ (satisfaction + this) × trust
    share_stage_boost: float = 2.0  # members in the share stage share this much more
    reward_share_per_yuan: float = 0.01  # shares a day per yuan of referrer reward, × money sensitivity
    urgency: float = 8.0  # shares × (1 + this × early-join discount still open)
    discount_pull: float = 2.5  # join odds × (1 + this × early-join discount)
    taste_floor: float = 0.5  # buying, joining and valuing talk scale with (this + interest)
    join_base: float = 0.1
    join_friends: float = 0.7  # 1 − exp(−this × friends inside): diminishing returns
    join_clustered: float = 0.3  # bonus when the friends inside know each other
    join_reward_per_yuan: float = 0.02  # referee reward, × money sensitivity
    feed_reach_per_day: float = 0.003  # share of the pool seeing a host post about the group ...
    feed_reach_floor: float = 0.5  # ... times (this + ip_strength)
    feed_hour: int = 21  # the host posts to their feed in the evening
    # ---- M14 KOLs and lectures [004].
    lecture_messages: float = 12.0  # messages a lecturer posts in a lecture ...
    lecture_hours: float = 2.0  # ... over about this many hours
    guest_value_share: float = 0.25  # a guest's message counts this much as a value post
    # ---- M15 pre-warming [001].
    prewarm_trust: float = 0.04  # trust per pre-warm day, × ip_strength × ip_match
    prewarm_desire: float = 0.15  # chance per day that an interested candidate starts desiring
    # ---- M16 thresholds [004].
    threshold_filter: float = 0.8  # low-match candidates and spammers stopped by threshold × this
    # A fee is paid by those whose willingness to pay for membership exceeds it: willingness =
    # fee_wtp_yuan × interest × (1 − fee_money_weight × money sensitivity), acceptance
    # 1/(1 + (fee/willingness)^fee_steepness) (docs/model.md M16: how much ¥50 should cut)
    fee_wtp_yuan: float = 100.0
    fee_money_weight: float = 0.5
    fee_steepness: float = 3.0
    fee_commitment_per_yuan: float = 0.002  # satisfaction per yuan of fee paid
    points_motive: float = 0.2  # extra motive to post when posts earn points/levels
    privilege_sat: float = 0.1  # initial satisfaction of seed members given privileges
    wecom_auto_answer: float = 0.3  # WeCom's auto-reply answers this share of complaints
    office_open: int = 9  # a company account posts and answers from this hour ...
    office_close: int = 18  # ... to this hour
    # ---- M17 novelty [004].
    novelty_decay: float = 0.15
    topic_pull: float = 2.0
    lecture_pull: float = 8.0  # members speak up to this much more in a lecture hour (questions, thanks)
    lecture_value_guest: float = 0.15
    lecture_value_native: float = 0.35
    # ---- M18 salience [000].
    salience_days: float = 3.0  # the chance to open the group falls by e every this many days
    # An event reaches members as they open the group, hour by hour [000: fixed times, 仪式感]:
    opens_per_day: float = 6.0  # times an unmuted member opens a salient group a day (spread by
    # RHYTHM; over half of WeChat users open the app more than ten times a day, Tencent 2015)
    packet_hours: float = 24.0  # a red packet or lucky draw stays open this long (WeChat: 24 h)
    sale_hours: float = 4.0  # a flash sale stays open this long (or until its stock is gone)
    call_hours: float = 24.0  # a check-in call, a daily report or a notice is met within this long


CONSTANTS = Constants()
