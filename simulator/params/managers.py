"""Managers' time and coaching, hiring and onboarding, performance management."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.params._declare import (
    COACHING_POLICIES,
    ONBOARDING_KINDS,
    fitted,
    p,
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
    coaching_ceiling: float = p(
        1.0,
        0.0,
        1.0,
        "skill",
        "the standard coaching teaches: a rep's gain from coaching is proportional to the "
        "gap from its skill up to this, none at or above it (the coach shows what the team's "
        "best do; stars already do it); 1 = the skill scale's own top, no standard",
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
    prorated_target: bool = p(
        True,
        unit="flag",
        doc="target pay of a period a rep holds in part, or ramps through, scaled as its quota "
        "is (weeks in seat, ramp-weighted, over the period's weeks), so a unit sold pays the "
        "seat's full rate; off, a rep hired in a period's last week earned the whole period's "
        "target on one ramped week's quota (a deal it inherited paid up to 30x the rate)",
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
