"""Balanced territories (``territory.balanced``): the realignment switch of experiment alignment.

Every territory then holds the same number of accounts, whatever
``territory.size_sigma`` says, and the random numbers are drawn as without the
switch, so a balanced run is the run with ``size_sigma`` 0, to the bit, and
stays paired with the default one. The effect on revenue (Zoltners and Sinha's
2-7%) is the test finding ``zoltners_sinha2005_territory_alignment``, checked
against ``make validate``'s estimate in ``tests/test_evidence_reduced.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.accounts import Accounts
from simulator.params import SimParams
from simulator.run import run_one, with_overrides


def counts(n_seats: int = 30, **overrides) -> np.ndarray:
    params = with_overrides(SimParams(), **overrides)
    book = Accounts(params, n_seats, np.random.default_rng(4))
    return np.bincount(book.seat[: book.n], minlength=n_seats)


def test_balanced_territories_hold_the_same_number_of_accounts():
    per_rep = SimParams().territory.accounts_per_rep
    spread = counts()
    assert spread.std() > 0.1 * per_rep  # size_sigma 0.3: counts differ
    balanced = counts(**{"territory.balanced": True, "territory.size_sigma": 0.6})
    np.testing.assert_array_equal(balanced, np.full(30, per_rep))


def test_a_balanced_run_is_the_run_without_spread_in_account_counts():
    balanced = run_one(with_overrides(SimParams(), **{"territory.balanced": True}), 2)
    no_spread = run_one(with_overrides(SimParams(), **{"territory.size_sigma": 0.0}), 2)
    default = run_one(SimParams(), 2)
    for name in ("reps", "deals", "weekly"):
        pd.testing.assert_frame_equal(balanced.tables[name], no_spread.tables[name])
    assert not balanced.tables["deals"].equals(default.tables["deals"])
