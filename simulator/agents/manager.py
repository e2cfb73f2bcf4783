"""Managers: a weekly time budget and who gets coached.

Each week a manager spends hours in priority order: administration (a fixed
share, taken first), hiring for vacant seats and onboarding new hires,
covering vacant territories by selling in them, supporting reps' deals, deal
inspection, and finally
coaching, which gets its budgeted share only if enough time is left. That
order is what lets the vicious cycle emerge: exits open seats, seats take
hiring and covering time, coaching is crowded out, skill and morale fall.
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
    """A first-line manager leading the reps in a block of seats."""

    def __init__(self, model: SalesModel, team: int, seats: np.ndarray, quality: float):
        super().__init__(model)
        self.team = team
        self.seats = seats
        self.coaching_quality = quality
        self.hiring_progress = 1.0

    @property
    def hours(self) -> dict[str, float]:
        """This week's hours by activity."""
        return dict(zip(ACTIVITIES, self.model.manager_hours[self.team].tolist(), strict=True))

    def step(self) -> None:
        """Split this week's hours, coach by policy, and cover vacant seats."""
        model = self.model
        mp = model.params.manager
        st = model.seats
        occ = st.occupied[self.seats]
        vacant = self.seats[~occ]
        onboarding = int(
            np.count_nonzero(
                occ & (model.tenure[self.seats] < model.params.hiring.onboarding_weeks)
            )
        )
        left = mp.hours_per_week
        # better leaders get their admin done in less time (quality_admin_effect)
        efficiency = max(self.coaching_quality, QUALITY_FLOOR) ** mp.quality_admin_effect
        admin = min(mp.admin_share * mp.hours_per_week / efficiency, left)
        left -= admin
        need_hiring = mp.hiring_hours_per_vacancy * vacant.size + (
            mp.onboarding_hours_per_hire * onboarding
        )
        hiring = min(need_hiring, left)
        left -= hiring
        covering = min(mp.cover_hours_per_vacancy * vacant.size, left)
        left -= covering
        support = min(mp.deal_support_share * mp.hours_per_week, left)
        left -= support
        inspection = min(mp.inspection_share * mp.hours_per_week, left)
        left -= inspection
        coaching = min(mp.coaching_share * mp.hours_per_week, left)
        left -= coaching
        model.manager_hours[self.team] = (
            admin,
            hiring,
            covering,
            support,
            inspection,
            coaching,
            left,
        )
        self.hiring_progress = hiring / need_hiring if need_hiring > 0 else 1.0

        team = self.seats[occ]
        model.coach_hours[self.seats] = 0.0
        if team.size and coaching > 0:
            weights = self._coaching_weights(team)
            model.coach_hours[team] = coaching * weights / weights.sum()
        model.coach_quality[self.seats] = self.coaching_quality
        model.inspection[self.seats] = inspection / mp.hours_per_week
        model.manager_deal_hours[self.seats] = 0.0
        if vacant.size:
            model.manager_deal_hours[vacant] = covering / vacant.size
        if team.size:
            model.manager_deal_hours[team] = support / team.size

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
