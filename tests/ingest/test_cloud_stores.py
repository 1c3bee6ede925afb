"""AWS ACM and Azure Key Vault: both CLI spellings, automation from the certificate type or policy, bodies."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes

import cmmm
from cmmm.ingest import Format, detect
from tests.conftest import Chain, write

ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0f0e0d0c-1111-2222-3333-444455556666"


def _describe(chain: Chain, *, v2: bool, ctype: str = "AMAZON_ISSUED") -> dict[str, object]:
    leaf = chain.leaves[0].cert
    serial = format(leaf.serial_number, "x")
    serial = ":".join(serial[i : i + 2] for i in range(0, len(serial), 2))
    nb, na = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    return {
        "Certificate": {
            "CertificateArn": ARN,
            "DomainName": "svc0.example.test",
            "SubjectAlternativeNames": ["svc0.example.test", "alt0.example.test"],
            "Serial": serial,
            "Subject": "CN=svc0.example.test",
            "Issuer": "Test Issuing CA 1",
            "NotBefore": nb.isoformat() if v2 else nb.timestamp(),
            "NotAfter": na.isoformat() if v2 else na.timestamp(),
            "KeyAlgorithm": "EC_prime256v1" if v2 else "EC-prime256v1",
            "SignatureAlgorithm": "SHA256WITHECDSA",
            "Status": "ISSUED",
            "Type": ctype,
            "InUseBy": [
                "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/shop/50dc6c495c0c9188",
                "arn:aws:cloudfront::111122223333:distribution/E12KXPQHVLSYVC",
            ],
        },
        "Tags": [{"Key": "Owner", "Value": "alice"}, {"Key": "Environment", "Value": "prod"}],
    }


def test_acm_describe_v1_and_v2_spellings_read_the_same(tmp_path: Path, chain: Chain, now) -> None:
    a = write(tmp_path / "v1.json", json.dumps(_describe(chain, v2=False)))
    b = write(tmp_path / "v2.json", json.dumps(_describe(chain, v2=True)))
    assert detect(a, a.read_bytes()) == Format.AWS_ACM
    inv = cmmm.load([a, b], now=now)
    assert inv.rejected == ()
    assert len(inv) == 1  # same issuer + serial: one certificate
    c = inv.certificates.iloc[0]
    assert c["not_after"] == chain.leaves[0].cert.not_valid_after_utc
    assert (c["key_algorithm"], c["key_size"], c["key_curve"]) == ("EC", 256, "secp256r1")
    assert c["signature_algorithm"] == "ecdsa-with-SHA256"
    obs = inv.observations
    assert len(obs) == 4  # two files x two resources using it
    assert set(obs["service"]) == {
        "elasticloadbalancing:loadbalancer/app/shop/50dc6c495c0c9188",
        "cloudfront:distribution/E12KXPQHVLSYVC",
    }
    assert set(obs["automation"]) == {"cloud-managed"} and set(obs["discovered_by"]) == {"cloud-api"}
    assert obs["tags"].str.contains("Owner=alice").all()


def test_acm_imported_is_manual_and_get_certificate_body_merges(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[0]
    write(tmp_path / "describe.json", json.dumps([_describe(chain, v2=True, ctype="IMPORTED")]))
    write(
        tmp_path / "get.json",
        json.dumps({"Certificate": leaf.pem.decode(), "CertificateChain": chain.inter.pem.decode()}),
    )
    inv = cmmm.load([tmp_path], now=now)
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf.cert_id, "automation"] == "manual"
    assert facts.loc[leaf.cert_id, "observations"] == 3
    assert len(inv) == 2  # leaf (body + describe rows merged) and the intermediate


def test_acm_listing_without_dates_is_noted_and_bad_json_rejected(tmp_path: Path, now) -> None:
    write(
        tmp_path / "list.json",
        json.dumps({"CertificateSummaryList": [{"CertificateArn": ARN, "DomainName": "a.example.test"}]}),
    )
    write(tmp_path / "cut.json", '{"Certificate": {"CertificateArn": "' + ARN + '", "NotAfter": 17')
    inv = cmmm.load([tmp_path], now=now)
    assert len(inv) == 0
    assert any("without NotAfter" in n for n in inv.notes)
    assert [r.reason.split(":")[0] for r in inv.rejected] == ["invalid JSON"]


def _policy(auto: bool, camel: bool) -> dict[str, object]:
    action = "AutoRenew" if auto else "EmailContacts"
    if camel:
        return {
            "keyProperties": {"keyType": "EC", "keySize": 256, "curve": "P-256", "exportable": False},
            "issuerParameters": {"name": "DigiCert"},
            "lifetimeActions": [{"action": {"actionType": action}, "trigger": {"daysBeforeExpiry": 30}}],
            "x509CertificateProperties": {"subject": "CN=svc1.example.test", "validityInMonths": 12},
        }
    return {
        "key_props": {"kty": "EC", "key_size": 256, "crv": "P-256"},
        "issuer": {"name": "Self"},
        "lifetime_actions": [{"action": {"action_type": action}, "trigger": {"lifetime_percentage": 80}}],
        "x509_props": {"subject": "CN=svc1.example.test", "validity_months": 12},
    }


def test_azure_rest_bundle_and_cli_list_merge_by_thumbprint(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[1]
    sha1 = leaf.cert.fingerprint(hashes.SHA1())
    cid = "https://kv-shop.vault.azure.net/certificates/svc1/0123456789abcdef"
    bundle = {
        "id": cid,
        "x5t": base64.urlsafe_b64encode(sha1).decode().rstrip("="),
        "cer": base64.b64encode(leaf.der).decode(),
        "attributes": {"enabled": True, "nbf": 1, "exp": 2, "created": 3},
        "policy": _policy(auto=True, camel=False),
        "tags": {"owner": "bob"},
    }
    listed = [
        {
            "id": cid.rsplit("/", 1)[0],
            "name": "svc1",
            "attributes": {"enabled": True, "expires": leaf.cert.not_valid_after_utc.isoformat()},
            "x509ThumbprintHex": sha1.hex().upper(),
            "tags": {},
        }
    ]
    a = write(tmp_path / "show.json", json.dumps({"responses": {"200": {"body": bundle}}}))
    b = write(tmp_path / "list.json", json.dumps(listed))
    assert detect(a, a.read_bytes()) == detect(b, b.read_bytes()) == Format.AZURE_KEYVAULT
    inv = cmmm.load([a, b], now=now)
    assert inv.rejected == ()
    assert len(inv) == 1 and inv.certificates.iloc[0]["cert_id"] == leaf.cert_id
    obs = inv.observations.set_index("source_ref")
    # policy issuer Self + AutoRenew: Key Vault renews it
    assert obs.loc[cid, "automation"] == "cloud-managed"
    assert "lifetime_actions=AutoRenew@80%" in obs.loc[cid, "tags"] and "owner=bob" in obs.loc[cid, "tags"]
    assert len(obs) == 2


def test_azure_camel_case_policy_and_bad_cer(tmp_path: Path, now) -> None:
    item = {
        "id": "https://kv.vault.azure.net/certificates/api/1",
        "attributes": {"expires": "2027-03-01T00:00:00+00:00", "notBefore": "2026-03-01T00:00:00+00:00"},
        "policy": _policy(auto=False, camel=True),
        "x509Thumbprint": "fLi3U52HunIVNXubkEnf8tP6Wbo",
    }
    bad = {**item, "id": "https://kv.vault.azure.net/certificates/bad/1", "cer": "MIIB...not-der"}
    f = write(tmp_path / "kv.json", json.dumps([item, bad]))
    inv = cmmm.load([f], now=now)
    c = inv.certificates.iloc[0]
    assert (c["common_name"], c["key_algorithm"], c["key_size"]) == ("svc1.example.test", "EC", 256)
    assert c["fingerprint_sha1"] == "7cb8b7539d87ba7215357b9b9049dff2d3fa59ba"
    assert inv.observations.iloc[0]["automation"] == "manual"  # EmailContacts only
    assert [r.reason for r in inv.rejected] == ["cer is not a base64 DER certificate"]


def test_gcp_certificate_manager_managed_and_self_managed(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[2]
    certs = [
        {
            "name": "projects/shop/locations/global/certificates/web",
            "labels": {"team": "web", "environment": "production"},
            "expireTime": "2027-02-01T00:00:00Z",
            "sanDnsnames": ["web.example.test", "www.web.example.test"],
            "managed": {"domains": ["web.example.test"], "state": "ACTIVE"},
            "scope": "DEFAULT",
        },
        {
            "name": "projects/shop/locations/global/certificates/uploaded",
            "expireTime": leaf.cert.not_valid_after_utc.isoformat(),
            "sanDnsnames": ["svc2.example.test"],
            "pemCertificate": (leaf.pem + chain.inter.pem).decode(),
            "selfManaged": {},
        },
    ]
    f = write(tmp_path / "gcp.json", json.dumps(certs))
    assert detect(f, f.read_bytes()) == Format.GCP_CERTMANAGER
    inv = cmmm.load([f], now=now)
    assert inv.rejected == ()
    facts = inv.certificate_facts().set_index("common_name")
    assert facts.loc["web.example.test", "automation"] == "cloud-managed"
    assert facts.loc["web.example.test", "environment"] == "prod"
    assert facts.loc["svc2.example.test", "automation"] == "manual"
    assert facts.loc["svc2.example.test", "cert_id"] == leaf.cert_id
    assert len(inv) == 3  # managed row, uploaded leaf, its intermediate


def test_acm_tags_name_people_and_service_and_describe_merges_with_body_by_org(
    tmp_path: Path, chain: Chain, now
) -> None:
    """ACM names the issuer by organization only ("Amazon"); with the serial that still names the body
    from get-certificate. Owner/Team/Service/Environment tags fill the facts; a Service tag beats the
    InUseBy resource as the service name (the ARN stays the location)."""
    leaf = chain.leaves[0]
    doc = _describe(chain, v2=True)
    doc["Certificate"]["Issuer"] = "Test Org"  # type: ignore[index]
    doc["Tags"] = [
        {"Key": "Owner", "Value": "alice@example.test"},
        {"Key": "team", "Value": "payments"},
        {"Key": "Service", "Value": "checkout"},
        {"Key": "Environment", "Value": "production"},
    ]
    write(tmp_path / "describe.json", json.dumps([doc]))
    write(
        tmp_path / "get.json",
        json.dumps([{"Certificate": leaf.pem.decode(), "CertificateChain": chain.inter.pem.decode()}]),
    )
    inv = cmmm.load([tmp_path], now=now)
    assert inv.rejected == ()
    assert len(inv) == 2  # the leaf (describe rows + body) and the intermediate
    facts = inv.certificate_facts().set_index("cert_id")
    row = facts.loc[leaf.cert_id]
    assert (row["owner"], row["team"], row["service"], row["environment"]) == (
        "alice@example.test",
        "payments",
        "checkout",
        "prod",
    )
    assert row["automation"] == "cloud-managed"
    obs = inv.observations[inv.observations["cert_id"] == leaf.cert_id]
    assert set(obs["service"].dropna()) == {"checkout"}
    assert any(str(loc).startswith("arn:aws:cloudfront") for loc in obs["location"])


def test_acm_issuer_organization_with_two_matching_bodies_stays_apart(
    tmp_path: Path, chain: Chain, now
) -> None:
    """Two bodies under one organization with the same serial: the describe row cannot tell them apart."""
    from cmmm.lab.pki import issue

    leaf = chain.leaves[0]
    twin = issue(
        cn="twin.example.test",
        not_before=leaf.cert.not_valid_before_utc,
        days=30,
        issuer=chain.root,
        serial=leaf.cert.serial_number,
    )
    write(
        tmp_path / "describe.json",
        json.dumps([{**_describe(chain, v2=True)}]).replace("Test Issuing CA 1", "Test Org"),
    )
    write(tmp_path / "bodies.pem", (leaf.pem + twin.pem).decode())
    inv = cmmm.load([tmp_path], now=now)
    assert len(inv) == 3  # two bodies and the unmatched describe row
