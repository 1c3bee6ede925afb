"""Priority and exposure follow depends_on: transitive criticality, production first, due first, a readable
tie-breaker; a late dependency exposes every service that needs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmmm import drill
from cmmm.drill import engine
from cmmm.drill.priority import order, transitive_rank
from cmmm.model import Inventory
from tests.conftest import NOW
from tests.drill.plan_orgs import cert, chain_org, profile, write_bundle

_NOISE = (
    "HANDS_ON_SIGMA",
    "WAIT_SIGMA",
    "ONBOARDING_SIGMA",
    "TEAM_SIGMA",
    "CA_SIGMA",
    "CHANGE_FAILURE_PROBABILITY",
)
COMPROMISE = "primary-intermediate-compromise-24h"


def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every duration at its median, so the simulation equals the median plan."""
    for name in _NOISE:
        if hasattr(engine, name):
            monkeypatch.setattr(engine, name, 0.0)


def _scenario(tmp: Path, text: str) -> drill.Scenario:
    path = tmp / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return drill.load_scenario(str(path))


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return chain_org(tmp_path_factory.mktemp("clinic"))


def test_criticality_flows_to_what_critical_services_depend_on(clinic: Inventory) -> None:
    rank = transitive_rank(clinic)
    # identity is "low" on its own, but portal (critical) needs it through appointments and ehr-api
    assert rank["identity"] == 4 and rank["ehr-api"] == 4 and rank["appointments"] == 4
    assert rank["telehealth"] == 4 and rank["portal"] == 4


def test_the_dependency_everything_needs_comes_first(clinic: Inventory) -> None:
    result = drill.run(clinic, drill.load_scenario(COMPROMISE), now=NOW, runs=20)
    services = list(dict.fromkeys(result.plan["service"]))
    # all critical transitively: the service more services need goes first, never a hash order
    assert services == ["identity", "ehr-api", "appointments", "portal", "telehealth"]
    ident = result.plan[result.plan["service"] == "identity"]
    assert set(ident["transitive_criticality"]) == {"critical"} and set(ident["criticality"]) == {"low"}
    assert ident["exposes"].iloc[0] == "appointments;ehr-api;portal;telehealth"
    assert list(ident["common_name"]) == sorted(ident["common_name"])  # ties by name, not by cert_id


def test_a_late_identity_exposes_every_service_that_depends_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _quiet(monkeypatch)
    sc = drill.load_scenario(COMPROMISE)
    linked = drill.run(chain_org(tmp_path / "linked"), sc, now=NOW, runs=10)
    alone = drill.run(chain_org(tmp_path / "alone", depends=False), sc, now=NOW, runs=10)
    for r in (linked, alone):
        late = r.plan[~r.plan["on_time"].astype(bool)]
        assert set(late["service"]) == {"identity"}  # only identity misses the deadline
    # identity's lateness reaches ehr-api, appointments, portal and telehealth: five services exposed
    assert alone.exposed_at_deadline.service_hours > 24 * 7
    assert linked.exposed_at_deadline.service_hours == pytest.approx(
        5 * alone.exposed_at_deadline.service_hours
    )
    # portal and telehealth are critical and late through identity; identity itself is "low"
    assert linked.exposed_at_deadline.critical_services == 2
    assert alone.exposed_at_deadline.critical_services == 0
    late = int((~linked.plan["on_time"].astype(bool)).sum())
    assert linked.exposed_at_deadline.certificates == alone.exposed_at_deadline.certificates == late > 10


def test_engine_reach_spreads_a_late_group_to_its_dependents() -> None:
    w = engine.Work(
        team=np.zeros(2, dtype=int),
        automated=np.zeros(2, dtype=bool),
        owner_known=np.ones(2, dtype=bool),
        frozen=np.zeros(2, dtype=bool),
        deadline_h=np.full(2, 0.5),
        ca_ready_h=np.zeros(2),
        ca_back_h=None,
        needs_issuance=True,
        engineers=np.array([1.0]),
        hours_per_day=np.array([24.0]),
    )
    # group 0 (identity) exposes services 0, 1, 2; group 1 (a leaf) only service 3; services 1 and 3 critical
    reach = engine.Reach(
        group=np.array([0, 0, 0, 1]),
        exposed=np.array([0, 1, 2, 3]),
        critical=np.array([False, True, False, True]),
    )
    kw = {"runs": 3, "seed": 1, "deadline_h": 0.5, "service": np.array([0, 1]), "critical": np.zeros(2, bool)}
    plain = engine.simulate(w, **kw)  # type: ignore[arg-type]
    spread = engine.simulate(w, **kw, reach=reach)  # type: ignore[arg-type]
    assert (plain.exposed_critical_services == 0).all() and (spread.exposed_critical_services == 2).all()
    assert np.all(spread.exposed_service_hours > plain.exposed_service_hours)
    assert np.array_equal(spread.completion_h, plain.completion_h)  # exposure only, never the schedule


def _env_org(root: Path) -> Inventory:
    rows = [
        cert("billing-b.test", service="billing", environment="prod"),
        cert("billing-a.test", service="billing", environment="prod"),
        cert("billing-dev.test", service="billing", environment="dev"),
        cert("billing-stg.test", service="billing", environment="staging"),
        cert("billing-unlabelled.test", service="billing", environment=""),
        cert("billing-test.test", service="billing", environment="test"),
        cert("wiki.test", service="wiki", environment="prod"),
    ]
    services = [
        {"service": "billing", "criticality": "critical", "depends_on": ""},
        {"service": "wiki", "criticality": "high", "depends_on": ""},
    ]
    teams = [{"name": "ops", "engineers": 1, "hours_per_day": 2}]
    return write_bundle(root, rows, profile=profile(teams), services=services)


def test_production_first_and_never_staging_in_wave_one(tmp_path: Path) -> None:
    result = drill.run(_env_org(tmp_path / "env"), drill.load_scenario(COMPROMISE), now=NOW, runs=20)
    plan = result.plan
    assert list(plan["common_name"]) == [
        "billing-a.test",  # critical, prod, ties by name
        "billing-b.test",
        "billing-stg.test",
        "billing-test.test",
        "billing-dev.test",
        "billing-unlabelled.test",  # unknown environment after dev
        "wiki.test",  # high: after every billing certificate
    ]
    wave = plan.set_index("common_name")["wave"]
    assert wave["billing-a.test"] == wave["billing-b.test"] == wave["wiki.test"] == 1
    assert wave["billing-unlabelled.test"] == 1  # not known to be non-production
    assert wave["billing-stg.test"] == wave["billing-test.test"] == wave["billing-dev.test"] == 2
    on_time = plan.set_index("common_name")["on_time"]
    assert on_time["billing-a.test"] and on_time["billing-b.test"]  # production of the critical service
    assert not on_time["wiki.test"]  # the team's day runs out: what misses is the least important


def test_certificates_due_later_come_after_those_due_now(tmp_path: Path) -> None:
    rows = [cert(f"crit{i}.test", criticality="critical") for i in range(3)]
    rows += [cert(f"low{i}.test", criticality="low") for i in range(7)]
    inv = write_bundle(
        tmp_path / "ext", rows, profile=profile([{"name": "ops", "engineers": 1, "hours_per_day": 8}])
    )
    sc = _scenario(
        tmp_path,
        """kind: mass_revocation
title: revocation with extensions
description: the two most critical certificates get 120 hours
deadline_hours: 24
parameters:
  filter: {issuer: {names: [Org Issuing CA 1]}}
  extension_share: 0.2
  extension_hours: 120
""",
    )
    plan = drill.run(inv, sc, now=NOW, runs=10).plan
    hours = ((plan["deadline"] - pd.Timestamp(NOW)).dt.total_seconds() / 3600).round()
    assert list(hours) == [24] * 8 + [120] * 2  # due first, whatever the criticality
    assert list(plan["criticality"].iloc[8:]) == ["critical", "critical"]  # the extension went to them
    assert plan["criticality"].iloc[0] == "critical"  # the critical one still due leads
    assert set(plan["wave"].iloc[8:]) == {3}


def test_order_keeps_every_row_and_adds_its_columns(clinic: Inventory) -> None:
    facts = clinic.certificate_facts()
    aff = facts[~facts["is_ca"].fillna(False).astype(bool)].copy()
    aff["deadline_h"] = 24.0
    out = order(clinic, aff, 24.0)
    assert len(out) == len(aff) and set(out["cert_id"]) == set(aff["cert_id"])
    for col in ("due", "transitive_rank", "environment_rank", "dependents", "exposes"):
        assert col in out
    assert out["due"].all()
