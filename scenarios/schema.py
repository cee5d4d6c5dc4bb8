"""The plan: every lever a strategist sets, with defaults, units and ranges.

A plan says what the operator does and knows about the situation; how people respond
lives in `sim.constants`, one set shared by every plan. Unknown keys are errors.
"""

from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Yuan = Annotated[float, Field(ge=0.0, le=1_000_000.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Platform(StrEnum):
    wechat = "wechat"
    wecom = "wecom"
    qq = "qq"


PLATFORM_CAP = {Platform.wechat: 500, Platform.wecom: 500, Platform.qq: 3000}
"""Accounts a group holds, the host, shills and spammers included (docs/model.md, Platforms);
QQ groups hold 2,000 or 3,000 by kind and level, and a plan may use the largest (sources in
benchmarks/bench_scale.py)."""
HOST_ACCOUNTS = 1
"""The host's own account: in the group from opening, never leaving, counted by every cap."""
QR_SCAN_STOP = {Platform.wechat: 200, Platform.wecom: 200, Platform.qq: None}
"""Accounts in the group from which a scan of its QR code no longer joins (only invitations
do); None: scans join up to the cap (docs/model.md, Platforms: the QQ rule and its source)."""
QR_VALID_DAYS = {Platform.wechat: 7, Platform.wecom: 7, Platform.qq: None}
"""Days a posted group QR code admits scans; None: it does not expire."""


class Group(Strict):
    platform: Platform = Field(
        Platform.wechat,
        description="wechat/wecom: 500 accounts, QR scans join below 200 and codes expire after "
                    "7 days; qq: 3000 accounts")
    type: Literal["traffic", "conversion", "fan", "flash", "repurchase"] = "fan"
    topic_value: Share = Field(0.4, description="value members get from the topic's own talk")
    open_weekday: Weekday = "mon"
    weeks: int = Field(12, ge=1, le=52, description="horizon in weeks")


class Pool(Strict):
    size: int = Field(300, ge=0, le=50_000, description="candidates beyond the initial members")
    segments: int = Field(3, ge=1, le=12, description="city/age/profile segments members come from")
    interest_mean: Share = Field(0.5, description="mean interest match with the topic")
    interest_spread: Annotated[float, Field(ge=0.0, le=0.5)] = 0.15
    relation_to_host: Share = Field(0.3, description="0 strangers, 1 close friends of the host")
    mean_friends: int = Field(8, ge=2, le=40, description="mean friendships per candidate")
    money_sensitivity: Share = Field(0.5, description="mean sensitivity to money incentives")


class Host(Strict):
    ip_strength: Share = Field(0.5, description="personal brand: faceless account 0.1, trusted person 0.9",
                               json_schema_extra={"zh": "个人品牌：无人设账号 0.1，受信任的真人 0.9"})
    ip_match: Share = Field(0.7, description="fit between the host's persona and what is sold",
                            json_schema_extra={"zh": "群主人设与所卖商品的契合度"})
    capacity: int = Field(6, ge=0, le=60, description="host posts per day")
    responsiveness: Share = Field(0.6, description="how fast and well complaints are answered")
    operator: Literal["person", "company"] = Field(
        "person", description="company accounts answer only in office hours (9-18)"
    )
    prewarm_days: int = Field(0, ge=0, le=30, description="days of host content before opening")


class Members(Strict):
    initial: int = Field(100, ge=0, le=3000, description="real members at opening",
                         json_schema_extra={"zh": "开群时的真实成员数"})
    clustered: Share = Field(0.5, description="1 friends invited together, 0 customers from a database")
    lurker_share: Share = 0.4
    connectors: int = Field(2, ge=0, le=100)
    complainer_share: Share = 0.05
    native_kols: int = Field(0, ge=0, le=20)
    shills: int = Field(0, ge=0, le=50, description="operator-run accounts, on top of initial",
                        json_schema_extra={"zh": "运营方控制的小号 (托)，另加在初始成员之外"})
    shills_rest: bool = Field(True, description="shills go quiet once real members talk")
    seed_privileges: bool = Field(False, description="initial members get titles and perks")


class EarlyJoinDiscount(Strict):
    by_hour: int = Field(ge=0, le=23, description="join before this hour of day 0")
    discount: Annotated[float, Field(gt=0.0, le=0.9)]


class Growth(Strict):
    qr_influx_per_day: float = Field(0.0, ge=0.0, le=500.0, description="strangers scanning a posted QR code")
    influx_spammer_share: Share = Field(0.1, description="share of QR strangers who come to advertise")
    # at most ¥1,000: a member shares more the larger the reward, and the kernel's work grows
    # with the shares (benchmarks/bench_worst.py; ¥1,000,000 did not finish a week in 5 minutes)
    referral_reward_referrer: float = Field(0.0, ge=0.0, le=1000.0, description="yuan per referral join")
    referral_reward_referee: float = Field(0.0, ge=0.0, le=1000.0, description="yuan per referral join")
    qr_repost_days: int | None = Field(
        7, ge=1, le=365,
        description="days between postings of a fresh QR code, from opening (WeChat/WeCom codes "
                    "expire 7 days after posting, so 7 or less keeps one valid); null: posted once",
        json_schema_extra={"zh": "每隔几天重新发布一次群二维码 (微信/企业微信群码 7 天后过期)；null：只在开群时发一次"})
    live_code: bool = Field(
        False, description="scans go through a live code (活码): it never expires and admits "
                           "past the 200-account scan stop, up to the cap",
        json_schema_extra={"zh": "用活码引流：不过期，群满 200 人后仍可扫码进群，直到人数上限"})
    early_join_discounts: list[EarlyJoinDiscount] = Field(default_factory=list)
    fee: Yuan = Field(0.0, description="entry fee, yuan")


class Content(Strict):
    product_share: Share = Field(0.3, description="share of host posts that sell")
    interaction_share: Share = Field(0.3, description="share of host posts that ask members to talk")

    @model_validator(mode="after")
    def _shares_fit(self):
        if self.product_share + self.interaction_share > 1.0:
            raise ValueError("content.product_share + content.interaction_share must be at most 1")
        return self


class Timing(Strict):
    """When a calendar item fires. Each subclass below is one calendar kind, in kind-code order
    (append a new one last, so existing codes stay); its handler in `sim/events.py` names
    the fields it reads as its parameters."""

    hour: int = Field(20, ge=0, le=23)
    every_days: int | None = Field(None, ge=1, le=365, description="repeats every N days",
                                   json_schema_extra={"zh": "每 N 天重复一次"})
    weekday: Weekday | None = None
    start_day: int = Field(0, ge=0, le=365)
    end_day: int | None = Field(None, ge=0, le=365, description="inclusive; default: horizon end")

    @model_validator(mode="after")
    def _one_rhythm(self):
        if self.every_days is not None and self.weekday is not None:
            raise ValueError("give either every_days or weekday, not both")
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValueError("end_day must be at least start_day")
        return self


class RedPacket(Timing):
    kind: Literal["red_packet"]
    amount: Yuan = Field(50.0, description="total yuan, split among count grabs",
                          json_schema_extra={"zh": "红包总额 (元)，由 count 个人抢分"})
    count: int = Field(20, ge=1, le=500)


class LuckyDraw(Timing):
    kind: Literal["lucky_draw"]
    amount: Yuan = Field(100.0, description="prize value, yuan")
    count: int = Field(3, ge=1, le=100, description="winners")


class Checkin(Timing):
    kind: Literal["checkin"]
    reward: Yuan = Field(0.0, description="yuan (or points value) per check-in")


class Coupon(Timing):
    kind: Literal["coupon"]
    discount: Annotated[float, Field(gt=0.0, le=0.9)] = 0.1
    valid_hours: int = Field(48, ge=1, le=720)


class FlashSale(Timing):
    kind: Literal["flash_sale"]
    discount: Annotated[float, Field(ge=0.0, le=0.9)] = 0.2
    stock: int = Field(200, ge=1, le=100_000)
    preheat_red_packet: Yuan = Field(0.0, description="red packet just before, yuan")


class Jielong(Timing):
    kind: Literal["jielong"]
    discount: Annotated[float, Field(ge=0.0, le=0.9)] = 0.1
    hours_open: int = Field(12, ge=1, le=72)


class DailyReport(Timing):
    kind: Literal["daily_report"]


class Topic(Timing):
    kind: Literal["topic"]


class Lecture(Timing):
    kind: Literal["lecture"]
    by: Literal["guest", "native"] = "guest"

    @property
    def native(self) -> float:
        return 1.0 if self.by == "native" else 0.0


class Meetup(Timing):
    kind: Literal["meetup"]
    capacity: int = Field(20, ge=2, le=200)


class Notice(Timing):
    kind: Literal["notice"]


class Cleanup(Timing):
    kind: Literal["cleanup"]
    inactive_days: int = Field(14, ge=1, le=90)


CALENDAR_KINDS: tuple[type[Timing], ...] = tuple(Timing.__subclasses__())
"""Every calendar kind, in definition order (the kind codes of `sim.events.KINDS`)."""
CalendarItem = Annotated[Union[CALENDAR_KINDS], Field(discriminator="kind")]


class Incentives(Strict):
    points: bool = Field(False, description="member points/levels for posting")


class Rules(Strict):
    threshold: Share = Field(0.2, description="entry filter: 0 open door, 1 invite + questionnaire")
    strictness: Share = Field(0.3, description="how hard rules are enforced",
                              json_schema_extra={"zh": "群规执行的严格程度"})
    moderation_delay_hours: int = Field(12, ge=0, le=168)


DERIVED_DEFAULTS = ("economics.market_price", "economics.unit_cost")
"""Fields whose default is worked out from other fields of the plan as written (docs/model.md,
"Derived defaults"); no later change of a lever moves them."""
DEFAULT_MARGIN = 0.3
"""The margin at the market price a plan that states neither `unit_cost` nor `margin` has."""


class Economics(Strict):
    """The product: the plan's price, and two facts about the goods that no lever moves.

    `market_price` (what the goods sell for elsewhere, yuan) and `unit_cost` (cost of goods,
    yuan per unit) are derived defaults when a plan leaves them out: market_price = the price,
    unit_cost = market_price × (1 − margin). Validation fills them in, so every validated plan
    carries them; `scenarios.loader.load_plan` validates the plan as written before applying
    `--set`, and sweeps, optimize and the what-if page start from a validated plan, so changing
    the price later moves neither. `margin` is how older plans state the cost (read as the
    margin at the market price); it is kept on the plan as stated, for `groupsim validate` to say
    how it is read, but not written back (the plan's `unit_cost` is).
    `reference_price` is the old name of `market_price`.
    """

    price: Yuan = Field(100.0, description="product price in the group, yuan",
                         json_schema_extra={"zh": "群内商品售价 (元)"})
    market_price: Yuan | None = Field(
        None, description="what the same goods sell for elsewhere, yuan; default: the price as written"
    )
    unit_cost: Yuan | None = Field(
        None, description="cost of goods, yuan per unit; default: market_price × (1 − margin)"
    )
    margin: Share | None = Field(
        None, exclude=True,
        description=f"gross margin at the market price, to state unit_cost as a share; default {DEFAULT_MARGIN}",
    )
    repurchase_days: int = Field(
        30, ge=0, le=365,
        description="days until a buyer needs the product again: fresh food ~7, cosmetics ~45, 0 = bought once",
    )
    quality: Share = Field(0.7, description="chance a buyer is pleased")
    budget: Yuan | None = Field(None, description="incentive budget, yuan; money stops when spent",
                                 json_schema_extra={"zh": "激励预算 (元)；花完即停止发钱"})

    @model_validator(mode="before")
    @classmethod
    def _old_name(cls, data):
        if isinstance(data, dict) and "reference_price" in data:
            data = dict(data)
            old = data.pop("reference_price")
            if "market_price" in data and data["market_price"] != old:
                raise ValueError(
                    f"economics.reference_price = {old!r} and economics.market_price = "
                    f"{data['market_price']!r}: reference_price is the old name of market_price; "
                    "give market_price only"
                )
            data["market_price"] = old
        return data

    @model_validator(mode="after")
    def _derived_defaults(self):
        # filled in directly: an assignment would re-validate the model (validate_assignment)
        # and count the filled field as given
        if self.market_price is None:
            self.__dict__["market_price"] = self.price
        margin = DEFAULT_MARGIN if self.margin is None else self.margin
        from_margin = round(self.market_price * (1.0 - margin), 6)
        if self.unit_cost is None:
            self.__dict__["unit_cost"] = from_margin
        elif self.margin is not None and abs(self.unit_cost - from_margin) > 1e-6:
            raise ValueError(
                f"economics.unit_cost = {self.unit_cost:g} and economics.margin = {self.margin:g} "
                f"disagree: a margin is read at the market price ({self.market_price:g}), which "
                f"makes the unit cost {from_margin:g}; give one of them"
            )
        return self


class Plan(Strict):
    name: str = "plan"
    description: str = Field("", max_length=300, description="one line: what the plan is")
    description_zh: str = Field(
        "", max_length=300,
        description="the same line in Chinese, shown by --lang zh outputs (else `description`)")
    group: Group = Field(default_factory=Group)
    pool: Pool = Field(default_factory=Pool)
    host: Host = Field(default_factory=Host)
    members: Members = Field(default_factory=Members)
    growth: Growth = Field(default_factory=Growth)
    content: Content = Field(default_factory=Content)
    calendar: list[CalendarItem] = Field(default_factory=list)
    incentives: Incentives = Field(default_factory=Incentives)
    rules: Rules = Field(default_factory=Rules)
    economics: Economics = Field(default_factory=Economics)

    def describe(self, lang: Literal["en", "zh"]) -> str:
        """The description in `lang`: Chinese falls back to English where none is written."""
        return (self.description_zh if lang == "zh" else "") or self.description

    @property
    def horizon_days(self) -> int:
        return self.group.weeks * 7

    @model_validator(mode="after")
    def _fits_platform(self):
        cap = PLATFORM_CAP[self.group.platform]
        accounts = self.members.initial + self.members.shills + HOST_ACCOUNTS
        if accounts > cap:
            raise ValueError(
                f"members.initial + members.shills + the host = {accounts} exceeds the "
                f"{self.group.platform.value} cap of {cap} accounts (the platform counts every "
                f"account: at most {cap - HOST_ACCOUNTS} initial members and shills together)"
            )
        return self
