"""``salesim-pay``: what a rep earns under a plan, from the same pure payout the model uses.

``salesim-pay plan=NAME [plan.*=...]`` prints annual pay by component for
attainments from 0% to 200% and saves the earnings curve as a PNG and a CSV.
``--csv FILE`` instead pays a history of credited sales per period (columns
``period``, ``credited_sales`` and optionally ``quota``). Bad input gives one
line, ``salesim-pay: error: ...``, and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from simulator.params import PERIOD_WEEKS, WEEKS_PER_YEAR, ParamError, SimParams, validate
from simulator.plans.payout import (
    Campaign,
    Commission,
    PayState,
    Plan,
    compile_plan,
    earnings_curve,
)

PROG = "salesim-pay"


def _fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def compose_params(overrides: list[str]) -> SimParams:
    """Compose ``conf/`` with Hydra overrides and convert to validated parameters."""
    from hydra import compose, initialize_config_module

    from simulator.cli import error_message
    from simulator.config import to_params

    try:
        with initialize_config_module(config_module="simulator.conf", version_base="1.3"):
            cfg = compose("config", overrides=overrides)
        params, _ = to_params(cfg)
        return validate(params)
    except Exception as err:  # every composition or validation error is bad input here
        _fail(error_message(err) if not isinstance(err, ParamError) else str(err))


def curve_table(plan: Plan, annual_quota: float, step: float, team_size: int) -> pd.DataFrame:
    """Annual pay by component for attainments 0..200% (peers and team at 100%)."""
    att = np.round(np.arange(0.0, 2.0 + 1e-9, step), 6)
    pay = earnings_curve(plan, att, annual_quota=annual_quota, team_size=team_size)
    table = pd.DataFrame({"attainment": att, **pay})
    table["total"] = table[[c for c in pay]].sum(axis=1)
    sales = att * annual_quota
    variable = table["total"] - table["base"]
    table["variable_rate"] = np.divide(variable, sales, out=np.zeros(len(att)), where=sales > 0)
    return table


def history_table(
    plan: Plan, history: pd.DataFrame, period: str, annual_quota: float
) -> pd.DataFrame:
    """Pay by component for each period of a credited-sales history.

    Components measured over longer periods than the rows pay when their
    period ends (a yearly bonus in the row that closes the year); a cumulative
    commission pays its year-to-date true-up at every quarter's end, as in the
    model; campaigns are not priced here (they depend on deal dates).
    """
    weeks = PERIOD_WEEKS[period]
    per_year = WEEKS_PER_YEAR // weeks
    quota = (
        history["quota"].to_numpy(float)
        if "quota" in history
        else np.full(len(history), annual_quota * weeks / WEEKS_PER_YEAR)
    )
    sales = history["credited_sales"].to_numpy(float)
    rows = []
    paid_ytd = 0.0
    for i in range(len(history)):
        row = {
            "period": int(history["period"].iloc[i]),
            "credited_sales": sales[i],
            "quota": quota[i],
            "base": plan.base_salary * weeks / WEEKS_PER_YEAR,
        }
        pos = i % per_year  # position in the year
        year_start = i - pos
        for name, comp in plan.components.items():
            if isinstance(comp, Campaign):
                continue
            span = max(1, comp.period_weeks // weeks)
            ends = (pos + 1) % span == 0
            if isinstance(comp, Commission) and comp.cumulative:
                quarter_end = ((pos + 1) * weeks) % 13 == 0 or pos + 1 == per_year
                if not quarter_end:
                    row[name] = 0.0
                    continue
                ytd = PayState([sales[year_start : i + 1].sum()], [quota[year_start : i + 1].sum()])
                elapsed = (pos + 1) / per_year  # share of the year's target earned so far
                due = float(plan.pay(name, ytd)[0]) * elapsed
                row[name] = max(due - paid_ytd, 0.0)
                paid_ytd += row[name]
                if pos + 1 == per_year:
                    paid_ytd = 0.0
                continue
            if not ends:
                row[name] = 0.0
                continue
            lo = i + 1 - span
            state = PayState([sales[lo : i + 1].sum()], [quota[lo : i + 1].sum()])
            row[name] = float(plan.pay(name, state)[0])
        rows.append(row)
        if pos + 1 == per_year:
            paid_ytd = 0.0
    table = pd.DataFrame(rows)
    pay_cols = ["base"] + [n for n, c in plan.components.items() if not isinstance(c, Campaign)]
    table["total"] = table[pay_cols].sum(axis=1)
    return table


def read_history(path: Path) -> pd.DataFrame:
    """Read and check a credited-sales CSV; one-line errors naming the file, row and column."""
    try:
        df = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        _fail(f"{path}: cannot read as CSV ({type(err).__name__})")
    missing = [c for c in ("period", "credited_sales") if c not in df.columns]
    if missing:
        _fail(
            f"{path}: missing column {missing[0]!r}; needs period, credited_sales "
            "and optionally quota"
        )
    for col in [c for c in ("period", "credited_sales", "quota") if c in df.columns]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(float, na_value=np.nan))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # header is line 1
            _fail(f"{path}: line {row}, column {col!r}: {df[col].iloc[row - 2]!r} is not a number")
        if (values < 0).any():
            row = int(np.flatnonzero((values < 0).to_numpy())[0]) + 2
            _fail(f"{path}: line {row}, column {col!r}: {values.iloc[row - 2]:g} must be >= 0")
        df[col] = values
    return df


def plot_curve(table: pd.DataFrame, plan_name: str, path: Path) -> Path:
    """Save the earnings curve: pay by component against attainment (grey-scale safe)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1))]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    comps = [c for c in table.columns if c not in ("attainment", "total", "variable_rate")]
    x = table["attainment"] * 100
    for i, col in enumerate(comps):
        ax.plot(
            x,
            table[col] / 1000,
            linestyle=styles[i % len(styles)],
            color=str(0.15 + 0.12 * i),
            label=col,
        )
    ax.plot(x, table["total"] / 1000, color="black", linewidth=2.2, label="total")
    ax.set_xlabel("attainment of quota (%)")
    ax.set_ylabel("annual pay (thousands)")
    ax.set_title(f"Earnings curve: {plan_name}")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="What a rep earns under a plan, by component.",
        epilog="Overrides are Hydra's: plan=NAME, plan.commission.cap=1.5, ...",
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. plan=accelerated")
    parser.add_argument("--csv", type=Path, help="credited sales per period to pay instead")
    parser.add_argument(
        "--period",
        choices=tuple(PERIOD_WEEKS),
        help="length of a --csv row (default: the plan's shortest period)",
    )
    parser.add_argument("--quota", type=float, help="annual quota (default org.quota_per_rep)")
    parser.add_argument("--step", type=float, default=0.1, help="attainment step (default 0.1)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for PNG and CSV")
    args = parser.parse_args(argv)
    if args.step <= 0 or args.step > 2:
        _fail(f"--step = {args.step:g}: must be above 0 and at most 2")
    params = compose_params(args.overrides)
    if args.quota is not None and not args.quota > 0:
        _fail(f"--quota = {args.quota:g}: must be above 0")
    plan = compile_plan(params.plan)
    quota = args.quota or params.org.quota_per_rep
    args.out.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 160)
    if args.csv is not None:
        history = read_history(args.csv)
        period = args.period or _shortest_period(plan)
        table = history_table(plan, history, period, quota)
        print(f"{plan.name}: pay per {period} for {args.csv}")
        print(table.round(2).to_string(index=False))
        print(f"total pay: {table['total'].sum():,.2f}")
        return
    table = curve_table(plan, quota, args.step, params.org.span_of_control)
    csv_path = args.out / f"earnings_{plan.name}.csv"
    table.to_csv(csv_path, index=False)
    png = plot_curve(table, plan.name, args.out / f"earnings_{plan.name}.png")
    shown = table.copy()
    shown["attainment"] = (shown["attainment"] * 100).round().astype(int).astype(str) + "%"
    print(
        f"{plan.name}: annual pay by component (annual quota {quota:,.0f}; team and rank "
        f"components assume peers at 100% and a team of {params.org.span_of_control})"
    )
    print(shown.round(3).to_string(index=False))
    print(f"saved: {png} and {csv_path}")


def _shortest_period(plan: Plan) -> str:
    weeks = min(plan.periods) if plan.periods else 13
    return {v: k for k, v in PERIOD_WEEKS.items()}[weeks]


if __name__ == "__main__":
    main()
