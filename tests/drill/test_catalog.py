"""The scenario catalog current to December 2026 and the algorithm-swap drill: contract tests over the
catalog and its dated sources, and every new kind, parameter and entry on a bundle built here from real
certificate chains (public and private hierarchies of several ages, dual-purpose EKUs, RSA and EC keys,
a spreadsheet with automation and rows the drill cannot judge)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import cmmm
from cmmm import crypto, drill
from cmmm.drill.scenario import PUBLIC_TLS_TARGETS, SWAP_TARGETS, Kind
from cmmm.drill.selection import root_key_created
from cmmm.errors import InputError
from cmmm.graph.hierarchy import hierarchy
from cmmm.lab.pki import Issued, issue
from cmmm.model import Inventory, KeyFamily
from cmmm.schedules import EVENTS, EVENTS_BY_ID, PQC_DEADLINES, lets_encrypt_profile_on
from tests.conftest import NOW, write
from tests.drill.orgs import agile_org, chaos_org

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "drills.md"

# The names the maturity model and the docs refer to: renaming one breaks evidence and links.
STABLE_NAMES = (
    "swap-rsa2048-to-p256-48h",
    "swap-private-to-mldsa65-7d",
    "chrome-root-term-limit-2026",
    "chrome-root-term-limit-2027",
    "chrome-root-term-limit-2028",
    "chrome-root-term-limit-2029",
    "chrome-serverauth-only-2027",
    "letsencrypt-64-day-2027",
    "letsencrypt-45-day-2028",
    "ari-early-renewal-5d",
    "trustcor-2022",
    "trustcor-2022-mozilla",
    "trustcor-2022-microsoft",
    "entrust-2024",
    "entrust-2024-mozilla",
    "harica-clientauth-2026",
    "harica-ocsp-aia-2026",
    "pqc-us-eo-2026",
    "pqc-eu-2030",
    "pqc-uk-ncsc-2035",
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hours_until(when: datetime) -> float:
    return (when - NOW).total_seconds() / 3600


# ---------------------------------------------------------------- the bundle
def _leaf(name: str, issuer: Issued, *, nb: datetime, days: float, public: bool, **kw: Any) -> Issued:
    return issue(cn=name, not_before=nb, days=days, issuer=issuer, scts=(nb,) if public else (), **kw)


def _hierarchy(root_cn: str, int_cn: str, org: str, root_nb: datetime) -> tuple[Issued, Issued]:
    root = issue(cn=root_cn, org=org, not_before=root_nb, days=12000, ca=True)
    inter = issue(cn=int_cn, org=org, not_before=utc("2020-01-01"), days=4000, ca=True, issuer=root)
    return root, inter


def build_bundle(root: Path) -> Path:
    """Write certs.pem, inventory.csv and profile.yaml; return the folder."""
    recent = NOW - timedelta(days=30)
    old_root, old_int = _hierarchy("Oldroot Global Root", "Oldroot TLS CA", "Oldroot", utc("2009-05-01"))
    # the same root key self-signed again in 2011: its age still counts from 2009 (the earliest certificate)
    reissued = issue(
        cn="Oldroot Global Root",
        org="Oldroot",
        not_before=utc("2011-01-01"),
        days=9000,
        ca=True,
        key=old_root.key,
    )
    young_root, young_int = _hierarchy(
        "Youngroot Root R1", "Youngroot TLS CA", "Youngroot", utc("2016-01-01")
    )
    ancient_root, ancient_int = _hierarchy("Ancient Root", "Ancient TLS CA", "Ancient", utc("2006-06-01"))
    priv_root, priv_int = _hierarchy("Corp Root CA", "Corp Issuing CA", "Corp", utc("2009-03-01"))
    tc_root, tc_int = _hierarchy(
        "TrustCor RootCert CA-1", "TrustCor DV SSL CA", "TrustCor Systems", utc("2016-02-04")
    )
    en_root, en_int = _hierarchy(
        "Entrust Root Certification Authority - G2",
        "Entrust Certification Authority - L1K",
        "Entrust, Inc.",
        utc("2015-01-01"),
    )
    ha_root, ha_int = _hierarchy(
        "HARICA TLS RSA Root CA 2021",
        "HARICA DV TLS RSA",
        "Hellenic Academic and Research Institutions CA",
        utc("2021-02-19"),
    )
    le_root, le_int = _hierarchy("ISRG Root X1", "R11", "Let's Encrypt", utc("2015-06-04"))
    leaves = {
        "old-ec.test": _leaf("old-ec.test", old_int, nb=recent, days=90, public=True),
        "old-rsa.test": _leaf("old-rsa.test", old_int, nb=recent, days=90, public=True, key_kind="RSA-2048"),
        "ancient.test": _leaf("ancient.test", ancient_int, nb=recent, days=90, public=True),
        "young-dual.test": _leaf(
            "young-dual.test",
            young_int,
            nb=recent,
            days=90,
            public=True,
            eku_client=True,
            key_kind="RSA-2048",
        ),
        "young-late.test": _leaf(
            "young-late.test", young_int, nb=recent, days=190, public=True, eku_client=True
        ),
        "young-server.test": _leaf("young-server.test", young_int, nb=recent, days=90, public=True),
        "priv-rsa.test": _leaf(
            "priv-rsa.test", priv_int, nb=recent, days=365, public=False, key_kind="RSA-2048"
        ),
        "priv-ec.test": _leaf("priv-ec.test", priv_int, nb=recent, days=365, public=False),
        "priv-dual.test": _leaf(
            "priv-dual.test", priv_int, nb=recent, days=365, public=False, eku_client=True
        ),
        "priv-weak.test": _leaf(
            "priv-weak.test", priv_int, nb=recent, days=365, public=False, key_kind="RSA-1024"
        ),
        "tc-oct.test": _leaf("tc-oct.test", tc_int, nb=utc("2022-10-15"), days=1600, public=True),
        "tc-nov.test": _leaf("tc-nov.test", tc_int, nb=utc("2022-11-15"), days=1600, public=True),
        "tc-dec.test": _leaf("tc-dec.test", tc_int, nb=utc("2022-12-15"), days=1600, public=True),
        "en-nov.test": _leaf("en-nov.test", en_int, nb=utc("2024-11-20"), days=800, public=True),
        "en-dec.test": _leaf("en-dec.test", en_int, nb=utc("2024-12-05"), days=800, public=True),
        "ha-dual.test": _leaf("ha-dual.test", ha_int, nb=recent, days=90, public=True, eku_client=True),
        "ha-may.test": _leaf("ha-may.test", ha_int, nb=utc("2026-05-01"), days=300, public=True),
        "ha-aug.test": _leaf("ha-aug.test", ha_int, nb=utc("2026-08-10"), days=200, public=True),
        "le-acme1.test": _leaf("le-acme1.test", le_int, nb=recent, days=90, public=True),
        "le-acme2.test": _leaf("le-acme2.test", le_int, nb=recent, days=90, public=True),
        "le-cm.test": _leaf("le-cm.test", le_int, nb=recent, days=90, public=True),
        "le-manual.test": _leaf("le-manual.test", le_int, nb=recent, days=90, public=True),
    }
    cas = [old_root, reissued, old_int, young_root, young_int, ancient_root, ancient_int, priv_root, priv_int]
    cas += [tc_root, tc_int, en_root, en_int, ha_root, ha_int, le_root, le_int]
    root.mkdir(parents=True, exist_ok=True)
    (root / "certs.pem").write_bytes(b"".join(c.pem for c in [*cas, *leaves.values()]))
    automation = {"le-acme1.test": "acme", "le-acme2.test": "acme", "le-cm.test": "cert-manager"}
    rows: list[dict[str, str]] = []
    for i, (name, leaf) in enumerate(leaves.items()):
        rows.append(
            {
                "common_name": name,
                "fingerprint_sha256": leaf.cert_id.removeprefix("sha256:"),
                "not_after": f"{leaf.cert.not_valid_after_utc:%Y-%m-%d}",
                "automation": automation.get(name, "manual"),
                "owner": "ops-lead@corp.test",
                "team": "ops",
                "service": f"svc{i % 4}",
                "criticality": "critical" if i % 4 == 0 else "medium",
            }
        )
    # spreadsheet rows without a certificate body
    late = f"{NOW + timedelta(days=60):%Y-%m-%d}"
    rows += [
        {"common_name": "nokey.test", "issuer": "Youngroot TLS CA", "not_after": late, "trust": "public"},
        {
            "common_name": "mystery.test",
            "issuer": "Mystery Public CA G9",
            "not_after": late,
            "trust": "public",
        },
        {
            "common_name": "sheet-dual.test",
            "issuer": "Youngroot TLS CA",
            "not_after": late,
            "trust": "public",
            "ext_key_usage": "TLS Web Server Authentication, TLS Web Client Authentication",
            "key_algorithm": "EC",
        },
        {"common_name": "nameless.test", "not_after": late, "key_algorithm": "RSA", "trust": "public"},
    ]
    cols = sorted({k for r in rows for k in r})
    with (root / "inventory.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    profile = {
        "organization": "Catalog Test Org",
        "teams": [{"name": "ops", "engineers": 2, "hours_per_day": 6}],
        "approved_cas": [
            {"name": "R11", "type": "acme", "pre_approved": True},
            {"name": "Corp Issuing CA", "type": "private", "pre_approved": True},
            {"name": "Corp PQC CA", "type": "private", "pre_approved": True, "pqc": True},
        ],
    }
    (root / "profile.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def inv(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return cmmm.load([build_bundle(tmp_path_factory.mktemp("catalog") / "org")], now=NOW)


def selected(inventory: Inventory, sc: drill.Scenario, now: datetime = NOW) -> set[str]:
    sel = drill.select(inventory, sc, now)
    return set(inventory.certificates.loc[sel.mask, "common_name"])


def custom(
    tmp: Path, kind: str, parameters: dict[str, Any], deadline: float = 48, name: str = "custom"
) -> drill.Scenario:
    doc = {
        "kind": kind,
        "title": "t",
        "description": "d",
        "deadline_hours": deadline,
        "parameters": parameters,
    }
    return drill.load_scenario(write(tmp / f"{name}.yaml", yaml.safe_dump(doc, sort_keys=False)))


def refused(tmp: Path, kind: str, parameters: dict[str, Any]) -> str:
    with pytest.raises(InputError) as info:
        custom(tmp, kind, parameters)
    return str(info.value)


# ---------------------------------------------------------------- contract: catalog, events, sources
def test_every_catalog_file_parses_and_replays_a_sourced_event() -> None:
    scenarios = drill.catalog()
    names = {s.name for s in scenarios}
    assert set(STABLE_NAMES) <= names
    assert {s.kind for s in scenarios} == set(Kind)
    for s in scenarios:
        assert s.title and s.description, s.name
        if s.replays is not None:
            assert EVENTS_BY_ID[s.replays.id] is s.replays
    replayed = {s.replays.id for s in scenarios if s.replays is not None}
    for event in EVENTS:
        assert event.title and event.source and event.date, event.id
        assert event.id in replayed, f"{event.id} is replayed by no scenario"
    assert len({e.id for e in EVENTS}) == len(EVENTS)


def test_every_pqc_deadline_is_sourced_and_the_draft_is_marked() -> None:
    for d in PQC_DEADLINES:
        assert d.source and d.exclusive_by, d
        assert "as reported" not in d.source, d
        assert d.draft == (d.authority == "NIST IR 8547"), d
    us = [d for d in PQC_DEADLINES if d.authority == "US federal"]
    assert {(d.category, d.exclusive_by.isoformat()) for d in us} == {
        ("key establishment, high-value systems", "2030-12-31"),
        ("signatures, high-value systems", "2031-12-31"),
        ("federal contractors", "2030-12-31"),
    }
    for d in us:  # cited by title and date, never by a number that differs between sources
        assert (
            "Securing the Nation Against Advanced Cryptographic Attacks" in d.source
            and "2026-06-22" in d.source
        )
    by_key = {(d.authority, d.category): d.exclusive_by.isoformat() for d in PQC_DEADLINES}
    assert by_key[("EU", "first steps")] == "2026-12-31"
    assert by_key[("EU", "high-risk use cases")] == "2030-12-31"
    assert by_key[("EU", "medium-risk use cases")] == "2035-12-31"
    assert by_key[("UK NCSC", "discovery and migration plan")] == "2028-12-31"
    assert by_key[("UK NCSC", "priority migrations")] == "2031-12-31"
    assert by_key[("UK NCSC", "complete migration")] == "2035-12-31"
    assert by_key[("NIST IR 8547", "112-bit security deprecated")] == "2030-12-31"
    assert by_key[("NIST IR 8547", "quantum-vulnerable disallowed")] == "2035-12-31"


def test_dated_facts_match_the_sources_in_domain_md() -> None:
    date_of = {e.id: e.date.isoformat() for e in EVENTS}
    assert date_of["chrome-root-term-limit-2026"] == "2026-04-15"
    assert date_of["chrome-root-term-limit-2027"] == "2027-04-15"
    assert date_of["chrome-root-term-limit-2028"] == "2028-04-15"
    assert date_of["chrome-root-term-limit-2029"] == "2029-04-15"
    assert date_of["chrome-serverauth-only"] == "2027-03-15"
    assert date_of["letsencrypt-64-day"] == "2027-02-10"
    assert date_of["letsencrypt-45-day"] == "2028-02-16"
    assert date_of["trustcor-distrust-mozilla"] == "2022-11-30"
    assert date_of["trustcor-distrust-microsoft"] == "2022-11-01"
    assert date_of["trustcor-removal"] == "2023-03-07"
    assert date_of["entrust-distrust-mozilla"] == "2024-11-30"
    assert date_of["harica-clientauth-revocation"] == "2026-07-20"
    assert date_of["harica-ocsp-aia-revocation"] == "2026-07-25"
    assert date_of["us-eo-pqc-2026"] == "2026-06-22"
    assert "as reported" in EVENTS_BY_ID["harica-clientauth-revocation"].source
    assert lets_encrypt_profile_on(utc("2027-02-10").date()).default_days == 64
    assert lets_encrypt_profile_on(utc("2028-02-16").date()).default_days == 45
    assert lets_encrypt_profile_on(utc("2027-02-09").date()).default_days == 90


def test_dated_distrusts_take_effect_on_the_replayed_date() -> None:
    for s in drill.catalog():
        if "effective" in s.parameters:
            assert s.replays is not None and s.parameters["effective"].date() == s.replays.date, s.name
    steps = {
        "chrome-root-term-limit-2026": ("2006-01-01", "2008-01-01"),
        "chrome-root-term-limit-2027": ("2008-01-01", "2010-01-01"),
        "chrome-root-term-limit-2028": ("2010-01-01", "2012-01-01"),
        "chrome-root-term-limit-2029": ("2012-01-01", "2014-04-15"),
    }
    for name, (start, before) in steps.items():
        target = drill.load_scenario(name).parameters["target"]
        assert f"{target['roots_created_from']:%Y-%m-%d}" == start
        assert f"{target['roots_created_before']:%Y-%m-%d}" == before
        assert target["trust"] == "public"


def test_swap_targets_are_the_sizes_the_drill_knows_and_public_ones_are_classical() -> None:
    assert set(SWAP_TARGETS) == set(crypto.SIZES)
    assert set(PUBLIC_TLS_TARGETS) <= set(SWAP_TARGETS)
    for name in PUBLIC_TLS_TARGETS:
        assert crypto.key_family(crypto.key_algorithm(name)[0]) in {KeyFamily.RSA, KeyFamily.EC}


def test_docs_list_every_kind_and_every_catalog_scenario() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for kind in Kind:
        assert f"`{kind.value}`" in text, kind
    for s in drill.catalog():
        assert f"`{s.name}`" in text, s.name
    for param in ("`from`", "`to`", "`include_cas`", "`ari_reacts`", "`eku_any`", "`eku_all`", "`effective`"):
        assert param in text, param
    for param in ("`roots_created_from`", "`at_renewal`", "`schedule`"):
        assert param in text, param


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kind", "parameters", "field", "reason"),
    [
        ("algorithm_swap", {"to": "EC-256"}, "parameters.from", "missing required field"),
        ("algorithm_swap", {"from": {"key_algorithm": ["RSA"]}}, "parameters.to", "missing required field"),
        (
            "algorithm_swap",
            {"from": {"key_algorithm": ["RSA"]}, "to": "ML-KEM-768"},
            "parameters.to",
            "unknown algorithm",
        ),
        (
            "algorithm_swap",
            {"from": {"trust": "private"}, "to": "EC-256"},
            "parameters.from",
            "name the algorithm",
        ),
        (
            "algorithm_swap",
            {"from": {"quantum_vulnerable": True}, "scope": "public", "to": "ML-DSA-65"},
            "parameters.to",
            "not allowed in public TLS",
        ),
        (
            "algorithm_swap",
            {"from": {"quantum_vulnerable": True, "trust": "public"}, "to": "ml-dsa-65"},
            "parameters.to",
            "BR §6.1.5",
        ),
        (
            "algorithm_swap",
            {"from": {"key_algorithm": ["RSA"]}, "scope": "public", "to": "EC-256", "include_cas": True},
            "parameters.include_cas",
            "private hierarchy",
        ),
        (
            "algorithm_swap",
            {"from": {"key_algorithm": ["RSA"], "trust": "public"}, "scope": "private", "to": "EC-256"},
            "parameters.scope",
            "disagree",
        ),
        (
            "mass_revocation",
            {"filter": {"trust": "public"}, "ari_reacts": ["vault"]},
            "parameters.ari_reacts[0]",
            "ACME",
        ),
        (
            "mass_revocation",
            {"filter": {"trust": "public"}, "ari_check_hours": 6},
            "parameters.ari_check_hours",
            "needs ari_reacts",
        ),
        (
            "validity_cap",
            {"schedule": "lets-encrypt", "cap_days": 64, "cap_effective": "2027-02-10"},
            "parameters.cap_days",
            "not both",
        ),
        ("validity_cap", {"schedule": "lets-encrypt"}, "parameters.cap_effective", "required with schedule"),
        (
            "validity_cap",
            {"schedule": "acme", "cap_effective": "2027-02-10"},
            "parameters.schedule",
            "is not one of",
        ),
        (
            "ca_distrust",
            {"target": {"roots_created_before": "soon"}, "basis": "removal"},
            "parameters.target.roots_created_before",
            "not a date",
        ),
        ("mass_revocation", {"filter": {"eku_any": []}}, "parameters.filter.eku_any", "expected a list"),
        (
            "algorithm_sunset",
            {"rules": [{"sunset": "chrome-serverauth-only", "filter": {}, "at_renewal": "yes"}]},
            "parameters.rules[0].at_renewal",
            "true or false",
        ),
    ],
)
def test_bad_parameters_name_the_field_and_the_reason(
    tmp_path: Path, kind: str, parameters: dict[str, Any], field: str, reason: str
) -> None:
    msg = refused(tmp_path, kind, parameters)
    assert field in msg and reason in msg, msg


def test_validity_cap_reads_lets_encrypt_lengths_from_the_schedule(tmp_path: Path) -> None:
    assert drill.load_scenario("letsencrypt-64-day-2027").parameters["cap_days"] == 64
    assert drill.load_scenario("letsencrypt-45-day-2028").parameters["cap_days"] == 45
    early = custom(tmp_path, "validity_cap", {"schedule": "lets-encrypt", "cap_effective": "2026-12-01"})
    assert early.parameters["cap_days"] == 90


# ---------------------------------------------------------------- algorithm swap
def test_swap_rsa2048_selects_rsa_end_entities_of_any_trust_and_counts_rows_without_a_key(
    inv: Inventory,
) -> None:
    sc = drill.load_scenario("swap-rsa2048-to-p256-48h")
    sel = drill.select(inv, sc, NOW)
    assert selected(inv, sc) == {"old-rsa.test", "young-dual.test", "priv-rsa.test", "priv-weak.test"}
    assert sel.action == "re-key to EC-256 and reissue" and sel.needs_issuance and not sel.needs_pqc_ca
    assert not sel.needs_new_ca and list(sel.deadline_h) == [48.0] * 4
    # nokey.test and mystery.test have no key algorithm, nameless.test is RSA of unknown size; sheet-dual.test
    # has no key size either, but its EC key already rules it out
    assert sel.cannot_tell == 3
    assert not sel.unknown


def test_swap_private_to_mldsa_covers_the_private_hierarchy_and_never_a_public_certificate(
    inv: Inventory,
) -> None:
    sc = drill.load_scenario("swap-private-to-mldsa65-7d")
    sel = drill.select(inv, sc, NOW)
    names = selected(inv, sc)
    assert names == {
        "priv-rsa.test",
        "priv-ec.test",
        "priv-dual.test",
        "priv-weak.test",
        "Corp Root CA",
        "Corp Issuing CA",
    }
    assert (inv.certificates.loc[sel.mask, "trust"] != "public").all()
    assert sel.needs_pqc_ca and sel.action == "re-key to ML-DSA-65 and reissue"
    assert any("2 private CA certificates re-keyed too" in n for n in sel.notes)
    r = drill.run(inv, sc, now=NOW, runs=30)
    assert r.replacement_ca is not None and r.replacement_ca.name == "Corp PQC CA"
    assert set(r.plan["replacement_ca"]) == {"Corp PQC CA"}


def test_an_unscoped_swap_to_mldsa_refuses_public_certificates_and_cannot_pass(
    tmp_path: Path, inv: Inventory
) -> None:
    sc = custom(
        tmp_path, "algorithm_swap", {"from": {"key_algorithm": ["RSA"]}, "to": "ML-DSA-65"}, deadline=720
    )
    sel = drill.select(inv, sc, NOW)
    assert selected(inv, sc) == {"priv-rsa.test", "priv-weak.test"}
    assert not (_public(inv) & sel.mask).any()
    assert len(sel.unknown) == 1 and "BR §6.1.5" in sel.unknown[0] and sel.unknown[0].startswith("3 ")
    r = drill.run(inv, sc, now=NOW, runs=30)
    assert r.verdict in {"unknown", "fail"} and r.verdict != "pass"
    # the same swap to P-256 is allowed for public certificates
    ok = custom(tmp_path, "algorithm_swap", {"from": {"key_algorithm": ["RSA"]}, "to": "EC-256"}, name="ok")
    assert not drill.select(inv, ok, NOW).unknown


def _public(inventory: Inventory) -> np.ndarray:
    return (inventory.certificates["trust"] == "public").fillna(False).to_numpy(dtype=bool)


def test_certificates_already_on_the_target_are_not_swapped(tmp_path: Path, inv: Inventory) -> None:
    sc = custom(
        tmp_path, "algorithm_swap", {"from": {"key_algorithm": ["EC"]}, "scope": "private", "to": "EC-256"}
    )
    sel = drill.select(inv, sc, NOW)
    assert not sel.mask.any() and any("already use EC-256" in n for n in sel.notes)


def test_the_swap_drill_separates_an_agile_organization_from_a_chaotic_one(tmp_path: Path) -> None:
    sc = custom(
        tmp_path, "algorithm_swap", {"from": {"key_algorithm": ["EC"], "max_key_size": 256}, "to": "EC-384"}
    )
    agile = cmmm.load([agile_org(tmp_path / "agile", leaves=120)], now=NOW)
    chaos = cmmm.load([chaos_org(tmp_path / "chaos")], now=NOW)
    fast = drill.run(agile, sc, now=NOW, runs=60)
    slow = drill.run(chaos, sc, now=NOW, runs=60)
    assert fast.affected_certificates == 120 and fast.verdict == "pass", fast.reasons
    assert slow.affected_certificates == 40 and slow.verdict == "fail"
    assert set(fast.plan["action"]) == {"re-key to EC-384 and reissue"}


# ---------------------------------------------------------------- Chrome's root term limit
def test_root_key_age_is_the_earliest_certificate_carrying_the_key(inv: Inventory) -> None:
    nodes = hierarchy(inv).nodes.set_index("ca_id")
    created = root_key_created(inv)
    by_name = {nodes.loc[i, "name"]: t for i, t in created.items() if nodes.loc[i, "kind"] == "root"}
    assert by_name["Oldroot Global Root"] == pd.Timestamp("2009-05-01", tz="UTC")
    assert by_name["Ancient Root"] == pd.Timestamp("2006-06-01", tz="UTC")


def test_term_limit_selects_public_certificates_under_roots_of_the_window(inv: Inventory) -> None:
    sc = drill.load_scenario("chrome-root-term-limit-2027")
    sel = drill.select(inv, sc, NOW)
    # Oldroot (2009) is in the window, its 2011 re-issue does not make it younger; Corp Root (2009) is private
    assert selected(inv, sc) == {"old-ec.test", "old-rsa.test"}
    assert list(sel.deadline_h) == pytest.approx([hours_until(utc("2027-04-15"))] * 2)
    assert sel.overdue is not None and not sel.overdue.any()
    assert sel.needs_new_ca and "Oldroot Global Root" in sel.exclude_cas
    # mystery.test reaches no root of the inventory: its root's age is unknown
    assert len(sel.unknown) == 1 and sel.unknown[0].startswith("1 live certificates chain to no root")
    assert selected(inv, drill.load_scenario("chrome-root-term-limit-2028")) == set()
    r = drill.run(inv, sc, now=NOW, runs=30)
    assert r.deadline_hours == pytest.approx(hours_until(utc("2027-04-15")), abs=0.01)
    assert r.verdict == "unknown" and "no root certificate" in r.verdict_reason


def test_a_removal_already_past_makes_the_certificates_overdue(inv: Inventory) -> None:
    sc = drill.load_scenario("chrome-root-term-limit-2026")
    sel = drill.select(inv, sc, NOW)
    assert selected(inv, sc) == {"ancient.test"}
    assert sel.overdue is not None and sel.overdue.all() and list(sel.deadline_h) == [720.0]
    assert drill.run(inv, sc, now=NOW, runs=20).verdict == "overdue"


def test_term_limit_with_every_root_present_is_known(tmp_path: Path) -> None:
    root = build_bundle(tmp_path / "org")
    lines = (root / "inventory.csv").read_text(encoding="utf-8").splitlines()
    (root / "inventory.csv").write_text(
        "\n".join(ln for ln in lines if "mystery" not in ln) + "\n", encoding="utf-8"
    )
    known = cmmm.load([root], now=NOW)
    r = drill.run(known, drill.load_scenario("chrome-root-term-limit-2029"), now=NOW, runs=10)
    assert (
        r.verdict == "not-affected"
        and "no root certificate of this inventory has a key created" in r.verdict_reason
    )


# ---------------------------------------------------------------- serverAuth-only, at the next renewal
def test_serverauth_only_selects_public_dual_purpose_certificates_due_at_their_renewal(
    inv: Inventory,
) -> None:
    sc = drill.load_scenario("chrome-serverauth-only-2027")
    sel = drill.select(inv, sc, NOW)
    names = inv.certificates.loc[sel.mask, "common_name"].tolist()
    assert set(names) == {"young-dual.test", "young-late.test", "ha-dual.test", "sheet-dual.test"}
    rule_h = hours_until(utc("2027-03-15"))
    due = dict(zip(names, sel.deadline_h, strict=True))
    assert due["young-dual.test"] == pytest.approx(rule_h)  # expires before the rule: held to the rule's date
    late = inv.certificates.set_index("common_name").loc["young-late.test", "not_after"]
    assert due["young-late.test"] == pytest.approx(
        hours_until(late.to_pydatetime())
    )  # keeps clientAuth until expiry
    assert due["young-late.test"] > rule_h
    assert sel.overdue is not None and not sel.overdue.any()
    assert sel.action == "move client authentication to a private CA; renew serverAuth-only"
    # after the date a certificate issued before it still works until it expires: not overdue
    after = drill.select(inv, sc, utc("2027-03-20"))
    assert after.overdue is not None and not after.overdue.any()


def test_eku_filters_match_short_names_display_names_and_oids(tmp_path: Path, inv: Inventory) -> None:
    any_client = custom(tmp_path, "mass_revocation", {"filter": {"eku_any": ["1.3.6.1.5.5.7.3.2"]}})
    assert selected(inv, any_client) == {
        "young-dual.test",
        "young-late.test",
        "priv-dual.test",
        "ha-dual.test",
        "sheet-dual.test",
    }
    server = custom(
        tmp_path, "mass_revocation", {"filter": {"eku_all": ["serverAuth"], "trust": "private"}}, name="s"
    )
    assert "priv-ec.test" in selected(inv, server)


# ---------------------------------------------------------------- ARI: who reacts to a shortened window
def test_ari_aware_automation_leaves_the_hands_on_work(inv: Inventory) -> None:
    sc = drill.load_scenario("ari-early-renewal-5d")
    sel = drill.select(inv, sc, NOW)
    # le-acme1/2 renew through ARI; cert-manager renews only on its own schedule; manual is manual
    assert selected(inv, sc) == {"le-cm.test", "le-manual.test"}
    table = sel.findings["ari"].set_index("automation")
    assert table.loc["acme", "renew_by_ari"] == 2 and table.loc["acme", "hands_on"] == 0
    assert table.loc["cert-manager", "forced_renewal"] == 1 and table.loc["manual", "hands_on"] == 1
    assert any("renew themselves through ARI" in n for n in sel.notes)
    assert any("force each renewal" in n for n in sel.notes)


def test_ari_is_no_help_when_clients_poll_less_often_than_the_deadline(
    tmp_path: Path, inv: Inventory
) -> None:
    base = {"filter": {"issuer": {"names": ["Let's Encrypt"]}}, "ari_reacts": ["acme", "cert-manager"]}
    both = custom(tmp_path, "mass_revocation", base, deadline=24)
    assert selected(inv, both) == {"le-manual.test"}
    slow = custom(tmp_path, "mass_revocation", {**base, "ari_check_hours": 48}, deadline=24, name="slow")
    assert selected(inv, slow) == {"le-acme1.test", "le-acme2.test", "le-cm.test", "le-manual.test"}
    assert any("cannot be relied on" in n for n in drill.select(inv, slow, NOW).notes)
    plain = custom(tmp_path, "mass_revocation", {"filter": base["filter"]}, deadline=24, name="plain")
    assert selected(inv, plain) == selected(inv, slow) and "ari" not in drill.select(inv, plain, NOW).findings


def test_when_every_certificate_renews_through_ari_nothing_needs_hands(
    tmp_path: Path, inv: Inventory
) -> None:
    sc = custom(
        tmp_path,
        "mass_revocation",
        {"filter": {"issuer": {"names": ["Let's Encrypt"]}, "automation": ["acme"]}, "ari_reacts": ["acme"]},
        deadline=120,
    )
    r = drill.run(inv, sc, now=NOW, runs=10)
    assert r.affected_certificates == 0 and r.verdict == "not-affected"
    assert "renews itself through ARI" in r.verdict_reason


# ---------------------------------------------------------------- TrustCor per client, Entrust for Mozilla
def test_trustcor_verdict_depends_on_the_client_and_chrome_is_the_strictest(inv: Inventory) -> None:
    chrome = selected(inv, drill.load_scenario("trustcor-2022"))
    mozilla = selected(inv, drill.load_scenario("trustcor-2022-mozilla"))
    microsoft = selected(inv, drill.load_scenario("trustcor-2022-microsoft"))
    assert chrome == {"tc-oct.test", "tc-nov.test", "tc-dec.test"}
    assert mozilla == {"tc-dec.test"}
    assert microsoft == {"tc-nov.test", "tc-dec.test"}
    assert mozilla <= microsoft <= chrome
    assert drill.load_scenario("trustcor-2022").deadline_hours == 82 * 24


def test_entrust_mozilla_counts_notbefore_where_chrome_counts_the_earliest_sct(inv: Inventory) -> None:
    assert selected(inv, drill.load_scenario("entrust-2024")) == {"en-nov.test", "en-dec.test"}
    assert selected(inv, drill.load_scenario("entrust-2024-mozilla")) == {"en-dec.test"}


# ---------------------------------------------------------------- HARICA's two mass replacements
def test_harica_replays_select_dual_purpose_then_the_ocsp_window(inv: Inventory) -> None:
    clientauth = drill.select(inv, drill.load_scenario("harica-clientauth-2026"), NOW)
    assert set(inv.certificates.loc[clientauth.mask, "common_name"]) == {"ha-dual.test"}
    # spreadsheet rows from other named CAs are decided by their issuer; only the issuer-less row is blind
    assert clientauth.cannot_tell == 1
    ocsp = drill.load_scenario("harica-ocsp-aia-2026")
    assert selected(inv, ocsp) == {"ha-may.test"} and ocsp.deadline_hours == 72


# ---------------------------------------------------------------- PQC regimes
@pytest.mark.parametrize(
    ("name", "critical_rule", "other_rule"),
    [
        ("pqc-us-eo-2026", "2031-12-31", "2030-12-31"),
        ("pqc-eu-2030", "2030-12-31", "2035-12-31"),
        ("pqc-uk-ncsc-2035", "2031-12-31", "2035-12-31"),
    ],
)
def test_pqc_regimes_resolve_to_their_sourced_dates(name: str, critical_rule: str, other_rule: str) -> None:
    sc = drill.load_scenario(name)
    (crit,) = [r for r in sc.parameters["deadlines"] if "when" in r]
    (rest,) = [r for r in sc.parameters["deadlines"] if "when" not in r]
    assert crit["when"] == {"criticality": ("critical", "high")}
    assert crit["date"] == utc(critical_rule) and rest["date"] == utc(other_rule)
    assert crit["source"] and rest["source"] and sc.replays is not None and sc.replays.source
