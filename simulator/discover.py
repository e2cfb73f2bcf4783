"""Scenario discovery's inputs: a condition on an outcome and the inputs that vary.

Takes the results pair of :mod:`simulator.results` (``runs.parquet``, the
inputs, and ``outcomes.parquet``, the metrics, keyed by ``run_id``) and a
condition such as ``turnover_total>0.4``, and gives what
:func:`simulator.prim.prim` takes (:func:`discovery_table`): ``x``, the inputs
that vary across the runs, and ``y``, where the condition holds.

- **Inputs** (:func:`discovery_inputs`) are the columns of ``runs.parquet``
  without the key columns (``run_id``, ``job``, ``replication``, ``seed``,
  ``job_seed``) and without those with one value across the runs. Numbers are
  numeric inputs; text and flags are categorical; list parameters (written as
  text, ``[0.3, 0.5]``) are split into one numeric input per element
  (``plan.bonus.amounts[0]``).
- **Runs** are the rows of both tables (joined on ``run_id``) whose outcome is
  not missing (a failed sweep job has none); each replication is a run of its
  own.

Bad input raises :class:`DiscoverError` with one line naming the problem and
what is allowed. Numpy and pandas only: the command line, the decision tree
and the figure live in :mod:`salesim_cli.discovercli`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.results import KEYS, metric_columns

#: the comparisons a condition may use
OPERATORS = {
    ">=": np.greater_equal,
    "<=": np.less_equal,
    ">": np.greater,
    "<": np.less,
}
_CONDITION = re.compile(r"^\s*([^<>=\s]+)\s*(>=|<=|>|<)\s*(\S+)\s*$")


class DiscoverError(ValueError):
    """Bad input to scenario discovery, as one line naming the problem and what is allowed."""


# ---------------------------------------------------------------- the condition


@dataclass(frozen=True)
class Condition:
    """``outcome op threshold``, e.g. ``turnover_total > 0.4``."""

    outcome: str
    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.outcome}{self.op}{self.threshold:g}"

    def holds(self, values: np.ndarray | pd.Series) -> np.ndarray:
        """Where the condition holds (False where the value is missing)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return OPERATORS[self.op](values, self.threshold) & ~np.isnan(values)


def parse_condition(text: str, outcomes: Sequence[str]) -> Condition:
    """Read ``OUTCOME OP NUMBER`` (OP one of >, >=, <, <=) against the outcome columns.

    Raises:
        DiscoverError: for text of another form, a threshold that is not a
            finite number, or an outcome not among ``outcomes`` (listed).
    """
    match = _CONDITION.match(text)
    form = "must be OUTCOME OP NUMBER with OP one of >, >=, <, <= (e.g. turnover_total>0.4)"
    if not match:
        raise DiscoverError(f"condition {text!r}: {form}")
    outcome, op, number = match.groups()
    try:
        threshold = float(number)
    except ValueError:
        raise DiscoverError(f"condition {text!r}: {number!r} is not a number; {form}") from None
    if not np.isfinite(threshold):
        raise DiscoverError(f"condition {text!r}: the threshold must be a finite number")
    if outcome not in outcomes:
        raise DiscoverError(
            f"condition {text!r}: no outcome column {outcome!r}; available: {', '.join(outcomes)}"
        )
    return Condition(outcome, op, threshold)


# ---------------------------------------------------------------- the inputs


def discovery_inputs(runs: pd.DataFrame) -> pd.DataFrame:
    """The inputs that vary across runs: numeric as float, the rest as text categories.

    Key columns go, list parameters (text like ``[0.3, 0.5]``) become one
    column per element, and columns with one value (counting a missing value
    as a value) go. Numeric columns with missing values are categorical.
    """
    columns: dict[str, pd.Series] = {}
    for name in runs.columns:
        if name in KEYS:
            continue
        column = runs[name]
        elements = _list_elements(column)
        if elements is not None:
            columns.update({f"{name}[{i}]": elements[i] for i in range(elements.shape[1])})
        else:
            columns[name] = column
    out = {}
    for name, column in columns.items():
        if column.nunique(dropna=False) <= 1:
            continue
        numeric = _is_number(column) and column.notna().all()
        out[name] = column.astype(float) if numeric else column.astype(str)
    return pd.DataFrame(out, index=runs.index)


def _list_elements(column: pd.Series) -> pd.DataFrame | None:
    """A text column of equal-length lists of numbers as one float column per element."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return None
    values = column.dropna().unique()
    if len(values) == 0 or not all(isinstance(v, str) and v.startswith("[") for v in values):
        return None
    try:
        parsed = {v: [float(e) for e in ast.literal_eval(v)] for v in values}
    except (ValueError, SyntaxError, TypeError):
        return None
    lengths = {len(p) for p in parsed.values()}
    if len(lengths) != 1 or column.isna().any():
        return None
    return pd.DataFrame([parsed[v] for v in column], index=column.index)


# ---------------------------------------------------------------- the table


@dataclass
class Discovery:
    """What PRIM and the tree take: the inputs ``x``, the flags ``y``, and how they were made."""

    x: pd.DataFrame
    y: np.ndarray
    condition: Condition
    n_missing: int  # runs left out: no outcome value, or no inputs row


def discovery_table(inputs: pd.DataFrame, outcomes: pd.DataFrame, condition: str) -> Discovery:
    """Join the results pair on ``run_id`` and flag the runs where ``condition`` holds.

    Raises:
        DiscoverError: for a bad condition, an outcome that is not numeric, tables
            that share no run, or a condition that holds for no run or for every run.
    """
    parsed = parse_condition(condition, metric_columns(outcomes))
    column = outcomes[parsed.outcome]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        numeric = [c for c in metric_columns(outcomes) if _is_number(outcomes[c])]
        raise DiscoverError(
            f"condition {condition!r}: outcome {parsed.outcome!r} is not numeric; "
            f"numeric outcomes: {', '.join(numeric)}"
        )
    table = outcomes[["run_id", parsed.outcome]].merge(
        inputs.drop(columns=parsed.outcome, errors="ignore"), on="run_id", how="inner"
    )
    if table.empty:
        raise DiscoverError(
            f"runs.parquet and outcomes.parquet share no run_id ({len(inputs)} and "
            f"{len(outcomes)} rows): give the folder of one sweep, design or study"
        )
    values = table[parsed.outcome]
    table = table[values.notna()].reset_index(drop=True)
    n_missing = len(outcomes) - len(table)
    values = table[parsed.outcome].to_numpy(dtype=float)
    y = parsed.holds(values)
    if y.all() or not y.any():
        which = "every one" if y.all() else "none"
        span = f"{values.min():.4g} to {values.max():.4g}" if len(values) else "no values"
        raise DiscoverError(
            f"condition {condition!r} holds for {which} of the {len(values)} runs "
            f"({parsed.outcome} runs from {span}): nothing to tell apart; "
            "choose a threshold inside that range"
        )
    x = discovery_inputs(table.drop(columns=parsed.outcome))
    if x.shape[1] == 0:
        raise DiscoverError(
            f"no input varies across the {len(table)} runs: nothing to explain the condition by"
        )
    return Discovery(x, y, parsed, n_missing)


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


__all__ = [
    "OPERATORS",
    "Condition",
    "DiscoverError",
    "Discovery",
    "discovery_inputs",
    "discovery_table",
    "parse_condition",
]
