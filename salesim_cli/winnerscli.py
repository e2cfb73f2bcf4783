"""``salesim-winners``: which of your current reps gain and lose pay under a proposed plan.

    salesim-winners history.csv --plan accelerated
    salesim-winners history.csv --plan team --current quota_bonus --org my_team.yaml
    salesim-winners history.csv --plan capped --set manager.coaching_share=0.3 --out plan_b

Reads the team's history (the CSV of ``salesim-fit``), takes its current reps
and their attainment over the last four quarters, runs the organisation under
the current and the proposed plan on the same seeds, and gives each rep the
pay change of the rep at the same rank of attainment, with its 95% interval
(:mod:`simulator.winners`). The organisation is ``--org`` (a name in ``conf/org/``
or an org YAML file, such as the one ``salesim-fit`` writes); without it, the
default organisation sized to the team (its current reps and teams).

Writes to ``--out`` (default ``./winners``): ``winners.csv`` (one row per rep),
``pay_by_rank.csv`` (the pay curves), ``winners.md`` (the report to forward) and
``winners.png`` (the change by rank, each rep marked). Bad input is one line
and exit status 2, with nothing written.
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
from pathlib import Path
from typing import NoReturn

import pandas as pd
from matplotlib.figure import Figure

from salesim_cli.errors import OneLineParser, fail
from salesim_cli.paycli import compose_params
from simulator.history import HistoryError, read_history
from simulator.io import write_atomic
from simulator.winners import GAINS, LOSES, UNCLEAR, WinnersResult, current_reps, winners_and_losers

PROG = "salesim-winners"


def _fail(message: str) -> NoReturn:
    fail(message, PROG)


def _money(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.0f}"


def _pct(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:+.1%}"


def report_markdown(result: WinnersResult, history: Path, current: str, proposed: str) -> str:
    """``winners.md``: the headline count, the method in two sentences, and one row per rep."""
    reps = result.reps
    count = reps["verdict"].value_counts()
    lines = [
        f"# Winners and losers: {proposed} against {current}",
        "",
        f"Team: `{history}`, {len(reps)} current reps. Simulated: {result.replications} "
        f"replications of each plan on the same seeds (seed {result.seed}).",
        "",
        f"**{count.get(GAINS, 0)} gain, {count.get(LOSES, 0)} lose, {count.get(UNCLEAR, 0)} "
        "unclear** (a rep gains or loses when the 95% interval of the change excludes 0). "
        f"Their pay together: {_money(reps['pay_current'].sum())} now, "
        f"{_money(reps['pay_proposed'].sum())} proposed "
        f"({_pct(reps['change'].sum() / reps['pay_current'].sum())}).",
        "",
        "How to read it: each rep is placed by attainment over the last four quarters "
        "(percentile among the current reps); the change is what the rep at that rank earns "
        "a year under the proposed plan minus under the current one, in the simulated "
        "organisation, mean and 95% interval over replications. It assumes a rep keeps its "
        "rank when the plan changes: a plan that reorders reps (team pools, segment "
        "measures) moves people this view cannot see.",
        "",
        "| rep | team | attainment | percentile | pay now | pay proposed | change | "
        "95% interval | change % | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in reps.itertuples():
        lines.append(
            f"| {r.rep_id} | {r.team} | {r.attainment:.0%} | {r.percentile:.0%} | "
            f"{_money(r.pay_current)} | {_money(r.pay_proposed)} | {_money(r.change)} | "
            f"[{_money(r.change_low)}, {_money(r.change_high)}] | {_pct(r.change_pct)} | "
            f"{r.verdict} |"
        )
    lines += ["", "![pay change by rank](winners.png)", ""]
    return "\n".join(lines)


def plot(result: WinnersResult, current: str, proposed: str) -> Figure:
    """The change in annual pay by rank (mean and 95% band), each current rep marked."""
    fig = Figure(figsize=(8.0, 4.5), layout="constrained")
    ax = fig.subplots()
    c = result.curves
    ax.fill_between(
        100 * c["percentile"], c["change_low"], c["change_high"], alpha=0.25, label="95% interval"
    )
    ax.plot(100 * c["percentile"], c["change"], label="change at each rank")
    ax.axhline(0.0, color="black", linewidth=0.8)
    colours = {GAINS: "tab:green", LOSES: "tab:red", UNCLEAR: "tab:grey"}
    for verdict, colour in colours.items():
        reps = result.reps[result.reps["verdict"] == verdict]
        if len(reps):
            ax.scatter(
                100 * reps["percentile"], reps["change"], color=colour, label=verdict, zorder=3
            )
    ax.set_xlabel("rank of attainment among reps (percentile)")
    ax.set_ylabel("change in annual pay")
    ax.set_title(f"Pay under {proposed} minus {current}, by rank")
    ax.legend(loc="best", fontsize="small")
    return fig


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Which of your current reps gain and lose pay under a proposed plan: "
        "the organisation simulated under both plans on the same seeds, each rep read at "
        "its rank of attainment, with 95% intervals.",
    )
    add = parser.add_argument
    add("history", type=Path, help="the team's history CSV (as for salesim-fit)")
    add("--plan", required=True, help="the proposed plan (a name in conf/plan/)")
    add("--current", help="the current plan (default: the organisation's own)")
    add("--org", help="the organisation: a name in conf/org/ or an org YAML file")
    add("--set", action="append", default=[], metavar="KEY=VALUE", help="an override; repeat")
    add("--replications", type=int, default=20, help="replications of each plan (20)")
    add("--seed", type=int, default=0, help="seed the replications are spawned from (0)")
    add("--workers", type=int, default=1, help="parallel processes (1)")
    add("--out", type=Path, default=Path("winners"), metavar="DIR", help="output folder")
    add("--no-progress", action="store_true", help="no progress bar")
    return parser


def _org_overrides(org: str | None, reps: pd.DataFrame, tmp: Path) -> list[str]:
    """Overrides naming the organisation; without ``--org``, the default sized to the team."""
    if org is None:
        teams = max(reps["team"].nunique(), 1)
        return [f"org.n_reps={len(reps)}", f"org.span_of_control={math.ceil(len(reps) / teams)}"]
    path = Path(org)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            _fail(f"--org {org}: no such file")
        (tmp / "org").mkdir()
        shutil.copyfile(path, tmp / "org" / "leader.yaml")
        return ["org=leader", f"hydra.searchpath=[file://{tmp}]"]
    return [f"org={org}"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments, default ``sys.argv[1:]``)."""
    args = _parser().parse_args(argv)
    for name, least in (("replications", 2), ("workers", 1), ("seed", 0)):
        if getattr(args, name) < least:
            _fail(f"--{name} = {getattr(args, name)}: must be at least {least}")
    try:
        history = read_history(args.history)
    except HistoryError as err:
        _fail(str(err))
    reps = current_reps(history)
    if reps.empty:
        _fail(f"{args.history}: no rep is in seat in the last quarter")
    with tempfile.TemporaryDirectory() as tmp:
        base = [*_org_overrides(args.org, reps, Path(tmp)), *args.set]
        current = compose_params([*base, *([f"plan={args.current}"] if args.current else [])])
        proposed = compose_params([*base, f"plan={args.plan}"])
    from tqdm import tqdm

    with tqdm(total=2 * args.replications, unit="run", disable=args.no_progress) as bar:
        result = winners_and_losers(
            history,
            current,
            proposed,
            args.replications,
            args.seed,
            args.workers,
            progress=lambda done: bar.update(done - bar.n),
        )
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _fail(f"--out {args.out}: {err.strerror or err}")
    names = (current.plan.name, proposed.plan.name)
    out = args.out
    write_atomic(out / "winners.csv", lambda p: result.reps.to_csv(p, index=False))
    write_atomic(out / "pay_by_rank.csv", lambda p: result.curves.to_csv(p, index=False))
    write_atomic(
        out / "winners.png", lambda p: plot(result, *names).savefig(p, dpi=110, format="png")
    )
    text = report_markdown(result, args.history, *names)
    write_atomic(out / "winners.md", lambda p: p.write_text(text, encoding="utf-8"))
    count = result.reps["verdict"].value_counts()
    print(
        f"{names[1]} against {names[0]}: {count.get(GAINS, 0)} of {len(result.reps)} current "
        f"reps gain, {count.get(LOSES, 0)} lose, {count.get(UNCLEAR, 0)} unclear "
        "(95% intervals)"
    )
    print(f"saved: {out / 'winners.md'}, winners.csv, pay_by_rank.csv, winners.png")


if __name__ == "__main__":
    main()
