"""Fire-drill verdicts on small organizations built with real chains: the 24-hour drill fails for chaos and
passes for agile, more automation or a backup CA never slows a drill, seeded runs repeat, capacity against
the validity caps, change freezes, sibling CAs, certificates already due, the evidence for the maturity
model."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cmmm
from cmmm import drill
from cmmm.drill.scenario import parse_scenario
from cmmm.model import CaChoice, Inventory
from tests.conftest import NOW
from tests.drill.orgs import agile_org, build_org, chaos_org, day, scenario_file, sheet


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([chaos_org(tmp_path_factory.mktemp("orgs") / "chaos")], now=NOW)


@pytest.fixture(scope="module")
def agile(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([agile_org(tmp_path_factory.mktemp("orgs") / "agile")], now=NOW)


def test_24h_drill_fails_for_chaos_and_passes_for_agile(chaos: Inventory, agile: Inventory) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    bad = drill.run(chaos, sc, now=NOW, runs=100)
    assert bad.verdict == "fail" and bad.affected_certificates > 0
    text = " | ".join(bad.reasons)
    assert "deployed manually" in text and "no known owner" in text and "no pre-approved backup CA" in text
    assert bad.exposed_at_deadline.certificates > 0
    assert bad.completion_hours.p90 is not None and bad.completion_hours.p90 > 24 * 10
    good = drill.run(agile, sc, now=NOW, runs=100)
    assert good.verdict == "pass", good.reasons
    assert good.completion_hours.p90 is not None and good.completion_hours.p90 <= 24
    assert "pre-approved backup CA Backup Issuing CA" in " ".join(good.reasons)
    assert list(good.burndown.columns) == ["hours", "p10", "p50", "p90"] and len(good.burndown) == 50
    assert good.burndown["p50"].iloc[0] == good.affected_certificates and good.burndown["p90"].iloc[-1] == 0
    assert list(good.plan.columns) == list(drill.PLAN_COLUMNS)
    assert good.plan["wave"].is_monotonic_increasing or set(good.plan["wave"]) <= {1, 2}
    assert (good.plan["planned_finish"] >= good.plan["planned_start"]).all()


def test_more_automation_or_a_backup_ca_never_slows_a_drill(chaos: Inventory) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    base = drill.run(chaos, sc, now=NOW, runs=60, seed=3)
    obs = chaos.observations.copy()
    half = obs.index[::2]
    obs.loc[half, "automation"] = "acme"
    more_auto = Inventory(
        certificates=chaos.certificates, observations=obs, services=chaos.services, profile=chaos.profile
    )
    auto = drill.run(more_auto, sc, now=NOW, runs=60, seed=3)
    backup = Inventory(
        certificates=chaos.certificates,
        observations=chaos.observations,
        services=chaos.services,
        profile=dataclasses.replace(
            chaos.profile, backup_cas=(CaChoice(name="Spare CA", type="private", pre_approved=True),)
        ),
    )
    with_backup = drill.run(backup, sc, now=NOW, runs=60, seed=3)
    for faster in (auto, with_backup):
        assert faster.completion_hours.p50 is not None and base.completion_hours.p50 is not None
        assert faster.completion_hours.p50 <= base.completion_hours.p50
        assert (faster.completion_hours.p90 or 0) <= (base.completion_hours.p90 or 0)
        assert faster.on_time_probability >= base.on_time_probability
        assert faster.exposed_at_deadline.service_hours <= base.exposed_at_deadline.service_hours
    assert (
        with_backup.completion_hours.p90 < base.completion_hours.p90 - 24 * 20
    )  # 30 days of onboarding gone


def test_seeded_runs_are_reproducible(agile: Inventory) -> None:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    a = drill.run(agile, sc, now=NOW, runs=50, seed=7)
    b = drill.run(agile, sc, now=NOW, runs=50, seed=7)
    c = drill.run(agile, sc, now=NOW, runs=50, seed=8)
    assert drill.drill_document(a) == drill.drill_document(b)
    assert a.completion_hours != c.completion_hours


def test_validity_cap_workload_against_capacity(tmp_path: Path, chaos: Inventory) -> None:
    doc = {
        "kind": "validity_cap",
        "title": "47 days for everything",
        "description": "all certificates at 47 days",
        "deadline_hours": 720,
        "parameters": {
            "cap_effective": "2029-03-15",
            "scope": {"automation": ["manual", "cert-manager", "acme"]},
        },
    }
    sc = drill.load_scenario(scenario_file(tmp_path, doc))
    r = drill.run(chaos, sc, now=NOW, runs=50)
    table = r.findings["renewals"].set_index("team")
    per_year = 365 / (47 * 2 / 3)
    assert table.loc["it", "renewals_per_year"] == pytest.approx(
        table.loc["it", "certificates"] * per_year, abs=0.1
    )
    assert table.loc["it", "capacity_hours_per_year"] == 1 * 2 * 230
    assert r.verdict == "fail" and not bool(table.loc["it", "fits"])
    assert r.completion_hours.p50 is None and r.deadline_hours == pytest.approx(
        (pd.Timestamp("2029-03-15", tz="UTC") - pd.Timestamp(NOW)).total_seconds() / 3600
    )


def test_every_catalog_scenario_runs_on_small_orgs(chaos: Inventory, agile: Inventory) -> None:
    for inv in (chaos, agile, Inventory()):
        for sc in drill.catalog():
            r = drill.run(inv, sc, now=NOW, runs=10)
            assert r.verdict in set(drill.Verdict) and r.reasons and r.verdict_reason
            json.dumps(drill.drill_document(r), default=str)


def test_simulated_evidence_for_the_maturity_criteria(chaos: Inventory, agile: Inventory) -> None:
    assert drill.simulated_evidence("inv.owner-coverage", chaos, NOW) is None
    e = drill.simulated_evidence("agi.ca-replacement-24h", chaos, NOW)
    assert e is not None and e.value is not None and e.value > 24 and e.met is False
    assert "primary-intermediate-compromise-24h" in e.evidence
    e = drill.simulated_evidence("agi.ca-replacement-24h", agile, NOW)
    assert e is not None and e.met and e.value is not None and e.value <= 24
    # nothing to swap (both organizations hold only P-256 keys): no evidence either way
    e = drill.simulated_evidence("agi.algorithm-swap", agile, NOW)
    assert e is not None and e.met is None and "no affected certificates" in e.evidence
    # the same organizations on RSA-2048: the manual one fails the 48 hours, the automated one passes
    for inv, met in ((chaos, False), (agile, True)):
        rsa = dataclasses.replace(
            inv, certificates=inv.certificates.assign(key_algorithm="RSA", key_size=2048)
        )
        e = drill.simulated_evidence("agi.algorithm-swap", rsa, NOW)
        assert e is not None and e.met is met and "swap-rsa2048-to-p256-48h" in e.evidence, e
    # the key-exchange track of the PQC drill: no scan reported key-exchange groups, so it cannot tell
    e = drill.simulated_evidence("agi.pqc-kex", agile, NOW)
    assert e is not None and e.met is None and "key-exchange track" in e.evidence


def test_change_freeze_and_revocation_extensions(tmp_path: Path) -> None:
    rows = [
        {
            "common_name": f"c{i}.test",
            "issuer": "DigiCert TLS RSA SHA256 2020 CA1",
            "not_before": day(-10),
            "not_after": day(300),
            "criticality": "critical" if i < 2 else "low",
            "owner": "ops@org.test",
            "team": "ops",
            "automation": "manual",
            "service": f"s{i}",
        }
        for i in range(10)
    ]
    team = {"teams": [{"name": "ops", "engineers": 10, "hours_per_day": 8}]}
    frozen = {
        **team,
        "change_freeze": [{"start": day(-1)[:10], "end": day(3)[:10], "applies_to": ["critical"]}],
    }
    sc = drill.load_scenario("digicert-dcv-2024")
    calm = drill.run(sheet(tmp_path / "calm", rows, team), sc, now=NOW, runs=40)
    tense = drill.run(sheet(tmp_path / "tense", rows, frozen), sc, now=NOW, runs=40)
    assert any("change freeze" in r for r in tense.reasons)
    assert not any("change freeze" in r for r in calm.reasons)
    crit = tense.plan["criticality"] == "critical"
    assert (tense.plan.loc[crit, "planned_finish"] > calm.plan.loc[crit, "planned_finish"]).all()
    # extension_share 0.08 of 10 certificates: round(0.8) = 1, the most critical one, gets 120 h
    deadlines = (tense.plan["deadline"] - pd.Timestamp(NOW)).dt.total_seconds() / 3600
    assert sorted(deadlines.round().astype(int)) == [24] * 9 + [120]
    assert tense.plan.loc[deadlines == 120, "criticality"].iloc[0] == "critical"


def test_a_compromised_intermediate_leaves_its_approved_sibling_usable(tmp_path: Path) -> None:
    # Two approved issuing CAs under one root and one organization: losing the busier one does not
    # mean onboarding a new CA, the other one issues the replacements at once.
    org = build_org(
        tmp_path / "siblings",
        leaves=30,
        automated_share=1.0,
        unknown_owner_share=0.0,
        teams=[{"name": "platform", "engineers": 2, "hours_per_day": 6}],
        backup_pre_approved=None,
        onboarding_days=30,
    )
    inv = cmmm.load([org], now=NOW)
    result = drill.run(inv, drill.load_scenario("primary-intermediate-compromise-24h"), now=NOW, runs=50)
    text = " | ".join(result.reasons)
    assert "Org Issuing CA 2" in text and "no onboarding delay" in text, text
    assert set(result.plan["replacement_ca"].dropna()) == {"Org Issuing CA 2"}
    assert result.verdict == "pass"
    # a distrusted organization is another matter: every CA it runs is out, a new one must be onboarded
    vendor = parse_scenario(
        {
            "kind": "ca_distrust",
            "title": "Org is distrusted",
            "description": "Every CA the organization Org runs is distrusted in a day.",
            "deadline_hours": 24,
            "parameters": {"target": {"organizations": ["Org"]}, "basis": "removal"},
        },
        name="org-distrust",
        source="test",
    )
    out = drill.run(inv, vendor, now=NOW, runs=50)
    assert out.verdict == "fail" and "Org Issuing CA 2" not in set(out.plan["replacement_ca"].dropna())


def test_certificates_already_due_are_named_in_the_reasons(agile: Inventory) -> None:
    # Mosca: data that must stay secret 10 years, a quantum computer in 5: those certificates were due
    # yesterday, and the reasons must say so rather than compare p90 with the 2035 deadline alone.
    obs = agile.observations.copy()
    obs["secrecy_years"] = np.where(np.arange(len(obs)) % 3 == 0, 10.0, np.nan)
    inv = Inventory(
        certificates=agile.certificates,
        observations=obs,
        services=agile.services,
        profile=dataclasses.replace(agile.profile, quantum_threat_years=5, migration_years=2),
    )
    result = drill.run(inv, drill.load_scenario("pqc-migration-2030-2035"), now=NOW, runs=30)
    text = " | ".join(result.reasons)
    assert result.verdict == "overdue" and result.overdue_certificates > 0
    assert "each certificate its own" in text and "private certificates are overdue" in text, text
