"""Named what-if scenarios: variants compared on one organisation with common random numbers.

A scenario is a YAML file in ``scenarios/`` (shipped as the package
``simulator.scenarios``)::

    title: Individual quota, stack ranking, team pool or a hybrid?
    story: |
      Plain-language text for a workshop.
    replications: 10            # default; run.replications=N on the command line wins
    headline: [revenue, share_at_quota]   # metrics of the headline table
    overrides: []               # optional: Hydra overrides shared by every variant
    variants:                   # ordered; the first is the baseline
      individual_quota: [plan=quota_bonus]
      stack_ranking: [plan=ranking]

:func:`load_scenario` reads and checks a file; :func:`run_scenario` runs every
variant's replications on the same spawned seeds (replication ``r`` of every
variant uses the ``r``-th child of the seed), and :func:`comparison_table`
gives each variant's mean and 95% interval per metric and the paired
difference to the baseline with its 95% interval.  Nothing here composes Hydra
configs: the caller turns each variant's overrides into parameters
(:func:`variant_overrides` gives the override list to compose).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from simulator.params import WEEKS_PER_YEAR, ParamError, SimParams
from simulator.results import KEYS, concat, inputs_table, with_run_id
from simulator.run import ReplicatedResult, run_replications

SCENARIO_PACKAGE = "simulator.scenarios"
SCENARIO_KEYS = ("title", "story", "replications", "headline", "overrides", "variants")

#: Metrics a scenario's report adds to each run's summary (see :func:`scenario_metrics`).
EXTRA_METRICS = (
    "expansion_revenue",
    "enterprise_revenue",
    "rushed_deals_lost",
    "deals_lost_to_colleagues",
)


@dataclass(frozen=True)
class Scenario:
    """One named what-if story.

    Attributes:
        name: file name without ``.yaml``.
        title: one-line question the scenario answers.
        story: plain-language text for a workshop.
        replications: default replications per variant.
        headline: metrics of the headline table, in order.
        variants: variant name -> Hydra override strings; the first is the baseline.
        overrides: Hydra override strings shared by every variant.
    """

    name: str
    title: str
    story: str
    replications: int
    headline: tuple[str, ...]
    variants: dict[str, tuple[str, ...]]
    overrides: tuple[str, ...] = field(default=())

    @property
    def baseline(self) -> str:
        """Name of the first variant, against which the others are compared."""
        return next(iter(self.variants))


def available() -> list[str]:
    """Names of the shipped scenarios, sorted."""
    root = resources.files(SCENARIO_PACKAGE)
    return sorted(e.name.removesuffix(".yaml") for e in root.iterdir() if e.name.endswith(".yaml"))


def load_scenario(name: str) -> Scenario:
    """Read and check ``scenarios/NAME.yaml``; :class:`ParamError` names what is wrong."""
    if name not in available():
        raise ParamError(
            f"scenario = {name!r}: no such scenario; available: {', '.join(available())}"
        )
    text = resources.files(SCENARIO_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_scenario(name, yaml.safe_load(text))


def parse_scenario(name: str, data: object) -> Scenario:
    """Check a scenario's parsed YAML and build the :class:`Scenario`."""
    where = f"scenario {name}"
    if not isinstance(data, dict):
        raise ParamError(f"{where}: must be a mapping with keys {', '.join(SCENARIO_KEYS)}")
    unknown = sorted(set(data) - set(SCENARIO_KEYS))
    if unknown:
        raise ParamError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(SCENARIO_KEYS)}"
        )
    variants = data.get("variants")
    if not isinstance(variants, dict) or not variants:
        raise ParamError(f"{where}: variants must name at least one variant (name: [overrides])")
    replications = data.get("replications", 10)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 2:
        raise ParamError(f"{where}: replications = {replications!r}: must be an int of at least 2")
    return Scenario(
        name=name,
        title=str(data.get("title", name)),
        story=str(data.get("story", "")).strip(),
        replications=replications,
        headline=tuple(_strings(data.get("headline", ["revenue"]), f"{where}: headline")),
        variants={
            str(k): tuple(_strings(v or [], f"{where}: variant {k}")) for k, v in variants.items()
        },
        overrides=tuple(_strings(data.get("overrides") or [], f"{where}: overrides")),
    )


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParamError(f"{where} = {value!r}: must be a list of strings")
    return value


def variant_overrides(scenario: Scenario, variant: str, base: Iterable[str] = ()) -> list[str]:
    """Overrides composing ``variant``: ``base`` (the command line), shared, then the variant's.

    Later overrides win, so a variant's own settings beat the command line's.
    """
    return [*base, *scenario.overrides, *scenario.variants[variant]]


def scenario_metrics(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Outcomes scenarios compare beyond the run summary (evaluation window, per year).

    ``expansion_revenue`` and ``enterprise_revenue``: bookings won from
    expansion deals and from enterprise accounts; ``rushed_deals_lost``: deals
    pulled in before the buyer was ready and then lost;
    ``deals_lost_to_colleagues``: deals a rep lost to a teammate (internal competition).
    """
    weekly, deals, reps = tables["weekly"], tables["deals"], tables["reps"]
    ev_weeks = weekly.loc[~weekly["warmup"], "week"]
    years = len(ev_weeks) / WEEKS_PER_YEAR
    if years == 0:
        return dict.fromkeys(EXTRA_METRICS, float("nan"))
    d = deals[deals["week"] >= ev_weeks.min()]
    won = d["won"].astype(bool)
    return {
        "expansion_revenue": float(d.loc[won & d["expansion"].astype(bool), "price"].sum() / years),
        "enterprise_revenue": float(d.loc[won & (d["segment"] == "ent"), "price"].sum() / years),
        "rushed_deals_lost": float((d["rushed"].astype(bool) & ~won).sum() / years),
        "deals_lost_to_colleagues": float(
            reps.loc[~reps["warmup"], "deals_lost_to_colleagues"].sum() / years
        ),
    }


@dataclass
class ScenarioResult:
    """Every variant's replications, plus the scenario and the seed they share."""

    scenario: Scenario
    seed: int
    variants: dict[str, ReplicatedResult]

    def outcomes(self) -> pd.DataFrame:
        """The outcomes table (:mod:`simulator.results`; ``job`` is the variant).

        One row per variant and replication: the keys, every metric of the run
        summary and those of :func:`scenario_metrics`.
        """
        frames = []
        for result in self.variants.values():
            extra = pd.DataFrame([scenario_metrics(run.tables) for run in result.runs])
            frames.append(pd.concat([result.replications, extra], axis=1))
        return concat(frames)

    def inputs(self) -> pd.DataFrame:
        """The inputs table: the keys and every parameter of each variant's runs."""
        return concat(
            inputs_table(name, result.params, result.seed, len(result.runs))
            for name, result in self.variants.items()
        )

    def replications(self) -> pd.DataFrame:
        """:meth:`outcomes` with a ``variant`` column first (the same as ``job``)."""
        rows = self.outcomes()
        rows.insert(0, "variant", rows["job"])
        return rows

    def table(self, name: str) -> pd.DataFrame:
        """Table ``name`` of every run, with ``run_id``, ``variant`` and ``replication`` columns."""
        return pd.concat(
            [
                with_run_id(run.tables[name], variant, r).assign(variant=variant, replication=r)
                for variant, result in self.variants.items()
                for r, run in enumerate(result.runs)
            ],
            ignore_index=True,
        )


def run_scenario(
    scenario: Scenario,
    params: dict[str, SimParams],
    seed: int = 0,
    replications: int | None = None,
    progress: Callable[[str], None] | None = None,
    done: Callable[[ScenarioResult], None] | None = None,
) -> ScenarioResult:
    """Run every variant's replications on common random numbers.

    Args:
        scenario: the scenario (for its order and default replications).
        params: each variant's parameters, keyed like ``scenario.variants``.
        seed: shared by every variant; replication ``r`` of every variant runs
            on the same spawned child seed.
        replications: per variant; the scenario's default when None.
        progress: called with each variant's name before it runs.
        done: called after each variant with the result so far (to save it).
    """
    n = scenario.replications if replications is None else replications
    results = {}
    for name in scenario.variants:
        if progress is not None:
            progress(name)
        results[name] = run_replications(params[name], seed, n, job=name)
        if done is not None:
            done(ScenarioResult(scenario, seed, dict(results)))
    return ScenarioResult(scenario, seed, results)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t interval of the finite values (NaN where fewer than two)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(v.mean())
    if v.size < 2:
        return (mean, np.nan, np.nan)
    half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return (mean, mean - half, mean + half)


def comparison_table(rows: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each variant by metric: mean, 95% CI, and the paired difference to ``baseline``.

    Args:
        rows: :meth:`ScenarioResult.replications` (``variant``, the keys of
            :mod:`simulator.results`, metrics).
        baseline: the variant the others are compared with.

    Returns:
        One row per variant and metric with ``mean``, ``ci_low``, ``ci_high``,
        ``diff``, ``diff_ci_low``, ``diff_ci_high`` (differences are per
        replication, variant minus baseline, on common random numbers) and
        ``replications``.
    """
    metrics = [c for c in rows.columns if c not in ("variant", *KEYS)]
    base = rows[rows["variant"] == baseline].set_index("replication")
    out = []
    for variant, group in rows.groupby("variant", sort=False):
        g = group.set_index("replication")
        common = g.index.intersection(base.index)
        for metric in metrics:
            mean, lo, hi = _interval(g[metric].to_numpy(float))
            diff = (g.loc[common, metric] - base.loc[common, metric]).to_numpy(float)
            d_mean, d_lo, d_hi = _interval(diff)
            out.append(
                {
                    "variant": variant,
                    "metric": metric,
                    "mean": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "diff": d_mean,
                    "diff_ci_low": d_lo,
                    "diff_ci_high": d_hi,
                    "replications": len(g),
                }
            )
    return pd.DataFrame(out)
