"""Simulation-based estimation: fit the model's behaviour to the evidence (``make calibrate``).

The method of simulated moments: each trial sets the parameters of the space
(``experiments/calibration_space.yaml``) to a point, simulates every
experiment the *train* findings of ``validation/evidence.yaml`` need
(:func:`experiments.estimation.moments.simulate`, the same seed in every trial: common
random numbers) and scores the point with :func:`experiments.estimation.moments.loss`.
Optuna's TPE sampler proposes the points; the first trial is the current
defaults, so the fit never ends worse than it started. The study lives in
``experiments/results/calibration.db`` (SQLite): rerunning the same command
resumes it, ``--trials N`` meaning N completed trials in total.

At the end (or with ``--report-only``) the best point is evaluated again on
*every* finding, train and test, with ``--final-replications`` per arm, and

- ``simulator/fitted_defaults.json`` gets the fitted values (4 significant
  digits), which :mod:`simulator.params` reads as its defaults;
- ``validation/calibration.md`` gets the fit per moment and the parameters.

    python -m experiments.estimate --trials 60 --replications 4 --workers 2
    python -m experiments.estimate --report-only --final-replications 20

With ``--quota-rule`` the default organisation's quota a seat is not
searched: at every trial, and for the point written, it is the one its
written rule gives there (0.54 of reps at quota,
:data:`experiments.validation.derived.ORG_RULE`; plan (t), which was not
adopted: ``validation/quota_rule_2026-12-07t/``). Without it the quota is
searched where the space has it, else kept as written.

With ``--quota-moments`` (``make calibrate`` passes it) the quota is not
searched either: the fit holds it at the value in force, and the point written
takes the quota estimated there (minimum distance on the three train level
findings it moves), the installed base re-found at it (10 seeds, 3 passes), and
the quota estimated once more from that base
(:func:`experiments.validation.derived.settled_org_quota`): plan (ad)'s
procedure, which set the shipped quota
(``validation/quota_moments_2026-12-07ad/``).

A study is tied to its settings (evidence used by the loss, space, start,
replications, seed, overrides and the model's code): changing any of them
starts a new study in the same file, named after their hash (``--study``
names one explicitly).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from experiments import evidence as ev
from experiments.estimation import moments
from experiments.estimation.drift import (
    DRIFT_SEEDS,
    DRIFT_YEARS,
    FINAL_DRIFT_SEEDS,
    drift_loss,
    drift_terms,
    is_base,
)
from experiments.estimation.report import (
    PROG,
    counts,
    num,
    relative_path,
    report_markdown,
    write_fitted,
)
from experiments.estimation.space import (
    SPACE,
    Dimension,
    SpaceError,
    Stage,
    defaults,
    load_stages,
    point_overrides,
    round4,
    start_point,
)
from experiments.estimation.study import (
    RESULTS,
    completed,
    fit,
    open_study,
    recheck,
    settings_of,
    start_trial,
    study_name_of,
)
from experiments.evidence import EvidenceError
from experiments.validation.derived import (
    ORG_RULE,
    QUOTA_MOMENTS,
    derive_org_quota,
    is_set,
    settled_org_quota,
)
from experiments.validation.steady import steady_installed_base
from salesim_cli.config import compose_config
from simulator.params.validation import flatten

FITTED = ev.ROOT / "simulator" / "fitted_defaults.json"
REPORT = ev.ROOT / "validation" / "calibration.md"
DB_NAME = "calibration.db"


def _fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add(
        "--trials",
        type=int,
        default=None,
        help="completed trials in total per stage (default: the stage's own, else 60)",
    )
    add("--replications", type=int, default=4, help="replications per arm in a trial (4)")
    add("--final-replications", type=int, default=20, help="replications per arm at the end (20)")
    add(
        "--recheck-top",
        type=int,
        default=5,
        help="re-evaluate each stage's best N trials on fresh replications and keep the best "
        "of them (5; 1 = keep the search's best as it is)",
    )
    add(
        "--recheck-replications",
        type=int,
        default=12,
        help="replications per arm of the recheck (12)",
    )
    add(
        "--drift-seeds",
        type=int,
        default=DRIFT_SEEDS,
        help=f"seeds of the long runs whose drift terms join each rechecked trial's loss "
        f"(experiments.estimation.drift; {DRIFT_SEEDS}; 0 = choose on the moments alone)",
    )
    add(
        "--drift-years",
        type=int,
        default=DRIFT_YEARS,
        help=f"evaluation years of those runs ({DRIFT_YEARS})",
    )
    add(
        "--final-drift-seeds",
        type=int,
        default=FINAL_DRIFT_SEEDS,
        help=f"seeds of the drift runs that score the fitted point and the final check's "
        f"candidates ({FINAL_DRIFT_SEEDS}; the terms are noisy over few seeds)",
    )
    add("--workers", type=int, default=1, help="parallel processes per simulation (1)")
    add("--seed", type=int, default=0, help="seed of every simulation (common random numbers)")
    add("--sampler-seed", type=int, default=0, help="seed of the TPE sampler (0)")
    add("--evidence", type=Path, default=ev.EVIDENCE, help="the evidence file")
    add("--space", type=Path, default=SPACE, help="the parameter space file")
    add("--set", action="append", default=[], metavar="KEY=VALUE", help="an override; repeat")
    add(
        "--report-only",
        action="store_true",
        help="no new trials: evaluate the study's best and report (give the fit's "
        "--replications, --seed and --set, which name its study)",
    )
    add("--study", help="the study's name (default: from a hash of the settings)")
    add("--out-dir", type=Path, default=RESULTS, help="folder of calibration.db")
    add("--fitted-path", type=Path, default=FITTED, help="where the fitted defaults go")
    add("--report-path", type=Path, default=REPORT, help="where the report goes")
    add("--no-progress", action="store_true", help="no progress bar")
    add(
        "--quota-rule",
        action="store_true",
        help="set the default organisation's quota at every trial by its rule (0.54 of reps at "
        "quota, experiments/validation/derived.py ORG_RULE) rather than search or keep it",
    )
    add(
        "--quota-moments",
        action="store_true",
        help="hold the default organisation's quota during the fit, then estimate it at the "
        "fitted point from its level moments (plan (ad); experiments/validation/derived.py "
        "QUOTA_MOMENTS)",
    )
    return parser


def _check_args(args: argparse.Namespace, space: list[Dimension]) -> tuple[str, ...]:
    """Bad numbers and overrides as one-line errors; return the overrides."""
    for name, least in (
        ("trials", 0),
        ("replications", 1),
        ("final_replications", 2),
        ("recheck_top", 1),
        ("recheck_replications", 1),
        ("drift_seeds", 0),
        ("drift_years", 2),
        ("final_drift_seeds", 2),
    ):
        if getattr(args, name) is not None and getattr(args, name) < least:
            _fail(f"--{name.replace('_', '-')} = {getattr(args, name)}: must be at least {least}")
    if args.workers < 1:
        _fail(f"--workers = {args.workers}: must be at least 1")
    overrides = tuple(args.set)
    fitted = {d.name for d in space}
    for text in overrides:
        key, eq, _ = text.partition("=")
        if not eq or not key:
            _fail(f"--set {text!r}: must be KEY=VALUE")
        if key.lstrip("+~") in fitted or key.startswith("run.replications"):
            _fail(f"--set {text!r}: {key} is set by the fit")
    try:
        from simulator.params import validate

        validate(compose_config(overrides)[0])
    except Exception as exc:  # noqa: BLE001 - Hydra's errors have no common base
        from salesim_cli.errors import error_message

        _fail(f"--set: {error_message(exc)}")
    return overrides


def _stage_findings(findings: list, stage: Stage) -> list:
    """The findings a stage's loss reads: train findings of its experiments (all test ones too)."""
    if stage.experiments is None:
        return findings
    return [f for f in findings if f.split != "train" or f.model.experiment in stage.experiments]


def _steady_base(overrides: tuple[str, ...], point: dict, workers: int) -> dict[str, float]:
    """The installed base ``point`` settles at (rounded as written): where the next step starts."""
    base = steady_installed_base((*overrides, *point_overrides(point)), workers=workers)
    return {k: round4(v) for k, v in base.items()}


def _rule_quota(overrides: tuple[str, ...], best: dict, on: bool, workers: int) -> None:
    """Set ``best``'s default-organisation quota by its rule (:data:`ORG_RULE`), if ``on``.

    Nothing when ``overrides`` set the quota, or a stage searches it (plan (t),
    ``validation/quota_rule_2026-12-07t``).
    """
    if not on or is_set(overrides, ORG_RULE.parameter):
        return
    point = {k: v for k, v in best.items() if k != ORG_RULE.parameter}
    best[ORG_RULE.parameter] = derive_org_quota(
        (*overrides, *point_overrides(point)), workers
    ).value


def _without_quota(stages: list[Stage]) -> list[Stage]:
    """``stages`` with the default organisation's quota out of every space (held, not searched)."""
    out = []
    for stage in stages:
        kept = [d for d in stage.space if d.name != QUOTA_MOMENTS.parameter]
        if not kept:
            _fail(f"stage {stage.name}: only the quota is searched, and --quota-moments sets it")
        out.append(replace(stage, space=kept))
    return out


def _moments_quota(
    overrides: tuple[str, ...], best: dict, findings: list, workers: int
) -> tuple[float, ...]:
    """Set ``best``'s quota by its level moments and its installed base by the quota.

    Plan (ad)'s procedure (:func:`~experiments.validation.derived.settled_org_quota`);
    ``best`` takes the second estimate and the base found between the two.
    Returns both estimates.
    """
    point = {k: v for k, v in best.items() if k != QUOTA_MOMENTS.parameter}
    settled = settled_org_quota((*overrides, *point_overrides(point)), workers, findings)
    best.update(settled.base)
    best[QUOTA_MOMENTS.parameter] = settled.second.value
    values = (settled.first.value, settled.second.value)
    print("quota from its level moments: " + " -> ".join(f"{v:,.0f}" for v in values), flush=True)
    return values


def _final(args, findings, overrides, point):
    """A point's estimates on every finding, its train loss and drift terms, as reported.

    ``point`` carries the installed base it will be written with (or none, for
    the defaults' own), and the drift runs start from that base, as
    ``make validate`` runs the written defaults.
    """
    ov = (*overrides, *point_overrides(point))
    estimates, loss_train = moments.evaluate(
        findings, ov, args.final_replications, args.seed, args.workers
    )
    drift = (
        {}
        if not args.drift_seeds
        else drift_terms(
            ov, args.final_drift_seeds, args.drift_years, workers=args.workers, rebase=False
        )
    )
    return estimates, loss_train, drift


def _base_of(overrides: tuple[str, ...]) -> dict[str, float]:
    """The installed base the defaults with ``overrides`` start from (parameter -> value)."""
    params, _ = compose_config(list(overrides))
    return {k: v for k, v in flatten(params).items() if is_base(k)}


def _stage_start_point(best: dict, stage_start: dict, base_before: dict) -> dict:
    """The last stage's start as the final check scores it: its old values, its old base.

    ``best`` is the fitted point (every stage's values, and the base the last
    stage's choice settles at); the start keeps the earlier stages' values but
    takes the last stage's start values and the installed base that stage's
    trials began from (``base_before``: the earlier stage's settled base, or
    the defaults' own, :func:`_base_of`). Re-deriving the start's base from the
    choice's would move its initial conditions, and the base is not quite a
    fixed point (:func:`experiments.estimation.drift.drift_terms`).
    """
    kept = {k: v for k, v in best.items() if not is_base(k)}
    return {**kept, **stage_start, **base_before}


def main(argv: list[str] | None = None) -> int:
    """Fit (unless ``--report-only``), evaluate the best point on every finding, write outputs.

    A staged space fits its stages in order (block-coordinate estimation): each
    stage's study fits its parameters to the train findings of its experiments
    with every earlier stage's best values fixed as overrides.
    """
    args = _parser().parse_args(argv)
    try:
        findings = ev.load(args.evidence)
        stages = load_stages(args.space)
    except (EvidenceError, SpaceError) as exc:
        _fail(str(exc))
    if not ev.train(findings):
        _fail(f"{args.evidence}: no train findings: nothing to fit")
    if args.quota_moments and args.quota_rule:
        _fail("--quota-moments and --quota-rule both set the quota: give one")
    moments_quota = args.quota_moments and not is_set(tuple(args.set), QUOTA_MOMENTS.parameter)
    if moments_quota:
        stages = _without_quota(stages)
    space = [d for stage in stages for d in stage.space]
    overrides = _check_args(args, space)
    current, clipped = defaults(space), start_point(space)
    for d in space:
        if current[d.name] != clipped[d.name]:
            print(
                f"note: {d.name} = {current[d.name]:g} lies outside [{d.lo:g}, {d.hi:g}]; "
                f"the fit starts at {clipped[d.name]:g}",
                file=sys.stderr,
            )
    db = args.out_dir / DB_NAME
    best: dict[str, float] = {}
    start: dict[str, float] = {}
    names, first_values, search_values, done = [], [], [], 0
    recheck_values: list[float | None] = []
    last_start: tuple[dict[str, float], dict[str, float]] | None = None
    for stage in stages:
        used = _stage_findings(findings, stage)
        if not ev.train(used):
            _fail(f"stage {stage.name}: no train findings of {', '.join(stage.experiments or ())}")
        # the rule's quota is re-set at every trial, not fixed at the last stage's
        ruled = {ORG_RULE.parameter} if args.quota_rule else set()
        fixed = (*overrides, *point_overrides({k: v for k, v in best.items() if k not in ruled}))
        settings = settings_of(
            used, stage.space, fixed, args.replications, args.seed, args.quota_rule
        )
        name = args.study or study_name_of(settings)
        if args.study and len(stages) > 1:
            name = f"{args.study}-{stage.name}"
        trials = args.trials if args.trials is not None else (stage.trials or 60)
        if len(stages) > 1:
            print(f"stage {stage.name}: {len(stage.space)} parameters, {trials} trials", flush=True)
        try:
            study = open_study(db, name, settings, create=not args.report_only)
            if not args.report_only:
                fit(
                    study,
                    used,
                    stage.space,
                    trials,
                    fixed,
                    args.replications,
                    args.seed,
                    args.workers,
                    args.sampler_seed,
                    not args.no_progress,
                    args.quota_rule,
                )
            if completed(study) == 0:
                raise ValueError(f"{db}: study {name!r} has no completed trial")
        except ValueError as exc:
            _fail(str(exc))
        chosen, rechecked = study.best_trial, None
        if args.recheck_top > 1:
            chosen, rechecked = recheck(
                study,
                used,
                stage.space,
                args.recheck_top,
                fixed,
                args.recheck_replications,
                args.seed + 1,
                args.workers,
                drift=(args.drift_seeds, args.drift_years),
                quota_rule=args.quota_rule,
            )
            print(
                f"stage {stage.name}: trial {chosen.number} best of the top "
                f"{args.recheck_top} on {args.recheck_replications} fresh replications "
                f"(loss {rechecked:.4g}; its search loss {chosen.value:.4g})",
                flush=True,
            )
        best.update({d.name: round4(chosen.params[d.name]) for d in stage.space})
        first = start_trial(study)
        stage_start = (
            {d.name: first.params[d.name] for d in stage.space}
            if first
            else start_point(stage.space)
        )
        start.update(stage_start)
        base_before = {k: v for k, v in best.items() if is_base(k)} or _base_of(overrides)
        # start the next stage, and the final evaluation, in the fitted organisation's own
        # steady state: the installed base it settles at is the initial condition
        _rule_quota(overrides, best, args.quota_rule, args.workers)
        base = _steady_base(overrides, best, args.workers)
        best.update(base)
        # the quota again, from the base the organisation settles at
        _rule_quota(overrides, best, args.quota_rule, args.workers)
        print(
            f"stage {stage.name}: steady customer share {base['territory.customer_share']:.3f}, "
            f"penetration {base['territory.customer_penetration']:.3f}; enterprise share "
            f"x{base['territory.ent.customer_share_ratio']:.2f}, trust "
            f"{base['territory.ent.initial_trust']:.2f}",
            flush=True,
        )
        last_start = (
            (stage_start, base_before)
            if first is not None and first.number != chosen.number
            else None
        )
        names.append(name)
        first_values.append(first.value if first else float("nan"))
        search_values.append(chosen.value)
        recheck_values.append(rechecked)
        done += completed(study)
    if moments_quota:
        _moments_quota(overrides, best, findings, args.workers)
    # the report describes the model the fitted file gives: the values as written
    print(f"evaluating the best of {done} trials on every finding ...", flush=True)
    estimates, loss_train, drift = _final(args, findings, overrides, best)
    final_check = None
    if last_start is not None and args.drift_seeds and not args.report_only:
        # The last stage's choice comes from a recheck of a few points on a few
        # replications; its start (the earlier stages' new values with the last
        # stage's old ones and the base that stage began from) is a candidate too.
        # Both are scored as the report scores them (final replications, drift
        # terms from the point's own base) and the lower total is kept.
        alt = _stage_start_point(best, *last_start)
        print("evaluating the last stage's start the same way ...", flush=True)
        alt_estimates, alt_loss, alt_drift = _final(args, findings, overrides, alt)
        scores = {
            "last stage's choice": (loss_train, drift_loss(drift)),
            "last stage's start": (alt_loss, drift_loss(alt_drift)),
        }
        # the held-out loss of each, reported beside the choice, never part of it
        held_out = {
            "last stage's choice": moments.held_out_loss(findings, estimates),
            "last stage's start": moments.held_out_loss(findings, alt_estimates),
        }
        kept = min(scores, key=lambda k: sum(scores[k]))
        if kept == "last stage's start":
            best, estimates, loss_train, drift = alt, alt_estimates, alt_loss, alt_drift
        final_check = {
            "kept": kept,
            "scores": {
                k: {"loss_train": a, "loss_drift": b, "loss_test": held_out[k]}
                for k, (a, b) in scores.items()
            },
        }
        print(
            "final check: "
            + "; ".join(
                f"{k} {a:.4g} + drift {b:.4g} (held out {held_out[k]:.4g})"
                for k, (a, b) in scores.items()
            )
            + f"; kept the {kept}",
            flush=True,
        )
    verdicts = moments.judge(findings, estimates)
    info = {
        "loss_train": loss_train,
        "drift_terms": drift,
        "loss_drift": drift_loss(drift),
        "loss_train_search": search_values[-1],
        "loss_start": first_values[0],
        "stage_losses": [
            {"stage": st.name, "start": a, "best": b, "recheck": c}
            for st, a, b, c in zip(stages, first_values, search_values, recheck_values, strict=True)
        ],
        "recheck": {"top": args.recheck_top, "replications": args.recheck_replications},
        "trials": done,
        "replications": args.replications,
        "final_replications": args.final_replications,
        "drift_years": args.drift_years,
        "final_drift_seeds": args.final_drift_seeds,
        "seed": args.seed,
        "date": datetime.date.today().isoformat(),
        "study": names if len(names) > 1 else names[0],
        "evidence": relative_path(args.evidence),
        "space": relative_path(args.space),
        "overrides": list(overrides),
        **({"final_check": final_check} if final_check else {}),
    }
    write_fitted(args.fitted_path, best, info)
    args.report_path.parent.mkdir(parents=True, exist_ok=True)
    args.report_path.write_text(
        report_markdown(verdicts, space, start, best, info), encoding="utf-8"
    )
    for d in space:
        print(f"  {d.name:34s} {num(start[d.name]):>8s} -> {num(best[d.name])}")
    for split in ev.SPLITS:
        c = counts(verdicts, split)
        print(
            f"{split}: {c['estimated']} of {c['findings']} estimated; direction "
            f"{c['direction_ok']}/{c['direction_judged']}, size {c['size_ok']}/{c['size_judged']}"
        )
    print(f"loss (train): start {num(info['loss_start'])} -> {num(loss_train)}")
    if drift:
        print(f"drift terms ({args.drift_years}-year runs): {num(info['loss_drift'])}")
    print(f"wrote {args.fitted_path} and {args.report_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
