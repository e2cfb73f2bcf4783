"""The validation report: verdict table, one figure per fact, and the calibration bands.

Functions here take results tables and verdicts and write files; they never run the model.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.validation.facts import Verdict, interval  # noqa: E402

SWEEP_SKIP = {"experiment", "replication", "seed"}


def num(x: float) -> str:
    """A number in 4 significant digits (``nan`` when not finite)."""
    return f"{x:.4g}" if np.isfinite(x) else "nan"


def arm_columns(table: pd.DataFrame) -> list[str]:
    """The sweep parameters of a results table (override columns, which contain a dot or are
    config groups)."""
    return [
        c for c in table.columns if ("." in c or c in ("plan", "quota")) and c not in SWEEP_SKIP
    ]


def figure(verdict: Verdict, table: pd.DataFrame, path: Path) -> None:
    """Each plotted metric by arm: mean and 95% interval over replications."""
    metrics = verdict.fact.plot
    cols = arm_columns(table)
    groups = list(table.groupby(cols, sort=False)) if cols else [("all", table)]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, (metric, label) in zip(axes[0], metrics, strict=True):
        means, errs, names = [], [], []
        for key, rows in groups:
            key = key if isinstance(key, tuple) else (key,)
            mean, lo, _ = interval(rows[metric].to_numpy(float))
            means.append(mean)
            errs.append(mean - lo if np.isfinite(lo) else 0.0)
            names.append("\n".join(str(k) for k in key))
        x = np.arange(len(means))
        ax.errorbar(x, means, yerr=errs, fmt="o", capsize=4, color="tab:blue")
        ax.set_xticks(x, names, fontsize=8)
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{verdict.fact.title} ({', '.join(cols)}; mean and 95% CI)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def verdict_rows(verdicts: list[Verdict]) -> list[str]:
    """The summary table: fact, source, headline measure with CI, expected, verdict."""
    lines = [
        "| Fact | Source | Measured (95% CI) | Expected | Verdict |",
        "|---|---|---|---|---|",
    ]
    for v in verdicts:
        c = v.headline
        measured = f"{c.claim}: {num(c.estimate)} [{num(c.ci_low)}, {num(c.ci_high)}]"
        lines.append(
            f"| {v.fact.title} | {v.fact.source} | {measured} | {v.fact.published} "
            f"({c.expected}) | {'pass' if v.passed else '**FAIL**'} |"
        )
    return lines


def check_rows(verdict: Verdict) -> list[str]:
    """Every check of one fact."""
    lines = ["| Check | Estimate | 95% CI | Expected | Verdict |", "|---|---|---|---|---|"]
    for c in verdict.checks:
        lines.append(
            f"| {c.claim} | {num(c.estimate)} | [{num(c.ci_low)}, {num(c.ci_high)}] | "
            f"{c.expected} | {'pass' if c.passed else '**FAIL**'} |"
        )
    return lines


def calibration_rows(table: pd.DataFrame) -> list[str]:
    """The MODEL.md section 4 bands against the default organisation."""
    lines = ["| Metric | Band | Mean | 95% CI | Inside |", "|---|---|---|---|---|"]
    for metric, r in table[table["inside"].notna()].iterrows():
        lines.append(
            f"| {metric} | {r.band_lo:g}-{r.band_hi:g} | {num(r['mean'])} | "
            f"[{num(r.ci_lo)}, {num(r.ci_hi)}] | {'yes' if r.inside else '**NO**'} |"
        )
    return lines


def write_checks(out: Path, verdicts: list[Verdict]) -> Path:
    """Write ``out/checks.json``: every check's estimate, interval, sd, n and verdict.

    The reduced validation in the test suite compares against these numbers.
    """
    payload = {v.fact.key: [dataclasses.asdict(c) for c in v.checks] for v in verdicts}
    path = out / "checks.json"
    path.write_text(json.dumps(payload, indent=1, default=float) + "\n")
    return path


def write_evidence(out: Path, verdicts: list) -> Path:
    """Write ``out/evidence_results.json``: every finding's estimate, sd, n, verdicts and values.

    ``values`` are the finding's number in each replication, in seed order, so
    that two reads on the same seeds are compared pair by pair
    (:mod:`experiments.estimation.compare`).

    The reduced evidence check of the test suite compares against these
    numbers, so a fitted default that drifts fails it.
    """
    payload = {
        v.finding.id: {
            "split": v.finding.split,
            "mean": v.estimate.mean,
            "ci_low": v.estimate.ci_low,
            "ci_high": v.estimate.ci_high,
            "sd": v.estimate.se * np.sqrt(v.estimate.n) if v.estimate.n else float("nan"),
            "n": v.estimate.n,
            "direction_ok": v.direction_ok,
            "direction_reading": v.direction_reading,
            "size_ok": v.size_ok,
            "size_settled": v.size_settled,
            "ratio": v.ratio,
            "values": list(v.estimate.values),
        }
        for v in verdicts
    }
    path = out / "evidence_results.json"
    path.write_text(json.dumps(payload, indent=1, default=float) + "\n")
    return path


def evidence_section(
    verdicts: list, replications: int, used: dict[str, int] | None = None
) -> list[str]:
    """The report's evidence section: headline counts by split and the table per finding.

    ``used``: experiment -> replications per arm, where the powered rule
    (:func:`experiments.estimation.moments.powered_replications`) ran more than
    ``replications``.
    """
    from experiments.estimation.moments import (
        POWER_HALF_WIDTH,
        POWER_MAX_REPLICATIONS,
        held_out_terms,
        loss_spread,
        loss_terms,
    )
    from experiments.estimation.report import counts, finding_rows, headline_rows

    train, test = counts(verdicts, "train"), counts(verdicts, "test")
    findings = [v.finding for v in verdicts]
    estimates = {v.finding.id: v.estimate for v in verdicts}
    train_terms, test_terms = loss_terms(findings, estimates), held_out_terms(findings, estimates)
    train_loss, test_loss = sum(train_terms.values()), sum(test_terms.values())
    terms = {**train_terms, **test_terms}
    powered = {k: n for k, n in sorted((used or {}).items()) if n > replications}
    power = (
        [
            "",
            f"Powered replications: an effect whose 95% interval at {replications} "
            f"replications was wider than {POWER_HALF_WIDTH:g} times the published effect on "
            "either side was run again with the replications that bring it there (from the "
            f"spread, never the mean; at most {POWER_MAX_REPLICATIONS}), on the same seeds "
            "extended: " + ", ".join(f"`{k}` {n}" for k, n in powered.items()) + ".",
        ]
        if powered
        else []
    )
    return [
        "## The evidence base, scored on size",
        "",
        f"Every finding of `validation/evidence.yaml` ({len(verdicts)}), simulated with "
        f"{replications} paired replications per arm. Train findings are the ones "
        "`make calibrate` fits; test findings never enter the fit. Direction: the 95% "
        "interval lies wholly on the published side of 0 (of 1 for ratios). Size: a level "
        "inside the published band (or within a factor 2 of the value); an effect within a "
        "factor 2 of the published one (ratio = simulated / published). A direction not "
        "right is *opposite* when the interval lies wholly on the other side (the model "
        "contradicts the finding) and *open* when it spans 0 (these replications cannot tell). "
        "A size verdict marked *(edge)* has an interval that straddles the edge of what passes "
        "(a band's bound, or a factor 2): the mean decides it, and more replications could "
        "turn it.",
        *power,
        "",
        f"**Train: direction {train['direction_ok']} of {train['direction_judged']} "
        f"({train['direction_opposite']} opposite), size {train['size_ok']} of "
        f"{train['size_judged']} ({train['size_edge']} at the edge). Test: direction "
        f"{test['direction_ok']} of {test['direction_judged']} ({test['direction_opposite']} "
        f"opposite), size {test['size_ok']} of {test['size_judged']} ({test['size_edge']} at "
        "the edge).**",
        "",
        f"Loss (the fit's objective, `experiments/estimation/moments.py`, at these "
        f"replications): train {train_loss:.2f} (standard error "
        f"{loss_spread(findings, estimates, 'train'):.2f}); the same terms over the test "
        f"findings, held out of every fit, {test_loss:.2f} (standard error "
        f"{loss_spread(findings, estimates, 'test'):.2f}). A standard error is the loss's "
        "spread from the simulation's noise alone (a parametric bootstrap of each finding's "
        "mean): two reads whose losses differ by less than about twice their combined error "
        "do not tell which point fits better (`python -m experiments.estimation.compare A "
        "B` reads two). The last column is each finding's term.",
        "",
        *headline_rows(verdicts),
        "",
        *finding_rows(verdicts, terms, replications=replications),
        "",
    ]


def steady_section(verdicts: pd.DataFrame, by_year: pd.DataFrame, seeds: int) -> list[str]:
    """The report's steady-state section: levels by year and the drift verdicts."""
    lines = [
        "## Steady state",
        "",
        f"The default organisation over {len(by_year)} evaluation years and {seeds} seeds "
        "(`experiments/validation/steady.py`): mean by year, then each level's slope per "
        "year (mean of the runs' fitted slopes, 95% interval). A level drifts when the "
        "interval excludes 0 and the implied change over the run exceeds 5% of the level.",
        "",
        "| year | " + " | ".join(by_year.columns) + " |",
        "|---" * (len(by_year.columns) + 1) + "|",
    ]
    for year, row in by_year.iterrows():
        lines.append(f"| {year} | " + " | ".join(num(float(x)) for x in row) + " |")
    lines += [
        "",
        "| level | mean | slope per year | 95% CI | change over the run | drifts |",
        "|---|---:|---:|---|---:|---|",
    ]
    for level, r in verdicts.iterrows():
        lines.append(
            f"| {level} | {num(r['mean'])} | {num(r.slope_per_year)} | "
            f"[{num(r.ci_low)}, {num(r.ci_high)}] | {num(r.change_over_run)} | "
            f"{'**yes**' if r.drifts else 'no'} |"
        )
    return [*lines, ""]


def write_report(
    out: Path,
    verdicts: list[Verdict],
    tables: dict[str, pd.DataFrame],
    calibration: pd.DataFrame | None,
    command: str,
    extra: list[str] | None = None,
) -> Path:
    """Write ``out/report.md`` and ``out/<fact>.png``; return the report's path.

    ``extra`` lines (the evidence and steady-state sections) follow the headline.
    """
    out.mkdir(parents=True, exist_ok=True)
    reps = {name: int(t["replication"].nunique()) for name, t in tables.items()}
    lines = [
        "# Validation report",
        "",
        f"Generated by `{command}`. Each fact of MODEL.md section 5 is an experiment in",
        "`conf/experiment/` run on paired replications (the same seeds in every arm); an",
        "estimate is the mean over replications with its 95% t interval, and a direction",
        "passes when the whole interval is on the published side. Replications per arm: "
        + ", ".join(f"{k} {v}" for k, v in reps.items())
        + ".",
        "",
        f"**{sum(v.passed for v in verdicts)} of {len(verdicts)} facts pass.**",
        "",
        *verdict_rows(verdicts),
        "",
        *(extra or []),
    ]
    for v in verdicts:
        figure(v, tables[v.fact.experiment], out / f"{v.fact.key}.png")
        lines += [
            f"## {v.fact.title}",
            "",
            f"Experiment `conf/experiment/{v.fact.experiment}.yaml`; published: "
            f"{v.fact.published} ({v.fact.source}).",
            "",
            *check_rows(v),
            "",
            f"![{v.fact.title}]({v.fact.key}.png)",
            "",
        ]
    if calibration is not None:
        n = int(calibration["n"].max())
        lines += [
            "## Calibration (MODEL.md section 4)",
            "",
            f"The default organisation over {n} seeds (`experiments/calibration.py`), with the"
            " command's `--set` values when it has any.",
            "",
            *calibration_rows(calibration),
            "",
        ]
    write_checks(out, verdicts)
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path
