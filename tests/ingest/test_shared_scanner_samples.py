"""The real scanner and CBOM samples in ../shared/formats ingest with the fields their readers expect."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from cryptography.hazmat.primitives import hashes

from cmmm.export.cbom import cbom_document
from cmmm.ingest import Format, detect, load
from cmmm.model import Inventory
from tests.conftest import NOW, Chain, write
from tests.ingest.test_scanner_outputs import _nmap


def _formats_dir() -> Path | None:
    env = os.environ.get("CMMM_SHARED_FORMATS")
    root = Path(__file__).resolve().parents[2]
    for cand in (
        Path(env) if env else None,
        root.parent / "shared" / "formats",
        root.parents[1] / "shared" / "formats",
    ):
        if cand is not None and cand.is_dir():
            return cand
    return None


FORMATS = _formats_dir()
needs_samples = pytest.mark.skipif(
    FORMATS is None, reason="../shared/formats (or $CMMM_SHARED_FORMATS) is not present on this machine"
)

# Files in those folders that are not scanner output (schemas, documentation excerpts, source code).
NOT_SAMPLES = {
    "json_output_schema.json",
    "nse_ssl-cert_doc_output_xmloutput.txt",
    "nse_ssl-enum-ciphers_doc_output_xmloutput.txt",
    "testssl_sh_fileout_json_functions.sh.txt",
}
MINE = {
    "nmap": Format.NMAP,
    "sslyze": Format.SSLYZE,
    "testssl": Format.TESTSSL,
    "cyclonedx_cbom": Format.CYCLONEDX_CBOM,
}


def _load(name: str) -> Inventory:
    assert FORMATS is not None
    return load([FORMATS / name], now=NOW)


@needs_samples
@pytest.mark.parametrize("folder", sorted(MINE))
def test_every_sample_is_detected_and_read_without_error(folder: str) -> None:
    assert FORMATS is not None
    for path in sorted((FORMATS / folder).iterdir()):
        if path.name in NOT_SAMPLES or path.name == "SOURCE.txt":
            continue
        assert detect(path, path.read_bytes()[:65536]) is MINE[folder], path.name
        inv = load([path], now=NOW)
        # the only rejection among the samples is a server sslyze could not reach
        for r in inv.rejected:
            assert "ERROR_NO_CONNECTIVITY" in r.reason, (path.name, r)
        if len(inv):
            assert (
                inv.certificates["not_after"].notna().all() and inv.certificates["common_name"].notna().all()
            )
            assert set(inv.observations["cert_id"]) == set(inv.certificates["cert_id"])


@needs_samples
def test_nmap_samples() -> None:
    inv = _load("nmap")
    certs = inv.certificates.set_index("common_name")
    dionaea = certs.loc["Nepenthes Development Team"]
    assert (dionaea["key_algorithm"], dionaea["key_size"], dionaea["signature_algorithm"]) == (
        "RSA",
        2048,
        "md5WithRSAEncryption",
    )
    assert bool(dionaea["has_body"]) and bool(dionaea["is_self_signed"])
    jungo = inv.observations[
        inv.observations["cert_id"] == certs.loc["ORname_Jungo: OpenRG Products Group", "cert_id"]
    ]
    assert sorted(jungo["port"]) == [443, 992, 8443]  # nmap 6.40: one self-signed cert on three ports
    assert set(inv.observations["discovered_by"]) == {"network-scan"}
    assert any("ssl-enum-ciphers without ssl-cert" in n for n in inv.notes)


@needs_samples
def test_sslyze_samples() -> None:
    inv = _load("sslyze")
    certs = inv.certificates
    fb = certs[certs["common_name"] == "*.facebook.com"]
    # the JSON serial is an integer beyond 2^64; the body agrees with it exactly
    assert format(5119648089655238486873092307176970521, "x") in set(fb["serial"])
    assert set(fb["key_algorithm"]) == {"EC", "RSA"}  # facebook serves an ECDSA and an RSA chain
    badssl = certs[certs["common_name"] == "*.badssl.com"].iloc[0]
    assert badssl["not_after"] == pd.Timestamp("2015-04-12 23:59:59", tz="UTC")
    obs = inv.observations
    assert "sni:none" in set(obs["tags"].str.split(";").explode())
    fb_leaf = obs[obs["cert_id"].isin(fb["cert_id"])]
    assert set(fb_leaf["tls_versions"]) == {"TLSv1.0;TLSv1.1;TLSv1.2;TLSv1.3"}
    assert set(fb_leaf["kex_groups"]) == {"x25519;secp256r1"}
    scans = [r for r in inv.rejected if Path(r.source).name not in NOT_SAMPLES]
    assert [r.locator for r in scans] == ["server 0 (localhost:1234)"]


@needs_samples
def test_testssl_samples() -> None:
    inv = _load("testssl")
    leaves = inv.certificates[inv.certificates["common_name"] == "*.google.com"]
    assert len(leaves) == 2 and set(leaves["key_algorithm"]) == {"RSA", "EC"}
    assert set(inv.certificates["common_name"]) >= {"WR2", "GTS Root R1"}
    obs = inv.observations[inv.observations["cert_id"].isin(leaves["cert_id"])]
    assert set(obs["location"]) == {"example.com:443"}
    assert set(obs["kex_groups"]) == {"X25519MLKEM768;secp256r1;x25519"}
    assert set(obs["tls_versions"]) == {"TLSv1.0;TLSv1.1;TLSv1.2;TLSv1.3"}
    assert any("testssl_baseline_default.csv" in n and "no certificate findings" in n for n in inv.notes)


@needs_samples
def test_zgrab2_samples() -> None:
    assert FORMATS is not None
    folder = FORMATS / "zgrab2_censys_ct"
    inv = load(sorted(folder.glob("zgrab2_*.json")), now=NOW)
    assert not inv.rejected
    assert sorted(inv.observations["location"]) == ["target:443", "target:5432"]
    assert set(inv.observations["tls_versions"]) == {"TLSv1.2"}
    assert set(inv.certificates["key_algorithm"]) == {"RSA"}


@needs_samples
def test_cbom_samples_and_export_of_them() -> None:
    inv = _load("cyclonedx_cbom")
    per_file = {Path(s.path).name: s.records for s in inv.sources}
    assert per_file == {
        "cbomkit-kafka-cbom.json": 0,
        "cbomkit-keycloak-cbom.json": 0,
        "cbomkit-theia_bom_with_certificate.json": 1,
        "cbomkit-theia_protocol_with_certificate.json": 1,
        "valid-cryptography-certificate-1.7.json": 1,
        "valid-cryptography-certificate-advanced-1.7.json": 2,
        "valid-cryptography-full-1.6.json": 1,
        "valid-cryptography-full-1.6.xml": 1,
    }
    google = inv.certificates[inv.certificates["common_name"] == "www.google.com"]
    assert len(google) == 1  # cbomkit's bom-ref fingerprint and 1.7's fingerprint field agree
    g = google.iloc[0]
    assert (g["issuer_name"], g["key_algorithm"], g["key_size"]) == ("GTS CA 1C3", "RSA", 2048)
    assert g["signature_algorithm"] == "sha512WithRSAEncryption"
    # the advanced 1.7 sample gives two different certificates one placeholder fingerprint
    adv = inv.certificates[
        inv.certificates["common_name"].isin(["internal-ca.example.com", "server.example.com"])
    ]
    assert len(adv) == 2 and adv["serial"].notna().all()
    algs = inv.algorithms
    assert len(algs) > 20
    vulnerable = set(algs.loc[algs["quantum_vulnerable"].fillna(False).astype(bool), "algorithm"])
    assert {"RSA-2048", "DSA", "EC-secp384r1"} <= vulnerable
    assert cbom_document(inv)["specVersion"] == "1.6"


def test_scanner_cbom_and_spreadsheet_merge_into_one_certificate(tmp_path: Path, chain: Chain) -> None:
    leaf = chain.leaves[0].cert
    write(tmp_path / "scan.xml", _nmap(chain))
    cbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "version": 1,
        "components": [
            {
                "type": "cryptographic-asset",
                "bom-ref": "cert-1",
                "name": "svc0",
                "cryptoProperties": {
                    "assetType": "certificate",
                    "certificateProperties": {
                        "subjectName": "CN = svc0.example.test",
                        "issuerName": "O = Test Org, CN = Test Issuing CA 1",
                        "notValidAfter": f"{leaf.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}",
                        "fingerprint": {"alg": "SHA-256", "content": leaf.fingerprint(hashes.SHA256()).hex()},
                    },
                },
            }
        ],
    }
    write(tmp_path / "app.cdx.json", json.dumps(cbom))
    write(
        tmp_path / "inventory.csv",
        "Common Name,Issuer,Serial Number,Expiration Date,Owner\n"
        f"svc0.example.test,CN=Test Issuing CA 1,{leaf.serial_number:X},{leaf.not_valid_after_utc:%Y-%m-%d},alice\n",
    )
    inv = load([tmp_path], now=NOW)
    assert list(inv.certificates["cert_id"]) == [chain.leaves[0].cert_id]
    assert len(inv.observations) == 4  # two scanned ports, the CBOM, the spreadsheet row
    facts = inv.certificate_facts().iloc[0]
    assert facts["discovered_by"] == "cbom;manual;network-scan"
    assert facts["owner"] == "alice"
