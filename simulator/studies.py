"""What the package's estimators share: the Huber cost and Optuna study bookkeeping.

Three searches keep Optuna studies in SQLite and score simulated moments:
the history fit (:mod:`simulator.history_study`), plan optimisation
(:mod:`salesim_cli.optimise`) and the calibration (``experiments/estimation``).
Each opens its study its own way (direction, names, errors); these are the
parts that are the same.
"""

from __future__ import annotations

#: numerical: beyond this |z| a moment's cost grows linearly, not quadratically (Huber)
HUBER_Z = 2.0


def robust_square(z: float) -> float:
    """``z**2`` up to :data:`HUBER_Z`, then linear (Huber): a misfit far out counts, but less."""
    a = abs(z)
    return a * a if a <= HUBER_Z else HUBER_Z * (2.0 * a - HUBER_Z)


def record_settings(study, settings: dict) -> list[str]:
    """Store ``settings`` in a new study; for an old one, the keys whose values differ.

    The settings are what the trials' scores depend on: a study holds trials
    of one setting only, and the caller refuses a study whose keys differ.
    """
    have = study.user_attrs.get("settings")
    if have is None:
        study.set_user_attr("settings", settings)
        return []
    return [k for k in settings if have.get(k) != settings[k]]


def requeue_interrupted(study, storage, keep_attrs: bool = False) -> None:
    """Mark trials an interrupted process left running failed, and queue them to run again.

    So no trial is lost or counted twice. ``storage`` is the study's
    ``optuna.storages.RDBStorage``. The queued trial carries
    ``retry_of`` (and, with ``keep_attrs``, the interrupted trial's own
    attributes). One process at a time per study: a second one would take
    the first one's running trials for interrupted ones.
    """
    from optuna.trial import TrialState

    study_id = storage.get_study_id_from_name(study.study_name)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
        kept = trial.user_attrs if keep_attrs else {}
        study.enqueue_trial(trial.params, user_attrs={**kept, "retry_of": trial.number})
