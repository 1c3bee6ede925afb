"""One certificate seen by several sources is one row: a PEM chain and a spreadsheet row, a spreadsheet row
and a scan row with the fingerprint, a scanner, a CBOM and a spreadsheet."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes

import cmmm
from cmmm.ingest import load
from tests.conftest import NOW, Chain, write
from tests.ingest.test_scanner_outputs import _nmap


def test_pem_and_csv_merge_into_one_certificate(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[0]
    write(tmp_path / "chain.pem", leaf.pem + chain.inter.pem + chain.root.pem)
    write(
        tmp_path / "inventory.csv",
        f"Common Name,Expiration Date,Issuer,Serial Number,Owner\n"
        f"{leaf.cert.subject.rfc4514_string()[3:]},2027-01-01,Test Issuing CA 1,{leaf.cert.serial_number:x},alice\n",
    )
    inv = cmmm.load([tmp_path], now=now)
    assert len(inv) == 3
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf.cert_id, "owner"] == "alice"
    assert facts.loc[leaf.cert_id, "discovered_by"] == "filesystem;manual"
    assert facts.loc[leaf.cert_id, "issuer_cert_id"] == chain.inter.cert_id
    assert inv.rejected == ()


def test_spreadsheet_row_merges_with_a_scan_row_that_has_the_fingerprint(
    tmp_path: Path, chain: Chain
) -> None:
    """No body anywhere: the row with issuer+serial joins the row that carries the SHA-256 fingerprint."""
    leaf = chain.leaves[1]
    fp = leaf.cert_id.removeprefix("sha256:")
    serial = f"{leaf.cert.serial_number:x}"
    write(
        tmp_path / "inventory.csv",
        f"common_name,not_after,issuer,serial,owner,service,Server\n"
        f"svc1.example.test,2027-01-01,Test Issuing CA 1,{serial},alice,shop,web01:443\n",
    )
    write(
        tmp_path / "scan.csv",
        "common_name,not_after,issuer,serial,fingerprint_sha256,discovered_by,endpoints\n"
        f"svc1.example.test,2027-01-01T00:00:00Z,CN=Test Issuing CA 1,{serial},{fp},network-scan,web01:443\n",
    )
    write(tmp_path / "services.csv", "service,owner,team,secrecy_years\nshop,alice,web,10\n")
    inv = cmmm.load([tmp_path], now=NOW)
    assert len(inv) == 1
    facts = inv.certificate_facts()
    assert facts.loc[0, "cert_id"] == leaf.cert_id
    assert facts.loc[0, "discovered_by"] == "manual;network-scan"
    assert facts.loc[0, "secrecy_years"] == 10
    assert not facts.loc[0, "is_ca"]  # a column missing from one batch is not read as True
    assert set(inv.observations["host"]) == {"web01"}  # "Server" is an endpoints header


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
