"""Reps: time, effort response to pay, learning, morale and quitting."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.params._declare import (
    fitted,
    p,
)


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
    quota_goal_value: float = p(
        0.0,
        0.0,
        2.0,
        "x annual OTE",
        "value to a rep of reaching its annual quota, beyond what the plan pays for it: the "
        "quota as a goal (Kuhn and Yu 2025: sales bunch at a plan's kinks, which teams adopt "
        "as goals); weighed like a lump sum at the annual quota; 0 = off",
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
    timing_projected: bool = p(
        False,
        unit="flag",
        doc="price a deal credited now where the period will end (sales so far plus the sales "
        "still expected, with their spread), not at the sales so far, and count a deal ready "
        "before the end as a sale in the period; reps then hold deals across the timing window "
        "but rush only in a period's last week, when they know where it lands "
        "(validation/timing_refit_2026-12-05i/)",
    )
    deal_timing_strength: float = p(
        1.0,
        0.0,
        1.0,
        "strength",
        "pulling deals in (with discount) or holding them back at period ends; 0 = never",
    )
    timing_follows_response: bool = p(
        True,
        unit="flag",
        doc="a rep acts on a timing gain with the chance deal_timing_strength times "
        "min(incentive_response, 1): the response to pay that scales effort scales deal "
        "timing too (MODEL.md: one mechanism), so incentive_response 0 means no pay response "
        "at all; off, timing ignores it (the model before 2026-12-06, bit for bit)",
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
    leave_per_year: float = p(
        0.0,
        0.0,
        2.0,
        "1/year",
        "hazard of quitting for reasons outside the job (a move, family, health, study, "
        "retirement), the same for every rep: morale, pay, rank, tenure and the manager do "
        "not touch it; 0 (the default until a fit with it settles) = every quit is about "
        "the job",
    )
    quit_morale_effect: float = p(
        3.0,
        0.0,
        20.0,
        "log-hazard/morale",
        "rise of the quit hazard as morale falls; 0 = morale irrelevant",
    )
    quit_pay_elasticity: float = p(
        2.5,
        0.0,
        10.0,
        "elasticity",
        "fall of the quit hazard per unit of log pay against the outside option (a constant "
        "quit elasticity: 2 means 10% less pay, about 20% more quitting; field experiments "
        "and quasi-experiments find 2-3, Naidu and Carr 2022); 0 = pay does not move quitting",
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
    market_pay: float = p(
        150_000.0,
        1.0,
        1e7,
        "currency/year",
        "on-target earnings a rep of average strength is offered elsewhere (the outside "
        "option), set by the labour market, not by the plan: a plan that pays more than it "
        "keeps reps, one that pays less loses them; the default is the default plan's "
        "base salary plus target variable pay",
    )
    outside_option_premium: float = p(
        0.4, 0.0, 5.0, "share of market pay", "extra outside pay a top performer can get"
    )
