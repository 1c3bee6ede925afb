"""Deterministic keys, legacy SHA-1 and SCTs in cmmm.lab.pki; row-to-row merging and dtype fixes in ingest."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import padding

import cmmm
from cmmm.ingest.x509 import certificate_row
from cmmm.lab.pki import DeterministicKeys, issue
from tests.conftest import NOW, Chain, write


def test_deterministic_keys_and_signatures_regenerate_identically() -> None:
    def build() -> tuple[bytes, bytes, list[int]]:
        keys = DeterministicKeys(7)
        root = issue(
            cn="R", not_before=NOW, days=10, ca=True, key=keys.make("EC-384"), serial=1, deterministic=True
        )
        leaf = issue(
            cn="l", not_before=NOW, days=5, issuer=root, key=keys.make("EC-256"), serial=2, deterministic=True
        )
        moduli = [keys.make("RSA-1024").public_key().public_numbers().n for _ in range(4)]
        return root.der, leaf.der, moduli

    a, b = build(), build()
    assert a == b
    assert len(set(a[2])) == 4  # distinct RSA keys from the prime pool
    assert (
        DeterministicKeys(7).make("ML-DSA-65").public_key()
        == DeterministicKeys(7).make("ML-DSA-65").public_key()
    )


def test_sha1_signed_and_sct_bearing_certificates_parse() -> None:
    keys = DeterministicKeys(3)
    ca = issue(cn="Old CA", not_before=NOW, days=100, ca=True, key=keys.make("RSA-1024"), digest="sha1")
    leaf = issue(cn="old.example", not_before=NOW, days=10, issuer=ca, key=keys.make("EC-256"), digest="sha1")
    assert certificate_row(ca.cert)["signature_hash"] == "sha1"
    assert certificate_row(leaf.cert)["signature_algorithm"] == "sha1WithRSAEncryption"
    ca.cert.public_key().verify(  # the re-signed signature is valid
        leaf.cert.signature,
        leaf.cert.tbs_certificate_bytes,
        padding.PKCS1v15(),
        leaf.cert.signature_hash_algorithm,
    )
    sct = issue(cn="pub.example", not_before=NOW, days=90, scts=(NOW - timedelta(minutes=1),) * 2)
    row = certificate_row(sct.cert)
    assert row["trust"] == "public" and row["sct_count"] == 2
    assert row["earliest_sct"].replace(tzinfo=UTC) == NOW - timedelta(minutes=1)  # SCT times are naive UTC


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


def test_bare_hosts_next_to_multi_endpoint_rows(tmp_path: Path) -> None:
    """A row listing several endpoints (exploded: repeated index labels) beside a bare host name."""
    write(
        tmp_path / "sheet.csv",
        "Common Name,Expiration Date,Server\n"
        'a.example,2027-01-01,"web01; mail01:25"\n'
        "b.example,2027-01-01,srv-web02\n"
        "c.example,2027-01-01,https://c.example:8443/login\n",
    )
    inv = cmmm.load([tmp_path], now=NOW)
    obs = inv.observations.sort_values("location")
    assert list(obs["host"]) == ["c.example", "mail01", "srv-web02", "web01"]
    assert list(obs["port"].astype("float").fillna(0).astype(int)) == [8443, 25, 0, 0]
