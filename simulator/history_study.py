"""The search of a history fit: a resumable Optuna TPE study, the recheck, the result.

:func:`fit_history` reads the history's shape and moments
(:mod:`simulator.history_fit`), then asks Optuna's TPE sampler for points in
:data:`~simulator.history_fit.FIT_PARAMETERS` until the study holds ``trials``
completed ones. The study lives in SQLite (``db``); its name is a hash of what
the losses depend on (observed moments, space, shape, replications, seed,
defaults), so running the same fit again resumes it and any change starts a
new study in the same file.

The search's lowest loss is biased low (with few replications it partly fits
noise), so the best :data:`RECHECK_TOP` trials are run again on
``check_replications`` fresh replications (another seed) and the lowest loss
there is the fit; its simulated moments are those replications'. The spread of
each parameter over the best :data:`TOP_SHARE` of trials is reported as a rough
range (not a confidence interval).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.history_fit import (
    FIT_MOMENTS,
    FIT_PARAMETERS,
    TOLD_BY,
    FitParameter,
    MomentFit,
    Observed,
    base_params,
    compare,
    loss,
    loss_terms,
    observe,
    organisation_of,
    simulate,
    usable_moments,
)
from simulator.params import SimParams, flatten
from simulator.studies import record_settings, requeue_interrupted

#: numerical: how many of the search's best trials are rechecked on fresh replications
RECHECK_TOP = 5
#: reporting: the share of the best trials whose spread is reported for each parameter
TOP_SHARE = 0.1
#: reporting: at least this many trials in that spread
TOP_MIN = 5


@dataclass
class HistoryFit:
    """A finished fit: the shape read, the parameters found, and the moments compared."""

    shape: dict[str, int]
    estimate: dict[str, float]
    spread: dict[str, tuple[float, float]]
    loss: float
    search_loss: float
    trials: int
    replications: int
    check_replications: int
    seed: int
    rechecked: int
    moments: list[MomentFit]
    study: str
    seconds: float
    search_seconds: float
    parameters: tuple[FitParameter, ...] = FIT_PARAMETERS

    def overrides(self) -> dict[str, float | int]:
        """Every parameter the fitted organisation sets: its shape and the estimate."""
        return {k: v for k, v in {**self.shape, **self.estimate}.items() if k != "run.years"}

    def unidentified(self) -> list[str]:
        """Fitted parameters none of whose telling moments the history gives (TOLD_BY)."""
        used = {m.name for m in self.moments if m.in_loss}
        return [
            p.name
            for p in self.parameters
            if p.name in TOLD_BY and not used.intersection(TOLD_BY[p.name])
        ]

    def to_dict(self) -> dict:
        """A JSON-ready record (the moments as a list of dicts)."""
        out = asdict(self)
        out["moments"] = [asdict(m) for m in self.moments]
        out["parameters"] = [asdict(p) for p in self.parameters]
        out["unidentified"] = self.unidentified()
        return out


def _distributions(space: Sequence[FitParameter]) -> dict:
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        p.name: IntDistribution(int(p.lo), int(p.hi))
        if p.integer
        else FloatDistribution(p.lo, p.hi, log=p.log)
        for p in space
    }


def start_point(space: Sequence[FitParameter]) -> dict[str, float]:
    """The model's defaults, clipped into the searched ranges: the first trial."""
    defaults = flatten(SimParams())
    return {p.name: p.clip(defaults[p.name]) for p in space}


def settings_of(
    observed: Observed,
    moments: list[str],
    shape: dict[str, int],
    space: Sequence[FitParameter],
    replications: int,
    seed: int,
) -> dict:
    """What the trials' losses depend on; a study holds trials of one setting only."""
    return {
        "observed": {m: [observed.values[m], observed.se[m]] for m in moments},
        "shape": shape,
        "space": [asdict(p) for p in space],
        "defaults": flatten(SimParams()),
        "replications": replications,
        "seed": seed,
    }


def study_name_of(settings: dict) -> str:
    """``history-fit-<hash of the settings>``."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return "history-fit-" + hashlib.sha256(text.encode()).hexdigest()[:10]


def open_study(db: Path, name: str, settings: dict):
    """Create or load the study; requeue trials an interruption left running."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(f"sqlite:///{Path(db).resolve()}")
    study = optuna.create_study(
        study_name=name, storage=storage, direction="minimize", load_if_exists=True
    )
    # the name is a hash of the settings, so an old study's are these
    record_settings(study, json.loads(json.dumps(settings, default=str)))
    requeue_interrupted(study, storage)
    return study


def _complete(study) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def search(
    study,
    observed: Observed,
    moments: list[str],
    params: SimParams,
    space: Sequence[FitParameter],
    trials: int,
    replications: int,
    seed: int,
    progress: bool = True,
):
    """Add trials until ``study`` holds ``trials`` completed ones; return the study."""
    import optuna
    from optuna.trial import TrialState
    from tqdm import tqdm

    if not study.get_trials(deepcopy=False):
        study.enqueue_trial(start_point(space), user_attrs={"start": True})
    done = len(_complete(study))
    state = np.random.SeedSequence([seed, done]).generate_state(1)[0]
    study.sampler = optuna.samplers.TPESampler(seed=int(state))
    distributions = _distributions(space)
    with tqdm(
        total=max(trials - done, 0), unit="trial", desc="salesim-fit", disable=not progress
    ) as bar:
        while len(_complete(study)) < trials:
            trial = study.ask(distributions)
            try:
                sim = simulate(params, dict(trial.params), replications, seed)
            except Exception:
                study.tell(trial, state=TrialState.FAIL)
                raise
            terms = loss_terms(observed, sim, moments)
            trial.set_user_attr("terms", terms)
            study.tell(trial, float(sum(terms.values())))
            bar.set_postfix(best=f"{study.best_value:.3g}", refresh=False)
            bar.update(1)
    return study


def search_seconds(study) -> float:
    """The search's simulation time: the completed trials' durations summed (over resumptions)."""
    return float(
        sum(
            (t.datetime_complete - t.datetime_start).total_seconds()
            for t in _complete(study)
            if t.datetime_start and t.datetime_complete
        )
    )


def top_spread(study, space: Sequence[FitParameter]) -> dict[str, tuple[float, float]]:
    """Each parameter's lowest and highest value over the best :data:`TOP_SHARE` of trials."""
    ranked = sorted(_complete(study), key=lambda t: t.value)
    keep = ranked[: max(TOP_MIN, math.ceil(TOP_SHARE * len(ranked)))]
    return {
        p.name: (
            float(min(t.params[p.name] for t in keep)),
            float(max(t.params[p.name] for t in keep)),
        )
        for p in space
    }


def recheck(
    study,
    observed: Observed,
    moments: list[str],
    params: SimParams,
    replications: int,
    seed: int,
    top: int = RECHECK_TOP,
) -> tuple[dict, float, pd.DataFrame]:
    """The best ``top`` trials on fresh replications: ``(point, loss, table)`` of the best.

    The rechecked losses are kept in the study's user attributes, so a rerun
    simulates only the chosen point again (for its moments).
    """
    ranked = sorted(_complete(study), key=lambda t: t.value)[: max(top, 1)]
    key = f"recheck:{replications}:{seed}"
    done = dict(study.user_attrs.get(key, {}))
    for trial in ranked:
        if str(trial.number) not in done:
            sim = simulate(params, dict(trial.params), replications, seed)
            done[str(trial.number)] = loss(observed, sim, moments)
            study.set_user_attr(key, done)
    chosen = min(ranked, key=lambda t: done[str(t.number)])
    sim = simulate(params, dict(chosen.params), replications, seed)
    return dict(chosen.params), done[str(chosen.number)], sim


def fit_history(
    history: pd.DataFrame,
    db: Path,
    trials: int = 100,
    replications: int = 4,
    check_replications: int = 8,
    seed: int = 0,
    draws: int = 200,
    space: Sequence[FitParameter] = FIT_PARAMETERS,
    moments: Sequence[str] = FIT_MOMENTS,
    study_name: str | None = None,
    progress: bool = True,
    recheck_top: int = RECHECK_TOP,
) -> HistoryFit:
    """Fit :data:`~simulator.history_fit.FIT_PARAMETERS` to a checked history (module docstring).

    Args:
        history: as :func:`simulator.history.read_history` returns it.
        db: the SQLite file of the study (created; a rerun resumes it).
        trials: completed trials the study ends with.
        replications: runs per trial (common random numbers: seeds from ``seed``).
        check_replications: runs of the recheck and of the reported moments (seed + 1).
        seed: the simulations' seed; the bootstrap's and the sampler's derive from it.
        draws: bootstrap draws of the observed moments.
        space: the fitted parameters and their ranges.
        moments: the summary's moments the loss compares (those the history gives).
        study_name: the Optuna study's name (default: a hash of the settings).
        progress: show a progress bar.
        recheck_top: how many of the best trials are rechecked.
    """
    began = time.perf_counter()
    shape = organisation_of(history)
    observed = observe(history, draws, seed)
    used = usable_moments(observed, tuple(moments))
    if not used:
        raise ValueError("the history gives none of the moments the fit compares")
    params = base_params(shape)
    settings = settings_of(observed, used, shape, space, replications, seed)
    name = study_name or study_name_of(settings)
    study = open_study(db, name, settings)
    search(study, observed, used, params, space, trials, replications, seed, progress)
    point, value, sim = recheck(
        study, observed, used, params, check_replications, seed + 1, recheck_top
    )
    estimate = {p.name: p.clip(point[p.name]) for p in space}
    return HistoryFit(
        shape=shape,
        estimate=estimate,
        spread=top_spread(study, space),
        loss=value,
        search_loss=float(study.best_value),
        trials=len(_complete(study)),
        replications=replications,
        check_replications=check_replications,
        seed=seed,
        rechecked=min(max(recheck_top, 1), len(_complete(study))),
        moments=compare(observed, sim, used),
        study=name,
        seconds=time.perf_counter() - began,
        search_seconds=search_seconds(study),
        parameters=tuple(space),
    )
