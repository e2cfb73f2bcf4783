"""Run the validation experiments and write validation/report.md (``make validate``).

    python -m experiments.validation                       # every fact, replications from YAML
    python -m experiments.validation spike ratchet --replications 8 --no-calibration

Also scores every finding of ``validation/evidence.yaml`` on direction and
size (train and test apart) and checks the steady state over ten years.
Exits 1 when a fact fails, a calibration band is missed, a finding cannot be
estimated or a level drifts; a finding that misses its published size is
reported, not fatal (that is the calibration's score, not a bug).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from experiments.validation.experiments import experiment_names, run_experiments
from experiments.validation.facts import FACTS, judge
from experiments.validation.report import num, write_report


def split_results(frame: pd.DataFrame, names: list[str]) -> dict[str, pd.DataFrame]:
    """Per experiment its rows of a stored results table, without other experiments' columns."""
    out = {}
    for name in names:
        rows = frame[frame["experiment"] == name].replace({"nan": pd.NA, "None": pd.NA})
        if rows.empty:
            raise SystemExit(f"--results: no rows of experiment {name!r}")
        out[name] = rows.dropna(axis=1, how="all").reset_index(drop=True)
    return out


def derived_section(findings, overrides: tuple[str, ...], seed: int, workers: int) -> list[str]:
    """Report (and print) the values the experiments' rules set (:mod:`.derived`)."""
    from experiments.validation.derived import RULES, derivation

    lines = []
    for name in sorted(RULES.keys() & {f.model.experiment for f in findings}):
        d, rule = derivation(name, overrides, seed, workers), RULES[name]
        if d is None:
            continue  # set by --set
        text = (
            f"Experiment `{name}` ran with `{d.override}`, set by its rule: the median rep of "
            f"`{rule.arm}` at {rule.median:g} of quota ({rule.replications} replications; "
            f"quota -> median: {d.steps_text})."
        )
        print(text)
        lines += ["", text]
    return lines


def org_quota(sets: tuple[str, ...], off: bool, workers: int) -> tuple[tuple[str, ...], list[str]]:
    """``sets`` with the default organisation's quota its rule sets, and the report's lines.

    Plan (t) (:data:`experiments.validation.derived.ORG_RULE`): the quota a
    seat puts 0.54 of the default organisation's reps at quota, at the
    parameters in force. Not applied with ``off`` or when ``sets`` set it.
    """
    from experiments.validation.derived import ORG_RULE, derive_org_quota, is_set

    if off or is_set(sets, ORG_RULE.parameter):
        return sets, []
    d = derive_org_quota(sets, workers)
    text = (
        f"The default organisation ran with `{d.override}`, set by its rule: {ORG_RULE.share:g} "
        f"of its reps at quota over seeds 0-{ORG_RULE.seeds - 1} (quota -> share at quota: "
        f"{d.steps_text})."
    )
    print(text)
    return (*sets, d.override), ["", text]


def main(argv: list[str] | None = None) -> int:
    """Command line: run, judge, write the report; exit 1 on a failed fact or band."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiments", nargs="*", help="experiment names (default: all)")
    parser.add_argument("--replications", type=int, help="override run.replications of every arm")
    parser.add_argument("--seed", type=int, default=0, help="seed of every arm (default 0)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an override for every arm (repeatable), e.g. --set rep.skill_decay=1.0",
    )
    parser.add_argument("--workers", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument("--out", type=Path, default=Path("validation"), help="report folder")
    parser.add_argument(
        "--calibration-seeds", type=int, default=20, help="seeds of the calibration (default 20)"
    )
    parser.add_argument("--no-calibration", action="store_true", help="skip the calibration")
    parser.add_argument(
        "--quota-rule",
        action="store_true",
        help="run the default organisation at the quota its rule sets (0.54 of reps at quota, "
        "plan (t)), not at the written one",
    )
    parser.add_argument(
        "--evidence-replications",
        type=int,
        default=20,
        help="replications per arm of the evidence base (default 20; 0 skips it)",
    )
    parser.add_argument(
        "--no-power",
        action="store_true",
        help="keep every evidence experiment at --evidence-replications (by default an effect "
        "whose interval is too wide to tell the published effect from 0 is run again with "
        "more, up to 100)",
    )
    parser.add_argument(
        "--steady-seeds", type=int, default=10, help="seeds of the steady-state check (10; 0 skips)"
    )
    parser.add_argument(
        "--steady-years", type=int, default=10, help="years of the steady-state check (10)"
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="judge this stored results.parquet (of an earlier run) instead of running",
    )
    args = parser.parse_args(argv)
    names = args.experiments or sorted({f.experiment for f in FACTS})
    unknown = sorted(set(names) - set(experiment_names()))
    if unknown:
        print(
            f"experiments: unknown {', '.join(unknown)}; allowed: {', '.join(experiment_names())}",
            file=sys.stderr,
        )
        return 2
    sets, rule_lines = org_quota(tuple(args.set), not args.quota_rule, args.workers)
    extra = (
        *sets,
        *(() if args.replications is None else (f"run.replications={args.replications}",)),
    )
    if args.results is not None:
        tables = split_results(pd.read_parquet(args.results), names)
    else:
        tables = run_experiments(names, args.seed, extra, args.workers)
    verdicts = judge(tables)
    calibration = None
    if not args.no_calibration:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        import calibration as calib  # experiments/calibration.py, a script

        calibration = calib.calibrate(args.calibration_seeds, args.workers, sets)
    args.out.mkdir(parents=True, exist_ok=True)
    extra, evidence_failed, drifting = list(rule_lines), False, []
    if args.evidence_replications > 0:
        from experiments import evidence as ev
        from experiments.estimation import moments
        from experiments.validation.report import evidence_section, write_evidence

        findings = ev.load(ev.EVIDENCE)
        reps = args.evidence_replications
        estimates, used = moments.evaluate_powered(
            findings,
            sets,
            reps,
            args.seed,
            args.workers,
            cap=reps if args.no_power else moments.POWER_MAX_REPLICATIONS,
        )
        evidence = moments.judge(findings, estimates)
        write_evidence(args.out, evidence)
        extra += evidence_section(evidence, reps, used)
        extra += derived_section(findings, sets, args.seed, args.workers)
        for v in evidence:
            print(f"{v.status:5s} {v.finding.split:5s} {v.finding.id}: ratio {num(v.ratio)}")
        evidence_failed = not all(v.estimate.ok for v in evidence)
    if args.steady_seeds > 0:
        from experiments.validation.report import steady_section
        from experiments.validation.steady import steady_state

        steady, by_year = steady_state(args.steady_seeds, args.steady_years, args.workers, sets)
        extra += steady_section(steady, by_year, args.steady_seeds)
        drifting = [level for level, r in steady.iterrows() if r.drifts]
        print("steady state: " + ("no drift" if not drifting else f"drifts: {drifting}"))
    if args.results is None:
        frame = pd.concat(tables.values(), ignore_index=True)
        frame.astype({c: str for c in frame.columns if frame[c].dtype == object}).to_parquet(
            args.out / "results.parquet", index=False
        )
    command = "python -m experiments.validation " + " ".join(argv or sys.argv[1:])
    path = write_report(args.out, verdicts, tables, calibration, command.strip(), extra)
    for v in verdicts:
        c = v.headline
        print(
            f"{'pass' if v.passed else 'FAIL'}  {v.fact.title}: {c.claim} {num(c.estimate)} "
            f"[{num(c.ci_low)}, {num(c.ci_high)}]"
        )
    missed = (
        []
        if calibration is None
        else [m for m, r in calibration.iterrows() if r["inside"] is False]
    )
    if calibration is not None:
        print("calibration bands: " + ("all inside" if not missed else f"missed {missed}"))
    print(f"wrote {path}")
    failed = missed or drifting or evidence_failed or not all(v.passed for v in verdicts)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
