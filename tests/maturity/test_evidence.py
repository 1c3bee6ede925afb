"""Evidence an auditor would sign: unknown is not met, verified beats declared, attestations are dated,
lapse and lose to the data, level 5 rests on evidence, and the score never reads as a higher level."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
import yaml

from cmmm.errors import InputError
from cmmm.maturity import Status, assess
from cmmm.maturity.catalog import MAX_ATTESTED_LEVEL, EvidenceKind, load_catalog, parse_catalog
from cmmm.maturity.measures import Share
from cmmm.maturity.result import SimulatedEvidence
from cmmm.maturity.scoring import bounded_score
from cmmm.model import PrivateKeyFinding
from tests.conftest import NOW
from tests.maturity_org import FULL_PROFILE, criterion_result, dated, frames, inventory, profile_without

CRYPTO = ("pol.no-weak-public", "agi.deprecated-limited", "agi.no-deprecated-crypto")


def _by_id(inv: Any, **kw: Any) -> dict[str, Any]:
    return {r.id: r for r in assess(inv, now=NOW, **kw).criteria}


def test_an_inventory_without_a_key_column_is_unknown_on_every_crypto_criterion() -> None:
    c, o = frames()
    c[["key_algorithm", "key_size", "key_curve", "signature_hash"]] = pd.NA
    by = _by_id(inventory(c, o))
    for cid in CRYPTO:
        assert by[cid].status is Status.UNKNOWN and not by[cid].met, (cid, by[cid].evidence)
        assert "no evidence:" in by[cid].evidence and "known for 0 of" in by[cid].evidence
    for cid in ("pol.compliance", "pol.compliance-enforced", "pol.compliance-complete"):
        assert by[cid].status is Status.UNKNOWN, (cid, by[cid].evidence)
    for cid in ("agi.algorithms-known", "agi.algorithms-complete"):
        assert by[cid].status is Status.NOT_MET and by[cid].value == 0
    # the headline share says what is unknown instead of "0 % quantum-vulnerable"
    m = assess(inventory(c, o), now=NOW).measures
    assert m.quantum_vulnerable.count == 0 and m.quantum_vulnerable.unknown == m.quantum_vulnerable.of == 100


def test_unknown_names_the_coverage_and_a_weak_key_is_never_assumed() -> None:
    c, o = frames()
    c.loc[:29, ["key_algorithm", "key_size"]] = ["RSA", 2048]
    c.loc[12:, "key_size"] = pd.NA  # RSA/EC sizes unknown for 88 of 100
    by = _by_id(inventory(c, o))
    r = by["pol.no-weak-public"]
    assert r.status is Status.UNKNOWN
    assert "known for 12 of 30" in r.evidence
    assert r.coverage is not None and (r.coverage.known, r.coverage.of) == (12, 30)


def test_the_answer_stands_when_it_cannot_depend_on_the_unknown_rows() -> None:
    c, o = frames()
    c.loc[10:, "key_size"] = pd.NA
    c.loc[0, "signature_hash"] = "sha1"  # a known weak public certificate: not met whatever the rest holds
    r = criterion_result(inventory(c, o), "pol.no-weak-public")
    assert r.status is Status.NOT_MET and "whatever the unknown rows hold" in r.evidence
    c, o = frames()
    o.loc[50:, "automation"] = pd.NA  # renewal method unknown for half: 50 % automated at worst, ≥ 10 %
    r = criterion_result(inventory(c, o), "auto.renewal-started")
    assert r.status is Status.MET
    r = criterion_result(inventory(c, o), "auto.renewal-most")
    assert r.status is Status.UNKNOWN and "renewal method known for 50 of 100" in r.evidence


def test_declared_rows_are_not_verified_evidence() -> None:
    c, o = frames()
    c["has_body"] = False  # typed into a spreadsheet, every field the same
    by = _by_id(inventory(c, o))
    assert by["pol.no-weak-public"].status is Status.MET  # level 2 takes declared data
    assert by["inv.issuer-known"].status is Status.NOT_MET  # level 3 reads issuers from certificates
    assert by["agi.deprecated-limited"].status is Status.UNKNOWN
    assert by["agi.algorithms-known"].status is Status.NOT_MET
    o["kex_groups"] = pd.NA
    pilot = criterion_result(inventory(c, o, profile=profile_without("pqc_pilot")), "agi.pqc-pilot")
    assert pilot.status is Status.NOT_MET and "1 rows only declare a PQC algorithm" in pilot.evidence


def test_attestations_are_dated_from_level_4_and_lapse_after_a_year() -> None:
    c, o = frames()
    undated = {**FULL_PROFILE, "attested": {**FULL_PROFILE["attested"], "hsm_ca_keys": True}}
    r = criterion_result(inventory(c, o, profile=undated), "pol.hsm-ca-keys")
    assert r.status is Status.NO_EVIDENCE and "needs a date and an evidence reference" in r.evidence
    unreferenced = {**FULL_PROFILE, "attested": {**FULL_PROFILE["attested"], "hsm_ca_keys": dated(ref="")}}
    r = criterion_result(inventory(c, o, profile=unreferenced), "pol.hsm-ca-keys")
    assert r.status is Status.NO_EVIDENCE
    old = {**FULL_PROFILE, "attested": {**FULL_PROFILE["attested"], "hsm_ca_keys": dated(days_ago=400)}}
    r = criterion_result(inventory(c, o, profile=old), "pol.hsm-ca-keys")
    assert r.status is Status.LAPSED and not r.met and "lapsed 35 days ago" in r.evidence
    future = {**FULL_PROFILE, "attested": {**FULL_PROFILE["attested"], "hsm_ca_keys": dated(days_ago=-3)}}
    assert criterion_result(inventory(c, o, profile=future), "pol.hsm-ca-keys").status is Status.NO_EVIDENCE
    # below level 4 a bare answer counts, and says it is undated
    r = criterion_result(inventory(c, o), "own.itsm-integration")
    assert r.status is Status.ATTESTED and "undated" in r.evidence
    r = criterion_result(inventory(c, o), "pol.hsm-ca-keys")
    assert r.status is Status.ATTESTED and "evidence: DOC-1" in r.evidence


def test_the_data_contradicts_attestations() -> None:
    c, o = frames()
    ca_key = PrivateKeyFinding(
        path="issuers.yaml",
        locator="ClusterIssuer private-ca spec.ca.secretName private-ca-key",
        key_type="CA key",
        encrypted=False,
        store="kubernetes-secret",
        ca=True,
        referenced=True,
    )
    r = criterion_result(inventory(c, o, private_keys=(ca_key,)), "pol.hsm-ca-keys")
    assert r.status is Status.CONTRADICTED and not r.met and "private-ca-key" in r.evidence
    # the key of a CA certificate found in a file, matched by its public key
    c.loc[40, "is_ca"] = True
    file_key = PrivateKeyFinding(
        path="ca.key", locator="line 1", key_type="EC-secp256r1", encrypted=False, key_id=c.loc[40, "key_id"]
    )
    r = criterion_result(inventory(c, o, private_keys=(file_key,)), "pol.hsm-ca-keys")
    assert r.status is Status.CONTRADICTED and "ca.key" in r.evidence
    c, o = frames()
    o["secrecy_years"] = pd.NA
    r = criterion_result(inventory(c, o), "agi.mosca-assessed")
    assert r.status is Status.CONTRADICTED and "no service or certificate has secrecy_years" in r.evidence
    o["discovered_by"] = "manual"
    r = criterion_result(inventory(c, o), "disc.periodic")
    assert r.status is Status.CONTRADICTED
    c, o = frames()
    c.loc[0, "signature_hash"] = "sha1"  # issued 30 days ago against the policy
    r = criterion_result(inventory(c, o), "pol.enforced-at-issuance")
    assert r.status is Status.CONTRADICTED and "issued in the last 90 days" in r.evidence


def test_exposed_private_keys() -> None:
    c, o = frames()
    found = PrivateKeyFinding(path="/etc/ssl/web.key", locator="line 1", key_type="RSA-2048", encrypted=False)
    locked = PrivateKeyFinding(path="/etc/ssl/old.key", locator="line 1", key_type="?", encrypted=True)
    in_secret = PrivateKeyFinding(
        path="secrets.yaml", locator="tls.key", key_type="EC", encrypted=False, store="kubernetes-secret"
    )
    assert criterion_result(inventory(c, o, private_keys=(locked, in_secret)), "pol.no-exposed-keys").met
    r = criterion_result(inventory(c, o, private_keys=(found, locked)), "pol.no-exposed-keys")
    assert r.status is Status.NOT_MET and "/etc/ssl/web.key" in r.evidence
    bare = inventory(c, o)
    bare = type(bare)(
        certificates=bare.certificates,
        observations=bare.observations,
        profile=bare.profile,
        policy=bare.policy,
    )
    r = criterion_result(bare, "pol.no-exposed-keys")
    assert r.status is Status.UNKNOWN and "where private keys could be found" in r.evidence


def test_a_key_renewed_for_the_same_names_is_not_reuse() -> None:
    c, o = frames()
    c.loc[1, ["common_name", "sans", "key_id"]] = [
        c.loc[0, "common_name"],
        c.loc[0, "sans"],
        c.loc[0, "key_id"],
    ]
    o.loc[1, "service"] = o.loc[0, "service"]
    assert criterion_result(inventory(c, o), "pol.no-key-reuse").status is Status.MET


def test_nothing_in_scope_is_not_applicable_only_when_the_scope_is_known() -> None:
    c, o = frames()
    c["trust"] = "private"
    r = criterion_result(inventory(c, o), "auto.public-all")
    assert r.status is Status.NOT_APPLICABLE and r.met and "no unexpired public" in r.evidence
    c["trust"] = pd.NA  # nobody knows which are public
    r = criterion_result(inventory(c, o), "auto.public-all")
    assert r.status is Status.UNKNOWN and not r.met


def _simulate_all(met: bool | None) -> Any:
    def simulate(cid: str, inv: Any, now: Any) -> SimulatedEvidence:
        return SimulatedEvidence(value=1.0, threshold="", met=met, evidence=f"drill says {met}")

    return simulate


def test_level_5_rests_on_evidence_and_attestations_cannot_carry_it() -> None:
    c, o = frames()
    assert assess(inventory(c, o), now=NOW, simulate=_simulate_all(True)).level == 5
    # every level-5 question answered yes by people, none of the data: level 4 at most
    prof = {
        **FULL_PROFILE,
        "attested": {**FULL_PROFILE["attested"], "pqc_pilot": dated(), "backup_ca_pre_approved": dated()},
    }
    c.loc[len(c) - 1, ["key_algorithm", "key_size", "signature_hash"]] = ["EC", 256, "sha256"]
    o["kex_groups"] = pd.NA
    a = assess(inventory(c, o, profile=prof), now=NOW, simulate=_simulate_all(True))
    assert a.level == 4
    # a drill that cannot tell is unknown, not met
    a = assess(inventory(*frames()), now=NOW, simulate=_simulate_all(None))
    sims = [r for r in a.criteria if r.criterion.evidence is EvidenceKind.SIMULATED]
    assert sims and all(r.status is Status.UNKNOWN for r in sims) and a.level == 4
    assert all(c.evidence is not EvidenceKind.ATTESTED for c in load_catalog().criteria if c.level == 5)


def test_the_catalog_refuses_an_attested_level_5_criterion() -> None:
    doc = {
        "criteria": [
            {
                "id": "x.attested",
                "level": MAX_ATTESTED_LEVEL + 1,
                "dimension": "automation",
                "evidence": "attested",
                "attested": "x",
                "title": "t",
                "measures": "m",
                "threshold": {"op": "==", "value": True},
                "action": "a",
            }
        ]
    }
    with pytest.raises(InputError, match="rests on evidence"):
        parse_catalog(doc)
    doc["criteria"][0].update(level=3, evidence="measured")
    with pytest.raises(InputError, match="only attested criteria"):
        parse_catalog(yaml.safe_load(yaml.safe_dump(doc)))


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_the_score_stays_within_its_level(level: int) -> None:
    for met in range(0, 11):
        score = bounded_score(level, Share(met, 10))
        assert level <= score < level + 1
    assert bounded_score(level, Share(6, 10)) == pytest.approx(level + 0.6)
    assert bounded_score(level, Share(999, 1000)) == pytest.approx(level + 0.99)


def test_the_headline_reads_level_and_progress() -> None:
    c, o = frames()
    c.loc[:1, "not_after"] = pd.Timestamp(NOW - timedelta(days=1))  # 2 % expired and deployed: not level 3
    a = assess(inventory(c, o), now=NOW)
    assert a.level == 2 and 2 <= a.score < 3
    assert a.progress is not None and a.progress.of == sum(1 for c in load_catalog().criteria if c.level == 3)
    assert a.progress_text.startswith("level 2, ") and "of level 3's criteria met" in a.progress_text


def test_each_trust_domain_needs_a_tested_fallback_that_fits_it() -> None:
    c, o = frames()
    assert criterion_result(inventory(c, o), "agi.ca-fallback").status is Status.MET
    # a public backup cannot stand in for the private issuing CA
    public_only = {**FULL_PROFILE, "backup_cas": FULL_PROFILE["backup_cas"][:1]}
    r = criterion_result(inventory(c, o, profile=public_only), "agi.ca-fallback")
    assert r.status is Status.NOT_MET and "private: Example Issuing CA" in r.evidence
    assert "cannot issue private certificates" in r.evidence
    assert r.failing_count == 70  # the private leaves beneath it
    # a fallback that fits but was never tested, or tested too long ago, is not one
    stale = [{**b, "tested": "2025-01-01"} for b in FULL_PROFILE["backup_cas"]]
    r = criterion_result(inventory(c, o, profile={**FULL_PROFILE, "backup_cas": stale}), "agi.ca-fallback")
    assert r.status is Status.NOT_MET and "never tested" in r.evidence
    # a second CA already issuing in the domain is a tested fallback
    c.loc[60:, ["issuer_name", "issuer_dn"]] = ["Example Backup CA", "CN=Example Backup CA,O=Example Org"]
    c.loc[:14, ["issuer_name", "issuer_org", "issuer_dn"]] = [
        "WE1",
        "Google Trust Services",
        "CN=WE1,O=Google Trust Services",
    ]
    untested = [{k: v for k, v in b.items() if k != "tested"} for b in FULL_PROFILE["backup_cas"]]
    r = criterion_result(inventory(c, o, profile={**FULL_PROFILE, "backup_cas": untested}), "agi.ca-fallback")
    assert r.status is Status.MET, r.evidence
