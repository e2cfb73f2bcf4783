"""Buyers (the buyer-paced pipeline) and the market they buy in."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.params._declare import (
    fitted,
    p,
)


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
    customer_win_logit: float = p(
        0.0,
        -5.0,
        5.0,
        "log-odds",
        "win odds of a deal with a current customer (an expansion) over a new logo's "
        "(Griffin and Lowenstein 2001: 60-70% of attempts to sell to existing customers "
        "succeed, 5-20% with new prospects); 0 = a customer buys like a stranger",
    )
    former_customer_win_logit: float = p(
        0.0,
        -5.0,
        5.0,
        "log-odds",
        "win odds of landing a former customer (one that churned) again over a new logo's "
        "(Griffin and Lowenstein 2001: 20-40% of win-back attempts succeed); 0 = a lost "
        "customer buys like a stranger",
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
    hold_patience_in_stages: bool = p(
        False,
        unit="flag",
        doc="measure a held buyer's patience in its own stages: hold_loss_per_week is then the "
        "rate for one-week stages, and a buyer whose stages last s weeks (segment cycle_weeks "
        "/ 5) walks away as if it waited 1/s of each week",
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
    period_end_patience: float = p(
        0.0,
        0.0,
        1.0,
        "share of buying cycle",
        "buyers who wait for the vendor's period end: a ready buyer signs in the last week of "
        "the soonest-ending pay period in which the plan gives its rep a stake in closing (a "
        "quota bonus, a rank prize, or a commission with tiers or a cap) when that week is at "
        "most this share of its own buying cycle (segment cycle_weeks) away, and walks away "
        "meanwhile at hold_loss_per_week measured in its stages ('customers have been trained "
        "to hold the salespeople up'; Larkin 2014's vendor booked about three quarters of its "
        "deals on a quarter's last day); a plan with no such stake (a linear commission) gives "
        "no reason to wait; 0 = buyers sign when ready",
    )
    bargaining_share: float = p(
        0.0,
        0.0,
        1.0,
        "share of premium",
        "share of a ready deal's timing premium its buyer takes as a discount as a period ends. "
        "The premium is the share of the price at which the rep would be indifferent between "
        "closing now and next period: 1 - (what the deal adds to the rep's pay next period) / "
        "(what it adds this period), 0 when next period pays as much (Larkin 2014: reps agree "
        "to lower prices in quarters where they have an incentive to close); 0 = buyers do not "
        "bargain over timing",
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
    winback_weeks: int = p(
        0,
        0,
        520,
        "weeks",
        "how long a customer that churned stays out of the market: no rep can land it again "
        "as a new logo until then (a lost customer rarely comes back at once); 0 = it is a "
        "prospect again the week after (churn and re-land then count as new business)",
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
