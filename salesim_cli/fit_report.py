"""What ``salesim-fit --fit`` writes: the fitted organisation, the report, the plot, the record.

In the ``--out`` folder:

- ``org/NAME.yaml``: a Hydra org config (``# @package _global_``, as
  ``conf/org/example_saas.yaml``) setting the history's shape and the fitted
  parameters; the folder is a config search path, so
  ``salesim org=NAME hydra.searchpath=[file://OUT]`` runs it (or copy the file
  to ``conf/org/`` of a checkout);
- ``fit_report.md``: the fitted parameters with the range over the best trials,
  and each moment observed (bootstrap 95% interval) against simulated (95% t
  interval over the check replications), and whether it is inside;
- ``fit_moments.png``: the same comparison as a plot;
- ``fit.json``: everything above, machine-readable.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import yaml

from simulator.history_study import HistoryFit
from simulator.io import json_value, write_atomic

REPORT_FILE = "fit_report.md"
PLOT_FILE = "fit_moments.png"
RECORD_FILE = "fit.json"
#: reporting: significant digits of a fitted value in the org file
DIGITS = 4


def _round(value: float | int) -> float | int:
    if isinstance(value, int):
        return value
    return float(f"{value:.{DIGITS}g}")


def plain(value):
    """``value`` as plain JSON: nested dicts, lists and tuples; NaN as null."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return json_value(value)


def org_yaml(fit: HistoryFit, name: str, source: str) -> str:
    """The fitted organisation as a Hydra org config (text)."""
    nested: dict = {}
    for dotted, value in fit.overrides().items():
        *path, leaf = dotted.split(".")
        node = nested
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = _round(value)
    head = [
        "# @package _global_",
        f"# {name}: the organisation salesim-fit fitted to {source} ({date.today():%Y-%m-%d}).",
        f"# {fit.shape['org.n_reps']} seats in teams of {fit.shape['org.span_of_control']}; "
        f"{', '.join(p.name for p in fit.parameters)} fitted",
        f"# ({fit.trials} trials, {fit.replications} replications each; fit_report.md beside "
        "this folder has the evidence). Every other parameter is the model's default.",
        f"# The history covered {fit.shape['run.years']} years: run.years={fit.shape['run.years']}"
        " reproduces it.",
        f"# Run it: salesim org={name} hydra.searchpath=[file://<this folder's parent>]",
    ]
    return "\n".join(head) + "\n" + yaml.safe_dump(nested, sort_keys=False)


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"


def report_text(fit: HistoryFit, source: str, name: str) -> str:
    """The fit report (Markdown)."""
    inside = [m for m in fit.moments if m.in_loss and m.inside]
    used = [m for m in fit.moments if m.in_loss]
    lines = [
        f"# Fit of {source}",
        "",
        f"Organisation `{name}` (`org/{name}.yaml`): {fit.shape['org.n_reps']} seats, span of "
        f"control {fit.shape['org.span_of_control']}, {fit.shape['run.years']} years. "
        f"{fit.trials} trials of Optuna TPE, {fit.replications} replications each (common random "
        f"numbers, seed {fit.seed}); the best {fit.rechecked} rechecked on "
        f"{fit.check_replications} fresh replications (seed {fit.seed + 1}), loss "
        f"{fit.loss:.2f} (search's best {fit.search_loss:.2f}). The search's trials took "
        f"{fit.search_seconds / 60:.1f} minutes in all; this run {fit.seconds / 60:.1f}.",
        "",
        "## Fitted parameters",
        "",
        "| parameter | estimate | best 10% of trials | searched | told by |",
        "|---|---|---|---|---|",
    ]
    for p in fit.parameters:
        lo, hi = fit.spread[p.name]
        lines.append(
            f"| `{p.name}` | {_fmt(fit.estimate[p.name])} | {_fmt(lo)} - {_fmt(hi)} | "
            f"{_fmt(p.lo)} - {_fmt(p.hi)}{' (log)' if p.log else ''} | {p.told_by} |"
        )
    lost = fit.unidentified()
    lines += [
        "",
        "The range over the best trials is a rough measure of how well the history pins a "
        "parameter down, not a confidence interval.",
    ]
    if lost:
        lines += [
            "",
            f"**Not identified by this file**: {', '.join(f'`{n}`' for n in lost)}: none of "
            "the moments that tell it could be read (they need hire and exit dates and exit "
            "kinds), so its estimate is the search's noise; leave it out of the org file or "
            "set it from what you know.",
        ]
    lines += [
        "",
        "## Moments, observed and simulated",
        "",
        f"{len(inside)} of the {len(used)} moments in the loss have the fitted organisation's "
        "simulated mean inside the observed 95% interval (a bootstrap over reps). Simulated: mean "
        f"and 95% t interval over {fit.check_replications} replications. The observed intervals "
        "come from resampling reps, and reps share their organisation's luck (market, targets, "
        "managers), which resampling cannot see: read them as lower bounds on the uncertainty "
        "(docs/history.md, parameter recovery).",
        "",
        "| moment | in loss | observed | observed 95% | simulated | simulated 95% | z | inside |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in fit.moments:
        lines.append(
            f"| `{m.name}` | {'yes' if m.in_loss else ''} | {_fmt(m.observed)} | "
            f"{_fmt(m.observed_low)} - {_fmt(m.observed_high)} | {_fmt(m.simulated)} | "
            f"{_fmt(m.simulated_low)} - {_fmt(m.simulated_high)} | {m.z:+.2f} | "
            f"{'yes' if m.inside else '**no**'} |"
        )
    lines += ["", f"![observed and simulated moments]({PLOT_FILE})", ""]
    return "\n".join(lines)


def plot_moments(fit: HistoryFit, path: Path) -> None:
    """Each loss moment's observed interval and simulated mean and interval, in observed SEs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    moments = [m for m in fit.moments if m.in_loss]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(moments) + 1.5))
    for y, m in enumerate(moments):
        se = m.observed_se if m.observed_se and math.isfinite(m.observed_se) else 1.0

        def std(v, m=m, se=se):
            return (v - m.observed) / se

        ax.plot([std(m.observed_low), std(m.observed_high)], [y, y], color="0.7", lw=6)
        ax.plot([0], [y], "o", color="0.3")
        ax.plot([std(m.simulated_low), std(m.simulated_high)], [y, y], color="C0", lw=1.5)
        ax.plot([std(m.simulated)], [y], "D", color="C0" if m.inside else "C3")
    ax.set_yticks(range(len(moments)), [m.name for m in moments])
    ax.invert_yaxis()
    ax.axvline(0, color="0.5", lw=0.5)
    ax.set_xlabel("distance from the observed value, in observed standard errors")
    ax.set_title(
        "observed (grey: bootstrap 95%), simulated (diamond: mean, line: 95%; red: outside)",
        fontsize="small",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def write_outputs(fit: HistoryFit, out: Path, name: str, source: str) -> list[Path]:
    """Write the org file, the report, the plot and the record into ``out``; their paths."""
    (out / "org").mkdir(parents=True, exist_ok=True)
    org = write_atomic(
        out / "org" / f"{name}.yaml",
        lambda p: p.write_text(org_yaml(fit, name, source), encoding="utf-8"),
    )
    plot = write_atomic(out / PLOT_FILE, lambda p: plot_moments(fit, p))
    report = write_atomic(
        out / REPORT_FILE,
        lambda p: p.write_text(report_text(fit, source, name), encoding="utf-8"),
    )
    record = {"history": source, "name": name, **fit.to_dict()}
    text = json.dumps(plain(record), indent=1, allow_nan=False) + "\n"
    saved = write_atomic(out / RECORD_FILE, lambda p: p.write_text(text, encoding="utf-8"))
    return [Path(org), Path(report), Path(plot), Path(saved)]
