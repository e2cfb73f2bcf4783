"""Learning: how each rep's skill moves in a week.

Practice (selling), coaching, peer help and onboarding raise skill; time not
spent selling lets it fade. :func:`update_skill` applies one week to every seat
of :class:`~simulator.workforce.Seats`; :func:`grown_skill` replays a tenure's
weeks to start the initial reps where the dynamics would have brought them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.params import WEEKS_PER_YEAR, SimParams

if TYPE_CHECKING:
    from simulator.workforce import Seats


def selling_share(params: SimParams, selling_hours: np.ndarray, admin: np.ndarray) -> np.ndarray:
    """The share of a normal selling week (the week less admin) each rep sold, for learning.

    Practice counts selling up to the most effort a rep chooses (``rep.max_effort``).
    """
    base = np.maximum(params.rep.hours_per_week - admin, 1.0)
    return np.minimum(np.maximum(selling_hours / base, 0.0), params.rep.max_effort)


def skill_change(
    params: SimParams,
    skill: np.ndarray,
    aptitude: np.ndarray,
    tenure_weeks: np.ndarray,
    selling_share: np.ndarray,
    coach_hours: np.ndarray,
    coach_quality: np.ndarray,
    help_received: np.ndarray | float = 0.0,
    help_skill: np.ndarray | float = 0.0,
) -> np.ndarray:
    """One week's change of skill: practice, coaching, peer help, onboarding, forgetting."""
    p = params
    s = skill
    headroom = 1.0 - s
    practice = p.rep.learning_rate * aptitude * selling_share * headroom
    g = coach_hours / (coach_hours + p.manager.coaching_half_hours)
    # poor fits (aptitude below average) take up little of what they are coached
    uptake = aptitude * np.minimum(aptitude, 1.0) ** p.manager.coaching_fit
    floor = p.manager.coaching_skill_floor
    # coaching closes the gap up to the standard it teaches (at 1, the headroom itself)
    gap = np.maximum(p.manager.coaching_ceiling - s, 0.0)
    coaching = p.manager.coaching_effect * coach_quality * uptake * g * gap * (floor + s)
    # skill fades in the time a rep does not sell, so the best sellers keep what they learn
    decay = p.rep.skill_decay * s * np.minimum(np.maximum(1.0 - selling_share, 0.0), 1.0)
    delta = (practice + coaching - decay) / WEEKS_PER_YEAR
    delta = delta + p.rep.helping_effect * help_received * np.maximum(help_skill - s, 0.0)
    h = p.hiring
    if h.onboarding_weeks > 0:
        onboarding = tenure_weeks < h.onboarding_weeks
        gain = h.onboarding_skill_gain * (2.0 if h.onboarding_kind == "buyer" else 1.0)
        delta = delta + np.where(onboarding, gain / h.onboarding_weeks, 0.0)
    return delta


def update_skill(
    seats: Seats,
    week: int,
    selling_share: np.ndarray,
    coach_hours: np.ndarray,
    coach_quality: np.ndarray,
    help_received: np.ndarray,
    help_skill: np.ndarray,
) -> None:
    """One week of learning for every seat (see :func:`skill_change`)."""
    delta = skill_change(
        seats.params,
        seats.skill,
        seats.aptitude,
        seats.tenure,
        selling_share,
        coach_hours,
        coach_quality,
        help_received,
        help_skill,
    )
    # np.clip's floats, without its wrapper (a skill is never -0.0, so neither is the sum)
    grown = np.minimum(np.maximum(seats.skill + delta, 0.0), 1.0)
    seats.skill[:] = np.where(seats.occupied, grown, 0.0)


def grown_skill(
    params: SimParams,
    skill: np.ndarray,
    aptitude: np.ndarray,
    tenure_weeks: np.ndarray,
    coach_hours: np.ndarray,
    coach_quality: np.ndarray,
    selling_share: float,
) -> np.ndarray:
    """Skill of reps hired at ``skill`` after ``tenure_weeks`` of the model's own learning.

    Starts the initial reps where the dynamics would have brought them (so a
    run does not drift while they catch up): every week of each rep's tenure
    is replayed with the given coaching and a typical selling share.
    """
    s = skill.copy()
    for week in range(int(tenure_weeks.max(initial=0))):
        on = tenure_weeks > week
        delta = skill_change(
            params, s, aptitude, np.full(s.size, week), selling_share, coach_hours, coach_quality
        )
        s = np.where(on, np.clip(s + delta, 0.0, 1.0), s)
    return s
