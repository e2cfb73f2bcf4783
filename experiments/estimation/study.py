"""The Optuna study of the fit: its settings, storage, resumption and the trial loop.

A study (SQLite, ``experiments/results/calibration.db``) holds the trials of
one setting (the train findings' numbers and mappings, the space, the fitted
defaults outside it, replications, seed, overrides and a hash of the model's
code and configs, the experiment bundles it never runs left out);
its default name is a hash of that setting, so a rerun of the same command
resumes it and any change starts a new study in the same file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from experiments.estimation import moments
from experiments.estimation.drift import drift_loss, drift_terms
from experiments.estimation.space import Dimension, point_overrides, start_point
from experiments.evidence import ROOT, Finding, train
from experiments.validation.derived import ORG_RULE, org_quota_overrides
from simulator.params import ParamError
from simulator.studies import record_settings, requeue_interrupted

RESULTS = ROOT / "experiments" / "results"
EXPERIMENT_CONF = Path("conf") / "experiment"


def model_hash(experiments: Iterable[str] | None = None) -> str:
    """A hash of the model's code and configs (a changed model starts a new study).

    With ``experiments``, the bundles in ``conf/experiment/`` other than those
    are left out: a study's losses cannot depend on an experiment it never
    runs, so adding a test finding with its own bundle keeps the studies going.
    """
    keep = None if experiments is None else {f"{e}.yaml" for e in experiments}
    digest = hashlib.sha256()
    for folder, pattern in ((ROOT / "simulator", "*.py"), (ROOT / "conf", "*.yaml")):
        for path in sorted(folder.rglob(pattern)):
            rel = path.relative_to(ROOT)
            if keep is not None and rel.parent == EXPERIMENT_CONF and rel.name not in keep:
                continue
            digest.update(str(rel).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def settings_of(
    findings: list[Finding],
    space: list[Dimension],
    overrides: tuple[str, ...],
    replications: int,
    seed: int,
    quota_rule: bool = False,
) -> dict:
    """What the trials' losses depend on; a study holds trials of one setting only.

    The start (the current defaults) is left out, so writing the fitted
    defaults does not orphan the study that found them; the fitted defaults of
    parameters outside the space (``fixed``) are in.
    """
    from simulator.params import FITTED

    used = [
        [f.id, asdict(f.model), f.value, f.low, f.high, f.se, f.weight] for f in train(findings)
    ]
    return {
        "moments": used,
        "space": [asdict(d) for d in space],
        "fixed": {k: v for k, v in sorted(FITTED.items()) if k not in {d.name for d in space}},
        "overrides": list(overrides),
        "replications": replications,
        "seed": seed,
        "model": model_hash({f.model.experiment for f in train(findings)}),
        **({"quota_rule": asdict(ORG_RULE)} if quota_rule else {}),
    }


def study_name_of(settings: dict) -> str:
    """The default study name: ``calibration-<hash of the settings>``."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return "calibration-" + hashlib.sha256(text.encode()).hexdigest()[:10]


def open_study(db: Path, name: str, settings: dict, create: bool = True):
    """Create or load the study; refuse one of other settings; requeue interrupted trials."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    db.parent.mkdir(parents=True, exist_ok=True)
    if db.parent == RESULTS and not (db.parent / ".gitignore").exists():
        (db.parent / ".gitignore").write_text("*\n")
    storage = optuna.storages.RDBStorage(f"sqlite:///{db.resolve()}")
    if not create and name not in optuna.get_all_study_names(storage):
        raise ValueError(f"{db}: no study {name!r}: run without --report-only first")
    study = optuna.create_study(
        study_name=name, storage=storage, direction="minimize", load_if_exists=True
    )
    changed = record_settings(study, json.loads(json.dumps(settings, default=str)))
    if changed:
        raise ValueError(
            f"{db}: study {name!r} was run with other settings (differs in "
            f"{', '.join(changed)}); name another --study or remove the file"
        )
    requeue_interrupted(study, storage, keep_attrs=True)
    return study


def completed(study) -> int:
    """Number of completed trials."""
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def evaluate_trial(
    trial,
    moments_used: list[Finding],
    space: list[Dimension],
    overrides: tuple[str, ...],
    replications: int,
    seed: int,
    workers: int,
    quota_rule: bool = False,
):
    """A trial's point on ``moments_used``: ``(estimates, loss)`` (:func:`moments.evaluate`).

    With ``quota_rule`` the default organisation's quota is the one
    :data:`~experiments.validation.derived.ORG_RULE` sets at the point (unless
    the point or ``overrides`` set it).
    """
    return moments.evaluate(
        moments_used,
        trial_overrides(trial, space, overrides, quota_rule, workers),
        replications,
        seed,
        workers,
    )


def trial_overrides(
    trial, space: list[Dimension], overrides: tuple[str, ...], quota_rule: bool, workers: int
) -> tuple[str, ...]:
    """The overrides a trial runs with: ``overrides``, its point, and the rule's quota."""
    ov = (*overrides, *point_overrides({d.name: trial.params[d.name] for d in space}))
    return org_quota_overrides(ov, workers) if quota_rule else ov


def fit(
    study,
    findings: list[Finding],
    space: list[Dimension],
    trials: int,
    overrides: tuple[str, ...] = (),
    replications: int = 4,
    seed: int = 0,
    workers: int = 1,
    sampler_seed: int = 0,
    progress: bool = True,
    quota_rule: bool = False,
):
    """Add trials to ``study`` until it holds ``trials`` completed ones; return the study.

    Each trial evaluates the train findings only. A point the model refuses
    (:class:`~simulator.params.ParamError`) fails its trial and the search
    goes on; an interruption leaves the trial running, and the next run
    retries it (:func:`open_study`).
    """
    import optuna
    from optuna.trial import TrialState
    from tqdm import tqdm

    moments_used = train(findings)
    alive = (TrialState.COMPLETE, TrialState.WAITING, TrialState.RUNNING)
    if not any(t.user_attrs.get("start") for t in study.get_trials(deepcopy=False, states=alive)):
        study.enqueue_trial(start_point(space), user_attrs={"start": True})
    done = completed(study)
    state = np.random.SeedSequence([sampler_seed, done]).generate_state(1)[0]
    study.sampler = optuna.samplers.TPESampler(seed=int(state))
    distributions = {d.name: d.distribution() for d in space}
    failures = 0
    total = max(trials - done, 0)
    with tqdm(total=total, unit="trial", desc="calibrate", disable=not progress) as bar:
        while completed(study) < trials:
            trial = study.ask(distributions)
            try:
                estimates, value = evaluate_trial(
                    trial, moments_used, space, overrides, replications, seed, workers, quota_rule
                )
            except ParamError as exc:
                study.tell(trial, state=TrialState.FAIL)
                failures += 1
                if failures > max(trials, 3):
                    raise ValueError(f"{failures} trials refused by the model: {exc}") from None
                continue
            except Exception:
                study.tell(trial, state=TrialState.FAIL)
                raise
            trial.set_user_attr("terms", moments.loss_terms(moments_used, estimates))
            study.tell(trial, value)
            bar.set_postfix(best=f"{study.best_value:.4g}", refresh=False)
            bar.update(1)
    return study


def start_trial(study):
    """The completed start trial (the defaults when the study began), or None."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return next((t for t in trials if t.user_attrs.get("start")), None)


def recheck(
    study,
    findings: list[Finding],
    space: list[Dimension],
    top: int,
    overrides: tuple[str, ...] = (),
    replications: int = 12,
    seed: int = 1,
    workers: int = 1,
    drift: tuple[int, int] = (0, 0),
    quota_rule: bool = False,
):
    """The search's ``top`` trials re-evaluated on fresh replications; the best of them.

    The search's lowest loss is biased low (the winner's curse: with few
    replications it partly fits noise), so the point chosen is the one with the
    lowest loss on ``replications`` new replications (``seed``, other than the
    search's). With ``drift = (seeds, years)`` and ``seeds`` above 0, each point's
    loss also carries its drift terms (:func:`experiments.estimation.drift.drift_terms`:
    ``seeds`` runs of the default organisation for ``years`` years), so a point
    whose levels keep moving is not chosen for levels it only passes through.
    Returns ``(trial, loss)``. The losses (and each point's drift terms) are
    kept in the study's user attributes, so a rerun reuses them.
    """
    from optuna.trial import TrialState

    trials = sorted(
        study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), key=lambda t: t.value
    )[: max(top, 1)]
    key = f"recheck:{replications}:{seed}" + (f":drift{drift[0]}x{drift[1]}" if drift[0] else "")
    done = dict(study.user_attrs.get(key, {}))
    moments_used = train(findings)
    for trial in trials:
        if str(trial.number) in done:
            continue
        _, value = evaluate_trial(
            trial, moments_used, space, overrides, replications, seed, workers, quota_rule
        )
        if drift[0]:
            terms = drift_terms(
                trial_overrides(trial, space, overrides, quota_rule, workers),
                drift[0],
                drift[1],
                workers=workers,
            )
            study.set_user_attr(f"drift:{trial.number}", terms)
            value += drift_loss(terms)
        done[str(trial.number)] = value
        study.set_user_attr(key, done)
    chosen = min(trials, key=lambda t: done[str(t.number)])
    return chosen, done[str(chosen.number)]
