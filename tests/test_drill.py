"""Fire drills: scenario validation, selection per kind, engine arithmetic, monotonicity, CLI contract."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import cmmm
from cmmm import drill
from cmmm.cli import app
from cmmm.drill import engine
from cmmm.drill.scenario import PARAMETERS, Kind, parse_scenario
from cmmm.drill.selection import SELECTORS
from cmmm.errors import InputError
from cmmm.lab.pki import issue
from cmmm.model import CaChoice, Inventory
from tests.conftest import NOW, write
from tests.drill_orgs import agile_org, build_org, chaos_org

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- helpers
def sheet(tmp: Path, rows: list[dict[str, Any]], profile: dict[str, Any] | None = None) -> Inventory:
    """An inventory from a spreadsheet (plus an optional profile.yaml)."""
    tmp.mkdir(parents=True, exist_ok=True)
    cols = sorted({k for r in rows for k in r})
    with (tmp / "inventory.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    if profile is not None:
        (tmp / "profile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return cmmm.load([tmp], now=NOW)


def day(offset: float) -> str:
    return (NOW + timedelta(days=offset)).isoformat()


def scenario_file(tmp: Path, doc: dict[str, Any], name: str = "custom") -> Path:
    return write(tmp / f"{name}.yaml", yaml.safe_dump(doc, sort_keys=False))


def affected_names(inv: Inventory, sc: drill.Scenario) -> set[str]:
    sel = drill.select(inv, sc, NOW)
    return set(inv.certificates.loc[sel.mask, "common_name"])


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([chaos_org(tmp_path_factory.mktemp("orgs") / "chaos")], now=NOW)


@pytest.fixture(scope="module")
def agile(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([agile_org(tmp_path_factory.mktemp("orgs") / "agile")], now=NOW)


# ---------------------------------------------------------------- registry and catalog
def test_every_kind_has_a_schema_and_a_documented_selector() -> None:
    for kind in Kind:
        assert kind in PARAMETERS, kind
        assert kind in SELECTORS, kind
        assert (SELECTORS[kind].__doc__ or "").strip(), kind


def test_catalog_replays_real_events() -> None:
    scenarios = drill.catalog()
    names = {s.name for s in scenarios}
    assert len(scenarios) >= 10
    for required in (
        "primary-intermediate-compromise-24h",
        "entrust-2024",
        "chunghwa-netlock-2025",
        "symantec-phase1-2018",
        "symantec-phase2-2018",
        "trustcor-2022",
        "digicert-dcv-2024",
        "letsencrypt-caa-2020",
        "dst-root-ca-x3-2021",
        "sha1-end-2026",
        "validity-100-day-2027",
        "validity-47-day-2029",
        "pqc-migration-2030-2035",
        "mass-revocation-5d",
    ):
        assert required in names
    assert {s.kind for s in scenarios} == set(Kind)
    entrust = drill.load_scenario("entrust-2024")
    assert entrust.parameters["cutoff"].isoformat() == "2024-11-11T23:59:59+00:00"
    assert entrust.replays is not None and entrust.replays.source
    for s in scenarios:
        assert s.description and s.title
        if s.name not in {"primary-intermediate-compromise-24h", "acme-ca-outage-7d"}:
            assert s.replays is not None, s.name


@pytest.mark.parametrize(
    ("doc", "field", "reason"),
    [
        ({"kind": "ca_meltdown"}, "scenario.kind", "unknown kind 'ca_meltdown'"),
        ({"title": None}, "scenario.title", "missing required field"),
        ({"parameters": {"basis": "removal"}}, "parameters.target", "missing required field"),
        (
            {"parameters": {"target": {"primary": True}, "basis": "notBefore"}},
            "parameters.basis",
            "is not one of",
        ),
        (
            {"parameters": {"target": {"primary": True}, "basis": "earliest_sct", "cutoff": "2024-13-45"}},
            "parameters.cutoff",
            "not a date",
        ),
        (
            {"parameters": {"target": {"primary": True}, "basis": "earliest_sct"}},
            "parameters.cutoff",
            "required when basis",
        ),
        ({"deadline_hours": "soon"}, "scenario.deadline_hours", "expected a number"),
        ({"replays": "nope-2099"}, "scenario.replays", "unknown event"),
        (
            {"parameters": {"target": {"primry": True}, "basis": "removal"}},
            "parameters.target.primry",
            "unknown field",
        ),
    ],
)
def test_bad_scenarios_name_file_field_and_reason(
    tmp_path: Path, doc: dict[str, Any], field: str, reason: str
) -> None:
    base: dict[str, Any] = {
        "kind": "ca_distrust",
        "title": "t",
        "description": "d",
        "deadline_hours": 24,
        "parameters": {"target": {"primary": True}, "basis": "removal"},
    }
    base.update(doc)
    base = {k: v for k, v in base.items() if v is not None}
    path = scenario_file(tmp_path, base)
    with pytest.raises(InputError) as info:
        drill.load_scenario(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and field in msg and reason in msg


def test_unknown_scenario_name_lists_the_catalog() -> None:
    with pytest.raises(InputError, match="entrust-2024"):
        drill.load_scenario("no-such-drill")


# ---------------------------------------------------------------- selection against ground truth
def test_sct_and_not_before_cutoffs_select_exactly_the_certificates_after_them(tmp_path: Path) -> None:
    rows = []
    for i, (nb, sct) in enumerate(
        [
            ("2024-10-01", "2024-10-01"),
            ("2024-11-10", "2024-11-12"),
            ("2024-12-01", "2024-12-01"),
            ("2024-11-30", ""),
        ]
    ):
        rows.append(
            {
                "common_name": f"e{i}.test",
                "issuer": "Entrust Certification Authority - L1K",
                "not_before": nb,
                "earliest_sct": sct,
                "not_after": day(90),
                "trust": "public",
            }
        )
    rows.append(
        {"common_name": "other.test", "issuer": "R11", "not_before": "2025-01-01", "not_after": day(30)}
    )
    rows.append(
        {
            "common_name": "expired.test",
            "issuer": "Entrust CA",
            "not_before": "2025-01-01",
            "not_after": day(-1),
        }
    )
    inv = sheet(tmp_path, rows)
    sc = drill.load_scenario("entrust-2024")
    # earliest SCT after 2024-11-11 23:59:59: e1 (SCT 11-12), e2, e3 (no SCT: notBefore stands in); not expired
    assert affected_names(inv, sc) == {"e1.test", "e2.test", "e3.test"}
    by_nb = replace(sc, parameters={**sc.parameters, "basis": "not_before"})
    assert affected_names(inv, by_nb) == {"e2.test", "e3.test"}
    before = replace(by_nb, parameters={**by_nb.parameters, "distrusted": "issued_before"})
    assert affected_names(inv, before) == {"e0.test", "e1.test"}
    removal = replace(sc, parameters={"target": {"names": ("Entrust",)}, "basis": "removal"})
    assert affected_names(inv, removal) == {f"e{i}.test" for i in range(4)}
    result = drill.run(inv, sc, now=NOW, runs=20)
    assert any("no SCT" in r for r in result.reasons)
    assert any("stay trusted until they expire" in r for r in result.reasons)


def test_mass_revocation_sunset_outage_and_primary_selection(tmp_path: Path) -> None:
    rows = [
        {
            "common_name": "d1.test",
            "issuer": "DigiCert TLS RSA SHA256 2020 CA1",
            "not_before": day(-10),
            "not_after": day(300),
        },
        {
            "common_name": "d2.test",
            "issuer": "DigiCert TLS RSA SHA256 2020 CA1",
            "not_before": day(-2000),
            "not_after": day(30),
        },
        {
            "common_name": "le1.test",
            "issuer": "R11",
            "not_before": day(-20),
            "not_after": day(3),
            "automation": "acme",
        },
        {
            "common_name": "le2.test",
            "issuer": "R11",
            "not_before": day(-20),
            "not_after": day(60),
            "automation": "acme",
            "tags": "dcv:cname;web",
        },
        {
            "common_name": "le3.test",
            "issuer": "R11",
            "not_before": day(-20),
            "not_after": day(5),
            "automation": "acme",
        },
        {
            "common_name": "old.test",
            "issuer": "Legacy CA",
            "not_before": day(-100),
            "not_after": day(200),
            "signature_algorithm": "sha1WithRSAEncryption",
            "key_algorithm": "RSA",
            "key_size": 2048,
        },
        {
            "common_name": "weak.test",
            "issuer": "Legacy CA",
            "not_before": day(-100),
            "not_after": day(200),
            "signature_algorithm": "sha256WithRSAEncryption",
            "key_algorithm": "RSA",
            "key_size": 1024,
        },
    ]
    inv = sheet(tmp_path, rows)
    dcv = drill.load_scenario("digicert-dcv-2024")
    assert affected_names(inv, dcv) == {"d1.test"}
    by_method = replace(dcv, parameters={**dcv.parameters, "filter": {"tags_any": ("dcv:cname",)}})
    assert affected_names(inv, by_method) == {"le2.test"}  # the validation method, recorded as a tag
    assert affected_names(inv, drill.load_scenario("acme-ca-outage-7d")) == {"le1.test", "le3.test"}
    sunset = drill.load_scenario("sha1-end-2026")
    assert affected_names(inv, sunset) == {"old.test", "weak.test"}
    sel = drill.select(inv, sunset, NOW)
    assert np.allclose(sel.deadline_h, sunset.deadline_hours)  # both dates are past: the remediation window
    primary = drill.primary_ca(inv)
    assert list(primary["name"]) == ["R11"]
    outage = drill.run(inv, drill.load_scenario("acme-ca-outage-7d"), now=NOW, runs=30)
    assert outage.affected_certificates == 2
    assert set(outage.plan["deadline"].dt.date) == {
        (NOW + timedelta(days=3)).date(),
        (NOW + timedelta(days=5)).date(),
    }


def test_root_expiry_selects_certificates_that_outlive_their_root(tmp_path: Path) -> None:
    root = issue(cn="Old Root", not_before=NOW - timedelta(days=3000), days=3010, ca=True)
    inter = issue(cn="Old Inter", not_before=NOW - timedelta(days=900), days=900, ca=True, issuer=root)
    short = issue(cn="short.test", not_before=NOW - timedelta(days=1), days=5, issuer=inter)
    long = issue(cn="long.test", not_before=NOW - timedelta(days=1), days=90, issuer=inter)
    write(tmp_path / "chain.pem", root.pem + inter.pem + short.pem + long.pem)
    inv = cmmm.load([tmp_path], now=NOW)
    sc = drill.load_scenario("root-expiry-soonest")
    assert affected_names(inv, sc) == {"long.test"}
    result = drill.run(inv, sc, now=NOW, runs=20)
    assert result.deadline_hours == pytest.approx(10 * 24, abs=1)  # the root expires in 10 days
    assert result.plan["action"].iloc[0].startswith("re-deploy")


def test_pqc_mosca_and_handshake(tmp_path: Path) -> None:
    rows = [
        {
            "common_name": "vault.test",
            "issuer": "Corp CA",
            "not_after": day(300),
            "key_algorithm": "EC",
            "key_size": 256,
            "service": "vault",
        },
        {
            "common_name": "web.test",
            "issuer": "Corp CA",
            "not_after": day(300),
            "key_algorithm": "RSA",
            "key_size": 2048,
            "service": "web",
        },
        {
            "common_name": "pq.test",
            "issuer": "Corp CA",
            "not_after": day(300),
            "key_algorithm": "ML-DSA-65",
            "service": "web",
        },
    ]
    inv = sheet(tmp_path, rows, profile={"migration_years": 6, "quantum_threat_years": 10})
    write(tmp_path / "services.csv", "service,criticality,secrecy_years\nvault,critical,12\nweb,medium,1\n")
    inv = cmmm.load([tmp_path], now=NOW)
    result = drill.run(inv, drill.load_scenario("pqc-migration-2030-2035"), now=NOW, runs=20)
    assert result.affected_certificates == 2  # the ML-DSA certificate is not quantum-vulnerable
    mosca = result.findings["mosca"].set_index("service")
    assert bool(mosca.loc["vault", "exposed"]) and not bool(mosca.loc["web", "exposed"])
    assert mosca.loc["vault", "margin_years"] == pytest.approx(10 - 18)
    # vault's data must stay secret 12 years > 10 years to a quantum computer: its deadline is now
    assert result.plan.set_index("common_name").loc["vault.test", "deadline"] == pd.Timestamp(NOW)
    assert result.verdict == "fail"
    hs = result.findings["handshake"]
    assert bool(hs["over_budget"].all()) and int(hs["bytes_pqc"].iloc[0]) == 2 * 1952 + 5 * 3309
    assert any("Mosca" in r for r in result.reasons)


# ---------------------------------------------------------------- engine arithmetic
def _work(n: int, **kw: Any) -> engine.Work:
    base: dict[str, Any] = {
        "team": np.zeros(n, dtype=int),
        "automated": np.zeros(n, dtype=bool),
        "owner_known": np.ones(n, dtype=bool),
        "frozen": np.zeros(n, dtype=bool),
        "deadline_h": np.full(n, 24.0),
        "ca_ready_h": np.zeros(n),
        "ca_back_h": None,
        "needs_issuance": True,
        "engineers": np.array([1.0]),
        "hours_per_day": np.array([24.0]),
        "rate_per_hour": None,
    }
    base.update(kw)
    return engine.Work(**base)


def _finish(w: engine.Work, hands: float, post: float, wait: float = 0.0) -> list[float]:
    n = len(w.team)
    one = np.ones((1, n))
    return list(
        engine.finish_hours(w, one * hands, one * post, one * wait, w.ca_ready_h[None, :] * one)[0].round(6)
    )


def test_queue_arithmetic_one_team() -> None:
    assert _finish(_work(3), 2, 1) == [2, 4, 6]
    # two channels: job i finishes by (work before it) / engineers + its own work — the bound that greedy
    # list scheduling never exceeds (all engineers are busy until a job starts)
    assert _finish(_work(3, engineers=np.array([2.0])), 2, 1) == [2, 3, 4]
    assert _finish(_work(3, hours_per_day=np.array([4.0])), 2, 1) == [2, 4, 26]  # the night in between
    assert _finish(_work(3, ca_ready_h=np.full(3, 10.0)), 2, 1) == [11, 12, 13]  # issuance waits for the CA
    assert _finish(_work(3), 2, 1, wait=1.5) == [3.5, 5.5, 7.5]
    rated = _work(3, automated=np.ones(3, dtype=bool), rate_per_hour=1.0)
    assert _finish(rated, 0, 0) == [1, 2, 3]  # one issuance per hour
    two_teams = _work(
        4, team=np.array([0, 1, 0, 1]), engineers=np.array([1.0, 1.0]), hours_per_day=np.array([24.0, 24.0])
    )
    assert _finish(two_teams, 2, 1) == [2, 2, 4, 4]  # teams work in parallel


def test_simulation_without_noise_matches_the_medians(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HANDS_ON_SIGMA", "WAIT_SIGMA", "ONBOARDING_SIGMA"):
        monkeypatch.setattr(engine, name, 0.0)
    w = _work(4)
    hands, _post, wait = engine.medians(w)
    d = engine.DURATIONS
    manual = d["triage"].manual + d["issuance"].manual + d["deployment"].manual + d["verification"].manual
    assert hands[0] == pytest.approx(manual) and wait[0] == pytest.approx(engine.WAITS["issuance"].manual)
    o = engine.simulate(w, runs=5, seed=1, deadline_h=24, service=np.arange(4), critical=np.zeros(4, bool))
    assert np.allclose(o.completion_h, 4 * manual + engine.WAITS["issuance"].manual, atol=1e-4)
    assert o.on_time.all() and (o.exposed_certs == 0).all()
    tight = replace(w, deadline_h=np.full(4, 2 * manual))
    o = engine.simulate(
        tight,
        runs=3,
        seed=1,
        deadline_h=2 * manual,
        service=np.array([0, 0, 1, 1]),
        critical=np.ones(4, bool),
    )
    # finishes at manual + wait, 2 manual + wait, …: only the first makes the deadline
    assert (o.exposed_certs == 3).all() and not o.on_time.any()
    assert (o.exposed_critical_services == 2).all()
    late = [
        2 * manual + wait[0] - 2 * manual,
        3 * manual + wait[0] - 2 * manual,
        4 * manual + wait[0] - 2 * manual,
    ]
    assert o.exposed_service_hours[0] == pytest.approx(
        late[0] + late[2], abs=1e-4
    )  # worst late cert per service


# ---------------------------------------------------------------- the verdicts the model asks for
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


SAMPLES = Path(os.environ.get("CMMM_SAMPLES", str(REPO / "sample_inventories")))


@pytest.mark.parametrize("org", ["level1-chaos", "level2-aware", "level3-defined", "level4-agile"])
def test_catalog_on_sample_organizations(org: str) -> None:
    path = SAMPLES / org
    if not path.is_dir():
        pytest.skip(f"{path} not generated (sample_inventories/generate.py)")
    inv = cmmm.load([path], now=NOW)
    for sc in drill.catalog():
        r = drill.run(inv, sc, now=NOW, runs=30)
        assert r.verdict in set(drill.Verdict) and r.verdict_reason
    primary = drill.run(inv, drill.load_scenario("primary-intermediate-compromise-24h"), now=NOW, runs=100)
    if org == "level1-chaos":
        assert primary.verdict == "fail"
    if org == "level4-agile":
        assert primary.verdict == "pass", primary.reasons


def test_simulated_evidence_for_the_maturity_criteria(chaos: Inventory, agile: Inventory) -> None:
    assert drill.simulated_evidence("inv.owner-coverage", chaos, NOW) is None
    value, met, text = drill.simulated_evidence("agi.ca-replacement-24h", chaos, NOW) or (None, True, "")
    assert value is not None and value > 24 and not met and "primary-intermediate-compromise-24h" in text
    value, met, _ = drill.simulated_evidence("agi.ca-replacement-24h", agile, NOW) or (None, False, "")
    assert met and value is not None and value <= 24


# ---------------------------------------------------------------- CLI
def test_cli_drill_json_plan_and_exit_codes(tmp_path: Path) -> None:
    org = chaos_org(tmp_path / "org")
    sheet_path = org / "inventory.csv"
    lines = sheet_path.read_text(encoding="utf-8").splitlines()
    lines[1:] = [ln.replace("it-lead@org.test", '"=HYPERLINK(""http://evil.test"")"') for ln in lines[1:]]
    sheet_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    plan = tmp_path / "plan.csv"
    res = runner.invoke(
        app,
        [
            "drill",
            str(org),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--runs",
            "40",
            "--as-of",
            NOW.isoformat(),
            "--format",
            "json",
            "--plan",
            str(plan),
            "--fail-on-miss",
        ],
    )
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    for key in (
        "scenario",
        "kind",
        "affected_certificates",
        "deadline_hours",
        "completion_hours",
        "on_time_probability",
        "verdict",
        "exposed_at_deadline",
        "plan_rows",
    ):
        assert key in doc
    assert set(doc["completion_hours"]) == {"p50", "p90"}
    assert set(doc["exposed_at_deadline"]) == {"certificates", "critical_services", "service_hours"}
    assert doc["verdict"] == "fail" and doc["plan_rows"] == doc["affected_certificates"]
    text = plan.read_text(encoding="utf-8")
    dates = {"planned_start", "planned_finish", "deadline", "revoke_by"}  # in UTC, the header says so
    assert text.splitlines()[0] == ",".join(f"{c}_utc" if c in dates else c for c in drill.PLAN_COLUMNS)
    assert "HYPERLINK" in text and "\n=" not in text and ',"=' not in text and ",=" not in text
    res = runner.invoke(
        app,
        [
            "drill",
            str(org),
            "--scenario",
            "primary-intermediate-compromise-24h",
            "--runs",
            "20",
            "--as-of",
            NOW.isoformat(),
        ],
    )
    assert res.exit_code == 0 and "FAIL" in res.stdout and "no pre-approved backup CA" in res.stdout
    bad = write(
        tmp_path / "bad.yaml",
        "kind: ca_distrust\ntitle: x\ndescription: y\ndeadline_hours: 1\nparameters: {}\n",
    )
    res = runner.invoke(app, ["drill", str(org), "--scenario", str(bad)])
    assert res.exit_code == 2 and "parameters.target: missing required field" in res.stderr
    res = runner.invoke(app, ["scenarios", "--format", "json"])
    listed = {s["name"] for s in json.loads(res.stdout)}
    assert res.exit_code == 0 and {"entrust-2024", "primary-intermediate-compromise-24h"} <= listed


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
    assert result.verdict == "fail" and result.on_time_probability == 0
    assert "each certificate its own" in text and "were due already" in text, text
