"""Every parameter of the model, declared once.

Each group is a typed dataclass; every field carries its default, its allowed
range, its unit and a one-line doc in ``field(metadata=...)``.  Hydra registers
these classes as the schema of ``conf/`` (see :mod:`salesim_cli.config`), the
CLI and the README table are generated from them, and :func:`validate` checks
the ranges, so the YAML can only override values, never invent keys.

Every behavioural mechanism of ``MODEL.md`` has a *strength* parameter here
(named ``*_effect``, ``*_response`` or ``*_strength``) that switches it off at
zero; :data:`MECHANISMS` lists them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

WEEKS_PER_YEAR = 52
WEEKS_PER_QUARTER = 13
#: pay periods in weeks: a pay "month" is a 4-week period (13 a year, as in a 13-period
#: accounting calendar); months reported to users are calendar months
#: (:data:`simulator.metrics.WEEKS_PER_MONTH`, 52/12 weeks)
PERIOD_WEEKS = {"month": 4, "quarter": WEEKS_PER_QUARTER, "year": WEEKS_PER_YEAR}
#: how the company target is set each year (see ``org.target_basis``)
TARGET_BASES = ("fixed", "last_year")
COACHING_POLICIES = ("equal", "new_first", "middle_first", "bottom_first", "top_first")
ONBOARDING_KINDS = ("product", "buyer")
TABLE_CHOICES = ("auto", "all", "none")
QUOTA_POLICIES = ("top_down", "equal", "potential", "ratchet", "history")
TEAM_SPLITS = ("equal", "contribution")
CAMPAIGN_SEGMENTS = ("all", "smb", "mid", "ent")


def _load_fitted() -> dict[str, float]:
    """The fitted defaults (``simulator/fitted_defaults.json``, written by ``make calibrate``)."""
    path = resources.files("simulator") / "fitted_defaults.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["parameters"])


#: dotted name -> default fitted by simulation-based estimation (make calibrate)
FITTED: dict[str, float] = _load_fitted()


def fitted(prefix: str):
    """Class decorator (below ``@dataclass``): defaults of ``prefix.*`` fields from :data:`FITTED`.

    The declared default stays in the field's metadata as ``prior`` (the value
    before fitting); the fitted value becomes the default everywhere (CLI,
    docs, app, sweeps).
    """

    def apply(cls):
        for name, value in vars(cls).copy().items():
            if isinstance(value, dataclasses.Field) and f"{prefix}.{name}" in FITTED:
                fit = FITTED[f"{prefix}.{name}"]
                cast = type(value.default)
                meta = {**value.metadata, "prior": value.default, "fitted": True}
                setattr(cls, name, field(default=cast(fit), metadata=meta))
        return cls

    return apply


def p(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    doc: str = "",
    choices: tuple[str, ...] | None = None,
    **extra: Any,
) -> Any:
    """Declare a parameter: default, closed range ``[lo, hi]``, unit and doc."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "doc": doc, "choices": choices, **extra}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class RunParams:
    """Length of a run."""

    years: int = p(3, 1, 50, "years", "simulated years counted by the metrics")
    warmup_years: int = p(1, 0, 10, "years", "years simulated first and ignored by the metrics")
    replications: int = p(
        1, 1, 10000, "runs", "runs of the job; above 1 their seeds are spawned from the seed"
    )
    tables: str = p(
        "auto",
        doc=(
            "per-run tables (weekly, reps, managers, hires, deals) written beside summary.json: "
            "all, none, or auto (all for a single run; none for a job of a sweep, whose "
            "outcomes.parquet and the sweep's outcomes.parquet hold every run's metrics)"
        ),
        choices=TABLE_CHOICES,
    )


@dataclass
@fitted("org")
class OrgParams:
    """Size and targets of the sales organisation."""

    n_reps: int = p(60, 1, 20_000, "seats", "rep seats (territories); vacancies included")
    span_of_control: int = p(8, 1, 50, "reps", "rep seats per manager")
    quota_per_rep: float = p(
        1.6e6,
        0.0,
        None,
        "currency/year",
        "company target per rep seat; the target is n_reps times this",
    )
    target_growth: float = p(0.05, -0.5, 1.0, "1/year", "yearly growth of the company target")
    target_basis: str = p(
        "fixed",
        doc="how each year's company target is set: 'fixed' (quota_per_rep x n_reps grown by "
        "target_growth every year, whatever the organisation sells: the same targets in every "
        "arm of a comparison) or 'last_year' (last year's bookings grown by target_growth, "
        "planning from the year before as most companies do; the first year, with no history, "
        "takes quota_per_rep; a plan that sells more then raises its own next target)",
        choices=TARGET_BASES,
    )
    initial_tenure_years: float = p(
        2.5,
        0.0,
        20.0,
        "years",
        "mean tenure of the reps in seat when a run starts (exponential, capped at "
        "max_initial_tenure_years); they start with the skill that tenure taught them",
    )
    max_initial_tenure_years: float = p(
        15.0, 0.0, 40.0, "years", "longest tenure of a rep in seat when a run starts"
    )
    initial_selling_share: float = p(
        0.8,
        0.0,
        1.5,
        "x normal selling week",
        "selling in each past week of a starting rep's tenure, when the skill that tenure "
        "taught it is replayed (learning by selling, skill fading in time not spent selling)",
    )


@dataclass
class SegmentParams:
    """One customer segment: its share of accounts, size and buying cycle."""

    share: float = p(0.6, 0.0, 1.0, "fraction", "share of accounts in this segment")
    potential_median: float = p(40_000.0, 0.0, None, "currency/year", "median annual spend")
    potential_sigma: float = p(0.8, 0.0, 3.0, "log", "log-normal sigma of annual spend")
    cycle_weeks: float = p(8.0, 1.0, 104.0, "weeks", "buyer's own time through all five stages")
    win_prob: float = p(
        0.35,
        0.01,
        0.99,
        "probability",
        "chance a deal reaching the close stage is won, at average skill",
    )


def _segment(name: str, share: float, median: float, cycle: float, win: float) -> Any:
    sigma = FITTED.get(f"territory.{name}.potential_sigma", 0.8)
    return field(
        default_factory=lambda: SegmentParams(share, median, sigma, cycle, win),
        metadata={"doc": "segment", "unit": "", "lo": None, "hi": None, "choices": None},
    )


@dataclass
@fitted("territory")
class TerritoryParams:
    """Accounts and how territories differ (luck of territory)."""

    accounts_per_rep: int = p(40, 1, 2000, "accounts", "mean accounts in a territory")
    size_sigma: float = p(0.3, 0.0, 2.0, "log", "log-normal sigma of account count per territory")
    quality_sigma: float = p(
        0.5, 0.0, 2.0, "log", "log-normal sigma of a territory's potential multiplier; 0 = equal"
    )
    overlap: float = p(
        0.15,
        0.0,
        1.0,
        "share of won deals",
        "won deals a stronger teammate also chases when the plan ranks reps (internal "
        "competition); scaled by the plan's rank intensity",
    )
    customer_share: float = p(
        0.55,
        0.0,
        1.0,
        "share of accounts",
        "accounts that are already customers when the run starts (the installed base); the "
        "default is the default organisation's own steady state (experiments/steady_state.py)",
    )
    customer_penetration: float = p(
        0.6,
        0.0,
        1.0,
        "share of potential",
        "share of its potential each starting customer already buys (its installed spend, "
        "which bounds expansion under buyer.expansion_headroom); make calibrate sets it to "
        "the default organisation's steady state",
    )
    specialisation: float = p(
        0.0,
        0.0,
        1.0,
        "share of accounts",
        "how far territories are cut by segment: each seat has a home segment (seats split by "
        "the segments' shares of accounts, neighbouring seats and so teams together) and draws "
        "this share of its accounts from it, the rest from the whole mix; quotas split equally "
        "within a home segment. 0 = every territory a mix of every segment",
    )
    smb: SegmentParams = _segment("smb", 0.60, 40_000.0, 6.0, 0.40)
    mid: SegmentParams = _segment("mid", 0.30, 150_000.0, 13.0, 0.33)
    ent: SegmentParams = _segment("ent", 0.10, 600_000.0, 26.0, 0.25)


@dataclass
@fitted("buyer")
class BuyerParams:
    """The buyer-paced pipeline: opportunities, stages, land and expand, rushing."""

    inbound_per_year: float = p(
        0.35, 0.0, 52.0, "1/account/year", "opportunities an idle account opens unprompted (luck)"
    )
    prospect_yield: float = p(
        0.06,
        0.0,
        5.0,
        "opps/hour",
        "opportunities one prospecting hour opens, at full productivity",
    )
    land_fraction: float = p(
        0.15, 0.0, 5.0, "share of potential", "size of a first deal as a share of annual potential"
    )
    expansion_fraction: float = p(
        0.45,
        0.0,
        5.0,
        "share of potential",
        "size of an expansion deal as a share of annual potential",
    )
    expansion_per_year: float = p(
        0.9,
        0.0,
        52.0,
        "1/customer/year",
        "expansion opportunities a won account opens; 0 = no land-and-expand",
    )
    deal_size_sigma: float = p(0.5, 0.0, 3.0, "log", "log-normal noise on deal size")
    selling_pace_effect: float = p(
        1.0, 0.0, 5.0, "multiplier", "how much selling effort speeds the buyer (capped by max_pace)"
    )
    max_pace: float = p(1.6, 1.0, 5.0, "x buyer pace", "fastest pace selling can reach")
    min_pace: float = p(0.3, 0.0, 1.0, "x buyer pace", "slowest pace neglect can bring a deal to")
    pace_noise: float = p(
        0.5,
        0.0,
        1.0,
        "share of pace",
        "luck in a deal's progress: each week's step through its stages is drawn evenly within "
        "this share either side of its pace; 0 = every deal moves at its pace",
    )
    hours_per_deal: float = p(
        1.5, 0.01, 40.0, "hours/week", "selling hours a deal needs each week for full attention"
    )
    attention_rate: float = p(
        0.3,
        0.0,
        1.0,
        "1/week",
        "speed at which a deal's remembered attention, which raises its win odds, tracks the "
        "attention it gets each week",
    )
    skill_win_effect: float = p(
        3.0, 0.0, 10.0, "log-odds", "effect of skill (0..1, centred at 0.5) on win odds"
    )
    effort_win_effect: float = p(
        0.8, 0.0, 10.0, "log-odds", "effect of deal attention (0..1) on win odds"
    )
    trust_win_effect: float = p(
        1.0,
        0.0,
        10.0,
        "log-odds",
        "effect of buyer trust (0..1, centred at 0.5) on win and expansion",
    )
    stall_per_week: float = p(0.01, 0.0, 1.0, "1/week", "weekly chance an open deal dies")
    neglect_stall_per_week: float = p(
        0.05, 0.0, 1.0, "1/week", "extra weekly chance an unattended deal dies"
    )
    rush_discount: float = p(
        0.12, 0.0, 0.9, "share of price", "discount to pull in an unready deal"
    )
    rush_win_penalty: float = p(
        0.15, 0.0, 1.0, "share of win prob", "loss of win probability when a deal is rushed"
    )
    hold_loss_per_week: float = p(
        0.15, 0.0, 1.0, "1/week", "chance a ready buyer walks away each week a deal is held back"
    )
    hold_discount: float = p(
        0.0,
        0.0,
        0.9,
        "share of price",
        "discount a ready buyer is given for waiting until the rep's next period (Larkin "
        "2014: reps offer lower prices to buyers who go along with their timing); 0 = "
        "buyers wait for nothing",
    )
    rush_trust_cost: float = p(0.25, 0.0, 1.0, "trust", "trust a rushed buyer loses")
    trust_recovery_per_year: float = p(
        0.2, 0.0, 5.0, "1/year", "speed at which trust moves toward what the account's care earns"
    )
    care_hours_per_customer: float = p(
        0.25, 0.01, 20.0, "hours/week", "account care a customer needs each week for full attention"
    )
    care_trust_effect: float = p(
        0.4,
        0.0,
        1.0,
        "trust",
        "trust a fully cared-for customer settles at above 0.5 (a neglected one as far below); "
        "0 = care does not build trust",
    )
    churn_per_year: float = p(
        0.12,
        0.0,
        5.0,
        "1/customer/year",
        "chance a customer stops buying (becomes a prospect again) in a year at half care and "
        "neutral trust; 0 = customers never churn",
    )
    churn_care_effect: float = p(
        2.0, 0.0, 20.0, "log-hazard", "rise of churn as care falls from full to none; 0 = none"
    )
    churn_trust_effect: float = p(
        2.0, 0.0, 20.0, "log-hazard", "rise of churn as trust falls by one (0..1); 0 = none"
    )
    rep_change_churn: float = p(
        0.7,
        0.0,
        10.0,
        "log-hazard",
        "rise of churn in a territory whose rep changed within rep_change_weeks; 0 = none",
    )
    rep_change_weeks: int = p(
        26, 0, 520, "weeks", "how long customers of a territory with a new rep are at extra risk"
    )
    rep_change_trust_loss: float = p(
        0.5,
        0.0,
        1.0,
        "share of the gap",
        "share of a customer's trust above or below neutral lost when its rep changes",
    )
    expansion_headroom: float = p(
        1.0,
        0.0,
        1.0,
        "weight",
        "how far a customer's white space bounds its expansion: at 1 both how often it expands "
        "and the size of an expansion scale with the share of its potential it does not yet "
        "buy, so expansion saturates; 0 = expansion sized by the whole potential however much "
        "is bought (the installed base compounds)",
    )
    expansion_care_effect: float = p(
        1.0,
        0.0,
        10.0,
        "log-rate",
        "how much more often a fully cared-for customer expands than one at half care (and "
        "less often a neglected one: contraction of the installed base's growth); 0 = none",
    )


@dataclass
@fitted("market")
class MarketParams:
    """Demand and the offer's competitiveness."""

    competitiveness: float = p(
        0.6, 0.0, 1.0, "0..1", "strength of product, price and positioning; 0.5 = at par"
    )
    competitiveness_effect: float = p(
        3.0, 0.0, 20.0, "log-odds", "win log-odds per unit of competitiveness away from 0.5"
    )
    demand_growth: float = p(0.05, -0.5, 1.0, "1/year", "growth of account potential")
    account_exit_per_year: float = p(
        0.1,
        0.0,
        1.0,
        "1/year",
        "hazard at which an idle prospect (no open deal, not a customer) leaves the market "
        "(closes, merges, stops buying in the category): the outflow that lets territories "
        "grown by exploring settle. 0.1 = the 7-9% of US employer firms that close each year "
        "(SBA Office of Advocacy 2018, from the Census BDS) plus the few that merge or leave "
        "the category; 0 = accounts never leave",
    )
    seasonality: float = p(0.15, 0.0, 0.9, "amplitude", "seasonal swing of buying activity")
    peak_week: int = p(48, 1, 52, "week of year", "week when buying peaks")


@dataclass
@fitted("rep")
class RepParams:
    """Reps: time, effort response to pay, learning, morale and quitting."""

    hours_per_week: float = p(45.0, 1.0, 80.0, "hours", "normal working week")
    max_hours_per_week: float = p(60.0, 1.0, 100.0, "hours", "hardest sustainable week")
    admin_hours: float = p(6.0, 0.0, 40.0, "hours/week", "reporting and internal admin")
    initial_morale: float = p(0.6, 0.0, 1.0, "morale", "morale of a rep on joining")
    pay_memory: float = p(
        0.6,
        0.0,
        1.0,
        "share",
        "weight of the old estimate when a rep updates what it expects to earn in a year, "
        "each quarter (the rest goes to the quarter's pay, annualised)",
    )
    incentive_response: float = p(
        1.0, 0.0, 5.0, "strength", "how far effort follows expected marginal pay; 0 = fixed effort"
    )
    effort_cost: float = p(
        0.6,
        0.01,
        50.0,
        "x weekly OTE",
        "disutility of a normal selling week, in weekly on-target earnings",
    )
    effort_convexity: float = p(
        4.0, 1.5, 10.0, "exponent", "how steeply the cost of effort rises above a normal week"
    )
    intrinsic_motivation: float = p(
        0.6, 0.0, 5.0, "x weekly OTE", "value of selling effort to a rep at full morale, beyond pay"
    )
    pipeline_weight: float = p(
        0.5,
        0.0,
        1.0,
        "weight",
        "how far a rep projects the rest of a period from its own open pipeline (deals due "
        "to close before the period ends, at their win odds) rather than from its recent "
        "selling rate alone; 0 = the rate alone",
    )
    effort_elasticity: float = p(0.7, 0.05, 1.0, "exponent", "diminishing returns of selling hours")
    min_effort: float = p(
        0.5, 0.1, 1.0, "x normal selling week", "least selling effort a rep ever chooses"
    )
    max_effort: float = p(
        1.5,
        1.0,
        3.0,
        "x normal selling week",
        "most selling effort a rep ever chooses (max_hours_per_week may cap it lower); also "
        "the most selling a week's practice counts toward skill",
    )
    prospect_share: float = p(0.25, 0.0, 1.0, "share", "prospecting share of selling time at par")
    timing_window_weeks: int = p(
        2,
        1,
        13,
        "weeks",
        "weeks before a pay period's end in which reps pull deals in or hold them back",
    )
    deal_timing_strength: float = p(
        1.0,
        0.0,
        1.0,
        "strength",
        "pulling deals in (with discount) or holding them back at period ends; 0 = never",
    )
    colleague_loss_morale: float = p(
        0.01, 0.0, 1.0, "morale", "morale lost when a colleague takes one's deal"
    )
    peer_pressure: float = p(
        0.5,
        0.0,
        10.0,
        "x weekly OTE",
        "mutual monitoring under team pay (Kandel and Lazear 1992): value to a rep of output "
        "its teammates see, times the plan's team weight, falling with the square root of "
        "the number of teammates; 0 = none",
    )
    helping_hours: float = p(2.0, 0.0, 20.0, "hours/week", "help given to peers at full morale")
    helping_morale_par: float = p(
        0.6,
        0.01,
        1.0,
        "morale",
        "morale at which a rep gives helping_hours; help scales with morale over it",
    )
    max_helping_morale_factor: float = p(
        1.5, 1.0, 10.0, "x helping_hours", "most help high morale can bring, before pay tilts it"
    )
    max_helping_tilt: float = p(
        3.0,
        1.0,
        20.0,
        "x",
        "most a plan that pays for teammates' sales can multiply the help a rep gives",
    )
    max_pay_ratio: float = p(
        5.0,
        1.0,
        50.0,
        "x usual",
        "cap on a unit of sales' marginal pay against what it usually pays, in the effort "
        "response (a rep does not believe a windfall beyond this)",
    )
    max_non_selling_share: float = p(
        0.8,
        0.0,
        1.0,
        "share of hours",
        "most of a week helping, exploring and account care may take together",
    )
    advance_hours_per_deal_cap: float = p(
        1.5,
        0.0,
        10.0,
        "x buyer.hours_per_deal",
        "hours a week a rep can usefully spend advancing each open deal; the rest prospects",
    )
    helping_pay_response: float = p(
        1.0,
        0.0,
        10.0,
        "strength",
        "how far helping follows what the plan pays for peers' sales (team pay) or "
        "against them (rank pay); 0 = helping ignores pay",
    )
    helping_effect: float = p(
        0.002,
        0.0,
        1.0,
        "share of gap/hour",
        "skill gap to the helpers closed per hour of help received; 0 = helping does nothing",
    )
    exploring_hours: float = p(1.0, 0.0, 20.0, "hours/week", "time opening new accounts at par")
    care_priority: float = p(
        0.7,
        0.0,
        1.0,
        "share of need",
        "share of its customers' care need a rep meets when pay now is at par and the future is "
        "not discounted; 0 = no account care",
    )
    discount_per_year: float = p(
        0.3,
        0.0,
        20.0,
        "1/year",
        "how steeply a rep discounts pay that comes later (prospecting pays after a buying "
        "cycle, care after an expansion, exploring after exploring_lag_weeks); 0 = patient",
    )
    max_care_lag_years: float = p(
        10.0,
        0.0,
        100.0,
        "years",
        "longest a rep expects account care to take to pay (a customer's next expansion, "
        "1 / buyer.expansion_per_year), so care keeps some worth when customers rarely expand",
    )
    exploring_lag_weeks: float = p(
        52.0, 0.0, 520.0, "weeks", "how long exploring takes to pay (a new account, then a sale)"
    )
    exploring_yield: float = p(
        0.01, 0.0, 1.0, "accounts/hour", "new accounts one exploring hour adds to the territory"
    )
    rank_cutoff_uncertainty: float = p(
        1.7,
        0.0,
        10.0,
        "x own sd",
        "how unsure a rep is of where a rank prize's cut-off will fall, as a multiple of "
        "the spread of its own remaining sales; 0 = the cut-off is known",
    )
    typical_deal_rate: float = p(
        0.2,
        0.01,
        1.0,
        "share per week",
        "how far a rep's sense of its typical deal size moves, each week it wins, toward that "
        "week's average won deal (the size sets how unsure it is of its period-end sales)",
    )
    learning_rate: float = p(0.3, 0.0, 5.0, "1/year", "skill learned from selling, times aptitude")
    skill_decay: float = p(
        1.5,
        0.0,
        5.0,
        "1/year",
        "skill forgotten in time not spent selling (times 1 - selling share); 0 = none",
    )
    morale_rate: float = p(0.08, 0.0, 1.0, "1/week", "speed at which morale tracks its target")
    morale_neutral: float = p(
        0.55,
        0.0,
        1.0,
        "morale",
        "morale a rep settles at when paid its outside option, at quota, uncoached and "
        "uninspected; quitting rises as morale falls below it",
    )
    morale_trust_effect: float = p(
        0.2, 0.0, 2.0, "morale", "morale per unit of trust in the manager away from 0.5"
    )
    morale_pay_effect: float = p(
        0.3, 0.0, 5.0, "morale", "effect of pay against the outside option"
    )
    morale_attainment_effect: float = p(
        0.25, 0.0, 5.0, "morale", "effect of attainment in the last quarter"
    )
    quit_per_year: float = p(0.17, 0.0, 5.0, "1/year", "voluntary quit hazard at par")
    quit_morale_effect: float = p(
        3.0,
        0.0,
        20.0,
        "log-hazard/morale",
        "rise of the quit hazard as morale falls; 0 = morale irrelevant",
    )
    quit_pay_effect: float = p(
        1.5,
        0.0,
        20.0,
        "log-hazard",
        "rise of the quit hazard as pay falls below the outside option",
    )
    quit_miss_effect: float = p(
        0.25, 0.0, 5.0, "log-hazard/quarter", "rise per consecutive missed quarterly quota"
    )
    quit_coaching_effect: float = p(
        0.3,
        0.0,
        5.0,
        "log-hazard per h/week",
        "fall of the quit hazard per weekly coaching hour received",
    )
    quit_tenure_effect: float = p(
        0.25, 0.0, 5.0, "log-hazard per log-year", "fall of the quit hazard with tenure"
    )
    quit_peer_pay_effect: float = p(
        1.0,
        0.0,
        20.0,
        "log-hazard",
        "rise of the quit hazard as pay falls below the organisation's mean pay; 0 = none",
    )
    quit_promotion_effect: float = p(
        0.8,
        0.0,
        10.0,
        "log-hazard",
        "fall of the quit hazard for the top performer (promotion prospects), in proportion to "
        "performance rank above the median; 0 = none",
    )
    quit_security_effect: float = p(
        0.8,
        0.0,
        10.0,
        "log-hazard",
        "fall of the quit hazard for the weakest performer (few outside offers, so it stays "
        "until managed out), in proportion to rank below the median; 0 = none",
    )
    quit_contagion_effect: float = p(
        0.3,
        0.0,
        10.0,
        "log-hazard per leaver",
        "rise of the quit hazard per teammate who quit in the last quarter (turnover "
        "contagion); 0 = none",
    )
    quit_manager_effect: float = p(
        0.5,
        0.0,
        10.0,
        "log-hazard per log-quality",
        "fall of the quit hazard under a better manager (log of leadership quality); 0 = none",
    )
    outside_option_premium: float = p(
        0.4, 0.0, 5.0, "share of OTE", "extra outside pay a top performer can get"
    )


@dataclass
@fitted("manager")
class ManagerParams:
    """Managers' weekly time and coaching."""

    hours_per_week: float = p(50.0, 1.0, 80.0, "hours", "manager's week")
    admin_share: float = p(
        0.35, 0.0, 1.0, "share of week", "reporting and forecast meetings; taken first"
    )
    coaching_share: float = p(
        0.2, 0.0, 1.0, "share of week", "coaching budget; what hiring and covering leave of it"
    )
    deal_support_share: float = p(
        0.2,
        0.0,
        1.0,
        "share of week",
        "joining reps' deals (calls, pricing); adds attention to them",
    )
    inspection_share: float = p(
        0.05, 0.0, 1.0, "share of week", "deal inspection (micromanagement)"
    )
    coaching_quality: float = p(1.0, 0.0, 3.0, "multiplier", "mean leadership quality")
    coaching_quality_sigma: float = p(0.35, 0.0, 2.0, "log", "spread of quality across managers")
    coaching_effect: float = p(
        0.6,
        0.0,
        20.0,
        "1/year",
        "skill-gap closing rate at full coaching; 0 = coaching does nothing",
    )
    coaching_fit: float = p(
        8.0,
        0.0,
        50.0,
        "exponent",
        "how steeply coaching's uptake falls for reps of below-average aptitude (poor fits; "
        "uptake aptitude x min(aptitude, 1)^this); 0 = uptake in proportion to aptitude",
    )
    coaching_half_hours: float = p(
        1.0, 0.01, 20.0, "hours/rep/week", "coaching at which half the possible gain is reached"
    )
    coaching_morale_effect: float = p(0.15, 0.0, 5.0, "morale", "morale from being coached")
    coaching_skill_floor: float = p(
        0.25,
        0.0,
        5.0,
        "skill",
        "coaching's gain is proportional to this plus the rep's skill (it builds on what the "
        "rep knows); 0 = the unskilled gain nothing, larger = gains spread more evenly",
    )
    coaching_memory_rate: float = p(
        0.1,
        0.0,
        1.0,
        "1/week",
        "speed at which the coaching a rep feels (for morale and trust) tracks the hours given",
    )
    trust_rate: float = p(
        0.05, 0.0, 1.0, "1/week", "speed at which a rep's trust in its manager tracks its target"
    )
    trust_base: float = p(
        0.4, 0.0, 1.0, "trust", "trust in a manager who neither coaches nor inspects"
    )
    trust_coaching_effect: float = p(
        0.4, 0.0, 1.0, "trust", "extra trust at full coaching (coaching half-hours saturated)"
    )
    quality_hiring_effect: float = p(
        0.05,
        0.0,
        1.0,
        "skill per log-quality",
        "better managers hire better: new-hire skill rises by this per log of leadership "
        "quality (and aptitude by the same share); 0 = hiring ignores the manager",
    )
    quality_morale_effect: float = p(
        0.1,
        0.0,
        2.0,
        "morale per log-quality",
        "morale a team's reps settle at above the mean per log of their manager's leadership "
        "quality; 0 = none",
    )
    quality_admin_effect: float = p(
        0.5,
        0.0,
        3.0,
        "exponent",
        "admin efficiency: a manager's admin hours are admin_share times the week divided by "
        "quality to this power, leaving more for coaching; 0 = every manager's admin the same",
    )
    coaching_policy: str = p("equal", doc="who is coached first", choices=COACHING_POLICIES)
    new_rep_weeks: int = p(
        26, 0, 104, "weeks", "new_first: tenure under which a rep is new and coached first"
    )
    new_rep_coaching_weight: float = p(
        4.0, 1.0, 20.0, "x a seasoned rep's", "new_first: coaching time of a new rep"
    )
    coaching_priority_floor: float = p(
        0.25,
        0.0,
        5.0,
        "weight",
        "bottom_first, top_first, middle_first: coaching weight of the rep ranked last for "
        "coaching (the one ranked first gets this plus 2)",
    )
    inspection_morale_cost: float = p(
        0.5,
        0.0,
        5.0,
        "morale per inspection share",
        "morale lost to inspection, most by the strongest reps",
    )
    inspection_admin_hours: float = p(
        20.0, 0.0, 200.0, "rep hours per inspection share", "extra rep admin caused by inspection"
    )
    skill: float = p(0.6, 0.0, 1.0, "0..1", "manager's own selling skill when covering")
    hiring_hours_per_vacancy: float = p(4.0, 0.0, 40.0, "hours/week", "time an open seat takes")
    onboarding_hours_per_hire: float = p(2.0, 0.0, 40.0, "hours/week", "time a new hire takes")
    cover_hours_per_vacancy: float = p(
        4.0, 0.0, 40.0, "hours/week", "selling in a vacant territory; 0 = no covering"
    )


@dataclass
@fitted("hiring")
class HiringParams:
    """Hiring and onboarding."""

    time_to_fill_weeks: float = p(9.0, 0.0, 104.0, "weeks", "mean time to fill a vacant seat")
    skill_mean: float = p(0.25, 0.0, 1.0, "0..1", "mean skill of a new hire")
    skill_sd: float = p(0.1, 0.0, 0.5, "0..1", "spread of new-hire skill")
    aptitude_mean: float = p(1.0, 0.0, 5.0, "multiplier", "mean learning speed of a new hire")
    aptitude_sigma: float = p(0.35, 0.0, 2.0, "log", "spread of aptitude")
    onboarding_weeks: int = p(10, 0, 104, "weeks", "length of onboarding")
    start_productivity: float = p(
        0.3,
        0.0,
        1.0,
        "share",
        "a new hire's selling productivity in its first week, rising linearly to 1 over onboarding",
    )
    onboarding_kind: str = p(
        "product", doc="'product' facts only or 'buyer' (how buyers buy)", choices=ONBOARDING_KINDS
    )
    onboarding_skill_gain: float = p(
        0.12, 0.0, 1.0, "skill", "skill gained over onboarding ('buyer' doubles it)"
    )
    ramped_quota: bool = p(
        True, unit="flag", doc="quota of a new hire scaled by weeks onboarded in the period"
    )


@dataclass
@fitted("performance")
class PerformanceParams:
    """Involuntary exits: performance management."""

    threshold: float = p(
        0.5, 0.0, 5.0, "attainment", "quarterly attainment below which a rep misses"
    )
    quarters: int = p(
        3, 1, 20, "quarters", "consecutive misses that trigger performance management"
    )
    exit_strength: float = p(
        0.2, 0.0, 1.0, "probability", "chance a triggered rep is let go; 0 = no performance exits"
    )


@dataclass
@fitted("quota")
class QuotaParams:
    """How quotas are set."""

    policy: str = p(
        "top_down",
        doc="'top_down' (company target split by territory potential "
        "blended with equal), 'equal', 'potential', or 'ratchet' (each quarter's result moves "
        "the next quota; the first year is top_down), or 'history' (each year's split blends "
        "every territory's bookings of the year before with top_down; the first year is "
        "top_down)",
        choices=QUOTA_POLICIES,
    )
    aggressiveness: float = p(1.0, 0.0, 5.0, "multiplier", "quotas over the company target")
    potential_weight: float = p(
        0.3, 0.0, 1.0, "share", "top_down: weight of territory potential against an equal split"
    )
    installed_base_weight: float = p(
        2.0,
        0.0,
        20.0,
        "x a prospect's",
        "extra weight of a customer's potential, against a prospect's, in the territory "
        "potential that quotas are split by (the installed base expands, so territories "
        "rich in customers carry more quota); 0 = every account by its potential alone",
    )
    history_weight: float = p(
        0.7,
        0.0,
        1.0,
        "share",
        "history: weight of each territory's share of last year's bookings against the "
        "top_down split (historic quotas, the commonest practice); 0 = top_down",
    )
    ratchet_up: float = p(
        0.6, 0.0, 2.0, "share of beat", "ratchet: share of a quarter's beat added to the quota"
    )
    ratchet_down: float = p(
        0.2, 0.0, 2.0, "share of miss", "ratchet: share of a quarter's miss taken off the quota"
    )
    ratchet_delay_weight: float = p(
        0.5,
        0.0,
        1.0,
        "weight",
        "ratchet: weight reps give the quota rise a deal credited next quarter brings (it comes "
        "a quarter later than a deal credited now); 0 = myopic, 1 = timing does not matter",
    )
    ratchet_floor: float = p(
        0.5, 0.0, 1.0, "x quota", "ratchet: the most a quarter can cut a quota, as a multiple"
    )
    ratchet_ceiling: float = p(
        2.0, 1.0, 10.0, "x quota", "ratchet: the most a quarter can raise a quota, as a multiple"
    )


@dataclass
class CommissionParams:
    """A commission schedule: piecewise rates over attainment."""

    period: str = p(
        "quarter", doc="period over which attainment is measured", choices=tuple(PERIOD_WEEKS)
    )
    weight: float = p(0.7, 0.0, 1.0, "share of target variable", "paid at 100% attainment")
    tier_starts: list[float] = p(
        [0.0], 0.0, 10.0, "attainment", "attainment at which each tier starts, increasing from 0"
    )
    tier_rates: list[float] = p([1.0], 0.0, 20.0, "x base rate", "rate multiplier of each tier")
    cap: float = p(0.0, 0.0, 20.0, "attainment", "no commission beyond this attainment; 0 = none")
    payout_cap: float = p(
        0.0, 0.0, 50.0, "x period target", "most commission paid in a period; 0 = none"
    )
    cumulative: bool = p(
        False, unit="flag", doc="measured year-to-date, paid each period with true-up"
    )


@dataclass
class BonusParams:
    """Quota bonuses paid at attainment thresholds."""

    period: str = p("quarter", doc="period of the bonus", choices=tuple(PERIOD_WEEKS))
    thresholds: list[float] = p([1.0], 0.0, 10.0, "attainment", "thresholds, increasing")
    amounts: list[float] = p(
        [0.3], 0.0, 10.0, "share of target variable", "bonus at each threshold, cumulative"
    )


@dataclass
class RankParams:
    """Rank-based pay: prizes by rank, a published leaderboard, forced ranking."""

    period: str = p("quarter", doc="period over which reps are ranked", choices=tuple(PERIOD_WEEKS))
    prize: float = p(0.0, 0.0, 10.0, "share of target variable", "prize per winner; 0 = none")
    top_share: float = p(0.2, 0.0, 1.0, "share of reps", "share of reps who win the prize")
    top_k: int = p(0, 0, 1000, "reps", "number of winners; overrides top_share when above 0")
    leaderboard: bool = p(False, unit="flag", doc="publish each rep's rank every week")
    leaderboard_morale_effect: float = p(
        0.2, 0.0, 5.0, "morale", "morale gained at the top of a published board, lost at the bottom"
    )
    forced_exit_share: float = p(
        0.0, 0.0, 0.5, "share of reps", "bottom share let go each forced-ranking period"
    )
    forced_exit_period: str = p(
        "year", doc="period of forced-ranking exits", choices=tuple(PERIOD_WEEKS)
    )
    job_value: float = p(
        0.5, 0.0, 5.0, "x annual OTE", "what a rep feels it loses when let go (drives effort)"
    )


@dataclass
class TeamParams:
    """Team pay: a pool of team sales and a team-quota bonus."""

    period: str = p("quarter", doc="period of the team components", choices=tuple(PERIOD_WEEKS))
    pool_weight: float = p(
        0.0, 0.0, 2.0, "share of target variable", "pool per member at 100% team attainment"
    )
    split: str = p("equal", doc="how the pool is split", choices=TEAM_SPLITS)
    quota_bonus: float = p(
        0.0, 0.0, 5.0, "share of target variable", "bonus to each member at the team quota"
    )
    quota_threshold: float = p(1.0, 0.0, 5.0, "attainment", "team attainment that pays the bonus")


@dataclass
class CampaignParams:
    """A short campaign: an extra rate on a segment's sales within a window of weeks."""

    rate: float = p(0.0, 0.0, 1.0, "share of sales", "extra pay per unit of qualifying sales")
    start_week: int = p(1, 1, 52, "week of year", "first week of the campaign")
    end_week: int = p(13, 1, 52, "week of year", "last week of the campaign")
    segment: str = p("all", doc="segment whose sales qualify", choices=CAMPAIGN_SEGMENTS)


@dataclass
class PlanParams:
    """An incentive plan: pay mix, commission and quota bonus."""

    name: str = p("quota_bonus", unit="label", doc="label of the plan")
    base_salary: float = p(75_000.0, 0.0, None, "currency/year", "fixed pay")
    target_variable: float = p(
        75_000.0, 0.0, None, "currency/year", "variable pay at 100% of quota"
    )
    individual_weight: float = p(
        1.0, 0.0, 1.0, "share", "weight of individual components (commission, bonus, rank prize)"
    )
    team_weight: float = p(0.0, 0.0, 1.0, "share", "weight of team components (pool, team bonus)")
    commission: CommissionParams = field(default_factory=CommissionParams)
    bonus: BonusParams = field(default_factory=BonusParams)
    rank: RankParams = field(default_factory=RankParams)
    team: TeamParams = field(default_factory=TeamParams)
    campaign: CampaignParams = field(default_factory=CampaignParams)


@dataclass
class SimParams:
    """All parameters of one run (everything but the seed)."""

    run: RunParams = field(default_factory=RunParams)
    org: OrgParams = field(default_factory=OrgParams)
    territory: TerritoryParams = field(default_factory=TerritoryParams)
    buyer: BuyerParams = field(default_factory=BuyerParams)
    market: MarketParams = field(default_factory=MarketParams)
    rep: RepParams = field(default_factory=RepParams)
    manager: ManagerParams = field(default_factory=ManagerParams)
    hiring: HiringParams = field(default_factory=HiringParams)
    performance: PerformanceParams = field(default_factory=PerformanceParams)
    quota: QuotaParams = field(default_factory=QuotaParams)
    plan: PlanParams = field(default_factory=PlanParams)


#: Mechanisms of MODEL.md and the parameter that switches each off at zero.
MECHANISMS: dict[str, str] = {
    "luck of territory": "territory.quality_sigma",
    "internal competition under rank-based pay": "territory.overlap",
    "inbound leads": "buyer.inbound_per_year",
    "selling speeds the buyer (within the buyer's steps)": "buyer.selling_pace_effect",
    "skill raises win odds": "buyer.skill_win_effect",
    "land and expand": "buyer.expansion_per_year",
    "rushed deals: discount and lost win probability": "buyer.rush_discount",
    "rushed buyers trust less": "buyer.rush_trust_cost",
    "competitive offer": "market.competitiveness_effect",
    "seasonality": "market.seasonality",
    "effort responds to marginal pay": "rep.incentive_response",
    "deal timing across period ends": "rep.deal_timing_strength",
    "helping peers spreads skill": "rep.helping_effect",
    "exploring grows the territory": "rep.exploring_yield",
    "learning by selling": "rep.learning_rate",
    "morale drives quitting": "rep.quit_morale_effect",
    "pay below outside option drives quitting": "rep.quit_pay_effect",
    "missed quotas drive quitting": "rep.quit_miss_effect",
    "coaching lowers quitting": "rep.quit_coaching_effect",
    "coaching raises skill": "manager.coaching_effect",
    "reps are unsure of the rank cut-off": "rep.rank_cutoff_uncertainty",
    "poor fits take up little coaching": "manager.coaching_fit",
    "skill fades when not selling": "rep.skill_decay",
    "inspection lowers morale": "manager.inspection_morale_cost",
    "managers cover vacant territories": "manager.cover_hours_per_vacancy",
    "managers support reps' deals": "manager.deal_support_share",
    "performance-managed exits": "performance.exit_strength",
    "onboarding skill gain": "hiring.onboarding_skill_gain",
    "customers churn": "buyer.churn_per_year",
    "prospects leave the market": "market.account_exit_per_year",
    "neglected customers churn more": "buyer.churn_care_effect",
    "customers who trust less churn more": "buyer.churn_trust_effect",
    "a change of rep puts customers at risk": "buyer.rep_change_churn",
    "care builds trust": "buyer.care_trust_effect",
    "cared-for customers expand more": "buyer.expansion_care_effect",
    "white space bounds expansion": "buyer.expansion_headroom",
    "reps care for their customers": "rep.care_priority",
    "reps discount later pay": "rep.discount_per_year",
    "teammates watch each other under team pay": "rep.peer_pressure",
    "pay below peers drives quitting": "rep.quit_peer_pay_effect",
    "promotion prospects keep strong performers": "rep.quit_promotion_effect",
    "few outside offers keep weak performers": "rep.quit_security_effect",
    "quitting spreads among teammates": "rep.quit_contagion_effect",
    "better managers keep reps": "rep.quit_manager_effect",
    "better managers hire better": "manager.quality_hiring_effect",
    "better managers lift morale": "manager.quality_morale_effect",
    "better managers spend less time on admin": "manager.quality_admin_effect",
}


class ParamError(ValueError):
    """A parameter value outside what is allowed; the message names the field."""


def iter_fields(obj: Any, prefix: str = ""):
    """Yield ``(dotted_name, value, field)`` for every leaf parameter of ``obj``."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from iter_fields(value, name + ".")
        else:
            yield name, value, f


def _check_range(name: str, value: Any, meta: dict) -> None:
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    if choices is not None:
        if value not in choices:
            raise ParamError(f"{name} = {value!r}: must be one of {', '.join(choices)}")
        return
    items = value if isinstance(value, list) else [value]
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if not math.isfinite(v):
            raise ParamError(f"{name} = {value!r}: must be a finite number")
        if lo is not None and v < lo:
            allowed = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
            raise ParamError(f"{name} = {value!r}: must be {allowed}")
        if hi is not None and v > hi:
            allowed = f"between {lo:g} and {hi:g}" if lo is not None else f"at most {hi:g}"
            raise ParamError(f"{name} = {value!r}: must be {allowed}")


def validate(params: SimParams) -> SimParams:
    """Check every range and cross-field rule; raise :class:`ParamError` naming the field."""
    for name, value, f in iter_fields(params):
        _check_range(name, value, dict(f.metadata))
    t = params.territory
    shares = [t.smb.share, t.mid.share, t.ent.share]
    if abs(sum(shares) - 1.0) > 1e-6:
        raise ParamError(
            f"territory.smb/mid/ent.share = {shares}: must sum to 1 (they sum to {sum(shares):g})"
        )
    m = params.manager
    fixed = m.admin_share + m.deal_support_share + m.coaching_share + m.inspection_share
    if fixed > 1.0 + 1e-9:
        raise ParamError(
            f"manager.admin_share + deal_support_share + coaching_share + inspection_share = "
            f"{fixed:g}: must be at most 1 (they are shares of one week)"
        )
    if params.rep.max_hours_per_week < params.rep.hours_per_week:
        raise ParamError(
            f"rep.max_hours_per_week = {params.rep.max_hours_per_week:g}: must be at least "
            f"rep.hours_per_week ({params.rep.hours_per_week:g})"
        )
    _validate_plan(params.plan)
    return params


def _validate_plan(plan: PlanParams) -> None:
    c, b = plan.commission, plan.bonus
    if len(c.tier_starts) != len(c.tier_rates) or not c.tier_starts:
        raise ParamError(
            f"plan.commission.tier_starts has {len(c.tier_starts)} entries and tier_rates "
            f"{len(c.tier_rates)}: must be the same number, at least one"
        )
    if c.tier_starts[0] != 0.0 or any(
        b2 <= a for a, b2 in zip(c.tier_starts, c.tier_starts[1:], strict=False)
    ):
        raise ParamError(
            f"plan.commission.tier_starts = {c.tier_starts}: must start at 0 and increase"
        )
    if len(b.thresholds) != len(b.amounts):
        raise ParamError(
            f"plan.bonus.thresholds has {len(b.thresholds)} entries and amounts {len(b.amounts)}: "
            "must be the same number"
        )
    if any(y <= x for x, y in zip(b.thresholds, b.thresholds[1:], strict=False)):
        raise ParamError(f"plan.bonus.thresholds = {b.thresholds}: must increase")
    weights = plan.individual_weight + plan.team_weight
    if abs(weights - 1.0) > 1e-6:
        raise ParamError(f"plan.individual_weight + plan.team_weight = {weights:g}: must sum to 1")
    if plan.campaign.end_week < plan.campaign.start_week:
        raise ParamError(
            f"plan.campaign.end_week = {plan.campaign.end_week}: must be at least "
            f"plan.campaign.start_week ({plan.campaign.start_week})"
        )
    if c.cap and b.thresholds and c.cap < max(b.thresholds):
        raise ParamError(
            f"plan.commission.cap = {c.cap:g}: must be 0 (none) or at least the highest bonus "
            f"threshold ({max(b.thresholds):g})"
        )


def flatten(params: Any) -> dict[str, Any]:
    """Flatten parameters to ``{"org.n_reps": 60, ...}`` for tables (lists become strings)."""
    return {name: (str(v) if isinstance(v, list) else v) for name, v, _ in iter_fields(params)}
