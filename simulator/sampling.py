"""Designs of experiments drawn with SALib over a space of parameter ranges.

:func:`sample` draws a :class:`Design` from a space (:mod:`simulator.space`):
a Latin hypercube, Saltelli's scheme for Sobol' indices, or Morris
trajectories. The analysis uses the unrounded sample; :attr:`Design.table`
holds the values as run (integers rounded).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.params import ParamError, SimParams
from simulator.space import ParamRange, parse_space

METHODS = ("latin", "sobol", "morris")
MORRIS_LEVELS = 4


@dataclass
class Design:
    """A sampled design: the space, the method, and the raw sample (one row per point).

    Attributes:
        space: the ranged parameters, in column order.
        method: ``latin``, ``sobol`` or ``morris``.
        n: the sampler's size argument (points, base samples or trajectories).
        seed: the sampler's seed.
        samples: the raw sample as SALib drew it, shape ``(points, parameters)``.
    """

    space: dict[str, ParamRange]
    method: str
    n: int
    seed: int
    samples: np.ndarray

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem dictionary of the space."""
        return {
            "num_vars": len(self.space),
            "names": list(self.space),
            "bounds": [[r.lo, r.hi] for r in self.space.values()],
        }

    @property
    def table(self) -> pd.DataFrame:
        """One row per point: ``point`` and each parameter's value as run (integers rounded)."""
        columns = {
            name: [r.value(x) for x in self.samples[:, j]]
            for j, (name, r) in enumerate(self.space.items())
        }
        return pd.DataFrame({"point": np.arange(len(self.samples)), **columns})

    def describe(self) -> dict[str, Any]:
        """The design as plain data (method, size, seed, ranges), for manifests and headers."""
        return {
            "method": self.method,
            "n": self.n,
            "seed": self.seed,
            "points": len(self.samples),
            "ranges": {name: [r.lo, r.hi] for name, r in self.space.items()},
        }


def sample(
    space: Mapping[str, ParamRange] | Mapping[str, Sequence[float]] | Iterable[str],
    method: str = "sobol",
    n: int = 64,
    seed: int = 0,
    base: SimParams | None = None,
) -> Design:
    """Draw a design over ``space`` with SALib.

    Args:
        space: parsed ranges, or anything :func:`parse_space` accepts.
        method: ``latin`` (``n`` points), ``sobol`` (Saltelli's scheme without
            second-order terms: ``n * (D + 2)`` points, ``n`` a power of 2) or
            ``morris`` (``n`` trajectories of ``D + 1`` points on 4 levels).
        n: the size, as above.
        seed: the sampler's seed (the same seed gives the same design).
        base: the configuration the ranges vary (for checking list lengths).
    """
    if not all(isinstance(r, ParamRange) for r in dict(space).values()):
        space = parse_space(space, base)
    space = dict(space)
    if method not in METHODS:
        raise ParamError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if not isinstance(n, int | np.integer) or n < 2:
        raise ParamError(f"n = {n!r}: must be an integer of at least 2")
    if method == "sobol" and n & (n - 1):
        raise ParamError(f"n = {n}: Sobol' sampling needs a power of 2 (e.g. {_pow2_near(n)})")
    problem = Design(space, method, int(n), seed, np.empty((0, len(space)))).problem
    if method == "latin":
        from SALib.sample import latin

        samples = latin.sample(problem, int(n), seed=seed)
    elif method == "sobol":
        from SALib.sample import sobol

        samples = sobol.sample(problem, int(n), calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        samples = morris.sample(problem, int(n), num_levels=MORRIS_LEVELS, seed=seed)
    return Design(space, method, int(n), seed, np.asarray(samples, float))


def _pow2_near(n: int) -> int:
    return 1 << max(1, round(math.log2(max(n, 2))))
