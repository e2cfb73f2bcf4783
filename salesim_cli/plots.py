"""Figures comparing a scenario's variants: tables in, :class:`matplotlib.figure.Figure` out.

Every function takes tidy tables carrying ``variant`` and ``replication``
columns (see :meth:`simulator.scenario.ScenarioResult.table`) and the variant
names in order (the first is the baseline), and returns a new Figure; none runs
the model or touches pyplot's global state.  Variants are told apart by the
Okabe-Ito colour-blind-safe palette *and* by hatching, line style or marker,
so the figures also read in grey scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulator.metrics import annual_attainment

#: Okabe & Ito (2008) colour-blind-safe palette, black last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)), (0, (3, 1, 1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

# boxplot's ``vert`` is deprecated from Matplotlib 3.10, which has ``orientation`` instead.
_HORIZONTAL = (
    {"orientation": "horizontal"}
    if tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) >= (3, 10)
    else {"vert": False}
)

MANAGER_ACTIVITIES = ("admin", "hiring", "covering", "support", "inspection", "coaching", "other")


def _style(i: int) -> dict:
    """Colour, hatch, line style and marker of the ``i``-th variant."""
    k = i % len(PALETTE)
    return {
        "color": PALETTE[k],
        "hatch": HATCHES[k],
        "linestyle": LINESTYLES[k],
        "marker": MARKERS[k],
    }


def _label(variant: str) -> str:
    return variant.replace("_", " ")


def _figure(width: float = 8.0, height: float = 4.5) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def attainment_distribution(reps: pd.DataFrame, variants: Sequence[str]) -> Figure:
    """Box plot of annual quota attainment (reps in seat all year), one box per variant."""
    fig = _figure(8.0, 0.6 * len(variants) + 1.8)
    ax = fig.add_subplot()
    data = []
    for variant in variants:
        rows = reps[reps["variant"] == variant]
        att = [
            annual_attainment(group)["attainment"].to_numpy()
            for _, group in rows.groupby("replication")
        ]
        data.append(100 * np.concatenate(att) if att else np.array([]))
    positions = np.arange(len(variants))[::-1]
    box = ax.boxplot(
        data,
        positions=positions,
        **_HORIZONTAL,
        patch_artist=True,
        widths=0.6,
        whis=(5, 95),
        showfliers=False,
        medianprops={"color": "black", "linewidth": 2},
    )
    for i, patch in enumerate(box["boxes"]):
        s = _style(i)
        patch.set(facecolor=s["color"], hatch=s["hatch"], alpha=0.85, edgecolor="black")
    ax.axvline(100, color="black", linestyle="--", linewidth=1)
    ax.set_yticks(positions, [_label(v) for v in variants])
    ax.set_xlabel("annual quota attainment (%); box: quartiles, whiskers: 5th-95th percentile")
    ax.set_title("Attainment distribution per variant (dashed: quota)")
    return fig


def turnover_and_vacancies(weekly: pd.DataFrame, variants: Sequence[str]) -> Figure:
    """Annualised turnover (13-week rolling) and vacant seats by week, mean over replications."""
    fig = _figure(9.0, 5.5)
    ax_turn, ax_vac = fig.subplots(2, 1, sharex=True)
    for i, variant in enumerate(variants):
        rows = weekly[weekly["variant"] == variant]
        mean = rows.groupby("week")[
            ["exits_voluntary", "exits_involuntary", "headcount", "vacancies"]
        ].mean()
        exits = (mean["exits_voluntary"] + mean["exits_involuntary"]).rolling(13, 1).sum()
        heads = mean["headcount"].rolling(13, 1).mean().clip(lower=1e-9)
        weeks = exits.rolling(13, 1).count()
        s = _style(i)
        kw = {"color": s["color"], "linestyle": s["linestyle"], "label": _label(variant)}
        ax_turn.plot(mean.index, 100 * exits / heads * 52 / weeks, **kw)
        ax_vac.plot(mean.index, mean["vacancies"], **kw)
    warm = weekly.loc[weekly["warmup"], "week"]
    for ax in (ax_turn, ax_vac):
        if len(warm):
            ax.axvspan(warm.min(), warm.max() + 1, color="0.9", zorder=0)
        ax.grid(alpha=0.3)
    ax_turn.set_ylabel("turnover (% a year,\n13-week rolling)")
    ax_vac.set_ylabel("vacant seats")
    ax_vac.set_xlabel("week (grey: warm-up, not in the metrics)")
    ax_turn.set_title("Turnover and vacancies over time (mean over replications)")
    ax_turn.legend(loc="upper left", fontsize="small", ncols=min(4, len(variants)))
    return fig


def quarter_bookings(weekly: pd.DataFrame, variants: Sequence[str]) -> Figure:
    """Share of a quarter's bookings closed in each of its 13 weeks (the end-of-quarter spike)."""
    fig = _figure()
    ax = fig.add_subplot()
    ev = weekly[~weekly["warmup"]]
    for i, variant in enumerate(variants):
        rows = ev[ev["variant"] == variant]
        by_week = rows.groupby("week_in_quarter")["bookings"].sum()
        total = by_week.sum()
        share = by_week / total if total > 0 else by_week * np.nan
        s = _style(i)
        ax.plot(
            share.index + 1,
            100 * share.to_numpy(),
            color=s["color"],
            linestyle=s["linestyle"],
            marker=s["marker"],
            label=_label(variant),
        )
    ax.axhline(100 / 13, color="black", linewidth=1, linestyle=(0, (1, 1)), label="even (1/13)")
    ax.set_xticks(range(1, 14))
    ax.set_xlabel("week of the quarter")
    ax.set_ylabel("share of the quarter's bookings (%)")
    ax.set_title("Weekly bookings within the quarter")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def cost_vs_revenue(replications: pd.DataFrame, variants: Sequence[str]) -> Figure:
    """Cost of sales (pay over revenue) against yearly revenue: one point per replication."""
    fig = _figure()
    ax = fig.add_subplot()
    for i, variant in enumerate(variants):
        rows = replications[replications["variant"] == variant]
        s = _style(i)
        x, y = rows["revenue"] / 1e6, 100 * rows["cost_of_sales"]
        ax.scatter(x, y, color=s["color"], marker=s["marker"], alpha=0.5, edgecolor="black")
        ax.scatter(
            x.mean(),
            y.mean(),
            color=s["color"],
            marker=s["marker"],
            s=160,
            edgecolor="black",
            linewidth=1.5,
            label=f"{_label(variant)} (large: mean)",
        )
    ax.set_xlabel("revenue (million currency units a year)")
    ax.set_ylabel("cost of sales (rep pay, % of revenue)")
    ax.set_title("Cost of sales against revenue (small: one replication)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def manager_time(weekly: pd.DataFrame, variants: Sequence[str]) -> Figure:
    """Managers' hours by activity as shares of their time, one stacked bar per variant."""
    fig = _figure(9.0, 0.6 * len(variants) + 2.2)
    ax = fig.add_subplot()
    ev = weekly[~weekly["warmup"]]
    columns = [f"mgr_hours_{a}" for a in MANAGER_ACTIVITIES]
    totals = ev.groupby("variant")[columns].sum().reindex(list(variants))
    shares = 100 * totals.div(totals.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
    positions = np.arange(len(variants))[::-1]
    left = np.zeros(len(variants))
    for j, (activity, column) in enumerate(zip(MANAGER_ACTIVITIES, columns, strict=True)):
        s = _style(j)
        values = shares[column].to_numpy()
        ax.barh(
            positions,
            values,
            left=left,
            color=s["color"],
            hatch=s["hatch"],
            edgecolor="black",
            label=activity,
        )
        left += values
    ax.set_yticks(positions, [_label(v) for v in variants])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of managers' hours (%)")
    ax.set_title("Manager time by activity")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=4, fontsize="small")
    return fig


def seat_changes(reps: pd.DataFrame, variants: Sequence[str]) -> pd.DataFrame:
    """Per seat (territory) and variant: change in attainment and pay against the baseline.

    A seat's attainment is its credited sales over its quota in the evaluation
    window, its pay the mean total pay per rep-quarter; both are differenced per
    replication against the baseline (same seed, so the same territory) and
    averaged over replications.  Columns ``variant``, ``seat``,
    ``attainment_change`` (percentage points) and ``pay_change`` (per quarter).
    """
    ev = reps[(~reps["warmup"]) & (reps["weeks_in_seat"] > 0)]
    per_seat = ev.groupby(["variant", "replication", "seat"]).agg(
        credited=("credited_sales", "sum"), quota=("quota", "sum"), pay=("pay_total", "mean")
    )
    per_seat["attainment"] = (
        100 * per_seat["credited"] / per_seat["quota"].where(per_seat["quota"] > 0)
    )
    base = per_seat.xs(variants[0], level="variant")
    out = []
    for variant in variants[1:]:
        if variant not in per_seat.index.get_level_values("variant"):
            continue
        diff = (
            per_seat.xs(variant, level="variant")[["attainment", "pay"]]
            - base[["attainment", "pay"]]
        )
        mean = diff.groupby(level="seat").mean().dropna()
        out.append(
            pd.DataFrame(
                {
                    "variant": variant,
                    "seat": mean.index,
                    "attainment_change": mean["attainment"].to_numpy(),
                    "pay_change": mean["pay"].to_numpy(),
                }
            )
        )
    columns = ["variant", "seat", "attainment_change", "pay_change"]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns)


def winners_and_losers(reps: pd.DataFrame, variants: Sequence[str]) -> Figure:
    """Each rep seat's change in pay against its change in attainment, per variant vs baseline."""
    changes = seat_changes(reps, variants)
    others = list(variants[1:]) or [variants[0]]
    cols = min(len(others), 3)
    rows = int(np.ceil(len(others) / cols))
    fig = _figure(4.0 * cols + 1.0, 3.6 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)).ravel()
    for i, variant in enumerate(others):
        ax = axes[i]
        d = changes[changes["variant"] == variant]
        s = _style(i + 1)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.scatter(
            d["attainment_change"],
            d["pay_change"] / 1e3,
            color=s["color"],
            marker=s["marker"],
            edgecolor="black",
            alpha=0.8,
        )
        up = int((d["pay_change"] > 0).sum())
        ax.set_title(
            f"{_label(variant)}: pay up for {up} of {len(d)} seats"
            if len(variants) > 1
            else "only one variant: nothing to compare",
            fontsize="medium",
        )
        ax.grid(alpha=0.3)
        ax.tick_params(labelbottom=True)  # also above an empty cell of the grid
    for ax in axes[len(others) :]:
        ax.set_visible(False)
    fig.supxlabel(f"change in attainment against {_label(variants[0])} (percentage points)")
    fig.supylabel("change in pay (thousand a quarter)")
    fig.suptitle("Winners and losers: each rep seat (territory), mean over replications")
    return fig
