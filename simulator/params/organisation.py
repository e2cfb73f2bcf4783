"""The organisation's size and targets, and its territories and customer segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.params._declare import (
    FITTED,
    TARGET_BASES,
    fitted,
    p,
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
    initial_tenure_aptitude_elasticity: float = p(
        0.0,
        -5.0,
        5.0,
        "log-tenure per log-aptitude",
        "how much longer the abler starting reps have been in seat: a starting rep's expected "
        "tenure is proportional to aptitude to this power, and the starting reps' aptitudes "
        "are tilted to match (each aptitude's share of the reps in seat is its share of the "
        "hires times that expected tenure), as the steady state of a workforce that keeps "
        "its abler reps longer has them; 0 = starting reps are like hires, tenure unrelated; "
        "make calibrate sets it to the default organisation's steady state",
    )
    max_initial_tenure_years: float = p(
        15.0, 0.0, 40.0, "years", "longest tenure of a rep in seat when a run starts"
    )
    initial_rep_changes: bool = p(
        False,
        unit="flag",
        doc="date each territory's last change of rep to its starting rep's hire (the week "
        "its tenure began), so accounts whose rep arrived lately churn as after any change "
        "of rep (buyer.rep_change_churn); off, no territory has changed rep when a run "
        "starts, churn is low in the first year, and the installed base overshoots its "
        "steady state for two to three years",
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
        "chance a new logo's deal reaching the close stage is won, at average skill and "
        "neutral trust (a customer's and a former customer's odds add buyer.*_win_logit)",
    )
    customer_share_ratio: float = p(
        1.0,
        0.0,
        10.0,
        "x territory.customer_share",
        "this segment's share of accounts that are customers when the run starts, relative "
        "to territory.customer_share (capped at 1): segments settle at different installed "
        "bases (long-cycle enterprise accounts churn to prospects slowly and come back "
        "slowly), and a start away from a segment's own steady state is a transient that "
        "lasts years; make calibrate sets it to the steady state; 1 = every segment alike",
    )
    penetration_ratio: float = p(
        1.0,
        0.0,
        10.0,
        "x territory.customer_penetration",
        "share of its potential a starting customer of this segment already buys, relative "
        "to territory.customer_penetration (capped at 1); 1 = every segment alike",
    )
    initial_trust: float = p(
        0.5,
        0.0,
        1.0,
        "trust",
        "trust a starting customer of this segment has in its rep (a new account's is 0.5); "
        "make calibrate sets it to the segment's steady state",
    )


#: the fitted parameters each segment reads from simulator/fitted_defaults.json, and the
#: default of each when it is not there
SEGMENT_FITTED = {
    "potential_sigma": 0.8,
    "customer_share_ratio": 1.0,
    "penetration_ratio": 1.0,
    "initial_trust": 0.5,
}


def _segment(name: str, share: float, median: float, cycle: float, win: float) -> Any:
    fit = {k: FITTED.get(f"territory.{name}.{k}", v) for k, v in SEGMENT_FITTED.items()}
    win = FITTED.get(f"territory.{name}.win_prob", win)
    return field(
        default_factory=lambda: SegmentParams(
            share, median, cycle_weeks=cycle, win_prob=win, **fit
        ),
        metadata={"doc": "segment", "unit": "", "lo": None, "hi": None, "choices": None},
    )


@dataclass
@fitted("territory")
class TerritoryParams:
    """Accounts and how territories differ (luck of territory)."""

    accounts_per_rep: int = p(40, 1, 2000, "accounts", "mean accounts in a territory")
    size_sigma: float = p(0.3, 0.0, 2.0, "log", "log-normal sigma of account count per territory")
    balanced: bool = p(
        False,
        unit="flag",
        doc="every territory holds the same number of accounts, as after a realignment that "
        "balances workload (experiment alignment: Zoltners and Sinha 2005); size_sigma is then "
        "unused, and the random numbers are drawn as without it, so runs stay paired",
    )
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
    initial_base_by_size: bool = p(
        False,
        unit="flag",
        doc="draw the starting customers (within each segment) and the former customers "
        "among the rest with odds proportional to the square root of an account's potential, "
        "as prospecting finds accounts and churn loses them at any size, so the large accounts "
        "start as customers or former customers as in the steady state; off, status is drawn "
        "regardless of size and the large accounts are won over the first decade",
    )
    former_customer_share: float = p(
        0.0,
        0.0,
        1.0,
        "share of non-customers",
        "accounts that are not customers when the run starts but were once (they churned "
        "long enough ago to be back in the market), so a rep wins them back rather than "
        "lands them; 0 = every non-customer is a first-time prospect. Churned customers "
        "accumulate among the non-customers for a decade, so without them the installed "
        "base is not the organisation's steady state; make calibrate sets it to that",
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

    @property
    def account_count_sigma(self) -> float:
        """The spread of account counts the territories are cut with (0 when balanced)."""
        return 0.0 if self.balanced else self.size_sigma
