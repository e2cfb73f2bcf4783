"""The scenario report: one self-contained HTML file (figures embedded as base64 PNG).

:func:`render_report` takes a :class:`~simulator.scenario.ScenarioResult` and its
comparison table and returns the HTML text: the story, the headline table
(each variant's mean and 95% interval, and its difference to the baseline with
the difference's 95% interval), the baseline's levels beside the published field
figures (:mod:`salesim_cli.field`) and the figures of :mod:`salesim_cli.plots`.
"""

from __future__ import annotations

import base64
import html
import io
import math
from string import Template

import pandas as pd
from matplotlib.figure import Figure

from salesim_cli import plots
from salesim_cli.field import FieldCheck, FieldError, Published, field_checks, load_published
from simulator.scenario import ScenarioResult

#: Label, scale and unit of the metrics a headline table may show.
METRIC_FORMATS: dict[str, tuple[str, float, str]] = {
    "revenue": ("Revenue a year", 1e-6, "M"),
    "revenue_vs_target": ("Revenue against company target", 100, "%"),
    "share_at_quota": ("Reps at or above annual quota", 100, "%"),
    "attainment_mean": ("Mean annual attainment", 100, "%"),
    "attainment_median": ("Median annual attainment", 100, "%"),
    "attainment_p10": ("Attainment, bottom tenth (10th percentile)", 100, "%"),
    "attainment_p90": ("Attainment, top tenth (90th percentile)", 100, "%"),
    "performance_gap": ("Top quartile over median attainment", 1, "x"),
    "cost_of_sales": ("Cost of sales (pay over revenue)", 100, "%"),
    "comp_cost": ("Rep pay a year", 1e-6, "M"),
    "turnover_total": ("Turnover a year", 100, "%"),
    "turnover_voluntary": ("Voluntary turnover a year", 100, "%"),
    "regretted_turnover": ("Top-quartile leavers a year (per top seat)", 100, "%"),
    "vacancy_rate": ("Seats vacant", 100, "%"),
    "ramp_months_median": ("New-hire ramp (median)", 1, "months"),
    "top20_revenue_share": ("Revenue share of the top 20% of reps", 100, "%"),
    "end_of_period_share": ("Bookings in a quarter's last two weeks", 100, "%"),
    "helping_share": ("Rep time spent helping peers", 100, "%"),
    "morale_mean": ("Morale (0 to 1)", 1, ""),
    "effort_hours_mean": ("Rep selling effort", 1, "h/week"),
    "discount_share": ("Discounts given (share of list price)", 100, "%"),
    "deals_rushed_per_year": ("Deals rushed a year", 1, ""),
    "deals_held_per_year": ("Deals held back a year", 1, ""),
    "coaching_hours_per_rep_month": ("Coaching received", 1, "h/rep/month"),
    "manager_share_hiring": ("Manager time hiring", 100, "%"),
    "manager_share_covering": ("Manager time covering vacant seats", 100, "%"),
    "manager_share_coaching": ("Manager time coaching", 100, "%"),
    "expansion_revenue": ("Expansion revenue a year", 1e-6, "M"),
    "enterprise_revenue": ("Enterprise revenue a year", 1e-6, "M"),
    "rushed_deals_lost": ("Rushed deals then lost, a year", 1, ""),
    "deals_lost_to_colleagues": ("Deals lost to a colleague, a year", 1, ""),
}

#: (id, caption, plot function, table it takes) of every figure, in report order.
FIGURES = (
    ("attainment", "Attainment distribution per variant", plots.attainment_distribution, "reps"),
    (
        "turnover",
        "Turnover and vacancies over time",
        plots.turnover_and_vacancies,
        "weekly",
    ),
    ("spike", "Weekly bookings within the quarter", plots.quarter_bookings, "weekly"),
    ("cost", "Cost of sales against revenue", plots.cost_vs_revenue, "replications"),
    ("manager_time", "Manager time by activity", plots.manager_time, "weekly"),
    ("winners", "Winners and losers per rep seat", plots.winners_and_losers, "reps"),
)

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 1.5em auto;
       padding: 0 1em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.meta { color: #444; font-size: 0.9em; }
.story { font-size: 1.05em; background: #f3f3f3; padding: 0.8em 1em;
         border-left: 4px solid #0072B2; }
table { border-collapse: collapse; font-size: 0.9em; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #e8e8e8; }
table.field td { text-align: left; }
.diff { display: block; color: #333; font-size: 0.85em; }
.sig { font-weight: bold; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-weight: bold; margin-bottom: 0.3em; }
</style>
</head>
<body>
<h1>$title</h1>
<p class="meta">$meta</p>
<div class="story">$story</div>
<h2>Headline</h2>
<p>Each cell: the mean over replications and its 95% interval. Under each other variant:
the change from <b>$baseline</b> (the same seed, so the same territories, people and luck)
and its 95% interval (pp: percentage points); <b>bold</b> where that interval excludes
zero.</p>
$table
$field
<h2>Figures</h2>
$figures
<p class="meta">Full numbers: comparison.csv (every metric), outcomes.parquet and
runs.parquet (one row per variant and replication: metrics and parameters, keyed by
run_id) and the tables of every run, in this folder.</p>
</body>
</html>
""")


def figure_data_uri(fig: Figure) -> str:
    """``data:image/png;base64,...`` of ``fig``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _value(metric: str, value: float, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    _, scale, _ = METRIC_FORMATS.get(metric, (metric, 1, ""))
    v = value * scale
    digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
    return f"{v:+,.{digits}f}" if signed else f"{v:,.{digits}f}"


def headline_table(comparison: pd.DataFrame, metrics: list[str], variants: list[str]) -> str:
    """HTML table: a row per metric, a column per variant (mean, CI, change to the first)."""
    by = comparison.set_index(["metric", "variant"])
    head = "".join(f"<th>{html.escape(v.replace('_', ' '))}</th>" for v in variants)
    rows = []
    for metric in metrics:
        label, _, unit = METRIC_FORMATS.get(metric, (metric, 1, ""))
        cells = []
        for i, variant in enumerate(variants):
            if (metric, variant) not in by.index:
                cells.append("<td>n/a</td>")
                continue
            r = by.loc[(metric, variant)]
            cell = (
                f"{_value(metric, r['mean'])} "
                f"[{_value(metric, r['ci_low'])}, {_value(metric, r['ci_high'])}]"
            )
            if i > 0:
                lo, hi = r["diff_ci_low"], r["diff_ci_high"]
                points = " pp" if unit == "%" else ""
                sig = math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0)
                cell += (
                    f'<span class="diff{" sig" if sig else ""}">change '
                    f"{_value(metric, r['diff'], True)}{points} "
                    f"[{_value(metric, lo, True)}, {_value(metric, hi, True)}]</span>"
                )
            cells.append(f"<td>{cell}</td>")
        unit_text = f" ({html.escape(unit)})" if unit else ""
        rows.append(f"<tr><td>{html.escape(label)}{unit_text}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(rows)}</table>"


def published_text(metric: str, figure: Published) -> str:
    """A published figure in the metric's units: ``cite: value (low-high)``, marked if fitted."""
    lo, hi = figure.low, figure.high
    if figure.value is not None:
        text = _value(metric, figure.value)
        if lo is not None or hi is not None:
            text += f" ({_bound(metric, lo)}-{_bound(metric, hi)})"
    else:
        text = f"{_bound(metric, lo)}-{_bound(metric, hi)}"
    fitted = " (fitted)" if figure.split == "train" else ""
    return f"{figure.cite}: {text}{fitted}"


def _bound(metric: str, value: float | None) -> str:
    return "" if value is None else _value(metric, value)


def field_rows(checks: list[FieldCheck]) -> list[tuple[str, str, str, str, str]]:
    """Each check as text: label, baseline mean [CI], published figures, span, verdict."""
    rows = []
    for c in checks:
        label, _, unit = METRIC_FORMATS.get(c.metric, (c.metric, 1, ""))
        lo, hi = c.span
        rows.append(
            (
                label + (f" ({unit})" if unit else ""),
                f"{_value(c.metric, c.mean)} "
                f"[{_value(c.metric, c.ci_low)}, {_value(c.metric, c.ci_high)}]",
                "; ".join(published_text(c.metric, p) for p in c.published),
                f"{_value(c.metric, lo)} to {_value(c.metric, hi)}",
                c.verdict,
            )
        )
    return rows


def field_section(checks: list[FieldCheck] | None, baseline: str, problem: str = "") -> str:
    """HTML: the baseline's levels beside the published figures (:mod:`salesim_cli.field`)."""
    head = (
        "<h2>Against published figures</h2>\n<p>The <b>"
        + html.escape(baseline.replace("_", " "))
        + "</b> variant's levels beside what field studies and surveys published for B2B "
        "sales organisations (salesim's evidence base, <code>validation/evidence.yaml</code>). "
        "The span runs from the lowest published number to the highest. Outside it is a "
        "prompt to check how the organisation was described, not a verdict: published "
        "figures describe other companies. <i>fitted</i> marks figures the defaults were "
        "fitted to, so agreement with them is expected. The effect sizes behind the "
        "comparisons above are validated in <code>validation/report.md</code>.</p>"
    )
    if problem:
        return head + f"<p>Published figures unavailable: {html.escape(problem)}</p>"
    if not checks:
        return head + "<p>No headline metric of this scenario has a published level.</p>"
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in row) + "</tr>"
        for row in field_rows(checks)
    )
    names = ("metric", "baseline", "published", "published span", "baseline is")
    header = "".join(f"<th>{n}</th>" for n in names)
    return f'{head}<table class="field"><tr>{header}</tr>{cells}</table>'


def baseline_field_checks(
    comparison: pd.DataFrame, baseline: str, metrics: list[str]
) -> tuple[list[FieldCheck] | None, str]:
    """The field checks of ``metrics`` against the shipped evidence base, or why there are none."""
    try:
        published = load_published()
    except FieldError as err:
        return None, str(err)
    return field_checks(comparison, baseline, metrics, published), ""


def render_report(result: ScenarioResult, comparison: pd.DataFrame, context: str = "") -> str:
    """The report's HTML: story, headline table, field figures and every figure, self-contained.

    Args:
        result: the scenario's runs.
        comparison: :func:`simulator.scenario.comparison_table` of those runs.
        context: one line about the organisation and run length, shown under the title.
    """
    scenario = result.scenario
    variants = list(scenario.variants)
    tables = {
        "reps": result.table("reps"),
        "weekly": result.table("weekly"),
        "replications": result.replications(),
    }
    figures = []
    for fig_id, caption, plot, table in FIGURES:
        fig = plot(tables[table], variants)
        figures.append(
            f'<figure id="{fig_id}"><figcaption>{html.escape(caption)}</figcaption>'
            f'<img alt="{html.escape(caption)}" src="{figure_data_uri(fig)}"></figure>'
        )
    n = next(iter(result.variants.values())).summary["replications"]
    meta = f"Scenario <code>{html.escape(scenario.name)}</code>; {int(n)} replications per "
    meta += f"variant on common random numbers (seed {result.seed})"
    meta += f"; {html.escape(context)}" if context else ""
    story = "".join(f"<p>{html.escape(p)}</p>" for p in scenario.story.split("\n\n") if p)
    metrics = [m for m in scenario.headline if m in set(comparison["metric"])]
    checks, problem = baseline_field_checks(comparison, scenario.baseline, metrics)
    return PAGE.substitute(
        title=html.escape(scenario.title),
        meta=meta,
        story=story,
        baseline=html.escape(scenario.baseline.replace("_", " ")),
        table=headline_table(comparison, metrics, variants),
        field=field_section(checks, scenario.baseline, problem),
        figures="\n".join(figures),
    )
