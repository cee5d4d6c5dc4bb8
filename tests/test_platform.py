"""Platform rules (docs/model.md, Platforms): on WeChat and WeCom a QR scan joins only below 200
accounts and only while the code posted last is under 7 days old; a live code (活码) lifts both;
every cap counts every account in the group, the host, shills and spammers included.

Each test plays replicates on fixed seeds hour by hour and reads, for every join, how many
accounts were in the group just before it and how it came in."""

import numpy as np
import pandas as pd
import pytest

from scenarios.loader import PlanError, load_plan
from scenarios.schema import HOST_ACCOUNTS
from sim import codes
from sim.constants import CONSTANTS
from sim.model import GroupModel

SEEDS = range(4)
STOP = 200
WEEK = 7 * 24
# open_door's stranger flood, fast: QR strangers reach 200 accounts on the first day
FLOOD = ["growth.qr_influx_per_day=150", "pool.size=1200", "group.weeks=2"]


def joins(plan_name: str, overrides: list[str], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Every join after opening, in order (hour, how: referral / qr / feed, spammer, accounts
    in the group just before it), and the accounts in the group at each hour's end, counted
    from the accounts' status (the host included)."""
    m = GroupModel(load_plan(plan_name, overrides), rng=seed)
    s = m.state
    at_start, in_group = np.empty(m.n_hours), np.empty(m.n_hours)
    for h in range(m.n_hours):
        at_start[h] = s.group[codes.G_ACCOUNTS]
        m.advance(1)
        in_group[h] = HOST_ACCOUNTS + np.isin(s.status, (codes.IN, codes.MUTED)).sum()
    slots = s.ever[m.levers.pool_lo:int(s.group[codes.G_N_EVER])]
    hour = s.join_hour[slots].astype(int)
    # joins of an hour come in phase order: referrals, QR scans, then the host's feed at
    # feed_hour; nobody leaves in between (no cleanup in these plans)
    rank = pd.Series(hour).groupby(hour).cumcount().to_numpy()
    inviter = s.invited_by[slots]
    how = np.where(inviter >= 0, "referral",
                   np.where(hour % 24 == CONSTANTS.feed_hour, "feed or qr", "qr"))
    spammer = m.traits[s.role[slots], codes.T_ADVERTISER] > 0
    table = pd.DataFrame({"hour": hour, "how": how, "spammer": spammer,
                          "before": at_start[hour] + rank})
    assert (in_group == np.append(at_start[1:], s.group[codes.G_ACCOUNTS])).all(), \
        "the accounts counter disagrees with the accounts' status"
    return table, in_group


@pytest.mark.parametrize("platform", ["wechat", "wecom"])
def test_qr_scans_stop_at_200_accounts_but_invitations_go_on(platform):
    # a ¥2 referral reward keeps open_door's members inviting
    invites = "growth.referral_reward_referrer=2"
    for seed in SEEDS:
        table, _ = joins("open_door", [f"group.platform={platform}", *FLOOD, invites], seed)
        qr = table[table.how == "qr"]
        assert (qr.before < STOP).all(), f"seed {seed}: a QR scan joined at {qr.before.max():g}"
        assert (qr.before >= STOP - 10).any(), f"seed {seed}: the flood never neared the stop"
        assert (table[table.how == "referral"].before >= STOP).any(), \
            f"seed {seed}: no invitation past the stop"


def test_qq_scans_join_past_200_accounts():
    for seed in SEEDS:
        table, _ = joins("open_door", FLOOD, seed)
        assert (table[table.how == "qr"].before >= STOP + 50).any(), f"seed {seed}"


def test_without_reposting_qr_joins_stop_7_days_after_the_last_posting():
    # a trickle that keeps the group below the 200-account stop
    slow = ["group.platform=wechat", "members.initial=30", "growth.qr_influx_per_day=8",
            "group.weeks=3"]
    for seed in SEEDS:
        weekly, _ = joins("open_door", slow, seed)
        once, _ = joins("open_door", [*slow, "growth.qr_repost_days=null"], seed)
        fortnightly, _ = joins("open_door", [*slow, "growth.qr_repost_days=14"], seed)
        for table in (weekly, once, fortnightly):
            assert (table[table.how == "qr"].hour < WEEK).sum() > 20, f"seed {seed}"
        assert (weekly[weekly.how == "qr"].hour >= WEEK).sum() > 20, f"seed {seed}"
        assert not (once[once.how == "qr"].hour >= WEEK).any(), f"seed {seed}"
        qr_days = fortnightly[fortnightly.how == "qr"].hour // 24
        assert not qr_days.between(7, 13).any(), f"seed {seed}: a scan of an expired code joined"
        assert (qr_days >= 14).sum() > 10, f"seed {seed}: the re-posted code admitted nobody"


def test_a_live_code_lifts_the_expiry_and_the_scan_stop():
    for seed in SEEDS:
        table, _ = joins("open_door", ["group.platform=wechat", *FLOOD, "growth.live_code=true",
                                       "growth.qr_repost_days=null"], seed)
        qr = table[table.how == "qr"]
        assert (qr.before >= STOP + 50).any(), f"seed {seed}: no scan past the stop"
        assert (qr.hour >= WEEK).sum() > 20, f"seed {seed}: no scan after the first week"


def test_the_cap_counts_the_host_shills_and_spammers():
    # WeChat's 500 with 10 shills: a live code floods the group with strangers, a tenth of
    # them advertisers, while referrals fill it too
    full = ["members.shills=10", "growth.qr_influx_per_day=300", "growth.influx_spammer_share=0.3",
            "growth.live_code=true", "group.weeks=2"]
    cap = 500
    for seed in SEEDS:
        table, in_group = joins("xiaomei_launch", full, seed)
        assert in_group.max() == cap, f"seed {seed}: the group never filled"
        assert (table.before < cap).all(), f"seed {seed}: a join into a full group"
        assert table.spammer.any(), f"seed {seed}: no spammer joined at all"
    with pytest.raises(PlanError, match="cap of 500 accounts"):
        load_plan("xiaomei_launch", ["members.initial=490", "members.shills=10"])
    assert load_plan("xiaomei_launch", ["members.initial=489", "members.shills=10"])


@pytest.mark.parametrize("overrides, words", [
    (["growth.qr_repost_days=0"], ["growth.qr_repost_days", "1 to 365"]),
    (["growth.qr_repost_days=400"], ["growth.qr_repost_days", "1 to 365"]),
    (["growth.live_code=sometimes"], ["growth.live_code", "bool"]),
])
def test_bad_platform_levers_are_named_with_their_range(overrides, words):
    with pytest.raises(PlanError) as err:
        load_plan("open_door", overrides)
    for word in words:
        assert word in str(err.value)
