"""The app's model: a :class:`~simulator.model.SalesModel` built from the controls' values.

Mesa's ``SolaraViz`` re-creates the model from keyword arguments on Reset, so
:class:`WorkshopModel` takes the pickers and every control as keywords (the
controls by their dotted parameter names), builds the parameters with
:func:`salesim_app.controls.build_params`, and, in side-by-side mode, steps a
twin :class:`~simulator.model.SalesModel` under the compared plan on the same
seed. The warm-up years (``run.warmup_years``) are simulated when the model is
built, so the room watches a settled organisation from week 0. It reads the
live arrays for its views (see :mod:`salesim_app.views`) and never changes
what the model does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from mesa import DataCollector

from salesim_app import views
from salesim_app.controls import (
    DEFAULT_PLAN,
    DEFAULT_PRESET,
    NO_COMPARE,
    build_params,
    parse_seed,
    presets,
)
from simulator.model import SalesModel
from simulator.params import ParamError


class Side:
    """What the views need beyond the model: its label and the seats left this week."""

    def __init__(self, model: SalesModel, label: str):
        self.model = model
        self.label = label
        self.left = np.zeros(model.n_seats, bool)

    def advance(self, step: Callable[[], None]) -> None:
        """Run ``step`` (one week of the model) and note which seats' holders left during it."""
        st = self.model.seats
        held, rep = st.occupied.copy(), st.rep_id.copy()
        step()
        self.left = held & (~st.occupied | (st.rep_id != rep))


def _reporters(suffix: str, side: int) -> dict[str, Any]:
    """DataCollector reporters of one side (NaN when that side does not exist)."""

    def on(fn):
        return lambda m: fn(m.sides[side].model) if len(m.sides) > side else np.nan

    return {
        f"Headcount{suffix}": on(lambda s: int(s.seats.occupied.sum())),
        f"Vacancies{suffix}": on(lambda s: int((~s.seats.occupied).sum())),
        f"Exits to date{suffix}": on(views.exits_to_date),
        f"Morale{suffix}": on(views.morale_mean),
    }


class WorkshopModel(SalesModel):
    """The organisation a room watches: a plan, a preset, control values, maybe a twin.

    Args:
        plan: a plan of ``conf/plan`` (side A).
        compare: another plan for side B on the same seed, or ``"none"``.
        preset: a scenario preset of ``salesim_app/presets.yaml``.
        seed: the run's seed, as typed (a whole number, at least 0).
        scenario: ignored: Mesa 3.5's ``SolaraViz`` passes its ``Scenario`` on
            Reset; salesim seeds every stream from ``seed``.
        **kwargs: control values by dotted parameter name (see
            :data:`salesim_app.controls.CONTROLS`).

    Bad values never stop the app: the model then runs the plan's defaults and
    :attr:`notices` starts with one line naming the field and what is allowed.
    """

    def __init__(
        self,
        plan: str = DEFAULT_PLAN,
        compare: str = NO_COMPARE,
        preset: str = DEFAULT_PRESET,
        seed: str | int = 0,
        scenario: object = None,
        **kwargs: Any,
    ):
        errors: list[str] = []
        try:
            seed_value = parse_seed(seed)
        except ParamError as err:
            errors.append(f"error: {err}; using seed 0")
            seed_value = 0
        try:
            params, notices = build_params(plan, preset, **kwargs)
        except ParamError as err:
            errors.append(f"error: {err}; running the default plan instead")
            plan, compare, preset = DEFAULT_PLAN, NO_COMPARE, DEFAULT_PRESET
            params, notices = build_params(plan, preset)
        notices = errors + notices
        super().__init__(params, seed_value)
        self.notices = notices
        self.plan_name = plan
        self.preset = preset
        self.story = presets()[preset]["story"]
        self.seed_value = seed_value
        self.sides = [Side(self, plan)]
        self.twin: SalesModel | None = None
        if compare != NO_COMPARE:
            try:
                twin_params, _ = build_params(compare, preset, **kwargs)
            except ParamError as err:
                self.notices.append(f"error: {err}; no comparison")
            else:
                self.twin = SalesModel(twin_params, seed_value)
                self.sides.append(Side(self.twin, compare))
        self._warm_up()
        self.datacollector = DataCollector(
            model_reporters={**_reporters(" A", 0), **_reporters(" B", 1)}
        )
        self.datacollector.collect(self)

    def _warm_up(self) -> None:
        """Simulate the warm-up weeks of every side (Mesa's own step counter stays at 0)."""
        for _ in range(self.warmup_weeks):
            SalesModel.step(self)
            if self.twin is not None:
                self.twin.step()

    def step(self) -> None:
        """One week of every side; stops at the end of the run."""
        if self.week >= self.n_weeks:
            self.running = False
            return
        self.sides[0].advance(super().step)
        for side in self.sides[1:]:
            side.advance(side.model.step)
        self.datacollector.collect(self)
        self.running = self.week < self.n_weeks
