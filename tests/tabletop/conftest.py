"""A generated organization, its drill and its exercise package, shared by the tabletop tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import cmmm
from cmmm import drill, tabletop
from cmmm.drill import DrillResult
from cmmm.maturity import assess
from cmmm.model import Inventory
from tests.conftest import NOW
from tests.drill.orgs import build_org, scenario_file

HOSTILE_TEAM = "<img src=x onerror=alert(1)>|[pay](http://evil.test)"
HOSTILE_SERVICE = "<script>alert(2)</script>*pay{n}*"  # every service, n = 0..6
SCENARIO = "primary-intermediate-compromise-24h"


@dataclass(frozen=True)
class Exercise:
    bundle: Path
    inv: Inventory
    result: DrillResult
    package: tabletop.Package
    folder: Path


def hostile_org(root: Path) -> Path:
    """A chaos-like organization (manual, half the owners unknown, no backup CA) whose team and one service
    carry hostile names."""
    bundle = build_org(
        root,
        leaves=40,
        automated_share=0.2,
        unknown_owner_share=0.3,
        teams=[
            {"name": "platform", "engineers": 1, "hours_per_day": 2},
            {"name": HOSTILE_TEAM, "engineers": 1, "hours_per_day": 2},
        ],
        backup_pre_approved=None,
        critical_share=0.3,
    )
    csv = bundle / "inventory.csv"
    text = csv.read_text(encoding="utf-8")
    for n in range(7):
        text = text.replace(f",svc{n},", f",{HOSTILE_SERVICE.format(n=n)},")
    csv.write_text(text, encoding="utf-8")
    return bundle


def make_exercise(root: Path, scenario: str | Path = SCENARIO, runs: int = 120) -> Exercise:
    bundle = hostile_org(root / "org")
    inv = cmmm.load([bundle], now=NOW)
    result = drill.run(inv, drill.load_scenario(scenario), now=NOW, runs=runs, seed=3)
    package = tabletop.build_package(inv, result, assess(inv, now=NOW), generated_at=NOW)
    folder = root / "exercise"
    folder.mkdir()
    tabletop.write_package(package, folder)
    return Exercise(bundle=bundle, inv=inv, result=result, package=package, folder=folder)


@pytest.fixture(scope="module")
def exercise(tmp_path_factory: pytest.TempPathFactory) -> Exercise:
    return make_exercise(tmp_path_factory.mktemp("tabletop"))


def mass_revocation_file(root: Path) -> Path:
    return scenario_file(
        root,
        {
            "kind": "mass_revocation",
            "title": "Issuing CA 1 misissued: revoke in 24 hours",
            "description": "A validation bug: every certificate of Org Issuing CA 1 is revoked in 24 hours.",
            "deadline_hours": 24,
            "parameters": {"filter": {"issuer": {"names": ["Org Issuing CA 1"]}}},
        },
        name="mass-revocation-ca1",
    )


def filled(ex: Exercise, **override: Any) -> dict[str, Any]:
    """The package's answer sheet, filled in as a facilitator would."""
    doc = yaml.safe_load((ex.folder / "answers.yaml").read_text(encoding="utf-8"))
    doc["held_on"] = "2026-11-27"
    doc["facilitator"] = "A. Facilitator"
    doc["participants"] = [{"name": "Kim", "role": "PKI team"}, {"name": "Sam", "role": "CISO"}]
    for mid, module in doc["modules"].items():
        module["rating"] = "M" if mid == "replacement" else "S"
        module["observations"] = [{"note": f"discussed {mid}", "role": "SRE"}]
    doc["modules"]["replacement"]["estimates"] = {"all_replaced_hours": 8}
    doc["modules"]["triage"]["gaps"] = [{"gap": "no owner for the legacy hosts", "role": "service owners"}]
    doc["modules"]["trust-and-communication"]["decisions"] = [
        {"decision": "extension", "by": "CISO", "note": "for the payment hosts"}
    ]
    doc["strengths"] = ["the inventory listed every affected certificate"]
    doc["improvements"] = ["owners for every certificate"]
    doc["actions"] = [
        {"action": "assign an owner to every certificate", "owner": "Kim", "due": "2027-01-31"},
        {
            "action": "pre-approve a backup CA",
            "owner": "Sam",
            "due": "2026-11-01",
            "criterion": "agi.ca-fallback",
        },
    ]
    doc.update(override)
    return doc


def write_sheet(ex: Exercise, doc: dict[str, Any], name: str = "filled.yaml") -> Path:
    path = ex.folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
