"""Buyer segments (smb, mid-market, enterprise): the mean buying cycle and seats' home segments.

:mod:`simulator.accounts` draws each account's segment; this module holds what
is known of the segments before any account exists.
"""

from __future__ import annotations

import numpy as np

from simulator.params import SimParams

SEGMENTS = ("smb", "mid", "ent")


def buying_cycle_weeks(params: SimParams) -> float:
    """The mean buying cycle, in weeks: the segments' cycles weighted by their share of accounts."""
    t = params.territory
    return sum(getattr(t, s).share * getattr(t, s).cycle_weeks for s in SEGMENTS)


def home_segments(seg_share: np.ndarray, n_seats: int) -> np.ndarray:
    """Each seat's home segment: seats split by the segments' shares of accounts.

    Seats are taken in segment order (smb, mid, ent), each segment's count
    rounded by largest remainders, so neighbouring seats, and so teams, share a segment. Under
    ``territory.specialisation`` a seat's accounts are drawn mostly from its home
    segment, and quotas split equally within a segment rather than across all seats.
    """
    exact = seg_share * n_seats
    counts = np.floor(exact).astype(int)
    short = n_seats - int(counts.sum())
    counts[np.argsort(counts - exact, kind="stable")[:short]] += 1
    return np.repeat(np.arange(len(seg_share)), counts)
