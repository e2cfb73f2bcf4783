"""Quotas and the compensation plan: commission, bonus, ranking, team pay, campaigns."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.params._declare import (
    CAMPAIGN_SEGMENTS,
    PERIOD_WEEKS,
    QUOTA_POLICIES,
    TEAM_SPLITS,
    fitted,
    p,
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
