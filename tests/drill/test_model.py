"""The drill model an incident commander can rely on: replacement CAs by hierarchy and trust domain,
outages of the CA that is down, five verdicts, validity caps judged on reliability, honest and monotone
uncertainty, and capacity as it is (issuance ceilings per CA, shared on-call)."""

from __future__ import annotations

import csv
import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import cmmm
from cmmm import drill
from cmmm.drill import engine
from cmmm.drill.capacity import Trouble, capacity, replacement_ca
from cmmm.drill.result import Verdict, judge
from cmmm.lab.pki import issue, make_key
from cmmm.model import CaChoice, Inventory, Profile, Team
from cmmm.profile import parse_profile
from tests.conftest import NOW
from tests.drill.orgs import agile_org, build_org, chaos_org


def _write(root: Path, pems: list[bytes], rows: list[dict[str, Any]], profile: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "certs.pem").write_bytes(b"".join(pems))
    if rows:
        with (root / "inventory.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    (root / "profile.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return root


def _two_roots(root: Path, *, backup: dict[str, Any], approved: list[dict[str, Any]]) -> Inventory:
    """Root G2 → Issuing CA 1 (leaves), Issuing CA 10 (leaves); root G3 → Spare CA (no leaves)."""
    t0 = NOW - timedelta(days=900)
    g2 = issue(cn="Corp Root CA G2", org="Corp", not_before=t0, days=7300, ca=True)
    g3 = issue(cn="Corp Root CA G3", org="Corp", not_before=t0, days=7300, ca=True)
    ca1 = issue(cn="Corp Issuing CA 1", org="Corp", not_before=t0, days=3650, ca=True, issuer=g2)
    ca10 = issue(cn="Corp Issuing CA 10", org="Corp", not_before=t0, days=3650, ca=True, issuer=g2)
    spare = issue(cn="Corp Spare CA", org="Corp", not_before=t0, days=3650, ca=True, issuer=g3)
    key = make_key("EC-256")
    leaves = [
        issue(
            cn=f"svc{i}.corp.test",
            not_before=NOW - timedelta(days=10),
            days=90,
            issuer=ca1 if i % 2 else ca10,
            key=key,
        )
        for i in range(12)
    ]
    profile = {
        "organization": "Corp",
        "teams": [{"name": "pki", "engineers": 4, "hours_per_day": 6}],
        "approved_cas": approved,
        "backup_cas": [backup],
        "ca_onboarding_days": 20,
    }
    bundle = _write(root, [c.pem for c in (g2, g3, ca1, ca10, spare, *leaves)], [], profile)
    return cmmm.load([bundle], now=NOW)


def _distrust(names: tuple[str, ...], hours: float = 72) -> drill.Scenario:
    sc = drill.load_scenario("primary-intermediate-compromise-24h")
    return dataclasses.replace(
        sc, deadline_hours=hours, parameters={"target": {"names": names}, "basis": "removal"}
    )


# ---------------------------------------------------------------- 1. replacement by hierarchy
def test_a_root_distrust_never_replaces_from_a_ca_beneath_it(tmp_path: Path) -> None:
    inv = _two_roots(
        tmp_path / "corp",
        backup={"name": "Corp Issuing CA 1", "type": "private", "pre_approved": True},
        approved=[{"name": "Corp Spare CA", "type": "private"}],
    )
    r = drill.run(inv, _distrust(("Corp Root CA G2",)), now=NOW, runs=30)
    assert r.affected_certificates == 12
    assert r.replacement_ca is not None and r.replacement_ca.name == "Corp Spare CA"  # beneath G3: usable
    assert any("Corp Issuing CA 1 chains to Corp Root CA G2" in x for x in r.replacement_ca.rejected)
    assert set(r.plan["replacement_ca"]) == {"Corp Spare CA"}


def test_a_compromised_intermediate_leaves_its_sibling_usable_and_names_are_not_substrings(
    tmp_path: Path,
) -> None:
    inv = _two_roots(
        tmp_path / "corp",
        backup={"name": "Corp Issuing CA 10", "type": "private", "pre_approved": True},
        approved=[],
    )
    # "Corp Issuing CA 1" is compromised: "Corp Issuing CA 10" contains its name but is another CA
    r = drill.run(inv, _distrust(("Corp Issuing CA 1",)), now=NOW, runs=30)
    assert r.replacement_ca is not None and r.replacement_ca.name == "Corp Issuing CA 10"
    assert r.replacement_ca.ready_hours == 0


def test_replacements_fit_the_trust_domain() -> None:
    profile = Profile(
        backup_cas=(CaChoice(name="Public ACME", type="acme", pre_approved=True),),
        approved_cas=(CaChoice(name="Untyped CA"), CaChoice(name="Private CA", type="private")),
    )
    private = replacement_ca(profile, trust="private", pqc=False)
    assert private.name == "Private CA"
    assert any("acme CA and cannot issue private certificates" in x for x in private.rejected)
    assert any("has no type" in x for x in private.rejected)
    public = replacement_ca(profile, trust="public", pqc=False)
    assert public.name == "Public ACME"
    assert any("private CA and cannot issue public certificates" in x for x in public.rejected)
    nothing = replacement_ca(profile, trust="public", pqc=False, trouble=Trouble(names=("public acme",)))
    assert nothing.name is None and nothing.ready_hours > 0


def test_a_classical_replacement_prefers_a_classical_ca_and_the_data_shows_a_pqc_one(tmp_path: Path) -> None:
    # profile.yaml does not say the ML-DSA issuing CA is post-quantum; its certificate in the inventory does
    t0 = NOW - timedelta(days=100)
    pq_root = issue(cn="Corp PQC Root", org="Corp", not_before=t0, days=3650, ca=True, key_kind="ML-DSA-65")
    pq_ca = issue(
        cn="Corp PQC Issuing CA",
        org="Corp",
        not_before=t0,
        days=1800,
        ca=True,
        issuer=pq_root,
        key_kind="ML-DSA-65",
    )
    leaf = issue(cn="pilot.corp.test", not_before=t0, days=200, issuer=pq_ca, key_kind="ML-DSA-65")
    (tmp_path / "pqc.pem").write_bytes(pq_root.pem + pq_ca.pem + leaf.pem)
    inv = cmmm.load([tmp_path], now=NOW)
    profile = Profile(
        approved_cas=(
            CaChoice(name="Corp PQC Issuing CA", type="private"),
            CaChoice(name="Cloud Private CA", type="cloud"),
        )
    )
    # classical certificates move to a classical CA: relying parties must accept the chain within hours
    classical = replacement_ca(profile, trust="private", pqc=False, inv=inv)
    assert classical.name == "Cloud Private CA"
    # a post-quantum re-key may use the ML-DSA CA although profile.yaml never said pqc: true
    pqc = replacement_ca(profile, trust="private", pqc=True, inv=inv)
    assert pqc.name == "Corp PQC Issuing CA"
    assert replacement_ca(profile, trust="private", pqc=True).name is None  # without the data: unknown


def test_the_level1_like_org_plans_no_private_ca_for_public_sites(tmp_path: Path) -> None:
    t0 = NOW - timedelta(days=400)
    root = issue(cn="Shop Root", org="Shop", not_before=t0, days=3650, ca=True)
    dc = issue(cn="SHOP-DC01-CA", org="Shop", not_before=t0, days=3650, ca=True, issuer=root)
    rows = [
        {
            "common_name": f"www{i}.shop.test",
            "issuer": "R11",
            "trust": "public",
            "not_after": (NOW + timedelta(days=40)).date().isoformat(),
        }
        for i in range(3)
    ]
    bundle = _write(
        tmp_path / "shop",
        [root.pem, dc.pem],
        rows,
        {
            "teams": [{"name": "it", "engineers": 1, "hours_per_day": 2}],
            "approved_cas": [{"name": "SHOP-DC01-CA", "type": "private"}],
        },
    )
    inv = cmmm.load([bundle], now=NOW)
    r = drill.run(inv, _distrust(("R11",), 24), now=NOW, runs=20)
    assert r.affected_certificates == 3
    assert r.plan["replacement_ca"].isna().all()  # no fitting CA: one must be onboarded
    assert any("SHOP-DC01-CA is a private CA and cannot issue public certificates" in x for x in r.reasons)


# ---------------------------------------------------------------- 2. outages of the CA that is down
def test_an_acme_outage_selects_the_acme_ca_not_the_automation_label(tmp_path: Path) -> None:
    t0 = NOW - timedelta(days=400)
    le_root = issue(
        cn="ISRG Root X1", org="Internet Security Research Group", not_before=t0, days=7300, ca=True
    )
    r11 = issue(cn="R11", org="Let's Encrypt", not_before=t0, days=1000, ca=True, issuer=le_root)
    corp = issue(cn="Corp K8s CA", org="Corp", not_before=t0, days=3650, ca=True)
    key = make_key("EC-256")
    public = [
        issue(cn=f"www{i}.corp.test", not_before=NOW - timedelta(days=86), days=90, issuer=r11, key=key)
        for i in range(3)
    ]
    mesh = [
        issue(cn=f"mesh{i}.corp.test", not_before=NOW - timedelta(days=1), days=3, issuer=corp, key=key)
        for i in range(5)
    ]
    rows = [
        {
            "fingerprint_sha256": c.cert_id.removeprefix("sha256:"),
            "automation": "cert-manager",
            "not_after": c.cert.not_valid_after_utc.isoformat(),
        }
        for c in (*public, *mesh)
    ]
    profile = {
        "teams": [{"name": "platform", "engineers": 2, "hours_per_day": 6}],
        "backup_cas": [{"name": "Google Trust Services", "type": "acme", "pre_approved": True}],
    }
    inv = cmmm.load(
        [
            _write(
                tmp_path / "corp",
                [le_root.pem, r11.pem, corp.pem, *(c.pem for c in (*public, *mesh))],
                rows,
                profile,
            )
        ],
        now=NOW,
    )
    r = drill.run(inv, drill.load_scenario("acme-ca-outage-7d"), now=NOW, runs=30)
    names = set(r.plan["common_name"])
    assert names == {"www0.corp.test", "www1.corp.test", "www2.corp.test"}  # Let's Encrypt's, not the mesh's
    assert set(r.plan["replacement_ca"]) == {"Google Trust Services"}


# ---------------------------------------------------------------- 4. five verdicts
def test_the_five_verdicts() -> None:
    common = {"unknown": (), "cannot_tell": 0, "nothing_reason": "nothing here"}
    assert judge(affected=0, probability=1.0, overdue=0, **common)[0] is Verdict.NOT_AFFECTED
    blind = {**common, "cannot_tell": 7}
    v, why = judge(affected=0, probability=1.0, overdue=0, **blind)
    assert v is Verdict.NOT_AFFECTED and "7 certificates" in why and "cannot tell" in why
    assert judge(affected=3, probability=1.0, overdue=1, **common)[0] is Verdict.OVERDUE
    assert judge(affected=3, probability=0.5, overdue=0, **common)[0] is Verdict.FAIL
    assert judge(affected=3, probability=0.95, overdue=0, **common)[0] is Verdict.PASS
    missing = {**common, "unknown": ("profile.yaml does not give quantum_threat_years",)}
    assert judge(affected=3, probability=0.95, overdue=0, **missing)[0] is Verdict.UNKNOWN
    assert (
        judge(affected=3, probability=0.5, overdue=0, **missing)[0] is Verdict.FAIL
    )  # missing data never helps
    assert judge(affected=3, probability=0.95, overdue=0, **blind)[0] is Verdict.UNKNOWN


def test_a_sunset_already_past_is_overdue_not_a_fresh_window(tmp_path: Path) -> None:
    rows = [
        {
            "common_name": "old.test",
            "issuer": "Legacy CA",
            "not_after": (NOW + timedelta(days=200)).date().isoformat(),
            "signature_algorithm": "sha1WithRSAEncryption",
            "key_algorithm": "RSA",
            "key_size": 2048,
            "trust": "public",
        },
    ]
    inv = cmmm.load([_write(tmp_path / "o", [], rows, {"organization": "o"})], now=NOW)
    sunset = drill.load_scenario("sha1-end-2026")
    r = drill.run(inv, sunset, now=NOW.replace(year=2026, month=12, day=5), runs=10)
    assert r.verdict is Verdict.OVERDUE and r.overdue_certificates == 1
    assert "already past" in r.verdict_reason


# ---------------------------------------------------------------- 6. validity caps on reliability
def test_a_manual_organization_fails_the_47_day_cap_on_expected_incidents(tmp_path: Path) -> None:
    inv = cmmm.load([chaos_org(tmp_path / "chaos")], now=NOW)
    # make every certificate public (in the cap's scope)
    public = dataclasses.replace(inv, certificates=inv.certificates.assign(trust="public"))
    r = drill.run(public, drill.load_scenario("validity-47-day-2029"), now=NOW, runs=40)
    assert r.verdict is Verdict.FAIL
    assert r.expected_incidents_per_year is not None and r.expected_incidents_per_year >= 0.5
    assert "expiry incidents expected a year" in r.verdict_reason
    careful = dataclasses.replace(
        public, profile=dataclasses.replace(public.profile, renewal_error_rate_manual=0.0001)
    )
    low = drill.run(careful, drill.load_scenario("validity-47-day-2029"), now=NOW, runs=40)
    assert (
        low.expected_incidents_per_year is not None
        and low.expected_incidents_per_year < r.expected_incidents_per_year
    )


def test_private_certificates_count_in_the_renewal_load(tmp_path: Path) -> None:
    inv = cmmm.load([chaos_org(tmp_path / "chaos")], now=NOW)
    half = inv.certificates.index % 2 == 0
    mixed = inv.certificates.assign(trust=np.where(half, "public", "private"))
    r = drill.run(
        dataclasses.replace(inv, certificates=mixed),
        drill.load_scenario("validity-100-day-2027"),
        now=NOW,
        runs=20,
    )
    table = r.findings["renewals"]
    assert table["private_renewed"].sum() > 0
    assert table["renewals_per_year"].sum() > table["certificates"].sum() * 365 / (100 * 2 / 3) - 1e-6


def test_profile_renewal_error_rate_is_validated() -> None:
    assert parse_profile({"renewal_error_rate": {"manual": 0.02}}).renewal_error_rate_manual == 0.02
    with pytest.raises(cmmm.InputError):
        parse_profile({"renewal_error_rate": {"manual": 2}})


# ---------------------------------------------------------------- 7. honest, monotone uncertainty
@pytest.fixture(scope="module")
def agile(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([agile_org(tmp_path_factory.mktemp("orgs") / "agile", leaves=240)], now=NOW)


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([chaos_org(tmp_path_factory.mktemp("orgs") / "chaos")], now=NOW)


def test_common_mode_shocks_widen_the_spread(agile: Inventory, monkeypatch: pytest.MonkeyPatch) -> None:
    sc = _distrust(("Org Issuing CA 1",), 24)
    wide = drill.run(agile, sc, now=NOW, runs=200, seed=2)
    for name in ("TEAM_SIGMA", "CA_SIGMA"):
        monkeypatch.setattr(engine, name, 0.0)
    monkeypatch.setattr(engine, "CHANGE_FAILURE_PROBABILITY", 0.0)
    narrow = drill.run(agile, sc, now=NOW, runs=200, seed=2)
    spread = wide.burndown["p90"] - wide.burndown["p10"]
    assert spread.max() > (narrow.burndown["p90"] - narrow.burndown["p10"]).max()
    assert wide.completion_hours.p90 is not None and wide.completion_hours.p50 is not None
    assert wide.completion_hours.p90 > 1.15 * wide.completion_hours.p50


@pytest.mark.parametrize("org", ["chaos", "agile"])
def test_more_time_never_lowers_the_chance_to_finish(org: str, request: pytest.FixtureRequest) -> None:
    inv = request.getfixturevalue(org)
    chances = [
        drill.run(inv, _distrust(("Org Issuing CA 1",), hours), now=NOW, runs=120, seed=5).on_time_probability
        for hours in (6, 12, 24, 48, 72, 73, 96, 120, 240, 480, 2000)
    ]
    assert chances == sorted(chances), chances


def test_more_automation_a_known_owner_or_more_engineers_never_slow_a_drill(chaos: Inventory) -> None:
    sc = _distrust(("Org Issuing CA 1",), 240)
    base = drill.run(chaos, sc, now=NOW, runs=120, seed=7)
    obs = chaos.observations
    for change in (
        obs.assign(automation=np.where(obs.index % 2 == 0, "acme", obs["automation"])),
        obs.assign(owner=obs["owner"].fillna("someone@org.test")),
    ):
        better = drill.run(dataclasses.replace(chaos, observations=change), sc, now=NOW, runs=120, seed=7)
        assert better.on_time_probability >= base.on_time_probability
        assert (better.completion_hours.p90 or 0) <= (base.completion_hours.p90 or 0) + 1e-6
    staffed = dataclasses.replace(chaos.profile, teams=(Team(name="it", engineers=3, hours_per_day=2),))
    more = drill.run(dataclasses.replace(chaos, profile=staffed), sc, now=NOW, runs=120, seed=7)
    assert more.on_time_probability >= base.on_time_probability
    assert (more.completion_hours.p90 or 0) <= (base.completion_hours.p90 or 0) + 1e-6


def test_a_failed_issuer_change_never_makes_automation_slower_than_manual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "CHANGE_FAILURE_PROBABILITY", 1.0)
    monkeypatch.setattr(engine, "CHANGE_REWORK_HOURS", 1000.0)
    n = 50
    base = {
        "team": np.zeros(n, dtype=int),
        "owner_known": np.ones(n, dtype=bool),
        "frozen": np.zeros(n, dtype=bool),
        "deadline_h": np.full(n, 48.0),
        "ca_ready_h": np.zeros(n),
        "ca_back_h": None,
        "needs_issuance": True,
        "engineers": np.array([2.0]),
        "hours_per_day": np.array([8.0]),
        "change_group": np.zeros(n, dtype=int),
    }
    service, critical = np.arange(n), np.zeros(n, bool)
    auto = engine.simulate(
        engine.Work(**base, automated=np.ones(n, bool)),
        runs=50,
        seed=1,
        deadline_h=48,
        service=service,
        critical=critical,
    )
    manual = engine.simulate(
        engine.Work(**base, automated=np.zeros(n, bool)),
        runs=50,
        seed=1,
        deadline_h=48,
        service=service,
        critical=critical,
    )
    assert (auto.completion_h <= manual.completion_h + 1e-3).all()


# ---------------------------------------------------------------- 8. capacity as it is
def test_an_acme_rate_limit_applies_to_acme_issuance_only(tmp_path: Path) -> None:
    org = build_org(
        tmp_path / "org",
        leaves=60,
        automated_share=1.0,
        unknown_owner_share=0.0,
        teams=[{"name": "platform", "engineers": 4, "hours_per_day": 8}],
        backup_pre_approved=True,
        rate_limit=6,
    )
    inv = cmmm.load([org], now=NOW)
    private = drill.run(inv, _distrust(("Org Issuing CA 1",), 72), now=NOW, runs=30)
    assert not any("issuance ceiling" in x for x in private.reasons)  # a private backup: no ACME limit
    throttled = dataclasses.replace(
        inv.profile,
        backup_cas=(
            CaChoice(name="Backup Issuing CA", type="private", pre_approved=True, issuance_per_hour=6.0),
        ),
    )
    slow = drill.run(
        dataclasses.replace(inv, profile=throttled), _distrust(("Org Issuing CA 1",), 72), now=NOW, runs=30
    )
    assert any("issuance ceiling of 6/h" in x for x in slow.reasons)
    assert (slow.completion_hours.p50 or 0) > (private.completion_hours.p50 or 0)


def test_shared_on_call_pools_the_teams_and_follows_the_sun() -> None:
    teams = (
        Team(name="eu", engineers=2, hours_per_day=8, timezone="Europe/Berlin"),
        Team(name="us", engineers=2, hours_per_day=8, timezone="America/New_York"),
    )
    alone = capacity(Profile(teams=teams), surge_window_h=0)
    pooled = capacity(Profile(teams=teams, shared_on_call=True), surge_window_h=0)
    assert alone.names == ["eu", "us"] and pooled.names == ["(shared on-call)"]
    # the same engineer-hours a day, over the hours someone is at work (Berlin's and New York's days)
    assert pooled.engineers[0] * pooled.hours_per_day[0] == pytest.approx(
        (alone.engineers * alone.hours_per_day).sum()
    )
    assert pooled.coverage_h >= 8 + 5  # two working days six hours apart cover more of the clock
    assert parse_profile({"shared_on_call": True}).shared_on_call
