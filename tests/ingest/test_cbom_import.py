"""CycloneDX CBOM import (1.6/1.7, JSON and XML) and export validated against the official 1.6 schema."""

from __future__ import annotations

import json
from pathlib import Path

from cmmm.ingest import Format, detect, load
from tests.conftest import NOW, Chain, write

CBOM_16 = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "metadata": {"component": {"type": "application", "name": "payments-api"}},
    "components": [
        {
            "type": "cryptographic-asset",
            "bom-ref": "crypto/certificate/api.example.test",
            "name": "api.example.test",
            "cryptoProperties": {
                "assetType": "certificate",
                "certificateProperties": {
                    "subjectName": "CN = api.example.test, O = Example",
                    "issuerName": "C = US, O = Example, CN = Example Issuing CA",
                    "notValidBefore": "2026-10-01T00:00:00Z",
                    "notValidAfter": "2027-01-01T00:00:00Z",
                    "signatureAlgorithmRef": "crypto/algorithm/sha256-rsa@1.2.840.113549.1.1.11",
                    "subjectPublicKeyRef": "crypto/key/rsa-3072@1.2.840.113549.1.1.1",
                    "certificateFormat": "X.509",
                },
            },
            "evidence": {"occurrences": [{"location": "deploy/tls/api.crt", "line": 1}]},
        },
        {
            "type": "cryptographic-asset",
            "bom-ref": "crypto/key/rsa-3072@1.2.840.113549.1.1.1",
            "name": "RSA-3072",
            "cryptoProperties": {
                "assetType": "related-crypto-material",
                "relatedCryptoMaterialProperties": {"type": "public-key", "size": 3072},
                "oid": "1.2.840.113549.1.1.1",
            },
        },
        {
            "type": "cryptographic-asset",
            "bom-ref": "kem",
            "name": "ML-KEM-768",
            "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": {"primitive": "kem"}},
        },
        {
            "type": "cryptographic-asset",
            "bom-ref": "sha1",
            "name": "SHA1",
            "cryptoProperties": {
                "assetType": "algorithm",
                "algorithmProperties": {"primitive": "hash"},
                "oid": "1.3.14.3.2.26",
            },
        },
        {
            "type": "cryptographic-asset",
            "bom-ref": "ecdh",
            "name": "ECDH",
            "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": {"primitive": "key-agree"}},
        },
    ],
}


def test_cbom_16_certificate_and_algorithms(tmp_path: Path) -> None:
    path = write(tmp_path / "app.cdx.json", json.dumps(CBOM_16))
    assert detect(path, path.read_bytes()) is Format.CYCLONEDX_CBOM
    inv = load([path], now=NOW)
    assert not inv.rejected
    cert = inv.certificates.iloc[0]
    assert cert["common_name"] == "api.example.test"
    assert cert["issuer_name"] == "Example Issuing CA" and cert["issuer_org"] == "Example"
    assert cert["key_algorithm"] == "RSA" and cert["key_size"] == 3072
    assert cert["signature_algorithm"] == "sha256WithRSAEncryption"
    assert bool(cert["quantum_vulnerable"])
    obs = inv.observations.iloc[0]
    assert obs["discovered_by"] == "cbom"
    assert obs["location"] == "deploy/tls/api.crt:1" and obs["service"] == "payments-api"
    algs = inv.algorithms.set_index("algorithm")
    assert algs.loc["ML-KEM-768", "nist_quantum_security_level"] == 3
    assert not bool(algs.loc["ML-KEM-768", "quantum_vulnerable"])
    assert bool(algs.loc["ECDH", "quantum_vulnerable"])
    assert not bool(algs.loc["SHA1", "quantum_vulnerable"])  # broken classically, but not by Shor


def test_cbom_17_serial_fingerprint_and_related_assets(tmp_path: Path, chain: Chain) -> None:
    leaf = chain.leaves[0].cert
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "version": 1,
        "components": [
            {
                "type": "cryptographic-asset",
                "bom-ref": "c1",
                "name": "svc0",
                "cryptoProperties": {
                    "assetType": "certificate",
                    "certificateProperties": {
                        "serialNumber": format(leaf.serial_number, "X"),
                        "subjectName": "CN = svc0.example.test",
                        "issuerName": "O = Test Org, CN = Test Issuing CA 1",
                        "notValidBefore": f"{leaf.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ}",
                        "notValidAfter": f"{leaf.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}",
                        "relatedCryptographicAssets": [
                            {"type": "algorithm", "ref": "sig"},
                            {"type": "publicKey", "ref": "missing-ref"},
                        ],
                    },
                },
            },
            {
                "type": "cryptographic-asset",
                "bom-ref": "sig",
                "name": "ECDSA-SHA256",
                "cryptoProperties": {
                    "assetType": "algorithm",
                    "algorithmProperties": {"primitive": "signature"},
                    "oid": "1.2.840.10045.4.3.2",
                },
            },
        ],
    }
    write(tmp_path / "bom.json", json.dumps(doc))
    inv = load([tmp_path], now=NOW)
    row = inv.certificates.iloc[0]
    assert row["serial"] == format(leaf.serial_number, "x")
    assert row["signature_algorithm"] == "ecdsa-with-SHA256"
    # with the body on disk, issuer + serial make them one certificate with two discovery methods
    write(tmp_path / "leaf.pem", chain.leaves[0].pem)
    inv = load([tmp_path], now=NOW)
    assert list(inv.certificates["cert_id"]) == [chain.leaves[0].cert_id]
    assert inv.certificate_facts().iloc[0]["discovered_by"] == "cbom;filesystem"


def test_cbom_xml(tmp_path: Path) -> None:
    xml = """<?xml version="1.0"?>
<bom serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1" xmlns="http://cyclonedx.org/schema/bom/1.6">
  <components>
    <component type="cryptographic-asset" bom-ref="c">
      <name>db.example.test</name>
      <cryptoProperties>
        <assetType>certificate</assetType>
        <certificateProperties>
          <subjectName>CN=db.example.test</subjectName>
          <issuerName>CN=Internal CA</issuerName>
          <notValidBefore>2026-01-01T00:00:00Z</notValidBefore>
          <notValidAfter>2027-01-01T00:00:00Z</notValidAfter>
          <signatureAlgorithmRef>crypto/algorithm/mldsa65@2.16.840.1.101.3.4.3.18</signatureAlgorithmRef>
          <subjectPublicKeyRef>crypto/key/ml-dsa-65@2.16.840.1.101.3.4.3.18</subjectPublicKeyRef>
        </certificateProperties>
      </cryptoProperties>
    </component>
  </components>
</bom>
"""
    path = write(tmp_path / "bom.xml", xml)
    assert detect(path, path.read_bytes()) is Format.CYCLONEDX_CBOM
    inv = load([path], now=NOW)
    row = inv.certificates.iloc[0]
    assert row["common_name"] == "db.example.test" and row["key_algorithm"] == "ML-DSA-65"
    assert not bool(row["quantum_vulnerable"])
    assert any("CycloneDX 1.6" in n for n in inv.notes)


def test_cbom_bad_inputs(tmp_path: Path) -> None:
    text = json.dumps(CBOM_16)
    write(tmp_path / "cut.json", text[: len(text) // 2])
    write(tmp_path / "shape.json", '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"a": 1}}')
    bad = json.loads(text)
    bad["components"][0]["cryptoProperties"]["certificateProperties"]["notValidAfter"] = "someday"
    write(tmp_path / "nodate.json", json.dumps(bad))
    inv = load([tmp_path], now=NOW)
    reasons = {Path(r.source).name: r.reason for r in inv.rejected}
    assert "truncated CBOM" in reasons["cut.json"]
    assert reasons["shape.json"] == "CycloneDX components is not a list"
    assert "notValidAfter" in reasons["nodate.json"]
    assert len(inv) == 0
