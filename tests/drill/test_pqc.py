"""PQC migration drill: Mosca's inequality (shared with the assessment), the three tracks and their verdicts,
handshake sizes per actual chain, and the property that removing an input never turns fail into pass."""

from __future__ import annotations

import csv
import dataclasses
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import cmmm
from cmmm import drill, mosca
from cmmm.crypto import INITIAL_WINDOW_BYTES, SIZES, handshake_bytes
from cmmm.drill import pqc
from cmmm.drill.handshake import chain_of
from cmmm.drill.result import Verdict
from cmmm.lab.pki import Issued, issue
from cmmm.maturity import assess
from cmmm.model import Inventory, Profile
from tests.conftest import NOW, sample, write

SCENARIO = "pqc-migration-2030-2035"
RUNS = 20
T0 = NOW - timedelta(days=400)
MLDSA65_PRIVATE = 2 * 1952 + 3 * 3309  # two keys, two chain signatures and CertificateVerify, no SCT


# ---------------------------------------------------------------- bundles the tests generate
@dataclass(frozen=True)
class Leaf:
    """One certificate of a service: `chain` private (EC under a one-intermediate private CA), deep (EC
    under two private intermediates), pqc (ML-DSA-65 under an ML-DSA-65 private hierarchy) or public (EC
    with SCTs under a public CA); `scan` what a scan saw at its endpoint: hybrid, classical, tls12 or None."""

    chain: str = "private"
    scan: str | None = None


@dataclass(frozen=True)
class Svc:
    name: str
    secrecy: float | None
    criticality: str = "high"
    leaves: tuple[Leaf, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Cas:
    private: Issued
    private_chain: tuple[Issued, ...]
    deep: Issued
    deep_chain: tuple[Issued, ...]
    pqc: Issued
    pqc_chain: tuple[Issued, ...]
    public: Issued
    public_chain: tuple[Issued, ...]


def _cas() -> _Cas:
    root = issue(cn="Corp Root CA", org="Corp", not_before=T0, days=7300, ca=True, key_kind="EC-384")
    inter = issue(cn="Corp Issuing CA", org="Corp", not_before=T0, days=3650, ca=True, issuer=root)
    policy = issue(cn="Corp Policy CA", org="Corp", not_before=T0, days=3650, ca=True, issuer=root)
    deep = issue(cn="Corp Deep Issuing CA", org="Corp", not_before=T0, days=3650, ca=True, issuer=policy)
    pq_root = issue(cn="Corp PQC Root", org="Corp", not_before=T0, days=7300, ca=True, key_kind="ML-DSA-65")
    pq = issue(
        cn="Corp PQC Issuing CA",
        org="Corp",
        not_before=T0,
        days=3650,
        ca=True,
        issuer=pq_root,
        key_kind="ML-DSA-65",
    )
    pub_root = issue(cn="Test Public Root", org="Public Trust", not_before=T0, days=7300, ca=True)
    pub = issue(
        cn="Test Public CA R1", org="Public Trust", not_before=T0, days=3650, ca=True, issuer=pub_root
    )
    return _Cas(
        private=inter,
        private_chain=(root, inter),
        deep=deep,
        deep_chain=(root, policy, deep),
        pqc=pq,
        pqc_chain=(pq_root, pq),
        public=pub,
        public_chain=(pub_root, pub),
    )


def _issue_leaf(cas: _Cas, leaf: Leaf, host: str) -> Issued:
    start = NOW - timedelta(days=20)
    if leaf.chain == "public":
        return issue(cn=host, not_before=start, days=90, issuer=cas.public, scts=(start, start))
    if leaf.chain == "pqc":
        return issue(cn=host, not_before=start, days=90, issuer=cas.pqc, key_kind="ML-DSA-65")
    issuer = cas.deep if leaf.chain == "deep" else cas.private
    return issue(cn=host, not_before=start, days=200, issuer=issuer)


_SCANS = {
    "hybrid": ("X25519MLKEM768", True, ["TLSv1.2", "TLSv1.3"]),
    "classical": ("x25519", False, ["TLSv1.3"]),
    "tls12": ("secp256r1", False, ["TLSv1.2"]),
}


def write_bundle(
    root: Path, services: Sequence[Svc], *, threat: float | None = 10, migration: float | None = 4
) -> Path:
    """A bundle: the CA certificates and leaves (PEM), a sheet tying each leaf to its service and endpoint,
    services.csv with secrecy_years, a cmmm scan file for the endpoints a scan saw, and profile.yaml."""
    cas = _cas()
    chains = (cas.private_chain, cas.deep_chain, cas.pqc_chain, cas.public_chain)
    pems = [c.pem for chain in chains for c in chain]
    rows: list[dict[str, Any]] = []
    endpoints: list[dict[str, Any]] = []
    for s in services:
        for i, leaf in enumerate(s.leaves):
            host = f"{s.name}-{i}.corp.test"
            cert = _issue_leaf(cas, leaf, host)
            pems.append(cert.pem)
            rows.append(
                {
                    "fingerprint_sha256": cert.cert_id.removeprefix("sha256:"),
                    "common_name": host,
                    "not_after": cert.cert.not_valid_after_utc.isoformat(),
                    "service": s.name,
                    "team": "pki",
                    "automation": "acme",
                    "endpoints": f"{host}:443",
                }
            )
            if leaf.scan is not None:
                group, hybrid, versions = _SCANS[leaf.scan]
                endpoints.append(
                    {
                        "host": host,
                        "port": 443,
                        "location": f"{host}:443",
                        "status": "ok",
                        "chain": [cert.pem.decode()],
                        "group": group,
                        "hybrid_pq": hybrid,
                        "tls_versions": versions,
                    }
                )
    root.mkdir(parents=True, exist_ok=True)
    write(root / "certs.pem", b"".join(pems))
    with (root / "inventory.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    lines = ["service,criticality,secrecy_years"] + [
        f"{s.name},{s.criticality},{'' if s.secrecy is None else s.secrecy}" for s in services
    ]
    write(root / "services.csv", "\n".join(lines) + "\n")
    if endpoints:
        doc = {"cmmm_scan": 1, "started_at": NOW.isoformat(), "endpoints": endpoints}
        write(root / "scan.json", json.dumps(doc))
    profile: dict[str, Any] = {"teams": [{"name": "pki", "engineers": 2, "hours_per_day": 6}]}
    profile |= {
        k: v for k, v in (("quantum_threat_years", threat), ("migration_years", migration)) if v is not None
    }
    write(root / "profile.yaml", yaml.safe_dump(profile))
    return root


def load(root: Path) -> Inventory:
    return cmmm.load([root], now=NOW, workers=1)


def run(inv: Inventory) -> drill.DrillResult:
    return drill.run(inv, drill.load_scenario(SCENARIO), now=NOW, runs=RUNS)


def tracks(result: drill.DrillResult) -> dict[str, str]:
    return dict(zip(result.findings["tracks"]["track"], result.findings["tracks"]["verdict"], strict=True))


def reason(result: drill.DrillResult, track: pqc.Track) -> str:
    t = result.findings["tracks"].set_index("track")
    return str(t.loc[track.value, "reason"])


def without(inv: Inventory, **changes: Any) -> Inventory:
    """The same inventory with profile fields replaced (None: removed from profile.yaml)."""
    return dataclasses.replace(inv, profile=dataclasses.replace(inv.profile, **changes))


def without_secrecy(inv: Inventory, service: str) -> Inventory:
    """The same inventory with one service's secrecy_years removed from services.csv."""
    svc = inv.services.copy()
    svc.loc[svc["service"] == service, "secrecy_years"] = pd.NA
    return dataclasses.replace(inv, services=svc)


# ---------------------------------------------------------------- item 3: Mosca's inequality
def test_mosca_is_the_inequality_with_named_fields() -> None:
    h = mosca.horizon(Profile(quantum_threat_years=10, migration_years=4))
    secrecy = pd.Series([1.0, 6.0, 7.0, None], dtype="Float64")
    margin = mosca.margin_years(secrecy, h)
    assert margin[:3].tolist() == [5.0, 0.0, -1.0] and np.isnan(margin[3])  # threat − secrecy − migration
    # exposed when secrecy + migration > threat: 6 + 4 = 10 is not more than 10
    assert mosca.exposed(secrecy, h).tolist() == [False, False, True, False]
    unknown = mosca.horizon(Profile(migration_years=4))
    assert np.isnan(mosca.margin_years(secrecy, unknown)).all() and unknown.threat_missing
    assumed = mosca.horizon(Profile(quantum_threat_years=10))
    assert assumed.migration_assumed and assumed.migration_years == mosca.DEFAULT_MIGRATION_YEARS == 10
    assert "default of 10 years" in (assumed.assumption or "") and "NCSC" in (assumed.assumption or "")
    assert assumed.lower().migration_years == 0 and h.lower() is h


def test_assessment_and_drill_share_one_mosca(tmp_path: Path) -> None:
    services = [
        Svc("vault", 12, "critical", (Leaf("private"), Leaf("private"), Leaf("public"))),
        Svc("web", 2, "medium", (Leaf("public"), Leaf("private"))),
        Svc("ledger", 7, "high", (Leaf("deep"),)),
        Svc("pilot", 20, "medium", (Leaf("pqc"),)),
    ]
    inv = load(write_bundle(tmp_path / "b", services, threat=10, migration=4))
    result = run(inv)
    table = result.findings["mosca"].set_index("service")
    # ledger: 7 + 4 > 10 exposed; web: 2 + 4 ≤ 10 not; pilot exposed but has no quantum-vulnerable key
    assert table["exposed"].to_dict() == {"vault": True, "ledger": True, "pilot": True, "web": False}
    assert table.loc["ledger", "margin_years"] == pytest.approx(10 - 7 - 4)
    a = assess(inv, now=NOW)
    assert a.pqc.mosca.exposed == int(table["exposed_certificates"].sum()) == 4
    evidence = next(r for r in a.criteria if r.id == "agi.mosca-assessed").evidence
    assert "4 exposed (secrecy + 4 migration years > 10 years)" in evidence
    # the same with the migration default: both say it was assumed and still count alike
    inv2 = without(inv, migration_years=None)
    table2 = run(inv2).findings["mosca"]
    a2 = assess(inv2, now=NOW)
    assert bool(table2["migration_assumed"].all()) and a2.pqc.mosca.migration_assumed
    assert a2.pqc.mosca.exposed == int(table2["exposed_certificates"].sum())
    assert "assumed" in next(r for r in a2.criteria if r.id == "agi.mosca-assessed").evidence


def test_mosca_deadline_per_service_and_already_exposed_is_overdue(tmp_path: Path) -> None:
    services = [
        Svc("vault", 12, "critical", (Leaf("private"),)),  # 12 + 4 > 10: exposed since 6 years
        Svc("billing", 4, "medium", (Leaf("private"),)),  # margin 10 − 4 − 4 = 2 years
        Svc("web", 1, "medium", (Leaf("private"),)),  # margin 5 years: the regime (2035) is later
    ]
    inv = load(write_bundle(tmp_path / "b", services, threat=10, migration=4))
    result = run(inv)
    plan = result.plan.set_index("service")
    year = pd.Timedelta(days=mosca.DAYS_PER_YEAR)
    assert plan.loc["billing", "deadline"] == (pd.Timestamp(NOW) + 2 * year).floor("s")
    assert plan.loc["web", "deadline"] == (pd.Timestamp(NOW) + 5 * year).floor("s")
    table = result.findings["mosca"].set_index("service")
    assert table.loc["vault", "deadline"] < pd.Timestamp(NOW)  # as-of + margin, in the past
    # vault's data is exposed already: overdue, not "fail whatever the organization does"
    assert result.verdict is Verdict.OVERDUE and result.overdue_certificates == 1
    assert tracks(result)["private-signatures"] == "overdue"


def test_missing_inputs_give_unknown_never_pass(tmp_path: Path) -> None:
    services = [
        Svc("app", 3, "medium", (Leaf("private", "hybrid"), Leaf("private", "hybrid"))),
        Svc("vault", 12, "critical", (Leaf("public", "hybrid"),)),  # 12 + 4 > 15: exposed, and hybrid
    ]
    inv = load(write_bundle(tmp_path / "b", services, threat=15, migration=4))
    full = run(inv)
    assert full.verdict is Verdict.PASS, full.findings["tracks"].to_dict("records")
    assert tracks(full) == {
        "key-exchange": "pass",
        "private-signatures": "pass",
        "public-webpki": "not-affected",
    }
    no_threat = run(without(inv, quantum_threat_years=None))
    assert no_threat.verdict is Verdict.UNKNOWN
    assert (
        set(tracks(no_threat).values()) >= {"unknown"} and "quantum_threat_years" in no_threat.verdict_reason
    )
    no_migration = run(without(inv, migration_years=None))  # the default (10 years) is assumed, and said
    assert no_migration.verdict is Verdict.UNKNOWN
    assert "default of 10 years" in reason(no_migration, pqc.Track.PRIVATE_SIGNATURES)
    assert "default of 10 years" in reason(no_migration, pqc.Track.KEY_EXCHANGE)
    no_secrecy = run(without_secrecy(inv, "app"))
    assert no_secrecy.verdict is Verdict.UNKNOWN
    assert "no secrecy_years (app)" in reason(no_secrecy, pqc.Track.KEY_EXCHANGE)
    assert "no secrecy_years" in reason(no_secrecy, pqc.Track.PRIVATE_SIGNATURES)


def test_an_exposure_certain_for_any_migration_time_survives_the_default(tmp_path: Path) -> None:
    # secrecy 12 > threat 10: exposed whatever the migration takes, so overdue and fail stand without
    # migration_years; billing (secrecy 8) is exposed only with the assumed default and is not judged
    services = [
        Svc("vault", 12, "critical", (Leaf("private", "classical"),)),
        Svc("billing", 8, "high", (Leaf("private", "classical"),)),
    ]
    inv = load(write_bundle(tmp_path / "b", services, threat=10, migration=None))
    result = run(inv)
    assert tracks(result)["key-exchange"] == "fail" and tracks(result)["private-signatures"] == "overdue"
    kex = result.findings["key_exchange"].set_index("service")
    assert kex.loc["vault", "status"] == "fail" and kex.loc["billing", "status"] == "unknown"
    assert result.overdue_certificates == 1
    assert "1 more private certificates would be overdue" in str(
        result.findings["tracks"].set_index("track").loc["private-signatures", "assumption"]
    )


# ---------------------------------------------------------------- the property: removing data never helps
def _random_services(rng: random.Random) -> list[Svc]:
    chains = ("private", "private", "deep", "public", "pqc")
    scans = ("hybrid", "hybrid", "classical", "tls12", None)
    out = []
    for i in range(rng.randint(2, 4)):
        leaves = tuple(Leaf(rng.choice(chains), rng.choice(scans)) for _ in range(rng.randint(1, 3)))
        secrecy = rng.choice((None, 1, 2, 4, 6, 8, 12, 20)) if i else rng.choice((1, 2, 4, 6, 8, 12, 20))
        out.append(Svc(f"svc{i}", secrecy, rng.choice(("critical", "high", "medium")), leaves))
    return out


_BETTER = {Verdict.FAIL: {Verdict.FAIL, Verdict.UNKNOWN}, Verdict.PASS: {Verdict.PASS, Verdict.UNKNOWN}}


def _check(before: drill.DrillResult, after: drill.DrillResult, what: str) -> None:
    pairs = [("overall", before.verdict, after.verdict)] + [
        (t, Verdict(v), Verdict(tracks(after)[t])) for t, v in tracks(before).items()
    ]
    for name, b, a in pairs:
        assert a in _BETTER.get(b, set(Verdict)), f"{what}: {name} went from {b} to {a}"


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_removing_an_input_never_turns_fail_into_pass(tmp_path: Path, seed: int) -> None:
    """For generated bundles, and each of quantum_threat_years, migration_years and every service's
    secrecy_years removed, every verdict (the drill's and each track's) moves from fail only to fail or
    unknown, and from pass only to pass or unknown."""
    rng = random.Random(seed)
    threat = rng.choice((5, 8, 10, 15, 25))
    migration = rng.choice((1, 3, 5, 8, 12))
    inv = load(write_bundle(tmp_path / "b", _random_services(rng), threat=threat, migration=migration))
    full = run(inv)
    _check(full, run(without(inv, quantum_threat_years=None)), "quantum_threat_years removed")
    _check(full, run(without(inv, migration_years=None)), "migration_years removed")
    for service in inv.services["service"]:
        _check(full, run(without_secrecy(inv, str(service))), f"{service}'s secrecy_years removed")


@pytest.mark.slow
def test_the_property_covers_both_directions(tmp_path: Path) -> None:
    """The generator yields passing and failing drills and tracks, so the property above is not vacuous."""
    overall, per_track = set(), set()
    for seed in range(12):
        rng = random.Random(seed)
        threat, migration = rng.choice((5, 8, 10, 15, 25)), rng.choice((1, 3, 5, 8, 12))
        services = _random_services(rng)
        result = run(load(write_bundle(tmp_path / str(seed), services, threat=threat, migration=migration)))
        overall.add(result.verdict)
        per_track |= set(tracks(result).items())
    assert {Verdict.PASS, Verdict.FAIL, Verdict.OVERDUE} <= overall
    for track in ("key-exchange", "private-signatures"):
        assert {(track, "pass"), (track, "fail")} <= per_track


@pytest.mark.slow
@pytest.mark.parametrize("org", ["level3-defined", "level4-agile"])
def test_deleting_quantum_threat_years_no_longer_passes_the_samples(org: str) -> None:
    inv = sample(org)
    full = run(inv)
    removed = run(without(inv, quantum_threat_years=None))
    assert full.verdict is not Verdict.PASS and removed.verdict is not Verdict.PASS
    assert removed.verdict in _BETTER.get(full.verdict, set(Verdict)) | {Verdict.OVERDUE} - {Verdict.PASS}


# ---------------------------------------------------------------- item 5: three tracks
def test_key_exchange_track_is_measured_from_scans(tmp_path: Path) -> None:
    def outcome(name: str, *scans: str | None) -> tuple[str, str]:
        svc = [Svc("vault", 12, "critical", tuple(Leaf("public", s) for s in scans))]
        r = run(load(write_bundle(tmp_path / name, svc, threat=10, migration=4)))
        return tracks(r)["key-exchange"], reason(r, pqc.Track.KEY_EXCHANGE)

    assert outcome("all-hybrid", "hybrid", "hybrid")[0] == "pass"
    verdict, why = outcome("one-classical", "hybrid", "classical")
    assert verdict == "fail" and "recorded now and decrypted later" in why
    assert outcome("tls12", "hybrid", "tls12")[0] == "fail"  # no TLS 1.3: no hybrid group is possible
    verdict, why = outcome("unseen", "hybrid", None)
    assert verdict == "unknown" and "no scan recorded the key exchange of 1 endpoints" in why


def test_key_exchange_ignores_a_negotiated_only_classical_group(tmp_path: Path) -> None:
    svc = [Svc("vault", 12, "critical", (Leaf("private", "classical"),))]
    inv = load(write_bundle(tmp_path / "b", svc, threat=10, migration=4))
    assert tracks(run(inv))["key-exchange"] == "fail"
    obs = inv.observations.copy()
    scanned = obs["kex_groups"].notna()
    obs.loc[scanned, "tags"] = "zgrab2-module:tls"  # zgrab2's client offers no ML-KEM group, no TLS 1.3
    obs.loc[scanned, "tls_versions"] = "TLSv1.2"
    assert tracks(run(dataclasses.replace(inv, observations=obs)))["key-exchange"] == "unknown"


def test_private_track_handshake_per_actual_chain(tmp_path: Path) -> None:
    services = [
        Svc("app", 2, "medium", (Leaf("private"), Leaf("deep"), Leaf("public"))),
        Svc("pilot", 2, "medium", (Leaf("pqc"), Leaf("pqc"))),
    ]
    result = run(load(write_bundle(tmp_path / "b", services, threat=15, migration=4)))
    hs = result.findings["handshake"].set_index("issuing_ca")
    assert set(hs.index) == {"Corp Issuing CA", "Corp Deep Issuing CA", "Corp PQC Issuing CA"}  # private only
    assert (hs["scts"] == 0).all()
    # the real ML-DSA-65 chain: measured from its own keys, no SCT, within the 10-segment initial window
    pilot = hs.loc["Corp PQC Issuing CA"]
    assert pilot["bytes_now"] == pilot["bytes_pqc"] == MLDSA65_PRIVATE < INITIAL_WINDOW_BYTES
    assert pilot["to_migrate"] == 0 and not pilot["over_budget"]
    one = hs.loc["Corp Issuing CA"]
    assert one["intermediates"] == 1 and one["chain"] == "EC-256 ← EC-256 ← EC-384"
    assert one["bytes_now"] == 2 * 65 + 72 + 104 + 72 and one["bytes_pqc"] == MLDSA65_PRIVATE
    deep = hs.loc["Corp Deep Issuing CA"]  # two intermediates: one more key and signature
    assert deep["intermediates"] == 2 and deep["bytes_pqc"] == 3 * 1952 + 4 * 3309 and deep["over_budget"]
    assert result.affected_certificates == 2  # the two EC private leaves; public and ML-DSA ones are not


def test_a_public_chain_counts_its_scts() -> None:
    public = chain_of("ML-DSA-65", ["ca:i", "ca:r"], True, {"ca:i": "ML-DSA-65", "ca:r": "ML-DSA-65"}, 2)
    private = dataclasses.replace(public, scts=0)
    assert public.bytes == handshake_bytes("ML-DSA-65") == 2 * 1952 + 5 * 3309
    assert private.bytes == handshake_bytes("ML-DSA-65", scts=0) == MLDSA65_PRIVATE
    assert SIZES["ML-DSA-65"].signature_bytes == 3309


def test_public_certificates_are_reported_never_planned(tmp_path: Path) -> None:
    services = [
        Svc("shop", 1, "critical", (Leaf("public", "hybrid"), Leaf("public", "hybrid"))),
        Svc("blog", 1, "medium", (Leaf("public", "hybrid"), Leaf("private", "hybrid"))),
    ]
    inv = load(write_bundle(tmp_path / "b", services, threat=15, migration=4))
    result = run(inv)
    public_ids = set(inv.certificates.loc[inv.certificates["trust"] == "public", "cert_id"])
    assert len(public_ids) == 3 and not public_ids & set(result.plan["cert_id"])
    assert set(result.plan["common_name"]) == {
        "blog-1.corp.test"
    }  # CA certificates are not re-keyed one by one
    web = result.findings["public_webpki"].set_index("issuing_ca")
    assert web.loc["Test Public CA R1", "certificates"] == 3
    # dates from the scenario's rules: EU high-risk (critical) by 2030, UK NCSC complete migration by 2035
    assert web.loc["Test Public CA R1", "deadline"] == pd.Timestamp("2030-12-31", tz="UTC")
    why = reason(result, pqc.Track.PUBLIC_WEBPKI)
    assert tracks(result)["public-webpki"] == "not-affected" and "§6.1.5" in why and "root programs" in why
    assert (
        "2030-12-31 (EU, high-risk use cases): 2" in why
        and "2035-12-31 (UK NCSC, complete migration): 1" in why
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "org", ["level1-chaos", "level2-aware", "level3-defined", "level4-agile", "level5-crypto-agile"]
)
def test_no_sample_plans_public_certificates_for_ml_dsa(org: str) -> None:
    inv = sample(org)
    result = run(inv)
    planned = inv.certificates[inv.certificates["cert_id"].isin(result.plan["cert_id"])]
    assert (planned["trust"] == "private").all()
    assert list(result.findings["tracks"]["track"]) == [t.value for t in pqc.Track]
    assert result.verdict is pqc.worst(result.findings["tracks"]["verdict"])


def test_the_drill_verdict_is_the_worst_track() -> None:
    assert pqc.worst(["pass", "not-affected", "unknown"]) is Verdict.UNKNOWN
    assert pqc.worst(["fail", "unknown", "overdue"]) is Verdict.OVERDUE
    assert pqc.worst(["pass", "not-affected"]) is Verdict.PASS
    assert pqc.worst(["not-affected"] * 3) is Verdict.NOT_AFFECTED
    table = pd.DataFrame(
        {
            "track": [t.value for t in pqc.Track],
            "title": list(pqc.TRACK_TITLES.values()),
            "verdict": ["pass", "", "not-affected"],
            "scope": ["", "", ""],
            "reason": ["every endpoint offers one", "", "no public certificate"],
            "assumption": ["", "", ""],
        }
    )
    verdict, why, t = pqc.settle(table, Verdict.FAIL, "the deadline holds in 10% of runs")
    assert verdict is Verdict.FAIL and why.startswith("private PKI signatures")
    assert list(t["verdict"]) == ["pass", "fail", "not-affected"]
    assumed = table.assign(assumption=["", "profile.yaml gives no migration_years", ""])
    verdict, why, _ = pqc.settle(assumed, Verdict.FAIL, "the deadline holds in 10% of runs")
    assert verdict is Verdict.UNKNOWN and "would fail" in why
