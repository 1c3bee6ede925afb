"""The PKIMM category view on generated organizations: levels only where a category has evidence, unknown
lowers the level but not the ceiling, PKIMM's weighted overall over the assessed categories, the floor, and
criteria the mapping does not place are reported, never dropped."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime

import pandas as pd
import pytest

from cmmm.maturity import Assessment, SimulatedEvidence, Status, assess
from cmmm.maturity.pkimm import (
    CategoryView,
    MappedCriterion,
    Outcome,
    PkimmView,
    categorize,
    category_level,
    load_pkimm,
)
from cmmm.model import Inventory
from tests.conftest import NOW
from tests.maturity_org import frames, inventory, profile_without, rows


def _passing_drill(cid: str, inv: Inventory, now: datetime) -> SimulatedEvidence:
    return SimulatedEvidence(value=1.0, threshold="", met=True, evidence="drill passed")


def _failing_drill(cid: str, inv: Inventory, now: datetime) -> SimulatedEvidence:
    return SimulatedEvidence(value=0.0, threshold="", met=False, evidence="drill failed")


def _mature(inv: Inventory | None = None) -> Assessment:
    return assess(inv or inventory(*frames()), now=NOW, simulate=_passing_drill)


def _by_id(v: PkimmView) -> dict[str, CategoryView]:
    return {c.category.id: c for c in v.categories}


def _c(level: int, outcome: Outcome) -> MappedCriterion:
    status = {Outcome.MET: Status.MET, Outcome.NOT_MET: Status.NOT_MET, Outcome.UNKNOWN: Status.NO_EVIDENCE}
    return MappedCriterion(id=f"x.{level}", level=level, status=status[outcome], outcome=outcome)


MET, NOT, UNK = Outcome.MET, Outcome.NOT_MET, Outcome.UNKNOWN


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ([], (None, None)),
        ([(2, MET), (3, MET), (4, MET), (5, MET)], (5, 5)),
        ([(5, UNK)], (1, 5)),  # only level-5 evidence, unanswered: no level claimed, none ruled out
        ([(5, NOT)], (1, 4)),
        ([(2, MET), (5, NOT)], (2, 4)),  # 3 and 4 have no evidence: not claimed, not ruled out
        ([(2, MET), (3, UNK), (4, NOT)], (2, 3)),
        ([(2, UNK), (3, NOT)], (1, 2)),
        ([(2, NOT), (3, MET)], (1, 1)),
        ([(3, MET), (3, UNK)], (1, 5)),
    ],
)
def test_category_level(criteria: list[tuple[int, Outcome]], expected: tuple[int | None, int | None]) -> None:
    assert category_level([_c(lvl, o) for lvl, o in criteria]) == expected


def test_category_level_is_monotone() -> None:
    """Turning any criterion from not met into unknown, or from unknown into met, never lowers the level or
    the ceiling (every combination of four criteria at levels 2, 3, 3, 5)."""
    levels = (2, 3, 3, 5)
    rank = {NOT: 0, UNK: 1, MET: 2}
    for combo in itertools.product((NOT, UNK, MET), repeat=len(levels)):
        base = category_level([_c(lvl, o) for lvl, o in zip(levels, combo, strict=True)])
        for i, o in enumerate(combo):
            for better in (x for x in (UNK, MET) if rank[x] > rank[o]):
                up = list(combo)
                up[i] = better
                raised = category_level([_c(lvl, x) for lvl, x in zip(levels, up, strict=True)])
                assert (raised[0] or 0) >= (base[0] or 0) and (raised[1] or 0) >= (base[1] or 0), (combo, i)


def test_a_mature_organization_reaches_the_top_of_its_evidence() -> None:
    a = _mature()
    assert a.level == 5
    v = categorize(a)
    model = load_pkimm()
    assert len(v.categories) == 15 and not v.unmapped
    assert sum(len(c.criteria) for c in v.categories) == len(a.criteria)
    for c in v.categories:
        if c.criteria:
            assert (c.level, c.ceiling) == (max(c.evidence_levels), 5), c.category.id
            assert c.met == len(c.criteria) and c.not_met == c.unknown == 0
        else:
            assert (c.level, c.ceiling, c.assessed) == (None, None, False)
    assessed = [c for c in v.categories if c.assessed]
    weight = sum(c.category.weight for c in assessed)
    assert v.assessed_weight == weight and v.total_weight == 47
    assert v.score == pytest.approx(
        sum(c.category.weight * (c.level or 0) for c in assessed) / weight, abs=1e-3
    )
    assert v.score_ceiling == 5.0
    lowest = min(c.level or 0 for c in assessed)
    assert v.floor == lowest
    assert v.floor_category == next(c.category for c in assessed if c.level == lowest)  # first in model order
    assert v.version == model.version == "1.0.0" and v.level_name(3) == "Advanced"
    # Secondary placements are listed where they inform, never scored there.
    placed_also = {p.criterion: p.also for p in model.mapping if p.also}
    for c in v.categories:
        assert {m.id for m in c.criteria}.isdisjoint(c.related)
        assert all(placed_also[i] == c.category.id for i in c.related)


def test_an_unanswered_attestation_is_unknown_and_keeps_the_ceiling() -> None:
    model = load_pkimm()
    where = model.placements()["pol.hsm-ca-keys"].category
    full = _by_id(categorize(_mature()))[where]
    a = _mature(inventory(*frames(), profile=profile_without("hsm_ca_keys")))
    assert next(r for r in a.criteria if r.id == "pol.hsm-ca-keys").status is Status.NO_EVIDENCE
    c = _by_id(categorize(a))[where]
    assert c.unknown == 1 and c.not_met == 0 and c.met == full.met - 1
    assert c.level == 3 and c.ceiling == 5  # pol.hsm-ca-keys is a level-4 criterion


def test_a_failed_measurement_lowers_level_and_ceiling() -> None:
    certs, obs = frames()
    obs.loc[rows(10), "owner"] = pd.NA  # 90 % named owners: own.owner-coverage (level 3) fails
    a = assess(inventory(certs, obs), now=NOW, simulate=_passing_drill)
    by_status = {r.id: r.status for r in a.criteria}
    assert by_status["own.owner-coverage"] is Status.NOT_MET
    assert by_status["own.responsible-recorded"] is Status.MET  # a team is still recorded
    where = load_pkimm().placements()["own.owner-coverage"].category
    c = _by_id(categorize(a))[where]
    assert (c.level, c.ceiling, c.not_met) == (2, 2, 1)


def test_drills_not_run_are_unknown_and_a_failed_drill_rules_the_level_out() -> None:
    inv = inventory(*frames())
    placed = load_pkimm().placements()
    simulated = [r for r in assess(inv, now=NOW).criteria if r.criterion.scenario]
    assert simulated
    without = _by_id(categorize(assess(inv, now=NOW)))
    failed = _by_id(categorize(assess(inv, now=NOW, simulate=_failing_drill)))
    for r in simulated:
        lvl = r.criterion.level
        cat = placed[r.id].category
        assert without[cat].unknown >= 1 and without[cat].ceiling == 5
        assert without[cat].level < lvl
        assert failed[cat].ceiling == lvl - 1 and failed[cat].not_met >= 1
    v_without, v_failed = (
        categorize(assess(inv, now=NOW)),
        categorize(assess(inv, now=NOW, simulate=_failing_drill)),
    )
    assert v_without.score == v_failed.score  # unknown and failed both count as not met for the level
    assert (v_failed.score_ceiling or 0) < (v_without.score_ceiling or 0) == 5.0


def test_a_criterion_the_mapping_does_not_place_is_reported() -> None:
    a = _mature()
    model = load_pkimm()
    dropped = dataclasses.replace(
        model, mapping=tuple(p for p in model.mapping if p.criterion != "auto.complete")
    )
    v = categorize(a, dropped)
    assert v.unmapped == ("auto.complete",)
    assert all("auto.complete" not in {m.id for m in c.criteria} for c in v.categories)


def test_an_organization_with_nothing_met_is_initial_everywhere_it_is_assessed() -> None:
    certs, obs = frames()
    obs["automation"] = "manual"
    obs["owner"] = pd.NA
    obs["team"] = pd.NA
    obs["discovered_by"] = "manual"
    certs["not_after"] = pd.NaT
    certs["issuer_name"] = certs["issuer_org"] = certs["issuer_dn"] = pd.NA
    a = assess(inventory(certs, obs, profile={"organization": "Nobody"}), now=NOW)
    assert a.level == 1
    v = categorize(a)
    assert v.floor == 1
    assert all(c.level == 1 for c in v.categories if c.assessed and c.met == 0)
    assert v.score is not None and 1.0 <= v.score < 2.0
