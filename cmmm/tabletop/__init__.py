"""Tabletop exercises from the organization's own data: a package built from a drill (scenario, injects
timed by the simulation, questions per role, evaluation form), a facilitator's guide, the answer sheet, the
after-action report and improvement plan, and the record that makes the exercise evidence.

See docs/tabletop.md. The package is a rendering of finished results (a DrillResult and an Assessment) plus
its own small model (cmmm.tabletop.model); it computes no timing of its own.
"""

from __future__ import annotations

from cmmm.tabletop.aar import AfterAction, Comparison, after_action, exercise_record, record
from cmmm.tabletop.answers import AnswerSheet, PackageRef, answer_sheet, load_package, read_answers
from cmmm.tabletop.build import (
    DEMO_ORGANIZATION,
    DEMO_SCENARIO,
    INCIDENT_KINDS,
    MASS_REVOCATION_ELEMENTS,
    build_package,
    snapshot_id,
)
from cmmm.tabletop.model import ROLES, Inject, Module, ModuleId, Package, Question, Role
from cmmm.tabletop.render import Written, write_aar, write_package
from cmmm.tabletop.variant import Variant, apply

__all__ = [
    "DEMO_ORGANIZATION",
    "DEMO_SCENARIO",
    "INCIDENT_KINDS",
    "MASS_REVOCATION_ELEMENTS",
    "ROLES",
    "AfterAction",
    "AnswerSheet",
    "Comparison",
    "Inject",
    "Module",
    "ModuleId",
    "Package",
    "PackageRef",
    "Question",
    "Role",
    "Variant",
    "Written",
    "after_action",
    "answer_sheet",
    "apply",
    "build_package",
    "exercise_record",
    "load_package",
    "read_answers",
    "record",
    "snapshot_id",
    "write_aar",
    "write_package",
]
