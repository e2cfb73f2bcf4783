"""Managers: a weekly time budget and who gets coached.

Each week a manager spends hours in priority order: administration (a fixed
share, taken first), hiring for vacant seats and onboarding new hires,
covering vacant territories by selling in them, supporting reps' deals, deal
inspection, and finally
coaching, which gets its budgeted share only if enough time is left. That
order is what lets the vicious cycle emerge: exits open seats, seats take
hiring and covering time, coaching is crowded out, skill and morale fall.

The rule is the same for every manager, so :func:`manage_week` applies it to
all teams at once on the seat arrays (as :func:`~simulator.agents.rep.choose_time`
does for the reps): a Python step per manager cost more than the rest of a
large organisation's week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.workforce import QUALITY_FLOOR

if TYPE_CHECKING:
    from simulator.model import SalesModel

ACTIVITIES = ("admin", "hiring", "covering", "support", "inspection", "coaching", "other")


class Manager(mesa.Agent):
    """A first-line manager leading the reps in a block of seats.

    Its week is set by :func:`manage_week`, for all managers together.
    """

    def __init__(self, model: SalesModel, team: int, seats: np.ndarray, quality: float):
        super().__init__(model)
        self.team = team
        self.seats = seats
        self.coaching_quality = quality

    @property
    def hiring_progress(self) -> float:
        """Share of this week's hiring need the manager had time for (1 with none)."""
        return float(self.model.hiring_progress[self.team])

    @property
    def hours(self) -> dict[str, float]:
        """This week's hours by activity."""
        return dict(zip(ACTIVITIES, self.model.manager_hours[self.team].tolist(), strict=True))

    def _coaching_weights(self, team: np.ndarray) -> np.ndarray:
        """Relative coaching time for each rep in ``team`` under the coaching policy."""
        mp = self.model.params.manager
        policy = mp.coaching_policy
        st = self.model.seats
        if policy == "equal" or team.size == 1:
            return np.ones(team.size)
        if policy == "new_first":
            new = self.model.tenure[team] < mp.new_rep_weeks
            return np.where(new, mp.new_rep_coaching_weight, 1.0)
        rank = np.argsort(np.argsort(st.skill[team])) / (team.size - 1)  # 0 bottom .. 1 top
        floor = mp.coaching_priority_floor
        if policy == "bottom_first":
            return floor + 2.0 * (1.0 - rank) ** 2
        if policy == "top_first":
            return floor + 2.0 * rank**2
        return floor + 2.0 * (1.0 - (2.0 * rank - 1.0) ** 2)  # middle_first


def manage_week(model: SalesModel) -> None:
    """Split every manager's week, coach by policy, and cover vacant seats.

    Sets ``model.manager_hours`` (teams x :data:`ACTIVITIES`), ``model.hiring_progress``
    (by team), ``model.vacant_by_team``, and the per-seat ``coach_hours``, ``coach_quality``,
    ``inspection`` (share of the manager's week) and ``manager_deal_hours``. Under equal
    coaching, a week whose held and onboarding seats are the last week's keeps them all.
    """
    mp = model.params.manager
    st = model.seats
    managers = model.managers
    n_teams = len(managers)
    team = st.team
    occ = st.occupied
    onboarding_seat = occ & (model.tenure < model.params.hiring.onboarding_weeks)
    quality = [m.coaching_quality for m in managers]
    # computed at set-up, and again when a manager's quality or the parameters change
    if quality != model.manager_quality or mp is not model.manager_params:
        model.manager_week_key = None
        model.manager_quality, model.manager_params = quality, mp
        # better leaders get their admin done in less time (quality_admin_effect)
        efficiency = np.array([max(q, QUALITY_FLOOR) ** mp.quality_admin_effect for q in quality])
        model.manager_admin = np.minimum(
            mp.admin_share * mp.hours_per_week / efficiency, float(mp.hours_per_week)
        )
        model.coach_quality[:] = np.asarray(quality)[team]
    # coached equally, the week is set by the seats held and in onboarding (given the
    # managers and parameters above): a week with the same as the last keeps its hours
    key = (occ.tobytes(), onboarding_seat.tobytes()) if mp.coaching_policy == "equal" else None
    if key is not None and key == model.manager_week_key:
        return
    model.manager_week_key = key
    vacant = np.bincount(team[~occ], minlength=n_teams)
    model.vacant_by_team = vacant
    members = model.team_seats - vacant
    onboarding = np.bincount(team[onboarding_seat], minlength=n_teams)
    admin = model.manager_admin
    left = float(mp.hours_per_week) - admin
    need_hiring = mp.hiring_hours_per_vacancy * vacant + mp.onboarding_hours_per_hire * onboarding
    hiring = np.minimum(need_hiring, left)
    left -= hiring
    covering = np.minimum(mp.cover_hours_per_vacancy * vacant, left)
    left -= covering
    support = np.minimum(mp.deal_support_share * mp.hours_per_week, left)
    left -= support
    inspection = np.minimum(mp.inspection_share * mp.hours_per_week, left)
    left -= inspection
    coaching = np.minimum(mp.coaching_share * mp.hours_per_week, left)
    left -= coaching
    # one row per team (the transpose takes the activities as its rows)
    model.manager_hours.T[:] = (admin, hiring, covering, support, inspection, coaching, left)
    model.hiring_progress = np.divide(
        hiring, need_hiring, out=np.ones(n_teams), where=need_hiring > 0
    )

    coaching_seat = coaching[team]
    per_member = np.maximum(members, 1)
    if mp.coaching_policy == "equal":
        coached = occ & (coaching_seat > 0)
        model.coach_hours[:] = np.where(coached, coaching_seat / per_member[team], 0.0)
    else:
        model.coach_hours[:] = 0.0
        for k in ((members > 0) & (coaching > 0)).nonzero()[0]:
            seats = managers[k].seats
            held = seats[occ[seats]]
            weights = managers[k]._coaching_weights(held)
            model.coach_hours[held] = coaching[k] * weights / weights.sum()
    model.inspection[:] = (inspection / mp.hours_per_week)[team]
    model.manager_deal_hours[:] = np.where(
        occ, (support / per_member)[team], (covering / np.maximum(vacant, 1))[team]
    )
