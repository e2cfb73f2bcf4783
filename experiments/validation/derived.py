"""Quotas set by a written rule at every point, not fixed in a file.

Two quotas are firms' policies, set so a published moment holds, and are
re-set by the same rule wherever the parameters change (a fit's trial, a
candidate's ``make validate``, an adoption):

- the default organisation's quota a seat (``org.quota_per_rep``), so that
  CSO Insights' share of reps at quota holds (:data:`ORG_RULE`,
  :func:`derive_org_quota`; plan (t), ``validation/quota_rule_2026-12-07t``);
- Larkin's vendor's quota (below).

The default organisation's quota is estimated, not ruled, since plan (ad)
(``validation/quota_moments_2026-12-07ad``, adopted): :class:`QuotaMoments`
and :func:`estimate_org_quota` place it by minimum distance on the three train
level findings it moves, :func:`settled_org_quota` runs plan (ad)'s whole
procedure (estimate, re-find the installed base, estimate again), and ``make
calibrate`` (``--quota-moments``) runs that after the fit. Plan (t)'s rule stays
as an option (``--quota-rule``).

Larkin's vendor (``conf/experiment/timing_vendor.yaml``) sets its own quota:
the median rep should attain about its quota under the vendor's plan (1.02,
the median the CSO Insights share at quota implies: ``derived_attainment_median``).
The value written in the file was found by that rule at the shipped defaults; at other parameters (a
fit's trial, a candidate's ``make validate``) the same quota can leave the
median rep far above or below quota, and Larkin's findings then measure a
different population (a rep well past quota has little left to pull in). So
:func:`derived_overrides` re-sets it by the rule at the parameters in force,
and :func:`experiments.estimation.moments.simulate` runs the experiment with
it, as the installed base is re-found before a point is judged
(:func:`experiments.validation.steady.steady_installed_base`).

The search. Attainment scales about inversely with the quota, so each step
multiplies the quota by ``(median / target) ** exponent``: a damped
fixed-point step, which converges while ``exponent`` times the elasticity of
attainment to the quota lies between 0 and 2. The exponent, 0.8, is about the
inverse of the elasticity measured at fit (q)'s responses (1.51 at 392,350,
0.84 at 608,990: 1.33); at the shipped defaults the written quota is already
within tolerance. A slope is not measured at each point: a median over a few
enterprise-only runs is too noisy for a slope between two nearby quotas (at
the shipped defaults, 16 runs gave 1.04 at 392,350, 0.92 at 420,110 and 0.89
at 403,470). The search
stops within ``tolerance`` of the target or after ``max_steps`` runs, and
returns the run closest to the target. Every step runs the same replication
seeds, so the result is a deterministic function of the parameters and the
seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

import numpy as np

from experiments.validation.experiments import run_experiments
from salesim_cli.config import compose_config, override_key


@dataclass(frozen=True)
class MedianQuotaRule:
    """A quota set so the median rep of ``arm`` attains ``median`` of it."""

    parameter: str
    arm: dict[str, str] = field(default_factory=dict)
    median: float = 1.02
    replications: int = 24
    tolerance: float = 0.03
    max_steps: int = 4
    #: the damping of a step (see the module docstring)
    exponent: float = 0.8
    #: the quota is rounded to this many currency units
    grain: float = 10.0


#: experiment -> the rule that sets one of its parameters
RULES: dict[str, MedianQuotaRule] = {
    "timing_vendor": MedianQuotaRule("quota.target_per_rep", {"plan": "larkin"}),
}


@dataclass(frozen=True)
class Derived:
    """A derived value, the median it gave, and the steps taken (quota, median) in order."""

    parameter: str
    value: float
    median: float
    steps: tuple[tuple[float, float], ...]

    @property
    def override(self) -> str:
        """The Hydra override that sets it."""
        return f"{self.parameter}={self.value:.10g}"

    @property
    def steps_text(self) -> str:
        """The steps as the report prints them: ``value -> reached; ...``."""
        return "; ".join(f"{q:,.0f} -> {m:.3f}" for q, m in self.steps)


def is_set(overrides: tuple[str, ...], parameter: str) -> bool:
    """Whether ``overrides`` set ``parameter`` (then the caller chose it, and no rule runs)."""
    return parameter in {override_key(o) for o in overrides}


def _median(
    name: str,
    rule: MedianQuotaRule,
    overrides: tuple[str, ...],
    quota: float,
    seed: int,
    workers: int,
) -> float:
    extra = (f"run.replications={rule.replications}", *overrides, f"{rule.parameter}={quota:.10g}")
    table = run_experiments([name], seed, extra, workers, only={name: [rule.arm]})[name]
    return float(table["attainment_median"].mean())


def _written(name: str, parameter: str, overrides: tuple[str, ...]) -> float:
    """The parameter's value in the experiment file with ``overrides`` (the search's start)."""
    params, _ = compose_config([f"+experiment={name}", *overrides])
    return float(attrgetter(parameter)(params))


@lru_cache(maxsize=64)
def derive(name: str, overrides: tuple[str, ...] = (), seed: int = 0, workers: int = 1) -> Derived:
    """The rule's value for experiment ``name`` at the defaults with ``overrides``."""
    rule = RULES[name]
    quota = _written(name, rule.parameter, overrides)
    steps: list[tuple[float, float]] = []
    for _ in range(rule.max_steps):
        median = _median(name, rule, overrides, quota, seed, workers)
        steps.append((quota, median))
        if abs(median / rule.median - 1.0) <= rule.tolerance or not median > 0:
            break
        quota = round(quota * (median / rule.median) ** rule.exponent / rule.grain) * rule.grain
        if any(q == quota for q, _ in steps):
            break
    best = min(steps, key=lambda s: abs(math.log(s[1] / rule.median)) if s[1] > 0 else math.inf)
    return Derived(rule.parameter, best[0], best[1], tuple(steps))


def derivation(
    name: str, overrides: tuple[str, ...] = (), seed: int = 0, workers: int = 1
) -> Derived | None:
    """The rule's :class:`Derived` value for experiment ``name`` at ``overrides``.

    None when the experiment has no rule, or when ``overrides`` already set
    the rule's parameter (the caller chose it).
    """
    rule = RULES.get(name)
    if rule is None or is_set(overrides, rule.parameter):
        return None
    return derive(name, tuple(overrides), seed, workers)


def derived_overrides(
    name: str, overrides: tuple[str, ...] = (), seed: int = 0, workers: int = 1
) -> tuple[str, ...]:
    """The overrides experiment ``name`` needs on top of ``overrides`` (:func:`derivation`)."""
    d = derivation(name, overrides, seed, workers)
    return () if d is None else (d.override,)


# -- the default organisation's quota ------------------------------------------------------------


@dataclass(frozen=True)
class ShareQuotaRule:
    """The default organisation's quota a seat, set so ``share`` of its reps reach it.

    Plan (t) (``validation/quota_rule_2026-12-07t/README.md``), fixed before it
    ran: the share at quota over the calibration seeds ``0 .. seeds - 1``
    (:func:`experiments.calibration.calibrate`) equals ``share``, 0.54, the
    middle of CSO Insights' 49-59% (``csoinsights2013_quota_attainment``),
    within ``tolerance``. The search is on the log quota from the value in
    force: a damped first step (the quota times ``(share / target) **
    first_exponent``), then secant steps through the last two runs (a damped
    step again when the two runs do not show the share falling with the
    quota, which is noise at that distance). The quota is rounded to
    ``grain``; after ``max_steps`` runs the run closest to the target is
    returned. Every step runs the same seeds, so the result is a
    deterministic function of the parameters.
    """

    parameter: str = "org.quota_per_rep"
    share: float = 0.54
    seeds: int = 20
    tolerance: float = 0.01
    max_steps: int = 5
    first_exponent: float = 1.5
    grain: float = 10.0


ORG_RULE = ShareQuotaRule()


def _share(overrides: tuple[str, ...], quota: float, seeds: int, workers: int) -> float:
    """Share at quota of the default organisation over seeds ``0 .. seeds - 1`` at ``quota``."""
    from experiments.calibration import calibrate

    table = calibrate(seeds, workers, (*overrides, f"{ORG_RULE.parameter}={quota:.10g}"))
    return float(table.loc["share_at_quota", "mean"])


def _next_quota(steps: list[tuple[float, float]], rule: ShareQuotaRule) -> float:
    """The search's next quota from its runs so far, (quota, share) in order."""
    (q1, s1) = steps[-1]
    damped = q1 * (s1 / rule.share) ** rule.first_exponent
    if len(steps) < 2:
        return damped
    (q0, s0) = steps[-2]
    slope = (s1 - s0) / (math.log(q1) - math.log(q0))
    if not slope < 0:
        return damped
    return math.exp(math.log(q1) + (rule.share - s1) / slope)


@lru_cache(maxsize=16)
def derive_org_quota(overrides: tuple[str, ...] = (), workers: int = 1) -> Derived:
    """:data:`ORG_RULE`'s quota a seat at the defaults with ``overrides``.

    ``Derived.median`` holds the share at quota the chosen quota gave.
    """
    rule = ORG_RULE
    quota = float(attrgetter(rule.parameter)(compose_config(list(overrides))[0]))
    steps: list[tuple[float, float]] = []
    for _ in range(rule.max_steps):
        share = _share(overrides, quota, rule.seeds, workers)
        steps.append((quota, share))
        if abs(share - rule.share) <= rule.tolerance or not share > 0:
            break
        quota = round(_next_quota(steps, rule) / rule.grain) * rule.grain
        if any(q == quota for q, _ in steps):
            break
    best = min(steps, key=lambda s: abs(s[1] - rule.share))
    return Derived(rule.parameter, best[0], best[1], tuple(steps))


def org_quota_overrides(overrides: tuple[str, ...] = (), workers: int = 1) -> tuple[str, ...]:
    """``overrides`` with the default organisation's quota set by :data:`ORG_RULE`.

    Unchanged when ``overrides`` already set the quota (the caller chose it).
    """
    if is_set(overrides, ORG_RULE.parameter):
        return tuple(overrides)
    return (*overrides, derive_org_quota(tuple(overrides), workers).override)


# -- the default organisation's quota, estimated from its level moments (plan (ad)) ----------------


@dataclass(frozen=True)
class QuotaMoments:
    """The default organisation's quota a seat by minimum distance on its level moments.

    Plan (ad) (``validation/quota_moments_2026-12-07ad/README.md``), fixed before
    it ran and adopted: the quota is a firm's policy, identified by the train
    findings it moves at first order, each ``finding -> measure`` in
    ``findings``. At each quota of ``grid`` the default organisation runs over
    seeds ``0 .. seeds - 1`` (the same seeds at every quota); each measure's
    mean is fitted by a straight line in the log quota, and the estimate
    minimises ``sum(((line(q) - target) / scale) ** 2)``, where ``target`` is
    the middle of the finding's band and ``scale`` the band read as a 95%
    interval, ``(high - low) / 3.92``, with no floor: with one parameter
    against its own moments there is no behavioural parameter for a precise
    target to pull (the loss's floor exists for that, in a joint fit). The
    minimum is in closed form (a quadratic in the log quota), rounded to
    ``grain``.
    """

    parameter: str = "org.quota_per_rep"
    findings: tuple[tuple[str, str], ...] = (
        ("csoinsights2013_quota_attainment", "share_at_quota"),
        ("derived_attainment_median", "attainment_median"),
        ("csoinsights_revenue_plan_attainment", "revenue_vs_target"),
    )
    grid: tuple[float, ...] = tuple(465_000.0 + 10_000.0 * i for i in range(7))
    seeds: int = 40
    grain: float = 100.0
    #: :func:`settled_org_quota` re-finds the installed base between its two estimates
    #: over this many seeds and passes (as every adoption since fit (q) has)
    base_seeds: int = 10
    base_passes: int = 3


QUOTA_MOMENTS = QuotaMoments()


@dataclass(frozen=True)
class QuotaEstimate:
    """The estimated quota, and the runs behind it: ``(quota, {measure: mean})`` in grid order."""

    parameter: str
    value: float
    runs: tuple[tuple[float, dict[str, float]], ...]

    @property
    def override(self) -> str:
        """The Hydra override that sets it."""
        return f"{self.parameter}={self.value:.10g}"


def moment_targets(
    findings, estimator: QuotaMoments = QUOTA_MOMENTS
) -> dict[str, tuple[float, float]]:
    """Measure -> (target, scale) from the findings' bands (see :class:`QuotaMoments`).

    ``findings`` is the evidence base (:func:`experiments.evidence.load`); a
    finding the estimator reads must be there with both ``low`` and ``high``.
    """
    by_id = {f.id: f for f in findings}
    out = {}
    for fid, measure in estimator.findings:
        f = by_id.get(fid)
        if f is None or f.low is None or f.high is None or not f.high > f.low:
            raise ValueError(f"the quota's moments need finding {fid!r} with a band (low < high)")
        out[measure] = ((f.low + f.high) / 2.0, (f.high - f.low) / 3.92)
    return out


def min_distance_quota(
    runs: list[tuple[float, dict[str, float]]],
    targets: dict[str, tuple[float, float]],
    grain: float = QUOTA_MOMENTS.grain,
) -> float:
    """The quota minimising the moments' squared z along their lines in the log quota.

    With ``z_m(x) = (a_m + b_m x - t_m) / s_m`` the minimum of ``sum z_m ** 2``
    is at ``x = -sum(b_m (a_m - t_m) / s_m**2) / sum(b_m**2 / s_m**2)``.
    Raises ValueError when no moment moves with the quota.
    """
    x = np.log([q for q, _ in runs])
    num = den = 0.0
    for measure, (target, scale) in targets.items():
        slope, intercept = np.polyfit(x, [m[measure] for _, m in runs], 1)
        num += slope * (intercept - target) / scale**2
        den += slope * slope / scale**2
    if not den > 1e-9:  # a fitted slope of rounding noise alone
        raise ValueError("no moment moves with the quota: it cannot be estimated from them")
    return round(math.exp(-num / den) / grain) * grain


def estimate_org_quota(
    overrides: tuple[str, ...] = (),
    workers: int = 1,
    findings=None,
    estimator: QuotaMoments = QUOTA_MOMENTS,
) -> QuotaEstimate:
    """:class:`QuotaMoments`' quota a seat at the defaults with ``overrides``.

    ``findings`` default to the evidence base. A quota in ``overrides`` is
    replaced at every run of the grid.
    """
    from experiments.calibration import calibrate
    from experiments.evidence import load

    targets = moment_targets(load() if findings is None else findings, estimator)
    kept = tuple(o for o in overrides if override_key(o) != estimator.parameter)
    runs = []
    for quota in estimator.grid:
        table = calibrate(estimator.seeds, workers, (*kept, f"{estimator.parameter}={quota:.10g}"))
        runs.append((quota, {m: float(table.loc[m, "mean"]) for m in targets}))
    value = min_distance_quota(runs, targets, estimator.grain)
    return QuotaEstimate(estimator.parameter, value, tuple(runs))


@dataclass(frozen=True)
class SettledQuota:
    """:func:`settled_org_quota`'s result: both estimates and the base found between them."""

    first: QuotaEstimate
    base: dict[str, float]
    second: QuotaEstimate


def settled_org_quota(
    overrides: tuple[str, ...] = (),
    workers: int = 1,
    findings=None,
    estimator: QuotaMoments = QUOTA_MOMENTS,
) -> SettledQuota:
    """Plan (ad)'s procedure: estimate the quota, re-find the installed base there, estimate again.

    The base (:func:`experiments.validation.steady.steady_installed_base`,
    ``estimator.base_seeds`` seeds and ``base_passes`` passes, each value to 4
    significant digits) starts from the first estimate; the second estimate
    runs from that base. The point to write is ``overrides`` with ``base`` and
    ``second.value``.
    """
    from experiments.estimation.space import point_overrides, round4
    from experiments.validation.steady import steady_installed_base

    first = estimate_org_quota(overrides, workers, findings, estimator)
    kept = tuple(o for o in overrides if override_key(o) != estimator.parameter)
    found = steady_installed_base(
        (*kept, first.override),
        seeds=estimator.base_seeds,
        workers=workers,
        passes=estimator.base_passes,
    )
    base = {k: round4(v) for k, v in found.items()}
    rest = tuple(o for o in kept if override_key(o) not in base)
    second = estimate_org_quota((*rest, *point_overrides(base)), workers, findings, estimator)
    return SettledQuota(first, base, second)
