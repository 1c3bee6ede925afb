"""CLM exports (Venafi, Lemur, Keyfactor, AD CS certutil), crt.sh CT records, shadow IT, cross-source merge."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import cmmm
from cmmm.ingest import Format, detect
from cmmm.ingest.ctlog import SHADOW_COLUMNS, shadow_certificates
from cmmm.ingest.summary import summarize
from cmmm.profile import parse_profile
from tests.conftest import NOW, Chain, write


def test_adcs_certutil_csv_through_aliases(tmp_path: Path, now) -> None:
    header = (
        '"Request ID","Issued Request ID","Request Disposition","Requester Name","Issued Common Name",'
        '"Issued Distinguished Name","Certificate Effective Date","Certificate Expiration Date",'
        '"Certificate Hash","Certificate Template","Serial Number"'
    )
    rows = [
        '"17","17","20 -- Issued","CORP\\\\web01$","web01.corp.test","CN=web01.corp.test","12/20/2026 3:04 PM",'
        '"1/20/2027 3:04 PM","a1 b2 c3 d4 e5 f6 07 18 29 3a 4b 5c 6d 7e 8f 90 01 12 23 34","WebServer","1234567890"',
        '"18","18","20 -- Issued","CORP\\\\alice","","EMPTY","EMPTY","EMPTY","EMPTY","User","6100000012"',
    ]
    f = write(tmp_path / "certutil.csv", "\n".join([header, *rows]) + "\n")
    assert detect(f, f.read_bytes()) == Format.CSV
    inv = cmmm.load([f], now=now)
    c = inv.certificates.iloc[0]
    assert c["common_name"] == "web01.corp.test"
    assert c["serial"] == "1234567890"  # certutil serials are hex even when no letter shows
    assert c["fingerprint_sha1"] == "a1b2c3d4e5f60718293a4b5c6d7e8f9001122334"
    assert c["not_after"].isoformat() == "2027-01-20T15:04:00+00:00"  # month-first: 20 decides
    assert inv.observations.iloc[0]["owner"] == "CORP\\\\web01$"
    assert [r.locator for r in inv.rejected] == ["line 3"]


def test_keyfactor_json_prefers_key_type_string_and_uses_body(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[0]
    recs = [
        {
            "Id": 7,
            "IssuedCN": "svc0.example.test",
            "IssuerDN": "CN=Test Issuing CA 1, O=Test Org",
            "NotBefore": "2026-10-29T12:00:00Z",
            "NotAfter": "2027-01-27T12:00:00Z",
            "SerialNumber": format(leaf.cert.serial_number, "X"),
            "KeyType": 3,
            "KeyTypeString": "ECC",
            "KeySizeInBits": 256,
            "CertStateString": "Active",
            "ContentBytes": base64.b64encode(leaf.der).decode(),
            "Locations": [{"StoreMachine": "web01", "StorePath": "IIS Personal", "StoreType": 5}],
            "Metadata": {"Owner": "team-web@example.test"},
        },
        {
            "Id": 8,
            "IssuedCN": "old.example.test",
            "IssuerDN": "CN=Test Issuing CA 1",
            "NotAfter": "2025-01-01T00:00:00Z",
            "SerialNumber": "0A",
            "KeyType": 1,
            "KeyTypeString": "RSA",
            "KeySizeInBits": 2048,
            "CertStateString": "Revoked",
        },
    ]
    f = write(tmp_path / "keyfactor.json", json.dumps(recs))
    assert detect(f, f.read_bytes()) == Format.CLM
    inv = cmmm.load([f], now=now)
    facts = inv.certificate_facts().set_index("common_name")
    assert facts.loc["svc0.example.test", "cert_id"] == leaf.cert_id
    assert facts.loc["svc0.example.test", "owner"] == "team-web@example.test"
    assert facts.loc["old.example.test", "key_algorithm"] == "RSA"
    assert (
        inv.observations.set_index("owner").loc["team-web@example.test", "location"] == "web01:IIS Personal"
    )


def test_lemur_decimal_serials_and_venafi_cloud_instances(tmp_path: Path, now) -> None:
    lemur = {
        "items": [
            {
                "cn": "*.shop.example.test",
                "owner": "shop@example.test",
                "serial": "82311058732025924142789179368889309156",
                "issuer": "TestCA",
                "notBefore": "2026-06-03T00:00:00+00:00",
                "notAfter": "2027-06-03T23:59:59+00:00",
                "bits": 2048,
                "signingAlgorithm": "sha256",
                "body": "-----BEGIN CERTIFICATE-----...",
                "authority": {"name": "testca"},
                "destinations": [],
                "rotation": True,
                "domains": [{"name": "*.shop.example.test"}],
            }
        ],
        "total": 1,
    }
    venafi = {
        "count": 1,
        "certificates": [
            {
                "id": "ab23",
                "subjectCN": ["api.example.test"],
                "issuerCN": ["Corp Issuing CA"],
                "serialNumber": "07F3FE39",
                "validityStart": "2026-05-22T00:00:00.000+00:00",
                "validityEnd": "2027-05-22T00:00:00.000+00:00",
                "encryptionType": "RSA",
                "keyStrength": 3072,
                "signatureAlgorithm": "SHA256_WITH_RSA_ENCRYPTION",
                "certificateType": "END_ENTITY",
                "ownerUsername": "carol@example.test",
                "instances": [{"ipAddress": "10.0.0.5", "hostname": "api01", "port": 8443}],
            }
        ],
    }
    write(tmp_path / "lemur.json", json.dumps(lemur))
    write(tmp_path / "venafi.json", json.dumps(venafi))
    inv = cmmm.load([tmp_path], now=now)
    assert inv.rejected == ()
    c = inv.certificates.set_index("common_name")
    assert c.loc["*.shop.example.test", "serial"] == format(82311058732025924142789179368889309156, "x")
    assert c.loc["api.example.test", "key_size"] == 3072
    obs = inv.observations.set_index("owner")
    assert obs.loc["carol@example.test", "host"] == "api01" and obs.loc["carol@example.test", "port"] == 8443
    assert "rotation=True" in obs.loc["shop@example.test", "tags"]


def _crtsh_row(crt_id: int, cn: str, issuer_dn: str, serial: str, *, entry: str) -> dict[str, object]:
    return {
        "issuer_ca_id": 16418,
        "issuer_name": issuer_dn,
        "common_name": cn,
        "name_value": f"{cn}\nwww.{cn}",
        "id": crt_id,
        "entry_timestamp": entry,
        "not_before": "2026-10-29T12:00:00",
        "not_after": "2027-01-27T12:00:00",
        "serial_number": serial,
    }


def test_same_certificate_from_kubernetes_spreadsheet_and_ct_log_merges(
    tmp_path: Path, chain: Chain, now
) -> None:
    leaf = chain.leaves[0]
    serial = format(leaf.cert.serial_number, "x")
    secret = (
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\n"
        "metadata: {name: svc0-tls, namespace: prod-web, annotations: {cert-manager.io/issuer-name: corp}}\n"
        f"data:\n  tls.crt: {base64.b64encode(leaf.pem).decode()}\n"
    )
    write(tmp_path / "k8s.yaml", secret)
    write(
        tmp_path / "inventory.csv",
        f"Common Name,Expiration Date,Issuer,Serial Number,Owner\nsvc0.example.test,2027-01-27,Test Issuing CA 1,{serial},alice\n",
    )
    dn = "C=XX, O=Test Org, CN=Test Issuing CA 1"
    rows = [
        _crtsh_row(1, "svc0.example.test", dn, serial, entry="2026-10-29T12:00:01.5"),  # precertificate
        _crtsh_row(2, "svc0.example.test", dn, serial, entry="2026-10-29T12:00:03"),  # final certificate
        _crtsh_row(
            3, "rogue.example.test", "C=US, O=Let's Encrypt, CN=R11", "0badc0de", entry="2026-11-01T00:00:00"
        ),
        _crtsh_row(
            4,
            "unrelated.other.test",
            "C=US, O=Let's Encrypt, CN=R11",
            "0c0ffee0",
            entry="2026-11-01T00:00:00",
        ),
    ]
    ct = write(tmp_path / "crtsh.json", json.dumps(rows))
    assert detect(ct, ct.read_bytes()) == Format.CT_LOG
    inv = cmmm.load([tmp_path], now=now)
    assert inv.rejected == ()
    facts = inv.certificate_facts().set_index("cert_id")
    row = facts.loc[leaf.cert_id]
    assert row["observations"] == 3
    assert row["discovered_by"] == "ct-log;kubernetes;manual"
    assert row["owner"] == "alice" and row["automation"] == "cert-manager" and row["environment"] == "prod"
    assert len(inv) == 3  # the leaf plus two CT-only certificates

    shadow = shadow_certificates(inv)
    assert list(shadow.columns) == SHADOW_COLUMNS
    assert shadow["common_name"].tolist() == ["rogue.example.test"]
    assert shadow.iloc[0]["matched_domain"] == "example.test"
    explicit = shadow_certificates(inv, domains=["other.test", "example.test"])
    assert sorted(explicit["common_name"]) == ["rogue.example.test", "unrelated.other.test"]
    assert summarize(inv, now=now).shadow_it == 1
    inv = dataclasses.replace(inv, profile=parse_profile({"domains": ["other.test"]}))
    assert shadow_certificates(inv)["common_name"].tolist() == ["unrelated.other.test"]


def test_crtsh_wrong_shape_and_no_ct_records(tmp_path: Path, chain: Chain, now) -> None:
    f = write(
        tmp_path / "crtsh.json", json.dumps({"issuer_ca_id": 1, "name_value": "a", "entry_timestamp": "x"})
    )
    inv = cmmm.load([f], now=now)
    assert "crt.sh JSON is a list" in inv.rejected[0].reason
    write(tmp_path / "leaf.pem", chain.leaves[0].pem)
    inv2 = cmmm.load([tmp_path / "leaf.pem"], now=NOW + timedelta(days=1))
    assert shadow_certificates(inv2).empty
