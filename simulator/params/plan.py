"""Quotas and the compensation plan: commission, bonus, ranking, team pay, campaigns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from simulator.params._declare import (
    CAMPAIGN_SEGMENTS,
    COMPONENT_KINDS,
    MEASURES,
    PERIOD_WEEKS,
    QUOTA_POLICIES,
    ROLE_BASES,
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
    target_per_rep: float = p(
        0.0,
        0.0,
        None,
        "currency/year",
        "company target per rep seat, set outright: above 0 it replaces org.quota_per_rep, the "
        "level fitted to the default market, for an organisation whose market differs (Larkin's "
        "enterprise vendor, conf/experiment/timing_vendor.yaml), so a refit of that level leaves "
        "it alone; 0 = org.quota_per_rep",
    )
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
    role_basis: str = p(
        "potential",
        doc="when territories are cut by segment (territory.specialisation > 0), what sets each "
        "role's share of the company target: 'potential' (its seats' share of territory "
        "potential) or 'history' (capacity planning: its seats times what a ramped rep in the "
        "role sold a week last year, so a role whose potential converts slowly, enterprise, is "
        "not handed quotas its reps cannot reach; potential in the first year)",
        choices=ROLE_BASES,
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


def _like(cls: type, name: str, **meta) -> dataclasses.Field:
    """A new field declared as ``cls.name`` is (same default, range, unit), ``meta`` changed."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    metadata = {**f.metadata, **meta}
    if f.default_factory is not dataclasses.MISSING:
        return field(default_factory=f.default_factory, metadata=metadata)
    return field(default=f.default, metadata=metadata)


@dataclass
class ComponentParams:
    """One named component of a plan's list: its kind, period, measure and weight.

    The kind's own fields are declared as in the singular blocks
    (:class:`CommissionParams`, :class:`BonusParams`, :class:`RankParams`,
    :class:`TeamParams`, :class:`CampaignParams`); a component reads only its
    kind's. ``weight`` scales what the component pays: a commission pays
    ``weight`` of the period's target variable at 100% at its base rate (as
    ``commission.weight``); a bonus's amounts, a prize, a team pool and team
    bonus and a campaign's rate are multiplied by it.
    """

    name: str = p("component", unit="label", doc="name of the component (unique in the plan)")
    kind: str = p("commission", doc="what the component pays", choices=COMPONENT_KINDS)
    period: str = _like(CommissionParams, "period", doc="period the component is measured over")
    measure: str = p(
        "total",
        doc="bookings the component is measured on: all ('total'), first sales to an account "
        "('new_logo'), later sales to a customer ('expansion'), or one segment's "
        "('segment:smb', 'segment:mid', 'segment:ent')",
        choices=MEASURES,
    )
    weight: float = p(
        1.0,
        0.0,
        1.0,
        "share of target variable",
        "scale of the component's pay: a commission's pay at 100% at its base rate; "
        "multiplies a bonus's amounts, a prize, a team pool or bonus, a campaign's rate",
    )
    quota_share: float = p(
        1.0,
        0.0,
        1.0,
        "share of quota",
        "share of the rep's (or team's) quota set on the component's measure; attainment "
        "is the measure's bookings over it",
    )
    tier_starts: list[float] = _like(CommissionParams, "tier_starts")
    tier_rates: list[float] = _like(CommissionParams, "tier_rates")
    cap: float = _like(CommissionParams, "cap")
    payout_cap: float = _like(CommissionParams, "payout_cap")
    cumulative: bool = _like(CommissionParams, "cumulative")
    thresholds: list[float] = _like(BonusParams, "thresholds")
    amounts: list[float] = _like(BonusParams, "amounts")
    prize: float = _like(RankParams, "prize")
    top_share: float = _like(RankParams, "top_share")
    top_k: int = _like(RankParams, "top_k")
    pool_weight: float = _like(TeamParams, "pool_weight")
    split: str = _like(TeamParams, "split")
    quota_bonus: float = _like(TeamParams, "quota_bonus")
    quota_threshold: float = _like(TeamParams, "quota_threshold")
    rate: float = _like(CampaignParams, "rate")
    start_week: int = _like(CampaignParams, "start_week")
    end_week: int = _like(CampaignParams, "end_week")
    segment: str = _like(CampaignParams, "segment")


@dataclass
class PlanParams:
    """An incentive plan: pay mix and its components.

    The singular blocks (``commission``, ``bonus``, ``rank``, ``team``,
    ``campaign``) write the classic plan of one of each; ``components`` lists
    any number of named components of every kind. A plan with a list is paid
    by the list alone: its singular blocks must keep their defaults, except
    the rank block's leaderboard and forced-ranking settings, which apply to
    the whole plan.
    """

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
    components: list[ComponentParams] = field(
        default_factory=list,
        metadata={
            "lo": None,
            "hi": None,
            "unit": "list",
            "doc": "named components (docs/plans.md); when given, they are the plan and the "
            "singular commission, bonus, rank prize, team and campaign blocks pay nothing",
            "choices": None,
        },
    )


def plan_components(plan: PlanParams) -> list[ComponentParams]:
    """The plan's components as one list: ``plan.components``, or the singular blocks read as one.

    The singular blocks become components named ``commission``, ``bonus``,
    ``rank``, ``team`` and ``campaign``, in that order, each with weight 1
    except the commission's own; a component with nothing to pay is dropped
    when the plan is compiled (:func:`simulator.plans.payout.compile_plan`).
    """
    if plan.components:
        return list(plan.components)
    c, b, r, t, k = plan.commission, plan.bonus, plan.rank, plan.team, plan.campaign
    return [
        ComponentParams(
            name="commission",
            kind="commission",
            period=c.period,
            weight=c.weight,
            tier_starts=list(c.tier_starts),
            tier_rates=list(c.tier_rates),
            cap=c.cap,
            payout_cap=c.payout_cap,
            cumulative=c.cumulative,
        ),
        ComponentParams(
            name="bonus",
            kind="bonus",
            period=b.period,
            thresholds=list(b.thresholds),
            amounts=list(b.amounts),
        ),
        ComponentParams(
            name="rank",
            kind="rank",
            period=r.period,
            prize=r.prize,
            top_share=r.top_share,
            top_k=r.top_k,
        ),
        ComponentParams(
            name="team",
            kind="team",
            period=t.period,
            pool_weight=t.pool_weight,
            split=t.split,
            quota_bonus=t.quota_bonus,
            quota_threshold=t.quota_threshold,
        ),
        ComponentParams(
            name="campaign",
            kind="campaign",
            period="year",
            rate=k.rate,
            start_week=k.start_week,
            end_week=k.end_week,
            segment=k.segment,
        ),
    ]
