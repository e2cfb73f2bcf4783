"""Replications side by side: a batch of runs of one configuration as one simulation.

A :class:`~simulator.model.SalesModel` built on several seeds simulates one
organisation per seed, all in the same arrays: replication ``r`` holds seats
``r * n .. (r + 1) * n - 1`` (``n`` = ``org.n_reps``), their teams, managers
and accounts, so each weekly rule runs once for the whole batch and Python's
cost per step is paid once, not once per replication (issue 14).

Each replication stays bit for bit the run of its seed alone. What keeps it so:

- **Elementwise rules** need nothing: a seat's or an account's new state
  depends on its own row (and its team's, and teams never span replications).
- **Random draws** come from each replication's own streams
  (:class:`Streams`): a draw over some rows asks each replication's generator
  for that replication's rows, in their order, as the run alone asks for them.
  (A generator asked for no values advances not at all, as the run alone, that
  never asks, does not.)
- **Sums and ranks over the organisation** (its bookings, its leaderboard, its
  median rep) are taken within each replication (:func:`block_sums`,
  :func:`subset_sums`, :meth:`Blocks.slices`), in the same order as alone:
  numpy sums each row of a ``(replications, seats)`` array exactly as it sums
  that row alone.
- **Counters** (rep ids, account names, hires, exits) are kept per replication.

A batch of one is the run alone: every helper here then makes the call the
run alone made.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def layout(seats: np.ndarray, n: int, replications: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Each row's replication, the rows each replication owns, and whether they are in order.

    ``seats`` owns each row. Rows laid out replication by replication (as accounts are)
    are counted by a binary search over their replications rather than a pass.
    """
    blocks = seats // n
    ordered = bool((blocks[1:] >= blocks[:-1]).all())
    if ordered:
        counts = np.diff(np.searchsorted(blocks, np.arange(replications + 1)))
    else:
        counts = np.bincount(blocks, minlength=replications)
    return blocks, counts, ordered


def _order(blocks: np.ndarray, ordered: bool) -> np.ndarray:
    """Positions of rows sorted by replication, each replication's in their order."""
    return np.arange(blocks.size) if ordered else np.argsort(blocks, kind="stable")


class Blocks:
    """The layout of a batch: ``replications`` blocks of ``n`` seats each."""

    def __init__(self, replications: int, n: int):
        self.replications = replications
        self.n = n
        #: each block's seats, as slices of a seat array
        self.slices = tuple(slice(r * n, (r + 1) * n) for r in range(replications))

    def of(self, seats: np.ndarray | int) -> np.ndarray | int:
        """The replication of each seat."""
        return seats // self.n

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Each replication's sum of a seat array (rows summed as numpy sums each alone)."""
        if self.replications == 1:
            return np.add.reduce(values, axis=0, keepdims=True)
        return block_sums(values, self.replications)

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Each replication's count of True in a seat mask."""
        if self.replications == 1:
            return np.array([np.count_nonzero(mask)])
        return np.count_nonzero(mask.reshape(self.replications, -1), axis=1)

    def masked_sums(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Each replication's sum of a seat array over the seats in ``mask``."""
        if self.replications == 1:
            return np.add.reduce(values[mask], keepdims=True)
        return np.array([np.add.reduce(values[s][mask[s]]) for s in self.slices])

    def subset_sums(self, values: np.ndarray, seats: np.ndarray | None) -> np.ndarray:
        """Each replication's sum of ``values``, each owned by the seat in ``seats``.

        A run alone needs no owners (``seats`` may be None).
        """
        return subset_sums(values, seats, self)

    def groups(self, seats: np.ndarray | None) -> tuple[np.ndarray | None, list[int]] | None:
        """Rows owned by ``seats`` laid out by replication: their order, and where each ends.

        For several :meth:`group_sums` over the same rows (None in a run alone).
        """
        if self.replications == 1:
            return None
        blocks, counts, ordered = layout(seats, self.n, self.replications)
        return None if ordered else _order(blocks, ordered), np.cumsum(counts).tolist()

    def group_sums(
        self, values: np.ndarray, groups: tuple[np.ndarray | None, list[int]] | None
    ) -> np.ndarray:
        """Each replication's sum of ``values`` in the rows of :meth:`groups`, in their order."""
        if groups is None:
            return np.add.reduce(values, keepdims=True)
        order, ends = groups
        laid = values if order is None else values[order]
        return np.array(
            [np.add.reduce(laid[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)], float
        )

    def mask_counts(self, mask: np.ndarray, seats: np.ndarray) -> np.ndarray:
        """How many rows in ``mask`` each replication has (``seats``: each row's owner)."""
        if self.replications == 1:
            return np.array([np.count_nonzero(mask)])
        owners = seats.take(mask.nonzero()[0])
        return np.bincount(owners // self.n, minlength=self.replications)

    def subset_counts(self, seats: np.ndarray) -> np.ndarray:
        """How many of ``seats`` (rows owned by seats) each replication has."""
        if self.replications == 1:
            return np.array([len(seats)])
        return np.bincount(seats // self.n, minlength=self.replications)

    def names(self, next_name: np.ndarray, seats: np.ndarray) -> np.ndarray:
        """Names for new rows of ``seats``, each replication counting its own from ``next_name``.

        ``next_name`` (by replication) moves past the names given.
        """
        k = len(seats)
        if self.replications == 1:
            names = np.arange(next_name[0], next_name[0] + k)
            next_name[0] += k
            return names
        block, counts, ordered = layout(seats, self.n, self.replications)
        order = _order(block, ordered)
        firsts = np.cumsum(counts) - counts
        sorted_block = block[order]
        names = np.empty(k, np.int64)
        names[order] = next_name[sorted_block] + np.arange(k) - firsts[sorted_block]
        next_name += counts
        return names

    def split(self, seats: np.ndarray) -> list[np.ndarray]:
        """Positions in ``seats`` of each replication's rows, in their order."""
        if self.replications == 1:
            return [np.arange(len(seats))]
        blocks, counts, ordered = layout(seats, self.n, self.replications)
        order = _order(blocks, ordered)
        ends = np.cumsum(counts).tolist()
        return [order[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def block_sums(values: np.ndarray, replications: int) -> np.ndarray:
    """Sum of each replication's block of a seat array (or of seat rows: axis 0)."""
    return np.add.reduce(values.reshape(replications, -1, *values.shape[1:]), axis=1)


def subset_sums(values: np.ndarray, seats: np.ndarray | None, blocks: Blocks) -> np.ndarray:
    """Each replication's sum of the ``values`` its seats own, in their order (0.0 for none)."""
    return blocks.group_sums(values, blocks.groups(seats))


class Streams:
    """One named random stream per replication; draws go to the replication of their row.

    Args:
        generators: each replication's generator of this stream.
        n: seats per replication.
    """

    def __init__(self, generators: Sequence[np.random.Generator], n: int):
        self.generators = tuple(generators)
        self.n = n

    def of(self, seat: int) -> np.random.Generator:
        """The generator of the replication that holds ``seat`` (for a draw of its own)."""
        return self.generators[seat // self.n]

    def alone(self, seat: int) -> Streams:
        """The stream of the replication that holds ``seat``, for draws of its rows only."""
        return self if len(self.generators) == 1 else Streams([self.of(seat)], self.n)

    def _draw(self, method: str, seats: np.ndarray, *args, **kwargs) -> np.ndarray:
        gens = self.generators
        if len(gens) == 1:  # a run alone: its one generator, no sorting out
            return getattr(gens[0], method)(*args, size=len(seats), **kwargs)
        blocks, counts, ordered = layout(seats, self.n, len(gens))
        if method == "random":  # each replication fills its own rows in place (out=)
            drawn = np.empty(len(seats))
            ends = np.cumsum(counts).tolist()
            for r, (start, end) in enumerate(zip([0, *ends[:-1]], ends, strict=True)):
                if end > start:
                    gens[r].random(out=drawn[start:end])
        else:
            parts = [
                getattr(gens[r], method)(*args, size=int(counts[r]), **kwargs)
                for r in np.flatnonzero(counts)
            ]
            if not parts:
                return getattr(gens[0], method)(*args, size=0, **kwargs)
            drawn = np.concatenate(parts)
        if ordered:
            return drawn
        out = np.empty(len(seats), drawn.dtype)
        out[_order(blocks, ordered)] = drawn
        return out

    def random(self, seats: np.ndarray) -> np.ndarray:
        """A uniform draw on [0, 1) for each row, owned by the seat in ``seats``."""
        return self._draw("random", seats)

    def uniform(self, low: float, high: float, seats: np.ndarray) -> np.ndarray:
        """A uniform draw on [low, high) for each row."""
        return self._draw("uniform", seats, low, high)

    def lognormal(self, mean: float, sigma: float, seats: np.ndarray) -> np.ndarray:
        """A lognormal draw for each row."""
        return self._draw("lognormal", seats, mean, sigma)

    def standard_normal(self, seats: np.ndarray) -> np.ndarray:
        """A standard normal draw for each row."""
        return self._draw("standard_normal", seats)

    def exponential(self, scale: float, seats: np.ndarray) -> np.ndarray:
        """An exponential draw for each row."""
        return self._draw("exponential", seats, scale)

    def choice(self, a: int, seats: np.ndarray, p: np.ndarray) -> np.ndarray:
        """A draw of ``range(a)`` with probabilities ``p`` for each row."""
        return self._draw("choice", seats, a, p=p)


#: a random stream as the engine's functions take it: a run's generator, or a batch's streams
Rng = np.random.Generator | Streams


def as_streams(rng: Rng, n: int) -> Streams:
    """``rng`` as :class:`Streams` (a generator: the stream of a run alone of ``n`` seats)."""
    return rng if isinstance(rng, Streams) else Streams([rng], n)
