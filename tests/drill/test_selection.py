"""Which certificates a scenario affects, against hand-built ground truth: SCT and notBefore cutoffs, mass
revocation, sunsets, outages, root expiry, PQC (Mosca) and the handshake budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cmmm
from cmmm import drill
from cmmm.lab.pki import issue
from cmmm.model import Inventory
from tests.conftest import NOW, write
from tests.drill.orgs import day, sheet


def affected_names(inv: Inventory, sc: drill.Scenario) -> set[str]:
    sel = drill.select(inv, sc, NOW)
    return set(inv.certificates.loc[sel.mask, "common_name"])


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
            "trust": "public",
        },
        {
            "common_name": "weak.test",
            "issuer": "Legacy CA",
            "not_before": day(-100),
            "not_after": day(200),
            "signature_algorithm": "sha256WithRSAEncryption",
            "key_algorithm": "RSA",
            "key_size": 1024,
            "trust": "public",
        },
        {
            "common_name": "adcs.corp.test",
            "issuer": "CORP-DC01-CA",
            "not_before": day(-100),
            "not_after": day(200),
            "signature_algorithm": "sha1WithRSAEncryption",
            "key_algorithm": "RSA",
            "key_size": 2048,
            "trust": "private",
        },
    ]
    inv = sheet(tmp_path, rows)
    dcv = drill.load_scenario("digicert-dcv-2024")
    assert affected_names(inv, dcv) == {"d1.test"}
    by_method = replace(dcv, parameters={**dcv.parameters, "filter": {"tags_any": ("dcv:cname",)}})
    assert affected_names(inv, by_method) == {"le2.test"}  # the validation method, recorded as a tag
    assert affected_names(inv, drill.load_scenario("acme-ca-outage-7d")) == {"le1.test", "le3.test"}
    sunset = drill.load_scenario("sha1-end-2026")
    # SC-097 binds publicly trusted CAs: private SHA-1 is a policy finding, noted, not planned
    assert affected_names(inv, sunset) == {"old.test", "weak.test"}
    sel = drill.select(inv, sunset, NOW)
    assert any("1 private certificate also matches" in n and "outside it" in n for n in sel.notes)
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
    # vault's data must stay secret 12 years > 10 years to a quantum computer: overdue, re-keyed within the
    # scenario's remediation window (deadline_hours)
    assert result.plan.set_index("common_name").loc["vault.test", "deadline"] == pd.Timestamp(
        NOW
    ) + pd.Timedelta(hours=8760)
    assert result.verdict == "overdue"
    hs = result.findings["handshake"]  # a private chain carries no SCT: ML-DSA-65 fits the initial window
    assert not hs["over_budget"].any() and int(hs["bytes_pqc"].iloc[0]) == 2 * 1952 + 3 * 3309
    assert any("Mosca" in r for r in result.reasons)
