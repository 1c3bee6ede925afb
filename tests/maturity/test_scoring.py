"""Levels, scores and the roadmap: the ladder, dimension scores and the floor, roadmap order, simulated
criteria, looking ahead with --as-of, the assessment document."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

import cmmm
from cmmm.maturity import SimulatedEvidence, Status, assess
from cmmm.maturity.catalog import EvidenceKind
from cmmm.report.assessment import assessment_document, render_markdown
from tests.conftest import NOW
from tests.maturity_org import frames, inventory, profile_without, rows

SIMULATED = {"agi.algorithm-swap", "agi.ca-replacement-24h", "agi.mass-revocation-5d", "agi.pqc-kex"}


def test_mature_org_is_level_4_and_5_once_drills_pass() -> None:
    c, o = frames()
    a = assess(inventory(c, o), now=NOW)
    assert a.level == 4
    assert set(a.blockers) == SIMULATED
    sim = {r.id: r for r in a.criteria if r.criterion.evidence is EvidenceKind.SIMULATED}
    assert all(r.status is Status.NOT_EVALUATED and not r.met for r in sim.values())

    def drill(criterion_id: str, inv: cmmm.Inventory, now: datetime) -> SimulatedEvidence:
        assert criterion_id in SIMULATED
        return SimulatedEvidence(value=12.0, threshold="", met=True, evidence=f"{criterion_id}: p90 12 h")

    a5 = assess(inventory(c, o), now=NOW, simulate=drill)
    assert a5.level == 5 and a5.score == 5.0 and a5.floor == 5.0 and a5.roadmap == ()
    ca = next(r for r in a5.criteria if r.id == "agi.ca-replacement-24h")
    assert ca.value == 12.0 and ca.threshold == "≤ 24 hours" and ca.status is Status.MET

    def failing_drill(criterion_id: str, inv: cmmm.Inventory, now: datetime) -> SimulatedEvidence | None:
        if criterion_id == "agi.mass-revocation-5d":
            return None  # the drill cannot say: stays "not evaluated"
        return SimulatedEvidence(value=40.0, threshold="≤ 24 h", met=False, evidence="p90 40 h")

    a4 = assess(inventory(c, o), now=NOW, simulate=failing_drill)
    by = {r.id: r for r in a4.criteria}
    assert a4.level == 4
    assert by["agi.ca-replacement-24h"].status is Status.NOT_MET
    assert by["agi.mass-revocation-5d"].status is Status.NOT_EVALUATED


def test_empty_inventory_is_level_1_without_errors() -> None:
    a = assess(cmmm.Inventory(), now=NOW)
    assert a.level == 1 and a.certificates == 0
    json.dumps(assessment_document(a))
    assert render_markdown(a).startswith("# CMMM assessment")


def test_owners_removed_from_ten_percent_loses_owner_criterion_and_roadmap_names_them() -> None:
    c, o = frames()
    removed = rows(10, 40)
    o.loc[removed, "owner"] = pd.NA
    a = assess(inventory(c, o), now=NOW)
    owner = next(r for r in a.criteria if r.id == "own.owner-coverage")
    assert not owner.met and owner.failing_count == 10 and owner.value == pytest.approx(0.9)
    assert a.level == 2
    item = next(i for i in a.roadmap if i.criterion_id == "own.owner-coverage")
    assert set(item.certificates["cert_id"]) == {f"c{k:03d}" for k in removed}
    assert "own.owner-coverage" in a.blockers


def test_roadmap_ordered_by_dimension_gain() -> None:
    c, o = frames()
    o.loc[rows(10, 40), "owner"] = pd.NA  # one L3 ownership criterion
    prof = profile_without("itsm_integration")
    prof["attested"]["documented_policy"] = False
    a = assess(inventory(c, o, profile=prof), now=NOW)
    level3 = [c for c in a.criteria if c.criterion.level == 3]
    # each blocker is worth its share of the next level's criteria
    assert all(i.gain == pytest.approx(1 / len(level3)) for i in a.roadmap)
    assert a.progress is not None and a.progress.of == len(level3)
    # ownership has three level-3 criteria, policy four: fixing one of ownership's lifts its dimension more
    assert a.roadmap[0].criterion_id == "own.itsm-integration"
    assert [i.criterion_id for i in a.roadmap][-1] == "pol.documented"


def test_as_of_changes_the_verdict_when_a_cap_date_passes() -> None:
    c, o = frames(validity_days=90, age_days=0)
    c["not_before"] = pd.Timestamp(datetime(2027, 3, 1, tzinfo=UTC))
    c["not_after"] = c["not_before"] + pd.Timedelta(days=90)
    o.loc[0, "automation"] = "manual"  # one manually renewed 90-day public certificate
    inv = inventory(c, o)
    before = assess(inv, now=NOW)
    after = assess(inv, now=datetime(2027, 3, 16, tzinfo=UTC))
    cap_before = next(r for r in before.criteria if r.id == "pol.cap-ready")
    cap_after = next(r for r in after.criteria if r.id == "pol.cap-ready")
    assert cap_before.met and "100 days" in cap_before.evidence
    assert not cap_after.met and "47 days" in cap_after.evidence
    assert after.score < before.score
    assert "pol.cap-ready" in after.blockers and "pol.cap-ready" not in before.blockers


def test_looking_ahead_keeps_the_inventory_and_applies_the_dated_rules() -> None:
    c, o = frames()  # every certificate expires 60 days after NOW
    o.loc[0, "automation"] = "manual"  # one manual public certificate, 90 days
    later = datetime(2029, 3, 16, tzinfo=UTC)  # after the 47-day cap, 2.5 years after the last fire drill
    snapshot = assess(inventory(c, o), now=later)  # as if observed then: everything is expired
    ahead = assess(inventory(c, o), now=later, observed_at=NOW)
    by_snap = {r.id: r for r in snapshot.criteria}
    by_ahead = {r.id: r for r in ahead.criteria}
    assert by_snap["inv.expired-deployed"].failing_count == 100
    assert by_ahead["inv.expired-deployed"].met and by_ahead["inv.expired-deployed"].value == 0
    assert not by_ahead["pol.cap-ready"].met and "47 days" in by_ahead["pol.cap-ready"].evidence
    assert set(by_ahead["pol.cap-ready"].failing["cert_id"]) == {"c000"}
    assert not by_ahead["own.fire-drill"].met
    assert ahead.observed_at == NOW and snapshot.level == 1 and ahead.level == 3


def test_dimension_scores_and_floor() -> None:
    c, o = frames()
    o["discovered_by"] = (
        "manual"  # no automated discovery method: half of discovery's L2 and L3 criteria fail
    )
    a = assess(inventory(c, o), now=NOW)
    assert a.level == 1
    # discovery: both level-2 criteria fail — no automated method, and the attested periodic discovery is
    # contradicted by that — so g2 = 0 and every later gate is 0: the floor
    by = {r.id: r for r in a.criteria}
    assert by["disc.periodic"].status is Status.CONTRADICTED
    assert a.floor_dimension.value == "discovery" and a.floor == pytest.approx(1.0)
    assert all(1.0 <= s <= 5.0 for s in a.dimensions.values())
    assert 1.0 <= a.score < 2.0


def test_json_document_has_stable_keys() -> None:
    c, o = frames()
    o.loc[rows(10, 40), "owner"] = pd.NA
    doc = assessment_document(assess(inventory(c, o), now=NOW))
    assert {"level", "score", "floor", "dimensions", "criteria", "blockers", "roadmap"} <= set(doc)
    crit = doc["criteria"][0]
    assert {"id", "level", "dimension", "evidence_kind", "met", "value", "threshold", "evidence"} <= set(crit)
    json.dumps(doc)
    assert doc["roadmap"][0]["certificates"] and doc["roadmap"][0]["action"]
