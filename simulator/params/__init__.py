"""Every parameter of the model, declared once.

Each group is a typed dataclass; every field carries its default, its allowed
range, its unit and a one-line doc in ``field(metadata=...)``.  Hydra registers
these classes as the schema of ``conf/`` (see :mod:`salesim_cli.config`), the
CLI and the README table are generated from them, and :func:`validate` checks
the ranges, so the YAML can only override values, never invent keys.

Every behavioural mechanism of ``MODEL.md`` has a *strength* parameter here
(named ``*_effect``, ``*_response`` or ``*_strength``) that switches it off at
zero; :data:`MECHANISMS` lists them.
"""

from __future__ import annotations

from simulator.params._declare import (
    CAMPAIGN_SEGMENTS,
    COACHING_POLICIES,
    COMPONENT_KINDS,
    FITTED,
    MEASURES,
    ONBOARDING_KINDS,
    PERIOD_WEEKS,
    QUOTA_POLICIES,
    TABLE_CHOICES,
    TARGET_BASES,
    TEAM_SPLITS,
    WEEKS_PER_QUARTER,
    WEEKS_PER_YEAR,
    fitted,
    p,
)
from simulator.params.buyers import BuyerParams, MarketParams
from simulator.params.managers import HiringParams, ManagerParams, PerformanceParams
from simulator.params.organisation import OrgParams, SegmentParams, TerritoryParams
from simulator.params.plan import (
    BonusParams,
    CampaignParams,
    CommissionParams,
    ComponentParams,
    PlanParams,
    QuotaParams,
    RankParams,
    TeamParams,
)
from simulator.params.reps import RepParams
from simulator.params.sim import MECHANISMS, RunParams, SimParams
from simulator.params.validation import ParamError, flatten, iter_fields, validate

__all__ = [
    "BonusParams",
    "BuyerParams",
    "CAMPAIGN_SEGMENTS",
    "COACHING_POLICIES",
    "CampaignParams",
    "CommissionParams",
    "ComponentParams",
    "COMPONENT_KINDS",
    "FITTED",
    "HiringParams",
    "MECHANISMS",
    "MEASURES",
    "ManagerParams",
    "MarketParams",
    "ONBOARDING_KINDS",
    "OrgParams",
    "PERIOD_WEEKS",
    "ParamError",
    "PerformanceParams",
    "PlanParams",
    "QUOTA_POLICIES",
    "QuotaParams",
    "RankParams",
    "RepParams",
    "RunParams",
    "SegmentParams",
    "SimParams",
    "TABLE_CHOICES",
    "TARGET_BASES",
    "TEAM_SPLITS",
    "TeamParams",
    "TerritoryParams",
    "WEEKS_PER_QUARTER",
    "WEEKS_PER_YEAR",
    "fitted",
    "flatten",
    "iter_fields",
    "p",
    "validate",
]
