"""A run's parameters (:class:`SimParams`, every group) and the mechanisms' switches."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.params._declare import (
    TABLE_CHOICES,
    p,
)
from simulator.params.buyers import BuyerParams, MarketParams
from simulator.params.managers import HiringParams, ManagerParams, PerformanceParams
from simulator.params.organisation import OrgParams, TerritoryParams
from simulator.params.plan import PlanParams, QuotaParams
from simulator.params.reps import RepParams


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
    "customers buy more readily than strangers": "buyer.customer_win_logit",
    "land and expand": "buyer.expansion_per_year",
    "rushed deals: discount and lost win probability": "buyer.rush_discount",
    "rushed buyers trust less": "buyer.rush_trust_cost",
    "buyers wait for the vendor's period end": "buyer.period_end_patience",
    "competitive offer": "market.competitiveness_effect",
    "seasonality": "market.seasonality",
    "effort responds to marginal pay": "rep.incentive_response",
    "deal timing across period ends": "rep.deal_timing_strength",
    "helping peers spreads skill": "rep.helping_effect",
    "exploring grows the territory": "rep.exploring_yield",
    "learning by selling": "rep.learning_rate",
    "morale drives quitting": "rep.quit_morale_effect",
    "pay against the market's drives quitting": "rep.quit_pay_elasticity",
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
