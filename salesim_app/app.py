"""The salesim workshop app: ``solara run salesim_app.app`` (or ``make app``).

Mesa's ``SolaraViz`` page of a :class:`~salesim_app.model.WorkshopModel`:
pickers and sliders in the sidebar (generated from the parameter dataclasses
by :mod:`salesim_app.controls`), live views on the first page
(:mod:`salesim_app.components`), what each control does on the second.
Controls take effect on Reset, as everywhere in Mesa's visualisation.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from salesim_app.components import COMPONENTS
from salesim_app.controls import model_params
from salesim_app.model import WorkshopModel

#: Mesa's Play Interval default (ms between weeks when playing); drawing takes longer anyway
PLAY_INTERVAL_MS = 50


@solara.component
def Page() -> None:
    """The page Solara serves: one organisation per browser session.

    Each session (a trainer's tab, a participant's laptop) builds its own model,
    so one room's Play or Reset never moves another's organisation.
    """
    model = solara.use_memo(WorkshopModel, dependencies=[])
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(),
        name="salesim workshop",
        play_interval=PLAY_INTERVAL_MS,
    )
