"""The salesim workshop app: ``solara run salesim_app.app`` (or ``make app``).

Mesa's ``SolaraViz`` page of a :class:`~salesim_app.model.WorkshopModel`:
pickers and sliders in the sidebar (generated from the parameter dataclasses
by :mod:`salesim_app.controls`), live views on the first page
(:mod:`salesim_app.components`), what each control does on the second.
Controls take effect on Reset, as everywhere in Mesa's visualisation.
"""

from __future__ import annotations

from mesa.visualization import SolaraViz

from salesim_app.components import COMPONENTS
from salesim_app.controls import model_params
from salesim_app.model import WorkshopModel

#: Solara serves this module-level element
page = SolaraViz(
    WorkshopModel(),
    components=COMPONENTS,
    model_params=model_params(),
    name="salesim workshop",
    play_interval=50,
)
