"""The data every stage shares: closed vocabularies, the canonical frames, the Inventory and the Profile.

`cmmm.model` imports nothing else of cmmm but `cmmm.errors`: it is the bottom of the house.
"""

from __future__ import annotations

from cmmm.model.columns import (
    ALGORITHM_COLUMNS,
    CERTIFICATE_COLUMNS,
    FACT_COLUMNS,
    LAB_COLUMNS,
    OBSERVATION_COLUMNS,
    SERVICE_COLUMNS,
    UTC_DT,
    conform,
    empty_frame,
    isin,
    remap,
    sorted_positions,
)
from cmmm.model.exercise import RATING_TEXT_BY_CODE, CorrectiveAction, Rating, RecordedExercise
from cmmm.model.inventory import Inventory, PrivateKeyFinding, Rejected, SourceRecord, derived
from cmmm.model.profile import Attestation, CaChoice, FreezeWindow, Profile, Team
from cmmm.model.vocab import (
    AUTOMATED,
    AUTOMATED_DISCOVERY,
    CRITICALITY_RANK,
    LEVEL_NAMES,
    Automation,
    Criticality,
    Discovery,
    Environment,
    KeyFamily,
    Trust,
)

__all__ = [
    "ALGORITHM_COLUMNS",
    "AUTOMATED",
    "AUTOMATED_DISCOVERY",
    "CERTIFICATE_COLUMNS",
    "CRITICALITY_RANK",
    "FACT_COLUMNS",
    "LAB_COLUMNS",
    "LEVEL_NAMES",
    "OBSERVATION_COLUMNS",
    "RATING_TEXT_BY_CODE",
    "SERVICE_COLUMNS",
    "UTC_DT",
    "Attestation",
    "Automation",
    "CaChoice",
    "CorrectiveAction",
    "Criticality",
    "Discovery",
    "Environment",
    "FreezeWindow",
    "Inventory",
    "KeyFamily",
    "PrivateKeyFinding",
    "Profile",
    "Rating",
    "RecordedExercise",
    "Rejected",
    "SourceRecord",
    "Team",
    "Trust",
    "conform",
    "derived",
    "empty_frame",
    "isin",
    "remap",
    "sorted_positions",
]
