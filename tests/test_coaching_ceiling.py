"""The standard coaching teaches (manager.coaching_ceiling): stars gain nothing from coaching.

CEB's sales coaching research (Dixon and Adamson 2011) finds that coaching
moves the middle 60% most and the strongest reps hardly at all; with the
ceiling at the top of the skill scale (the default) the model gave its
strongest reps the largest gain (fact 7 of MODEL.md section 5).
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.learning import skill_change
from simulator.params import SimParams
from simulator.run import with_overrides


def coached_gain(ceiling: float, skill: np.ndarray) -> np.ndarray:
    """One week's skill gain from 2 hours of coaching, over the same week without it."""
    params = with_overrides(SimParams(), **{"manager.coaching_ceiling": ceiling})
    apt, tenure, share, quality = np.ones(skill.size), np.full(skill.size, 520), 0.8, np.ones(1)
    with_coaching = skill_change(params, skill, apt, tenure, share, 2.0, quality)
    without = skill_change(params, skill, apt, tenure, share, 0.0, quality)
    return with_coaching - without


def test_a_rep_at_or_above_the_standard_gains_nothing_from_coaching():
    skill = np.array([0.2, 0.4, 0.55, 0.6, 0.8])
    gain = coached_gain(0.6, skill)
    assert (gain[:3] > 0).all()
    assert gain[3] == 0.0 and gain[4] == 0.0
    # the gain is the gap times what the rep knows: it shrinks toward the standard
    assert gain[1] > gain[2]


def test_the_default_is_the_skill_scale_top_and_a_lower_standard_only_takes_gain_away():
    assert SimParams().manager.coaching_ceiling == 1.0
    skill = np.linspace(0.05, 0.95, 10)
    full, capped = coached_gain(1.0, skill), coached_gain(0.6, skill)
    assert (full > 0).all()
    assert (capped <= full).all()
    # at 1 the gap is the skill scale's headroom: gain over (1 - s) is the same shape in s
    ratio = capped[skill < 0.6] / full[skill < 0.6]
    assert ratio == pytest.approx((0.6 - skill[skill < 0.6]) / (1 - skill[skill < 0.6]))
