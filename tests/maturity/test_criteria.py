"""The criteria: each measured one just passes and just fails on either side of its threshold, attested
answers and their measured context, measured evidence winning over attested, real certificates feeding them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import cmmm
from cmmm.maturity import Status, assess
from cmmm.maturity.catalog import EvidenceKind, load_catalog
from tests.conftest import NOW
from tests.maturity_org import (
    FULL_PROFILE,
    PUBLIC,
    criterion_result,
    frames,
    inventory,
    profile_without,
    rows,
)

Mutation = Callable[[pd.DataFrame, pd.DataFrame, int], None]


def _set_obs(col: str, value: Any, start: int = PUBLIC) -> Mutation:
    def mutate(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
        o.loc[rows(k, start), col] = value

    return mutate


def _set_cert(col: str, value: Any, start: int = PUBLIC) -> Mutation:
    def mutate(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
        c.loc[rows(k, start), col] = value

    return mutate


def _no_responsible(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    o.loc[rows(k), ["owner", "team"]] = pd.NA


def _manual_discovery_and_renewal(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    o.loc[rows(k), ["discovered_by", "automation"]] = ["manual", "manual"]


def _expired_deployed(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[rows(k), "not_after"] = pd.Timestamp(NOW - timedelta(days=1))


def _only_scan(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    o["discovered_by"] = "manual"
    o.loc[rows(k), "discovered_by"] = "network-scan"


def _weak_public_or_private(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[0 if k else PUBLIC, "signature_hash"] = "sha1"  # k = 1: a public one; k = 0: a private one


def _public_count(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c["trust"] = "private"
    c.loc[rows(k, 0), "trust"] = "public"


def _issuer_unknown(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[rows(k), ["issuer_name", "issuer_org", "issuer_dn"]] = pd.NA


def _methods(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    # k = 0: network-scan + ca-api (passes); k = 1: ca-api + kubernetes, no network scan (fails)
    o["discovered_by"] = (
        ["ca-api", "kubernetes"] * (len(o) // 2) if k else ["network-scan", "ca-api"] * (len(o) // 2)
    )


def _expiring(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[PUBLIC, "not_after"] = pd.Timestamp(NOW + timedelta(days=10))
    if k:
        o.loc[PUBLIC, "automation"] = "manual"


def _public_manual(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    o.loc[0 if k else PUBLIC, "automation"] = "manual"


def _cap_ready(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    o.loc[0, "automation"] = "manual"
    days = 200 if k else 90
    c.loc[0, "not_before"] = pd.Timestamp(NOW - timedelta(days=5))
    c.loc[0, "not_after"] = pd.Timestamp(NOW + timedelta(days=days - 5))
    c.loc[0, "validity_days"] = float(days)


def _deprecated_any(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[PUBLIC, "signature_hash"] = "sha1"
    if not k:  # an expired SHA-1 certificate does not count
        c.loc[PUBLIC, "not_after"] = pd.Timestamp(NOW - timedelta(days=3))
        o.loc[PUBLIC, ["host", "location"]] = pd.NA


def _no_pqc(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    if k:
        c.loc[len(c) - 1, ["key_algorithm", "key_size", "signature_hash"]] = ["EC", 256, "sha256"]
        o["kex_groups"] = pd.NA


def _expired_on_high(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    _expired_deployed(c, o, 3)
    o.loc[rows(k), "criticality"] = "high"


def _shared_wildcard(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[0, ["common_name", "sans"]] = ["*.shop.example.test", "*.shop.example.test"]
    o.loc[0, "service"] = "shop"
    if k:  # the same wildcard certificate also serves another service
        o.loc[1, ["cert_id", "service"]] = ["c000", "checkout"]


def _reused_key(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    if k:
        c.loc[1, "key_id"] = c.loc[0, "key_id"]


def _client_auth(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    c.loc[rows(k, 0), "ext_key_usage"] = "serverAuth;clientAuth"


def _ct_shadow(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    o.loc[0, "discovered_by"] = "ct-log"  # only CT knows certificate 0
    if k:  # … and nobody claimed it
        o.loc[0, ["owner", "team"]] = pd.NA


def _classical_endpoints(c: pd.DataFrame, o: pd.DataFrame, k: int) -> None:
    scanned_public = [i for i in range(PUBLIC) if i % 3 == 0]
    o.loc[scanned_public[:k], "kex_groups"] = "x25519;secp256r1"


# criterion id → (passing k, failing k, mutation). Each pair sits exactly on either side of the threshold.
CASES: dict[str, tuple[int, int, Mutation]] = {
    "inv.expiry-known": (5, 6, _set_cert("not_after", pd.NaT)),
    "inv.expired-deployed": (5, 6, _expired_deployed),
    "own.responsible-recorded": (25, 26, _no_responsible),
    "disc.automated-source": (1, 0, _only_scan),
    "auto.renewal-started": (90, 91, _set_obs("automation", "manual", 0)),
    "pol.no-weak-public": (0, 1, _weak_public_or_private),
    "inv.internal-and-public": (10, 9, _public_count),
    "inv.issuer-known": (5, 6, _issuer_unknown),
    "disc.methods": (0, 1, _methods),
    "disc.automated-coverage": (20, 21, _manual_discovery_and_renewal),
    "own.owner-coverage": (5, 6, _set_obs("owner", pd.NA)),
    "own.no-surprise-expiry": (0, 1, _expiring),
    "pol.compliance": (10, 11, _set_cert("signature_hash", "sha1")),
    "auto.renewal-majority": (50, 51, _set_obs("automation", "manual", 0)),
    "agi.deprecated-limited": (2, 3, _set_cert("signature_hash", "sha1")),
    "auto.renewal-most": (10, 11, _set_obs("automation", "manual", 0)),
    "auto.public-all": (0, 1, _public_manual),
    "disc.automated-complete": (5, 6, _manual_discovery_and_renewal),
    "pol.cap-ready": (0, 1, _cap_ready),
    "pol.compliance-enforced": (2, 3, _set_cert("signature_hash", "sha1")),
    "agi.algorithms-known": (5, 6, _set_cert("key_algorithm", pd.NA)),
    "agi.no-deprecated-crypto": (0, 1, _deprecated_any),
    "agi.algorithms-complete": (1, 2, _set_cert("key_algorithm", pd.NA)),
    "agi.pqc-pilot": (0, 1, _no_pqc),
    "auto.complete": (5, 6, _set_obs("automation", "manual", 0)),
    "inv.expired-deployed-rare": (1, 2, _expired_deployed),
    "inv.expired-deployed-minimal": (0, 1, _expired_deployed),
    "inv.expired-deployed-critical": (0, 1, _expired_on_high),
    "pol.wildcards-limited": (0, 1, _shared_wildcard),
    "pol.no-key-reuse": (0, 1, _reused_key),
    "pol.serverauth-only": (0, 1, _client_auth),
    "disc.ct-monitoring": (0, 1, _ct_shadow),
    "auto.effective": (0, 1, _expired_deployed),
    "pol.compliance-complete": (0, 1, _set_cert("signature_hash", "sha1")),
    "agi.hybrid-kem": (1, 2, _classical_endpoints),
}
# measured criteria whose evidence is not in the frames (tested on their own below)
NOT_IN_FRAMES = {"pol.no-exposed-keys", "agi.ca-fallback"}


@pytest.mark.parametrize("cid", sorted(CASES))
def test_measured_criterion_just_passes_and_just_fails(cid: str) -> None:
    ok_k, bad_k, mutate = CASES[cid]
    profile = profile_without("pqc_pilot")  # the pilot must be measured, not attested
    c, o = frames()
    mutate(c, o, ok_k)
    passed = criterion_result(inventory(c, o, profile=profile), cid)
    assert passed.status is Status.MET, passed.evidence
    c, o = frames()
    mutate(c, o, bad_k)
    failed = criterion_result(inventory(c, o, profile=profile), cid)
    assert failed.status is Status.NOT_MET, failed.evidence
    assert failed.evidence


def test_cases_cover_every_measured_criterion() -> None:
    measured = {c.id for c in load_catalog().criteria if c.evidence is EvidenceKind.MEASURED}
    assert set(CASES) | NOT_IN_FRAMES == measured


def test_attested_answers() -> None:
    c, o = frames()
    missing = criterion_result(
        inventory(c, o, profile=profile_without("itsm_integration")), "own.itsm-integration"
    )
    assert missing.status is Status.NO_EVIDENCE and not missing.met and "no evidence" in missing.evidence
    no = profile_without("itsm_integration")
    no["attested"]["itsm_integration"] = False
    assert criterion_result(inventory(c, o, profile=no), "own.itsm-integration").status is Status.NOT_MET
    yes = criterion_result(inventory(c, o), "own.itsm-integration")
    assert yes.status is Status.ATTESTED and yes.met
    old = profile_without("last_fire_drill")
    old["attested"]["last_fire_drill"] = (NOW - timedelta(days=366)).date()
    drill = criterion_result(inventory(c, o, profile=old), "own.fire-drill")
    assert drill.status is Status.LAPSED and not drill.met and drill.value == 366
    assert criterion_result(inventory(c, o), "own.fire-drill").status is Status.ATTESTED


def test_attested_answers_carry_measured_context() -> None:
    c, o = frames()
    o["secrecy_years"] = 2.0
    o.loc[:9, "secrecy_years"] = 8.0  # 8 + 6 migration years > 10: exposed
    prof = {**FULL_PROFILE, "migration_years": 6, "quantum_threat_years": 10}
    a = assess(inventory(c, o, profile=prof), now=NOW)
    by = {r.id: r for r in a.criteria}
    assert by["agi.mosca-assessed"].status is Status.ATTESTED
    assert "99 unexpired quantum-vulnerable certificates" in by["agi.mosca-assessed"].evidence
    assert "10 exposed" in by["agi.mosca-assessed"].evidence


def test_data_wins_and_a_contradicted_attestation_is_not_met() -> None:
    c, o = frames()
    c.loc[len(c) - 1, ["key_algorithm", "signature_hash"]] = ["EC", "sha256"]
    o["kex_groups"] = pd.NA
    r = criterion_result(inventory(c, o), "agi.pqc-pilot")  # FULL_PROFILE does not attest pqc_pilot
    assert r.status is Status.NOT_MET
    prof = {**FULL_PROFILE, "attested": {**FULL_PROFILE["attested"], "pqc_pilot": True}}
    r = criterion_result(inventory(c, o, profile=prof), "agi.pqc-pilot")
    assert r.status is Status.CONTRADICTED and not r.met and "contradicted" in r.evidence
    # a hybrid ML-KEM endpoint is measured evidence of a pilot; the attestation then only supports it
    o.loc[0, "kex_groups"] = "X25519MLKEM768;x25519"
    r = criterion_result(inventory(c, o, profile=prof), "agi.pqc-pilot")
    assert r.status is Status.MET and "1 scanned endpoints" in r.evidence and "not counted" in r.evidence


def test_real_certificates_feed_the_criteria(bundle: Path) -> None:
    inv = cmmm.load([bundle], now=NOW)
    facts = inv.certificate_facts().set_index("common_name")
    # spreadsheet rows merged with parsed CA certificates stay end-entity (bool(NaN) once made them CAs)
    assert not facts.loc["api.example.test", "is_ca"] and facts.loc["Org Root", "is_ca"]
    a = assess(inv, now=NOW)
    by = {r.id: r for r in a.criteria}
    assert by["agi.pqc-pilot"].met and "ML-DSA-65" in by["agi.pqc-pilot"].evidence
    deprecated = by["agi.no-deprecated-crypto"]
    assert not deprecated.met and "legacy.example.test" in set(deprecated.failing["common_name"])
    assert by["own.renewal-runbook"].status is Status.ATTESTED
    assert not by["own.no-surprise-expiry"].met
    assert "api.example.test" in set(by["own.no-surprise-expiry"].failing["common_name"])
