"""``salesim-pay``: what a rep earns under a plan, from the same pure payout the model uses.

    salesim-pay plan=accelerated                      # pay by component, 0% to 200%
    salesim-pay plan=capped plan.commission.cap=2.0   # any Hydra override of salesim
    salesim-pay --csv history.csv                     # pay a history of credited sales

The default prints annual pay by component for attainments from 0% to 200%
and saves the earnings curve as ``earnings_<plan>.png`` and
``earnings_<plan>.csv``. ``--csv FILE`` pays a history of credited sales per
period instead (columns ``period``, ``credited_sales`` and optionally
``quota``) and saves ``pay_<plan>.csv``. Both call
:mod:`simulator.plans.payout`, the functions that pay reps in the model.

Bad input gives one line, ``salesim-pay: error: ...``, and exit status 2, as
``salesim`` does. Hydra, the CLI's error messages and matplotlib are imported
when the command runs, not when this module is imported, so that importing the
pure :func:`curve_table` and :func:`history_table` keeps the core free of them.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from salesim_cli.errors import OneLineParser, error_message, fail
from simulator.params import PERIOD_WEEKS, WEEKS_PER_QUARTER, WEEKS_PER_YEAR, SimParams, validate
from simulator.plans.payout import (
    INDIVIDUAL,
    Campaign,
    Commission,
    Component,
    PayState,
    Plan,
    compile_plan,
    earnings_curve,
)

PROG = "salesim-pay"
PERIOD_NAMES = {weeks: name for name, weeks in PERIOD_WEEKS.items()}
CSV_COLUMNS = ("period", "credited_sales", "quota")
PLOT_STEP = 0.0025  # attainment step of the drawn curve
NOT_PAY = ("attainment", "period", "credited_sales", "quota", "total", "effective_rate")


def _fail(message: str) -> NoReturn:
    fail(message, prog=PROG)


# ---------------------------------------------------------------- the tables


def curve_table(
    plan: Plan, annual_quota: float, step: float = 0.1, team_size: int = 8
) -> pd.DataFrame:
    """Annual pay by component for attainments 0% to 200% in steps of ``step``.

    Every period of the year ends at the row's attainment. Rank and team
    components assume the rep's peers, a team of ``team_size``, at 100% (see
    :func:`~simulator.plans.payout.earnings_curve`); campaigns are left out.
    ``effective_rate`` is variable pay over sales (NaN at 0%).
    """
    grid = np.round(np.arange(0.0, 2.0 + 1e-9, step), 6)
    att = np.union1d(grid, [1.0, 2.0])  # 100% and 200% whatever the step
    pay = earnings_curve(plan, att, annual_quota=annual_quota, team_size=team_size)
    table = pd.DataFrame({"attainment": att, **pay})
    table["total"] = table[list(pay)].sum(axis=1)
    sales = att * annual_quota
    variable = (table["total"] - table["base"]).to_numpy()
    table["effective_rate"] = np.divide(
        variable, sales, out=np.full(att.size, np.nan), where=sales > 0
    )
    return table


def unpriced_reason(comp: Component, row_weeks: int) -> str | None:
    """Why a component cannot be paid from rows of ``row_weeks`` weeks (None if it can).

    Rows must add up to the component's period; a cumulative commission is
    trued up at quarter ends, so its rows must end there. (Campaigns are never
    paid from rows: they depend on the week and segment of each deal.)
    """
    rows = f"{PERIOD_NAMES[row_weeks]}s ({row_weeks} weeks)"
    if comp.measure != "total":
        return f"it is paid on {comp.measure} bookings, and the rows give total bookings only"
    if isinstance(comp, Commission) and comp.cumulative:
        if WEEKS_PER_QUARTER % row_weeks and row_weeks != WEEKS_PER_YEAR:
            return f"it is trued up at quarter ends (every 13 weeks), which {rows} do not mark"
        return None
    if comp.period_weeks % row_weeks:
        period = PERIOD_NAMES[comp.period_weeks]
        return (
            f"it is measured per {period} ({comp.period_weeks} weeks), not a whole number of {rows}"
        )
    return None


def _state(comp: Component, credited: float, quota: float, team_size: int) -> PayState:
    """The rep alone, or (rank and team components) with peers at 100% of the same quota."""
    if isinstance(comp, INDIVIDUAL) or team_size <= 1:
        return PayState([credited], [quota])
    return PayState(np.r_[credited, np.full(team_size - 1, quota)], np.full(team_size, quota))


def _period_pay(
    plan: Plan, name: str, sales: np.ndarray, quota: np.ndarray, rows: int, team_size: int
) -> np.ndarray:
    """Pay of a component over ``rows`` rows at a time, in the row that ends its period."""
    comp = plan.components[name]
    pay = np.zeros(sales.size)
    for end in range(rows, sales.size + 1, rows):
        period = slice(end - rows, end)
        state = _state(comp, sales[period].sum(), quota[period].sum() * comp.quota_share, team_size)
        pay[end - 1] = plan.pay(name, state)[0]
    return pay


def _cumulative_pay(
    plan: Plan, name: str, sales: np.ndarray, quota: np.ndarray, row_weeks: int
) -> np.ndarray:
    """Year-to-date commission with true-up at each quarter end, as ``SalesModel._payouts``.

    Earned to date is the year's schedule on year-to-date attainment times the
    share of the year elapsed; each quarter end pays what is earned and not yet
    paid (never a claw-back); the count restarts each year.
    """
    rows_per_year = WEEKS_PER_YEAR // row_weeks
    pay = np.zeros(sales.size)
    paid = 0.0
    for i in range(sales.size):
        pos = i % rows_per_year
        if pos == 0:
            paid = 0.0
        weeks_elapsed = (pos + 1) * row_weeks
        if weeks_elapsed % WEEKS_PER_QUARTER:
            continue  # not a quarter end
        start = i - pos
        share = plan.components[name].quota_share
        ytd = PayState([sales[start : i + 1].sum()], [quota[start : i + 1].sum() * share])
        due = plan.pay(name, ytd)[0] * weeks_elapsed / WEEKS_PER_YEAR
        pay[i] = max(due - paid, 0.0)
        paid += pay[i]
    return pay


def history_table(
    plan: Plan, history: pd.DataFrame, period: str, annual_quota: float, team_size: int = 1
) -> pd.DataFrame:
    """Pay by component for each row (period) of a credited-sales history.

    Args:
        plan: the compiled plan.
        history: ``credited_sales`` per row in order, optionally ``quota`` (else
            ``annual_quota`` times the row's share of the year) and ``period``.
        period: length of a row: ``month`` (4 weeks), ``quarter`` or ``year``.
        annual_quota: the annual quota when ``history`` has no ``quota`` column.
        team_size: rank and team components rank or pool the rep with
            ``team_size - 1`` peers at 100% of the same quota (1: the rep alone).

    Returns:
        One row per period: sales, quota, base and each component's pay. A
        component measured over several rows pays in the row that ends its
        period (a yearly bonus at year end, on the year's sums); a cumulative
        commission pays its year-to-date true-up at each quarter end. A
        component these rows cannot pay (see :func:`unpriced_reason`) is NaN.
    """
    row_weeks = PERIOD_WEEKS[period]
    sales = history["credited_sales"].to_numpy(float)
    if "quota" in history:
        quota = history["quota"].to_numpy(float)
    else:
        quota = np.full(sales.size, annual_quota * row_weeks / WEEKS_PER_YEAR)
    periods = history["period"] if "period" in history else np.arange(1, sales.size + 1)
    table = pd.DataFrame(
        {
            "period": np.asarray(periods, int),
            "credited_sales": sales,
            "quota": quota,
            "base": plan.base_salary * row_weeks / WEEKS_PER_YEAR,
        }
    )
    for name, comp in plan.components.items():
        if isinstance(comp, Campaign):
            continue
        if unpriced_reason(comp, row_weeks):
            table[name] = np.nan
        elif isinstance(comp, Commission) and comp.cumulative:
            table[name] = _cumulative_pay(plan, name, sales, quota, row_weeks)
        else:
            rows = comp.period_weeks // row_weeks
            table[name] = _period_pay(plan, name, sales, quota, rows, team_size)
    pay_columns = [c for c in table.columns if c not in NOT_PAY]
    table["total"] = table[pay_columns].sum(axis=1, skipna=False)
    return table


def default_period(plan: Plan) -> str:
    """The plan's shortest pay period (a cumulative commission pays quarterly)."""
    weeks = [
        WEEKS_PER_QUARTER if isinstance(c, Commission) and c.cumulative else c.period_weeks
        for c in plan.components.values()
        if not isinstance(c, Campaign)
    ]
    return PERIOD_NAMES[min(weeks, default=WEEKS_PER_QUARTER)]


# ---------------------------------------------------------------- the CSV of sales


def read_history(path: Path) -> pd.DataFrame:
    """Read and check a credited-sales CSV; bad input stops with one line naming file, row, column.

    Columns: ``period`` (1, 2, ... in order), ``credited_sales`` (>= 0) and
    optionally ``quota`` (>= 0), in any order; no other column. Blank lines
    are skipped.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            lines = [(reader.line_num, row) for row in reader if "".join(row).strip()]
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        _fail(f"{path}: cannot read as CSV: {' '.join(str(err).split())}")
    if not lines:
        _fail(f"{path}: empty; needs a header: period, credited_sales, optionally quota")
    header = [name.strip() for name in lines[0][1]]
    for col in header:
        if col not in CSV_COLUMNS or header.count(col) > 1:
            problem = "repeated" if col in CSV_COLUMNS else "unknown"
            _fail(f"{path}: {problem} column {col!r}; allowed: {', '.join(CSV_COLUMNS)}")
    for col in CSV_COLUMNS[:2]:
        if col not in header:
            _fail(f"{path}: missing column {col!r}; needs period, credited_sales, optionally quota")
    if len(lines) == 1:
        _fail(f"{path}: no rows of credited sales")
    values: dict[str, list[float]] = {col: [] for col in header}
    for row, (line, fields) in enumerate(lines[1:], 1):
        where = f"{path}, row {row} (line {line})"
        if len(fields) != len(header):
            _fail(f"{where}: {len(fields)} fields; the header has {len(header)}")
        for col, text in zip(header, fields, strict=True):
            values[col].append(_number(f"{where}, column {col!r}", text))
        if values["period"][-1] != row:
            period = values["period"][-1]
            _fail(f"{where}, column 'period': {period:g}: periods must run 1, 2, 3, ... in order")
    return pd.DataFrame({col: values[col] for col in CSV_COLUMNS if col in values})


def _number(where: str, text: str) -> float:
    """``text`` as a finite number >= 0, or stop saying ``where``."""
    text = text.strip()
    if not text:
        _fail(f"{where}: empty; must be a number")
    try:
        value = float(text)
    except ValueError:
        _fail(f"{where}: {text!r} is not a number")
    if not math.isfinite(value) or value < 0:
        _fail(f"{where}: {text}: must be a finite number >= 0")
    return value


# ---------------------------------------------------------------- the figure


def plot_curve(table: pd.DataFrame, plan_name: str, path: Path) -> Path:
    """Save the earnings curve of :func:`curve_table` as a PNG (readable in grey scale).

    A fine step (``PLOT_STEP``) draws a bonus as the step it is, not as a ramp.
    One line per component (its own grey, dash pattern and marker) and the
    total in thick black, in thousands a year against attainment in percent.
    Drawn on matplotlib's Agg canvas directly: no pyplot, no display.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    x = table["attainment"].to_numpy() * 100
    dashes = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1))]
    markers = ["o", "s", "^", "D", "v", "x"]
    components = [c for c in table.columns if c not in NOT_PAY]
    every = max(1, len(x) // 10)
    greys = ["0.45", "0.2", "0.55", "0.3", "0.5", "0.35"]
    for i, col in enumerate(components):
        ax.plot(
            x,
            table[col] / 1000,
            linestyle=dashes[i % len(dashes)],
            marker=markers[i % len(markers)],
            markevery=every,
            markersize=4,
            color=greys[i % len(greys)],
            label=col,
        )
    ax.plot(x, table["total"] / 1000, color="black", linewidth=2.4, label="total")
    ax.axvline(100, color="0.6", linewidth=0.8, linestyle=":")
    ax.set_xlabel("attainment of quota, every period of the year (%)")
    ax.set_ylabel("annual pay (thousands, plan currency)")
    ax.set_title(f"Earnings curve of plan {plan_name!r}")
    ax.set_xlim(0, x.max())
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    return path


# ---------------------------------------------------------------- the command


def compose_params(overrides: list[str]) -> SimParams:
    """Compose ``conf/`` with Hydra overrides, as ``salesim`` does, and validate.

    Any error is bad input and stops with one line (with ``HYDRA_FULL_ERROR=1``
    set, the traceback is kept instead, as for ``salesim``).
    """
    from salesim_cli.config import compose_config

    try:
        params, _ = compose_config(overrides)
        return validate(params)
    except Exception as err:  # composing and converting is all input handling
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        _fail(error_message(err))


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="What a rep earns under a plan, by component, from the payout the "
        "model uses: annual pay for attainments 0%-200% (saved as a PNG and a CSV), "
        "or pay per period for a CSV of credited sales (--csv).",
        epilog="Overrides are salesim's (Hydra): plan=NAME, plan.commission.cap=1.5, "
        "org.quota_per_rep=2e6, ... Rank and team pay assume peers at 100% in a team "
        "of org.span_of_control; campaigns are not priced.",
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. plan=accelerated")
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="credited sales per period (columns period, credited_sales, optional quota)",
    )
    parser.add_argument(
        "--period",
        choices=tuple(PERIOD_WEEKS),
        help="length of a --csv row (default: the plan's shortest pay period)",
    )
    parser.add_argument(
        "--quota", type=float, metavar="Q", help="annual quota (default: org.quota_per_rep)"
    )
    parser.add_argument(
        "--step", type=float, default=0.1, metavar="S", help="attainment step (default: 0.1)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder for the PNG and CSV (default: the current folder)",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments, default ``sys.argv[1:]``)."""
    args = _parser().parse_intermixed_args(argv)
    if not 0 < args.step <= 2:
        _fail(f"--step = {args.step:g}: must be above 0 and at most 2")
    if args.quota is not None and not (math.isfinite(args.quota) and args.quota > 0):
        _fail(f"--quota = {args.quota:g}: must be a number above 0")
    if args.period is not None and args.csv is None:
        _fail("--period applies only with --csv")
    params = compose_params(args.overrides)
    plan = compile_plan(params.plan)
    quota = args.quota if args.quota is not None else params.org.quota_per_rep
    team_size = params.org.span_of_control
    history = read_history(args.csv) if args.csv is not None else None
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _fail(f"--out {args.out}: {err.strerror or err}")
    stem = re.sub(r"[^\w.-]", "_", plan.name)
    if history is None:
        _print_curve(plan, quota, args.step, team_size, args.out, stem)
    else:
        _print_history(plan, history, args.csv, args.period, quota, team_size, args.out, stem)


def _print_curve(
    plan: Plan, quota: float, step: float, team_size: int, out: Path, stem: str
) -> None:
    table = curve_table(plan, quota, step, team_size)
    csv_path = out / f"earnings_{stem}.csv"
    table.to_csv(csv_path, index=False)
    fine = curve_table(plan, quota, PLOT_STEP, team_size)
    png = plot_curve(fine, plan.name, out / f"earnings_{stem}.png")
    print(f"{plan.name}: annual pay by component, every period at the given attainment")
    print(f"(annual quota {quota:,.0f}{_assumptions(plan, team_size)})")
    shown = table.assign(attainment=[f"{a:.0%}" for a in table["attainment"]])
    money = {c: "{:,.0f}".format for c in table.columns if c not in NOT_PAY or c == "total"}
    rate = {"effective_rate": "{:.2%}".format}
    print(shown.to_string(index=False, formatters={**money, **rate}, na_rep="n/a"))
    print("effective_rate: variable pay (total - base) over sales")
    print(f"saved: {png} and {csv_path}")


def _print_history(
    plan: Plan,
    history: pd.DataFrame,
    csv: Path,
    period: str | None,
    quota: float,
    team_size: int,
    out: Path,
    stem: str,
) -> None:
    if period is None:
        period = default_period(plan)
        rows = f"rows per {period} (the plan's shortest period)"
    else:
        rows = f"--period {period}"
    row_weeks = PERIOD_WEEKS[period]
    for name, comp in plan.components.items():
        reason = None if isinstance(comp, Campaign) else unpriced_reason(comp, row_weeks)
        if reason:
            _fail(f"{rows}: cannot pay the {name} of plan {plan.name}: {reason}")
    table = history_table(plan, history, period, quota, team_size)
    csv_path = out / f"pay_{stem}.csv"
    table.to_csv(csv_path, index=False)
    shown = table.astype({"period": str})
    totals = table.drop(columns=["period", "quota"]).sum()
    shown.loc[len(shown)] = {"period": "total", "quota": np.nan, **totals}
    print(f"{plan.name}: pay per {period} for {csv}")
    if "quota" not in history:
        print(f"(quota per {period}: annual quota {quota:,.0f} x {row_weeks}/{WEEKS_PER_YEAR})")
    money = {c: "{:,.2f}".format for c in table.columns if c != "period"}
    print(shown.to_string(index=False, formatters=money, na_rep=""))
    for note in _history_notes(plan, len(table), row_weeks, team_size):
        print(f"note: {note}")
    print(f"saved: {csv_path}")


def _has_peers(plan: Plan) -> bool:
    return any(not isinstance(c, INDIVIDUAL) for c in plan.components.values())


def _has_campaign(plan: Plan) -> bool:
    return any(isinstance(c, Campaign) for c in plan.components.values())


def _assumptions(plan: Plan, team_size: int) -> str:
    notes = [f"rank and team pay with peers at 100% in a team of {team_size}"] * _has_peers(plan)
    notes += ["campaign not priced"] * _has_campaign(plan)
    return "".join(f"; {n}" for n in notes)


def _history_notes(plan: Plan, n_rows: int, row_weeks: int, team_size: int) -> list[str]:
    notes = []
    for name, comp in plan.components.items():
        if isinstance(comp, Campaign) or (isinstance(comp, Commission) and comp.cumulative):
            continue
        left = n_rows % (comp.period_weeks // row_weeks)
        if left:
            period = PERIOD_NAMES[comp.period_weeks]
            notes.append(f"the last {left} row(s) do not complete a {period}: no {name} for them")
    if _has_peers(plan):
        notes.append(f"rank and team pay assume peers at 100% in a team of {team_size}")
    if _has_campaign(plan):
        notes.append("campaign not priced (it depends on the week and segment of each deal)")
    return notes


if __name__ == "__main__":
    main()
