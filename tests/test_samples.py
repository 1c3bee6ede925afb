"""The committed sample organizations against their generator's ground truth (sample_inventories/_truth/):
what ingest finds, the CA chains, the blast radius of every CA, the level each organization was built to
reach and the fire drills' verdicts. Each organization is read once per test process
(tests.conftest.sample); the command line is run once, on one CA."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import cmmm
from cmmm import drill
from cmmm.cli import app
from cmmm.graph import blast_radius
from cmmm.maturity import assess
from cmmm.model import Inventory
from cmmm.pipeline import drill_evidence
from cmmm.report.documents import blast_document
from tests.conftest import NOW, SAMPLES_DIR, sample

SAMPLES = SAMPLES_DIR
ORGS = ("level1-chaos", "level2-aware", "level3-defined", "level4-agile", "level5-crypto-agile")
runner = CliRunner()


@functools.cache
def truth_of(org: str) -> dict[str, Any]:
    return json.loads((SAMPLES / "_truth" / f"{org}.json").read_text(encoding="utf-8"))


def _loaded(org: str) -> tuple[Inventory, dict[str, Any]]:
    return sample(org), truth_of(org)


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["common_name"], frame["serial"], strict=True))


@pytest.mark.parametrize("org", ORGS)
def test_org_ingests_with_the_truths_counts(org: str) -> None:
    inv, truth = _loaded(org)
    facts = inv.certificate_facts()
    assert len(inv) == truth["expected"]["certificates"]
    assert int(facts["is_ca"].sum()) == truth["expected"]["ca_certificates"]
    assert truth["intended_level"] == ORGS.index(org) + 1
    assert inv.profile.organization and inv.policy["name"]
    if org != "level1-chaos":
        assert inv.rejected == ()
        assert inv.private_keys == ()
    # every service the inventory names is in the catalog; from level 3 on every end-entity certificate
    # has one (a scanner's observation knows the endpoint, not the service: another source names it)
    named = set(inv.observations["service"].dropna())
    assert named <= set(inv.services["service"])
    if truth["intended_level"] >= 3:
        assert facts.loc[~facts["is_ca"], "service"].notna().all()


@pytest.mark.parametrize("org", ORGS)
def test_truth_lists_every_certificate_the_inventory_holds(org: str) -> None:
    inv, truth = _loaded(org)
    listed: set[tuple[str, str]] = set()
    for entry in truth["cas"].values():
        listed |= {tuple(p) for p in entry["certificates"]}
    listed |= {tuple(p) for p in truth["self_signed"]}
    certs = inv.certificates
    known = certs[certs["serial"].notna()]
    roots = known[known["is_self_signed"].fillna(False) & known["is_ca"].fillna(False)]
    assert _pairs(known) - _pairs(roots) <= listed
    assert len(known) == len(certs)


@pytest.mark.parametrize("org", ["level3-defined", "level4-agile", "level5-crypto-agile"])
def test_issuer_chains_match_the_truth(org: str) -> None:
    """Walking issuer_cert_id up from every certificate reproduces the truth's per-CA lists and services."""
    inv, truth = _loaded(org)
    f = inv.certificate_facts().set_index("cert_id")
    parent = f["issuer_cert_id"].dropna().to_dict()
    name = f["common_name"].to_dict()
    beneath: dict[str, set[tuple[str, str]]] = {}
    services: dict[str, set[str]] = {}
    for cid, row in f.iterrows():
        seen, up = set(), parent.get(cid)
        while up is not None and up not in seen:
            seen.add(up)
            beneath.setdefault(name[up], set()).add((row["common_name"], row["serial"]))
            if pd.notna(row["service"]):
                services.setdefault(name[up], set()).add(row["service"])
            up = parent.get(up)
    for ca, entry in truth["cas"].items():
        assert entry["in_inventory"]
        assert {tuple(p) for p in entry["direct"]} <= {tuple(p) for p in entry["certificates"]}
        assert beneath.get(ca, set()) == {tuple(p) for p in entry["certificates"]}, ca
        assert services.get(ca, set()) == set(entry["services"]), ca
        assert set(entry["services"]) <= set(entry["affected_services"])


def test_level1_broken_rows_keys_and_legacy_crypto() -> None:
    inv, truth = _loaded("level1-chaos")
    rejected = {(Path(r.source).name, r.locator) for r in inv.rejected}
    expected = {(name, f"line {n}") for name, lines in truth["rejected_lines"].items() for n in lines}
    assert rejected == expected
    keys = {Path(k.path).relative_to(SAMPLES / "level1-chaos").as_posix() for k in inv.private_keys}
    assert keys == set(truth["private_key_files"])
    assert not any(k.encrypted for k in inv.private_keys)
    f = inv.certificate_facts()
    leaves = f[~f["is_ca"]]
    # SHA-1 is visible only where a body was found (the spreadsheet has no signature column)
    sha1 = _pairs(leaves[leaves["signature_hash"] == "sha1"])
    assert sha1 and sha1 <= {tuple(p) for p in truth["sha1_signed"]}
    assert (f["signature_hash"] == "sha1").sum() == len(sha1) + 1  # + the domain controller's CA
    assert _pairs(leaves[(leaves["key_algorithm"] == "RSA") & (leaves["key_size"] < 2048)]) == {
        tuple(p) for p in truth["rsa_1024"]
    }
    # mixed date formats all parsed: only the listed expired certificates are expired, none absurd
    expired = f[f["not_after"] < NOW]
    assert len(expired) == len(truth["expired"])
    assert (
        f["not_after"]
        .between(pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2050-01-01", tz="UTC"))
        .all()
    )
    assert f["sans"].str.startswith("*.").any()  # wildcards
    assert inv.notes  # the day-first reading of slash dates is reported


def test_level2_shadow_and_stale() -> None:
    inv, truth = _loaded("level2-aware")
    f = inv.certificate_facts()
    only_scan = f[f["discovered_by"] == "network-scan"]
    assert _pairs(only_scan) == {tuple(p) for p in truth["shadow"]}
    public_unscanned = f[(f["discovered_by"] == "manual") & (f["trust"] == "public")]
    assert _pairs(public_unscanned) == {tuple(p) for p in truth["stale"]}
    # spreadsheet rows (no fingerprint) merged with the scan's rows (fingerprint) into one certificate
    # the rest are internal certificates no scan saw: the CA files (private) and spreadsheet rows whose trust
    # nothing tells (unknown: a row names neither trust nor a public CA)
    internal = f["discovered_by"].isin(["manual", "filesystem"]) & (f["trust"] != "public").fillna(True)
    assert int(f["trust"].isna().sum()) > 0 and not (internal & (f["trust"] == "public")).any()
    merged = len(f) - len(only_scan) - len(public_unscanned) - int(internal.sum())
    assert (f["discovered_by"] == "manual;network-scan").sum() == merged


def test_level4_ml_dsa_pilot() -> None:
    inv, truth = _loaded("level4-agile")
    f = inv.certificate_facts()
    pq = f[f["key_algorithm"] == "ML-DSA-65"]
    assert _pairs(pq) == {tuple(p) for p in truth["pqc"]}
    assert len(pq) >= 6
    assert not pq["quantum_vulnerable"].any()
    assert pq["has_body"].all() and pq["owner"].notna().all()
    assert (pq["signature_algorithm"] == "ML-DSA-65").all()
    # bodies from pqc/*.pem merged with the rows of vault-certificates.csv / ca-register.csv
    assert pq["discovered_by"].str.contains("filesystem").all()
    assert pq["discovered_by"].str.contains("ca-api").all()


def test_level4_is_automated_and_short_lived() -> None:
    inv, _ = _loaded("level4-agile")
    f = inv.certificate_facts()
    leaves = f[~f["is_ca"]]
    automated = leaves["automation"].isin(["acme", "cert-manager", "cloud-managed", "vault"])
    assert automated.mean() >= 0.95
    public = leaves[leaves["trust"] == "public"]
    assert automated[public.index].all()
    assert (public["validity_days"] <= 90).all()
    assert leaves["owner"].notna().all() and leaves["team"].notna().all()
    assert not (f["signature_hash"] == "sha1").any()
    assert not ((f["key_algorithm"] == "RSA") & (f["key_size"] < 2048)).any()


@pytest.mark.parametrize("org", ["level3-defined", "level4-agile"])
def test_csv_rows_merge_with_pem_bodies(org: str) -> None:
    inv, _ = _loaded(org)
    f = inv.certificate_facts()
    from_files = f[f["has_body"] & ~f["is_ca"] & f["discovered_by"].str.contains("filesystem")]
    assert len(from_files) >= 50
    both = from_files["discovered_by"].str.contains("filesystem") & from_files["discovered_by"].str.contains(
        "network-scan|ca-api|kubernetes|cloud-api", regex=True
    )
    assert both.all()
    assert (from_files["sources"] >= 2).all()
    assert set(from_files["cert_id"]) <= set(inv.bodies)


def test_level4_sources_are_read_by_the_tools_own_ingesters() -> None:
    """Fabrikam's cluster, cloud and scan sources are cert-manager objects, ACM JSON and nmap XML, and
    the assessment credits each as its own automated discovery method."""
    from cmmm.maturity import assess

    inv, _ = _loaded("level4-agile")
    by_ingester: dict[str, list[str]] = {}
    for s in inv.sources:
        by_ingester.setdefault(s.ingester, []).append(
            Path(s.path).relative_to(SAMPLES / "level4-agile").as_posix()
        )
        assert s.rejected == 0 and (s.records > 0 or s.ingester == "bundle-file"), s
    assert len(by_ingester["kubernetes"]) >= 10  # one kubectl listing per namespace
    assert all(p.startswith("kubernetes/") for p in by_ingester["kubernetes"])
    assert sorted(by_ingester["aws-acm"]) == [
        f"aws-acm/{r}/{c}-certificate.json" for r in ("eu-west-1", "us-east-1") for c in ("describe", "get")
    ]
    # the CT monitor's crt.sh export: every public certificate, each known to another source too
    assert [p for ps in by_ingester.values() for p in ps if p.startswith("ct/")] == [
        "ct/crtsh-fabrikam.example.json"
    ]
    assert sorted(by_ingester["nmap"]) == [f"network-scan/nmap-{t}.xml" for t in ("aws", "edge", "ingress")]
    # only the ACME client's, Vault's and the CA register's exports are still spreadsheets
    assert sorted(by_ingester["csv"]) == [
        "acme-certificates.csv",
        "ca-register.csv",
        "vault-certificates.csv",
    ]

    f = inv.certificate_facts()
    leaves = f[~f["is_ca"]]
    k8s = leaves[leaves["automation"] == "cert-manager"]
    assert len(k8s) >= 1500 and k8s["discovered_by"].str.contains("kubernetes").all()
    assert k8s["has_body"].all()  # tls.crt of every Secret, joined to its Certificate
    acm = leaves[leaves["automation"] == "cloud-managed"]
    assert len(acm) >= 400 and (acm["discovered_by"] == "cloud-api;ct-log;network-scan").all()
    assert acm[
        "has_body"
    ].all()  # describe-certificate merged with get-certificate (issuer "Amazon" + serial)
    public = leaves[leaves["trust"] == "public"]
    assert public["discovered_by"].str.contains("network-scan").all()
    assert leaves["owner"].notna().all() and leaves["team"].notna().all()
    # the scan knows endpoints, not owners: its observations carry none, the other sources name them
    scan = inv.observations[inv.observations["discovered_by"] == "network-scan"]
    assert len(scan) == len(public) and scan["owner"].isna().all() and scan["host"].notna().all()

    result = assess(inv, now=NOW)
    methods = next(r for r in result.criteria if r.id == "disc.methods")
    assert methods.met and methods.value is not None and methods.value >= 3
    assert all(m in methods.evidence for m in ("kubernetes", "cloud-api", "network-scan"))


def test_level3_owner_coverage_and_no_unautomated_near_expiry() -> None:
    inv, _ = _loaded("level3-defined")
    f = inv.certificate_facts()
    assert f["owner"].notna().mean() >= 0.97
    leaves = f[~f["is_ca"]]
    auto = leaves["automation"].isin(["acme", "vault", "cloud-managed"])
    assert 0.55 <= auto.mean() <= 0.7
    soon = leaves["not_after"] < NOW + pd.Timedelta(days=14)
    assert not (soon & ~auto).any()
    assert {"network-scan", "ca-api", "cloud-api"} <= set(";".join(f["discovered_by"].dropna()).split(";"))


@pytest.mark.slow
def test_the_samples_folder_ingests_as_a_whole_without_the_truth() -> None:
    inv = cmmm.load([SAMPLES], now=NOW, workers=1)
    assert len(inv) == len(pd.concat([sample(o).certificates["cert_id"] for o in ORGS]).unique())
    assert not any("_truth" in s.path for s in inv.sources)
    assert {r.source for r in inv.rejected} == {str(SAMPLES / "level1-chaos" / "certificates.csv")}


@pytest.mark.parametrize("org", ["level1-chaos", "level2-aware"])
def test_direct_children_match_issuer_names(org: str) -> None:
    """Where CA bodies are missing (levels 1-2), the issuer name still names each direct child's CA."""
    inv, truth = _loaded(org)
    certs = inv.certificates
    for ca, entry in truth["cas"].items():
        mine = certs[(certs["issuer_name"] == ca) & ~certs["is_self_signed"].fillna(False)]
        direct = {tuple(p) for p in entry["direct"]}
        assert {p for p in _pairs(mine) if pd.notna(p[1])} == {p for p in direct if p in _pairs(certs)}, ca
        assert len(mine) == len(direct), ca


# --------------------------------------------------------------------- the blast radius of every CA


def _truth_files() -> list[Path]:
    truth = SAMPLES / "_truth"
    return sorted(truth.glob("*.json")) if truth.is_dir() else []


def _truth_pairs(items: list[object]) -> set[tuple[str, str]]:
    """(common_name, serial) from [[cn, serial], …] or [{"common_name": …, "serial": …}, …]; serials as
    lower-case hex without separators or leading zeros (cmmm's serial column)."""
    out = set()
    for item in items:
        cn, serial = (item["common_name"], item["serial"]) if isinstance(item, dict) else item  # type: ignore[misc]
        hexed = "".join(ch for ch in str(serial).lower() if ch in "0123456789abcdef").lstrip("0")
        out.add((str(cn), hexed))
    return out


def _truth_cas(truth: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cas = truth.get("cas") or truth.get("issuing_cas") or truth
    return {ca: e for ca, e in cas.items() if isinstance(e, dict) and "certificates" in e}


def _blast_json(inv: Inventory, ca_name: str) -> dict[str, Any]:
    """What `cmmm graph <org> --blast-radius <CA> --format json` prints, from an inventory already read."""
    return json.loads(json.dumps(blast_document(blast_radius(inv, ca_name)), indent=1, default=str))


def _assert_blast_matches(ca_name: str, expected: dict[str, Any], doc: dict[str, Any]) -> None:
    want = _truth_pairs(expected["certificates"])
    every = _truth_pairs(doc["certificates"])
    leaves = _truth_pairs([c for c in doc["certificates"] if not c["is_ca"]])
    assert want in (every, leaves), ca_name
    services = set().union(*(set(v) for k, v in expected.items() if "service" in k and isinstance(v, list)))
    if services:
        assert {s["service"] for s in doc["services"]} == services, ca_name


@pytest.mark.skipif(not _truth_files(), reason="sample_inventories/_truth/*.json not generated in this tree")
@pytest.mark.parametrize("truth_file", _truth_files(), ids=lambda p: p.stem)
def test_blast_radius_matches_generator_truth(truth_file: Path) -> None:
    """The blast radius of every CA lists exactly the certificates the generator issued beneath that CA and
    the services using or depending on them: the document `cmmm graph --blast-radius --format json` prints,
    computed on the organization read once (the command itself runs in the test below)."""
    cas = _truth_cas(json.loads(truth_file.read_text()))
    assert cas, f"no CA entries recognized in {truth_file}"
    inv = sample(truth_file.stem)
    for ca_name, expected in cas.items():
        _assert_blast_matches(ca_name, expected, _blast_json(inv, ca_name))


def test_cli_blast_radius_matches_generator_truth() -> None:
    """End to end, once: `cmmm graph sample_inventories/level3-defined --blast-radius "Contoso Issuing CA 1"
    --format json` (the README's example) prints the generator's truth, and exactly what the library gives."""
    org, ca_name = "level3-defined", "Contoso Issuing CA 1"
    res = runner.invoke(app, ["graph", str(SAMPLES / org), "--blast-radius", ca_name, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    _assert_blast_matches(ca_name, _truth_cas(truth_of(org))[ca_name], doc)
    assert doc == _blast_json(sample(org), ca_name)


# ------------------------------------------------------------- the levels and drills they were built for

INTENDED = {
    "level1-chaos": 1,
    "level2-aware": 2,
    "level3-defined": 3,
    "level4-agile": 4,
    "level5-crypto-agile": 5,
}
# What holds Fabrikam (level4-agile) at 4 with drills: the gaps a real level-4 organization has
# (sample_inventories/README.md says why).
LEVEL4_HELD_BY = {"agi.algorithms-complete", "agi.ca-fallback", "agi.hybrid-kem", "agi.pqc-kex"}


@functools.cache
def _drilled(org: str) -> Any:
    return assess(sample(org), now=NOW, simulate=drill_evidence)


@pytest.mark.parametrize("org", sorted(INTENDED))
def test_sample_organization_lands_at_its_intended_level(org: str) -> None:
    """Exactly its level with the drills run (as `cmmm assess` runs them); without drills level 5 cannot be
    reached: its simulated criteria are not evaluated."""
    inv = sample(org)
    a = assess(inv, now=NOW)
    failing = [
        f"{r.id}: {r.evidence}" for r in a.criteria if not r.met and r.criterion.level <= INTENDED[org] + 1
    ]
    assert a.level == min(INTENDED[org], 4), failing
    assert all(r.evidence for r in a.criteria)
    drilled = _drilled(org)
    unmet = [
        f"{r.id}: {r.evidence}" for r in drilled.criteria if not r.met and r.criterion.level <= INTENDED[org]
    ]
    assert drilled.level == INTENDED[org], unmet


def test_level4_is_held_at_4_by_its_real_gaps_only() -> None:
    """Every level-4 criterion met; of level 5, only the gaps the README names: 90 Vault certificates known
    from Vault's listing without their bodies, scans that record no key exchange, and a private root with no
    tested fallback (its ML-DSA pilot CA is none: classical relying parties cannot verify it)."""
    drilled = _drilled("level4-agile")
    unmet = {r.id for r in drilled.criteria if not r.met}
    assert unmet == LEVEL4_HELD_BY
    by_id = {r.id: r for r in drilled.criteria}
    assert by_id["agi.algorithms-complete"].status == "not met"
    assert by_id["agi.hybrid-kem"].status == "unknown" and by_id["agi.pqc-kex"].status == "unknown"
    fallback = by_id["agi.ca-fallback"]
    assert fallback.status == "not met" and "Fabrikam Root CA G2 holds 100 %" in fallback.evidence
    assert "PQC" not in fallback.evidence.split("Root CA G2")[1]  # the pilot CA is not its fallback
    for cid in ("pol.hsm-ca-keys", "agi.mosca-assessed", "own.metrics-reviewed"):
        assert by_id[cid].status == "attested", by_id[cid].evidence  # dated and referenced, not contradicted


def test_level5_rests_on_evidence() -> None:
    """Woodgrove's level 5 is measured and simulated: every level-5 criterion met on data, none by an
    attestation; the pilot is real ML-DSA-65, the public endpoints offer hybrid ML-KEM, each trust domain
    has a tested fallback, and the drills pass."""
    inv, truth = _loaded("level5-crypto-agile")
    drilled = _drilled("level5-crypto-agile")
    fives = [r for r in drilled.criteria if r.criterion.level == 5]
    assert fives and all(r.status == "met" for r in fives), [(r.id, r.status) for r in fives]
    assert {str(r.criterion.evidence) for r in fives} == {"measured", "simulated"}
    f = inv.certificate_facts()
    pq = f[f["key_algorithm"] == "ML-DSA-65"]
    assert _pairs(pq) == {tuple(p) for p in truth["pqc"]} and pq["has_body"].all()
    assert _pairs(f[(f["key_algorithm"] == "RSA") & (f["key_size"] == 2048) & ~f["is_ca"]]) == {
        tuple(p) for p in truth["rsa_2048"]
    }
    assert f["has_body"].all()
    obs = inv.observations
    scanned = obs[(obs["discovered_by"] == "network-scan") & obs["tls_versions"].notna()]  # not the chains
    assert len(scanned) == len(f[~f["is_ca"]])  # every endpoint scanned
    hybrid = scanned["kex_groups"].fillna("").str.contains("X25519MLKEM768")
    assert hybrid.mean() >= 0.95 and not hybrid.all()  # three marketing hosts behind a CDN are not yet
    tested = {c.name: c.tested for c in inv.profile.backup_cas}
    assert tested["Google Trust Services"] and tested["Woodgrove Issuing CA B1"]
    assert all(a.on is not None and a.evidence for a in inv.profile.attested.values())


@pytest.mark.parametrize("org", ORGS)
def test_samples_pin_the_date_they_were_built_for(org: str) -> None:
    """Each bundle's profile.yaml pins as_of to the generator's date, so a demo on any later day sees the
    same expiries, windows and attestation ages, and the same level."""
    assert sample(org).profile.as_of == NOW
    assert truth_of(org)["as_of"] == NOW.isoformat()


def test_cli_evaluates_a_pinned_bundle_at_its_as_of_unless_told() -> None:
    org = str(SAMPLES / "level2-aware")
    res = runner.invoke(app, ["assess", org, "--no-drills", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["as_of"].startswith("2026-11-28")
    assert "pinned by as_of" in res.stderr
    later = runner.invoke(app, ["assess", org, "--no-drills", "--format", "json", "--as-of", "2027-06-01"])
    assert later.exit_code == 0, later.output
    assert json.loads(later.stdout)["as_of"].startswith("2027-06-01")
    assert "pinned by as_of" not in later.stderr


@pytest.mark.parametrize("org", ORGS)
def test_catalog_on_sample_organizations(org: str) -> None:
    inv = sample(org)
    for sc in drill.catalog():
        r = drill.run(inv, sc, now=NOW, runs=30)
        assert r.verdict in set(drill.Verdict) and r.verdict_reason
    primary = drill.run(inv, drill.load_scenario("primary-intermediate-compromise-24h"), now=NOW, runs=100)
    if org == "level1-chaos":
        assert primary.verdict == "fail"
    if org in ("level4-agile", "level5-crypto-agile"):
        assert primary.verdict == "pass", primary.reasons
