"""Fire drills: rehearse a CA distrust, a mass revocation, a validity cap or a PQC migration on an inventory.

The names below are resolved on first use (PEP 562): `cmmm.drill.scenario`, the catalog, loads without
pandas, so `cmmm scenarios` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmmm.drill._run import run
    from cmmm.drill.capacity import replacement_ca
    from cmmm.drill.evidence import SIMULATED_CRITERIA, SimulatedCriterion, simulated_evidence
    from cmmm.drill.plan import drill_document, write_plan
    from cmmm.drill.result import (
        PLAN_COLUMNS,
        TEAM_COLUMNS,
        Completion,
        DrillResult,
        Exposure,
        ReplacementCa,
        Verdict,
    )
    from cmmm.drill.scenario import (
        PARAMETERS,
        Basis,
        Kind,
        Scenario,
        catalog,
        load_scenario,
        parse_scenario,
    )
    from cmmm.drill.selection import SELECTORS, Selection, primary_ca, select

# Public name → the module that defines it.
_LAZY = {
    "run": "cmmm.drill._run",
    "replacement_ca": "cmmm.drill.capacity",
    **dict.fromkeys(
        ("PLAN_COLUMNS", "TEAM_COLUMNS", "Completion", "DrillResult", "Exposure", "ReplacementCa", "Verdict"),
        "cmmm.drill.result",
    ),
    **dict.fromkeys(
        ("SIMULATED_CRITERIA", "SimulatedCriterion", "simulated_evidence"), "cmmm.drill.evidence"
    ),
    **dict.fromkeys(("drill_document", "write_plan"), "cmmm.drill.plan"),
    **dict.fromkeys(
        ("PARAMETERS", "Basis", "Kind", "Scenario", "catalog", "load_scenario", "parse_scenario"),
        "cmmm.drill.scenario",
    ),
    **dict.fromkeys(("SELECTORS", "Selection", "primary_ca", "select"), "cmmm.drill.selection"),
}

__all__ = [
    "PARAMETERS",
    "PLAN_COLUMNS",
    "SELECTORS",
    "SIMULATED_CRITERIA",
    "TEAM_COLUMNS",
    "Basis",
    "Completion",
    "DrillResult",
    "Exposure",
    "Kind",
    "ReplacementCa",
    "Scenario",
    "Selection",
    "SimulatedCriterion",
    "Verdict",
    "catalog",
    "drill_document",
    "load_scenario",
    "parse_scenario",
    "primary_ca",
    "replacement_ca",
    "run",
    "select",
    "simulated_evidence",
    "write_plan",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
