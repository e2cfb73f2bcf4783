"""The app's live views: Solara components drawing a :class:`WorkshopModel` week by week.

Each view is a function of the model returning a Solara element; Mesa's
``SolaraViz`` wraps it so that it redraws after every step. Figures are
matplotlib ``Figure`` objects (never pyplot, which keeps global state
between the sessions of a server). Side A is drawn in blue, side B (the
compared plan, on the same seed) in orange.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import markdown
import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from mesa.visualization import make_plot_component

from salesim_app import views
from salesim_app.controls import CONTROLS, help_text, plan_names, presets
from salesim_app.model import Side, WorkshopModel
from simulator.agents.manager import ACTIVITIES
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR

SIDE_COLOURS = ("tab:blue", "tab:orange")
ATTAINMENT_CMAP = "RdYlGn"
ATTAINMENT_MAX = 2.0
VACANT_GREY = "0.8"
FIG_SIZE = (6.0, 3.4)
DPI = 80
TEXT_CSS = """
.salesim-text { font-size: 0.85rem; line-height: 1.3; }
.salesim-text table { border-collapse: collapse; }
.salesim-text td, .salesim-text th { padding: 0 0.6em; text-align: right; }
.salesim-text td:first-child { text-align: left; }
"""


def _figure(
    size: tuple[float, float] = FIG_SIZE,
    left: float = 0.75,
    right: float = 0.15,
    bottom: float = 0.55,
    top: float = 0.35,
) -> Figure:
    """A figure with fixed margins in inches (a layout engine would double the drawing time)."""
    w, h = size
    fig = Figure(figsize=size, dpi=DPI)
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h)
    return fig


def _markdown(text: str) -> solara.Element:
    """Markdown as plain HTML (solara.Markdown would load KaTeX from a CDN for math)."""
    html = markdown.markdown(text, extensions=["tables"])
    return solara.HTML(tag="div", unsafe_innerHTML=html, classes=["salesim-text"])


def _show(fig: Figure, name: str) -> solara.Element:
    """The figure as an image, in a box with the CSS class ``salesim-NAME`` (for tests)."""
    with solara.Column(classes=[f"salesim-{name}"], gap="0px") as box:
        solara.FigureMatplotlib(fig, format="png", dpi=DPI)
    return box


def _side_name(side: Side, k: int) -> str:
    return f"{'AB'[k]}: {side.label}"


def _quarter_lines(ax: Axes, weeks: int) -> None:
    """Mark quarter boundaries (thin) and year boundaries (thicker) up to ``weeks``."""
    for w in range(WEEKS_PER_QUARTER, weeks + 1, WEEKS_PER_QUARTER):
        year_end = w % WEEKS_PER_YEAR == 0
        ax.axvline(w - 0.5, color="0.55" if year_end else "0.8", lw=1.2 if year_end else 0.8)


def BookingsView(model: WorkshopModel) -> solara.Element:
    """Weekly bookings of each side, with quarter boundaries and the weekly target."""
    fig = _figure()
    ax = fig.subplots()
    weeks = max(views.shown_week(model), 1)
    _quarter_lines(ax, weeks)
    for k, side in enumerate(model.sides):
        ax.plot(
            views.bookings(side.model) / 1e3,
            color=SIDE_COLOURS[k],
            lw=1.2,
            label=_side_name(side, k),
        )
    target = views.since_warmup(model, "target_weekly")
    if target.size:
        ax.plot(target / 1e3, color="0.3", ls="--", lw=0.8, label="target")
    ax.set_xlim(-0.5, max(weeks, WEEKS_PER_QUARTER) - 0.5)
    ax.set_xlabel("week (lines: quarter ends, darker: year ends)")
    ax.set_ylabel("bookings (thousands)")
    ax.set_title("Weekly bookings")
    ax.legend(loc="upper left", fontsize=8)
    return _show(fig, "bookings")


def AttainmentView(model: WorkshopModel) -> solara.Element:
    """Distribution of reps' attainment this quarter so far (1 = on pace for quota)."""
    fig = _figure()
    ax = fig.subplots()
    bins = np.linspace(0, 3, 31)
    for k, side in enumerate(model.sides):
        att = views.pace_attainment(side.model)
        att = np.clip(att[np.isfinite(att)], 0, 3)
        if att.size:
            ax.hist(
                att,
                bins=bins,
                histtype="stepfilled" if k == 0 else "step",
                alpha=0.55 if k == 0 else 1.0,
                lw=1.8,
                color=SIDE_COLOURS[k],
                label=f"{_side_name(side, k)}: {np.mean(att >= 1):.0%} on pace",
            )
    ax.axvline(1.0, color="0.2", ls="--", lw=1)
    ax.set_xlabel("attainment so far (sales / quota of the weeks so far; 3+ in last bin)")
    ax.set_ylabel("reps")
    q = views.quarter_week(model)
    when = f"week {q} of {WEEKS_PER_QUARTER}" if q else "quarter just closed"
    ax.set_title(f"Attainment this quarter ({when})")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return _show(fig, "attainment")


def _tiles(ax: Axes, side: Side, title: str) -> None:
    """One side's seats as tiles (rows: teams), coloured by attainment so far, with marks."""
    m = side.model
    att = np.clip(views.tile_grid(m, views.pace_attainment(m)), 0, ATTAINMENT_MAX)
    cmap = colormaps[ATTAINMENT_CMAP].with_extremes(bad=VACANT_GREY)
    ax.imshow(np.ma.masked_invalid(att), cmap=cmap, vmin=0, vmax=ATTAINMENT_MAX, aspect="auto")
    # the last team may have fewer seats than the span: its missing seats are left blank
    missing = np.isnan(views.tile_grid(m, np.zeros(m.n_seats)))
    blank = np.ma.masked_where(~missing, np.ones(missing.shape))
    ax.imshow(blank, cmap=ListedColormap(["white"]), aspect="auto")
    marks = (
        (views.coached(m), "o", "coached", "black", 18),
        (views.helping(m), "^", "helping", "royalblue", 18),
        (side.left, "x", "left this week", "crimson", 40),
    )
    span = m.params.org.span_of_control
    offsets = (-0.25, 0.0, 0.25)
    counts = []
    for (mask, marker, label, colour, size), dx in zip(marks, offsets, strict=True):
        seats = np.flatnonzero(mask)
        ax.scatter(
            seats % span + dx,
            seats // span - 0.2,
            marker=marker,
            s=size,
            c=colour,
            linewidths=1.5,
            label=label,
        )
        counts.append(f"{label} {seats.size}")
    ax.set_xticks([])
    ax.set_xlabel(f"{counts[0]}, {counts[1]}\n{counts[2]}", fontsize=7)
    ax.set_title(title, fontsize=10)


def TeamView(model: WorkshopModel) -> solara.Element:
    """Each rep a tile coloured by attainment so far, marked when coached, helping or leaving."""
    n = len(model.sides)
    rows = len(model.managers)
    fig = _figure((6.0, min(2.6 + 0.28 * rows, 9.0)), left=0.5, bottom=1.0, top=0.6)
    axes = fig.subplots(1, n, squeeze=False, gridspec_kw={"wspace": 0.15})[0]
    for k, side in enumerate(model.sides):
        _tiles(axes[k], side, _side_name(side, k))
    axes[0].set_ylabel("team")
    mappable = axes[0].images[0]
    fig.colorbar(mappable, ax=list(axes), label="attainment so far (grey: vacant)", shrink=0.8)
    axes[0].legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), ncols=3, fontsize=7)
    fig.suptitle("Team view: seats by team", fontsize=11)
    return _show(fig, "team")


def StandingsView(model: WorkshopModel) -> solara.Element:
    """Team standings this quarter (bars) and the leaderboard of reps furthest ahead."""
    table = views.team_standings(model)
    fig = _figure((6.0, max(2.6, 0.9 + 0.25 * len(table))), left=2.3)
    ax = fig.subplots()
    att = table["attainment"].to_numpy(float)
    colours = colormaps[ATTAINMENT_CMAP](
        np.clip(np.nan_to_num(att), 0, ATTAINMENT_MAX) / ATTAINMENT_MAX
    )
    labels = [
        f"team {t} ({r}/{s} reps, coach q {q:.2f})"
        for t, r, s, q in table[["team", "reps", "seats", "coaching_quality"]].itertuples(
            index=False
        )
    ]
    ax.barh(labels, np.nan_to_num(att), color=colours)
    ax.invert_yaxis()
    ax.axvline(1.0, color="0.2", ls="--", lw=1)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("team attainment so far")
    ax.set_title(f"Team standings, {_side_name(model.sides[0], 0)}")
    board = views.leaderboard(model)
    rows = "\n".join(
        f"| {i + 1} | seat {s} | team {t} | {a:.0%} |"
        for i, (s, t, a) in enumerate(board.itertuples(index=False))
    )
    md = "| rank | rep | team | attainment |\n|---|---|---|---|\n" + rows if rows else ""
    with solara.Column() as column:
        _show(fig, "standings")
        if md:
            _markdown("**Leaderboard this quarter**\n\n" + md)
    return column


def ManagerTimeView(model: WorkshopModel) -> solara.Element:
    """This week's hours of every manager by activity (and each side's mean when comparing)."""
    frames = [(f"mgr {i}", row) for i, row in enumerate(views.manager_hours(model).to_numpy())]
    if len(model.sides) > 1:
        frames = [
            (f"mean {_side_name(side, k)}", views.manager_hours(side.model).mean().to_numpy())
            for k, side in enumerate(model.sides)
        ] + frames
    fig = _figure((6.0, max(2.6, 1.0 + 0.25 * len(frames))), left=1.5, bottom=1.15)
    ax = fig.subplots()
    labels = [label for label, _ in frames]
    hours = np.array([row for _, row in frames])
    left = np.zeros(len(frames))
    colours = colormaps["tab10"]
    for j, activity in enumerate(ACTIVITIES):
        ax.barh(labels, hours[:, j], left=left, color=colours(j), label=activity)
        left += hours[:, j]
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("hours this week")
    ax.set_title("Manager time by activity")
    ax.legend(fontsize=7, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    return _show(fig, "manager-time")


def _fmt(name: str, value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if name in ("bookings to date",):
        return f"{value / 1e6:,.1f} M"
    if name in ("bookings / target", "reps on pace this quarter", "pay / bookings"):
        return f"{value:.0%}"
    if isinstance(value, int):
        return f"{value:d}"
    return f"{value:.2f}"


def headline_markdown(model: WorkshopModel) -> str:
    """The headline numbers of every side as a Markdown table (B - A when comparing)."""
    numbers = [views.headline(side.model) for side in model.sides]
    head = ["", *(_side_name(side, k) for k, side in enumerate(model.sides))]
    if len(numbers) > 1:
        head.append("B - A")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in numbers[0]:
        cells = [name, *(_fmt(name, n[name]) for n in numbers)]
        if len(numbers) > 1:
            diff = numbers[1][name] - numbers[0][name]
            cells.append(("+" if diff > 0 else "") + _fmt(name, diff))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def OverviewView(model: WorkshopModel) -> solara.Element:
    """Which plans run, the preset's story, any notices, and the headline numbers."""
    plans = " vs ".join(f"**{_side_name(side, k)}**" for k, side in enumerate(model.sides))
    with solara.Column(classes=["salesim-overview"], gap="4px") as column:
        solara.Style(TEXT_CSS)
        solara.HTML(
            tag="div", unsafe_innerHTML=f"week {views.shown_week(model)}", classes=["salesim-week"]
        )
        _markdown(
            f"{plans}, seed {model.seed_value}, preset *{model.preset}*: {model.story} "
            "Controls take effect on **Reset**."
        )
        for notice in model.notices:
            (solara.Error if notice.startswith("error") else solara.Info)(notice, dense=True)
        _markdown(headline_markdown(model))
    return column


def ControlsHelp(model: WorkshopModel) -> solara.Element:
    """What each control does, generated from the parameters' own documentation."""
    items = "\n".join(f"- **{c.label}**: {help_text(c)}" for c in CONTROLS)
    stories = "\n".join(f"- **{name}**: {p['story']}" for name, p in presets().items())
    return _markdown(
        "### Controls\n"
        f"- **Plan**: the incentive plan of side A, one of {', '.join(plan_names())} "
        "(conf/plan).\n"
        "- **Compare with plan**: a second plan run beside it on the same seed (side B).\n"
        "- **Seed**: the run's seed; the same seed gives the same run, bit for bit.\n"
        f"{items}\n\n### Scenario presets\n{stories}"
    )


def _tidy_sides(ax: Axes) -> None:
    """Mesa plot post-processing: drop side B's empty lines, dash side B, and relabel."""
    for line in list(ax.get_lines()):
        label = line.get_label()
        if label.endswith(" B"):
            if np.all(np.isnan(np.asarray(line.get_ydata(), float))):
                line.remove()
                continue
            line.set_linestyle("--")
    ax.legend(loc="best", fontsize=8)
    ax.set_xlabel("week")


def _measures(names: Iterable[str], colours: Iterable[str]) -> dict[str, str]:
    return {f"{n} {s}": c for n, c in zip(names, colours, strict=True) for s in "AB"}


HEADCOUNT_PLOT = make_plot_component(
    _measures(("Headcount", "Vacancies", "Exits to date"), ("tab:blue", "tab:green", "tab:red")),
    post_process=_tidy_sides,
)
MORALE_PLOT = make_plot_component(_measures(("Morale",), ("tab:purple",)), post_process=_tidy_sides)

#: (component, page) pairs for ``SolaraViz``: page 0 the live views, page 1 the help
COMPONENTS = [
    (OverviewView, 0),
    (BookingsView, 0),
    (AttainmentView, 0),
    (TeamView, 0),
    HEADCOUNT_PLOT,
    MORALE_PLOT,
    (StandingsView, 0),
    (ManagerTimeView, 0),
    (ControlsHelp, 1),
]
