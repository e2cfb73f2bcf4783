"""``salesim-fit``: your own team's history, checked, summarised and fitted.

    salesim-fit history.csv                  # check, print the summary, write fit/
    salesim-fit history.csv --out my_fit     # another folder
    salesim-fit history.csv --json           # the summary as JSON on stdout
    salesim-fit history.csv --fit --name my_team [--trials 100 --replications 4 --seed 0]

Reads a rep x quarter export (:mod:`simulator.history`: ``rep_id``, ``team``,
``period``, ``quota``, ``credited_sales``; optionally ``hire_date``,
``exit_date``, ``exit_kind``, ``segment``, ``deals_won``, ``pay_total``), checks
it, prints its summary (:mod:`simulator.history_summary`: attainment of full
years, concentration, turnover by kind, tenure and performance, ramp,
first-year sales, seasonality, persistence) and writes it to
``history_summary.json`` in ``--out`` (default ``./fit``).

``--fit`` then fits the organisation to it (:mod:`simulator.history_study`):
the shape is read from the file (seats, span of control, years) and territory
spread, quota difficulty, quit hazard, onboarding and seasonality are estimated
by simulated moments (an Optuna TPE study in ``--out``/history_fit.db, resumed
by the same command), and writes ``org/NAME.yaml`` (run it with
``salesim org=NAME hydra.searchpath=[file://OUT]``), ``fit_report.md``,
``fit_moments.png`` and ``fit.json`` (:mod:`salesim_cli.fit_report`). Needs
Optuna (``pip install 'salesim[fit]'``). A simulation of 60 reps for a
warm-up year and 4 years takes about 0.6 s on one core, so the defaults (100
trials x 4 replications, a recheck of 5 x 8) take 5-10 minutes; a rerun of
the same command resumes the study. ``docs/history.md`` has the method, the
outputs and the parameter recovery on the shipped example.

A bad file or argument gives one line, ``salesim-fit: error: ...``, exit
status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path
from typing import NoReturn

from salesim_cli.errors import OneLineParser, fail
from simulator.history import OPTIONAL, REQUIRED, HistoryError, read_history
from simulator.history_summary import summarise_history
from simulator.io import json_value, write_atomic, write_json

PROG = "salesim-fit"
SUMMARY_FILE = "history_summary.json"
STUDY_FILE = "history_fit.db"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
#: the search's defaults: trials, replications per trial, bootstrap draws
TRIALS, REPLICATIONS, DRAWS = 100, 4, 200
TENURE_LABELS = {"lt1y": "< 1 year", "1to2y": "1-2 years", "2yplus": "2+ years"}


def _fail(message: str) -> NoReturn:
    fail(message, PROG)


def _pct(value: float, digits: int = 0) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}%}"


def _num(value: float, fmt: str = ".1f") -> str:
    return "n/a" if value is None or math.isnan(value) else format(value, fmt)


def summary_text(path: Path, s: dict) -> str:
    """What the command prints: the summary in a few short sections."""
    lines = [
        f"{path}: {s['reps']} reps in {s['teams']} teams, {s['first_period']}-{s['last_period']} "
        f"({s['quarters']} quarters, {s['rows']} rows; {s['headcount_mean']:.1f} reps in seat "
        "on average)",
        f"attainment of a full year ({s['rep_years_full']} rep-years in seat all year):",
        f"  median {_pct(s['attainment_median'])}, p10 {_pct(s['attainment_p10'])}, "
        f"p90 {_pct(s['attainment_p90'])}, mean {_pct(s['attainment_mean'])}; "
        f"at or above quota {_pct(s['share_at_quota'])}",
        f"  top 20% of reps: {_pct(s['top20_revenue_share'])} of the credited sales; "
        f"year-on-year correlation {_num(s['attainment_yoy_corr'], '.2f')} "
        f"({s['yoy_pairs']} reps in consecutive years)",
        f"turnover a year, per rep in seat: total {_pct(s['turnover_total'], 1)}, voluntary "
        f"{_pct(s['turnover_voluntary'], 1)}, involuntary {_pct(s['turnover_involuntary'], 1)} "
        f"({s['exits']} exits"
        + (f", {s['exits_inferred']} read from rows that stop)" if s["exits_inferred"] else ")"),
    ]
    groups = {
        "tenure": [(f"tenure_{k}", v) for k, v in TENURE_LABELS.items()],
        "last quarter's attainment": [
            (f"{k}_tercile", f"{k} third") for k in ("low", "mid", "high")
        ],
    }
    for name, cells in groups.items():
        for kind in ("total", "voluntary"):
            rates = ", ".join(
                f"{label} {_pct(s[f'turnover_{kind}_{key}'], 1)}" for key, label in cells
            )
            lines.append(f"  {kind} by {name}: {rates}")
    lines.append(
        f"ramp: median {_num(s['ramp_months_median'])} months from hire to a quarter at 80% of "
        f"the median seasoned rep's sales ({s['new_hires_ramped']} of {s['new_hires']} hires "
        "within the history got there)"
    )
    shares = ", ".join(f"Q{q} {_pct(s[f'sales_share_q{q}'])}" for q in range(1, 5))
    lines.append(f"seasonality, share of a complete year's sales: {shares}")
    extras = []
    if "cost_of_sales" in s:
        extras.append(f"pay is {_pct(s['cost_of_sales'], 1)} of credited sales")
    if "deals_won_per_rep_year" in s:
        extras.append(f"{_num(s['deals_won_per_rep_year'])} deals won per rep-year")
    if extras:
        lines.append("; ".join(extras))
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Check your own team's history (one row per rep and quarter) and "
        "summarise it in the moments the model reports: attainment, concentration, "
        "turnover by kind, tenure and performance, ramp, seasonality; with --fit, fit the "
        "organisation to it (territory spread, quota difficulty, quit hazard, onboarding, "
        "seasonality) and write org/NAME.yaml, fit_report.md, fit_moments.png and fit.json.",
        epilog=f"Columns, required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)}. "
        "period: a quarter like 2024Q1 or its first day like 2024-01-01; quota above 0; "
        "credited_sales 0 or more; dates as 2023-09-15; exit_kind voluntary or involuntary. "
        "Example: scenarios/history/example_history.csv (written by the model). "
        "Bad input: one line naming the row and column, exit status 2, nothing written.",
    )
    parser.add_argument("history", type=Path, help="the history CSV")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("fit"),
        metavar="DIR",
        help=f"folder for {SUMMARY_FILE} (default: ./fit)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as JSON instead of text"
    )
    fit = parser.add_argument_group("fitting (--fit; needs optuna: pip install 'salesim[fit]')")
    fit.add_argument("--fit", action="store_true", help="fit the organisation to the history")
    fit.add_argument("--name", default="fitted", help="the org config's name (default: fitted)")
    fit.add_argument(
        "--trials", type=int, default=TRIALS, help=f"trials of the search (default {TRIALS})"
    )
    fit.add_argument(
        "--replications",
        type=int,
        default=REPLICATIONS,
        help=f"simulations per trial, 2 or more (default {REPLICATIONS})",
    )
    fit.add_argument("--seed", type=int, default=0, help="the simulations' seed (default 0)")
    fit.add_argument("--draws", type=int, default=DRAWS, help=f"bootstrap draws (default {DRAWS})")
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _check_fit_args(args: argparse.Namespace) -> None:
    """Refuse bad fitting arguments in one line, before anything is read or written."""
    if not args.fit:
        given = [
            f"--{k}"
            for k in ("trials", "replications", "draws", "seed", "name")
            if getattr(args, k) != _parser().get_default(k)
        ]
        if given:
            _fail(f"{given[0]} is for fitting: add --fit")
        return
    if args.json:
        _fail("--json prints the summary only; leave it out with --fit")
    if args.trials < 1:
        _fail(f"--trials {args.trials}: must be 1 or more")
    if args.replications < 2:
        _fail(f"--replications {args.replications}: must be 2 or more (a simulated interval)")
    if args.draws < 2:
        _fail(f"--draws {args.draws}: must be 2 or more (an observed interval)")
    if args.seed < 0:
        _fail(f"--seed {args.seed}: must be 0 or more")
    if not NAME.match(args.name):
        _fail(
            f"--name {args.name!r}: must start with a letter and hold only letters, digits, "
            "'_' and '-' (it names conf/org/NAME.yaml)"
        )
    try:
        import optuna  # noqa: F401
    except ImportError:
        _fail("--fit needs optuna: pip install 'salesim[fit]'")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments, default ``sys.argv[1:]``)."""
    args = _parser().parse_args(argv)
    _check_fit_args(args)
    try:
        history = read_history(args.history)
        summary = summarise_history(history)
    except HistoryError as err:
        _fail(str(err))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _fail(f"--out {args.out}: {err.strerror or err}")
    data = {"history": str(args.history), **summary}
    saved = write_atomic(args.out / SUMMARY_FILE, lambda p: write_json(p, data))
    if args.json:
        print(json.dumps({k: json_value(v) for k, v in data.items()}, indent=2))
        return
    print(summary_text(args.history, summary))
    print(f"saved: {saved}")
    if not args.fit:
        print(f"next: salesim-fit {args.history} --fit --name NAME fits the organisation to it")
        return
    _fit(args, history)


def _fit(args: argparse.Namespace, history) -> None:
    """Fit, write the outputs, and print where they are and how the moments came out."""
    from salesim_cli.fit_report import write_outputs
    from simulator.history_study import fit_history

    fit = fit_history(
        history,
        args.out / STUDY_FILE,
        trials=args.trials,
        replications=args.replications,
        check_replications=2 * args.replications,
        seed=args.seed,
        draws=args.draws,
        progress=not args.quiet,
    )
    paths = write_outputs(fit, args.out, args.name, str(args.history))
    estimate = ", ".join(f"{k} {v:.3g}" for k, v in fit.estimate.items())
    used = [m for m in fit.moments if m.in_loss]
    inside = sum(m.inside for m in used)
    print(f"fitted in {fit.seconds / 60:.1f} min ({fit.trials} trials): {estimate}")
    print(f"{inside} of {len(used)} moments simulated inside the observed 95% intervals")
    if fit.unidentified():
        print(
            f"not identified by this file (its moments are missing): "
            f"{', '.join(fit.unidentified())}; see fit_report.md"
        )
    print("saved: " + ", ".join(str(p) for p in paths))
    print(f"run it: salesim org={args.name} hydra.searchpath=[file://{args.out.resolve()}]")


if __name__ == "__main__":
    main()
