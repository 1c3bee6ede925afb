"""HashiCorp Vault PKI responses and certbot (listing output and renewal confs)."""

from __future__ import annotations

import json
from pathlib import Path

import cmmm
from cmmm.ingest import Format, detect
from cmmm.ingest.certbot import parse_conf
from tests.conftest import Chain, write


def test_vault_cli_read_cert_is_vault_automated_with_revocation(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[2]
    doc = {
        "request_id": "4c2d",
        "lease_id": "",
        "renewable": False,
        "data": {
            "certificate": leaf.pem.decode(),
            "ca_chain": [chain.inter.pem.decode()],
            "revocation_time": 1767225600,
            "revocation_time_rfc3339": "2026-01-01T00:00:00Z",
            "issuer_id": "e27bf456-51e1-d937-0001-4a609184fd9b",
        },
        "warnings": None,
    }
    f = write(tmp_path / "cert.json", json.dumps(doc))
    assert detect(f, f.read_bytes()) == Format.VAULT_PKI
    inv = cmmm.load([f], now=now)
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf.cert_id, "automation"] == "vault"
    assert facts.loc[leaf.cert_id, "discovered_by"] == "ca-api"
    assert chain.inter.cert_id in facts.index
    obs = inv.observations.set_index("cert_id").loc[leaf.cert_id]
    assert "revoked_at=2026-01-01T00:00:00Z" in obs["tags"]


def test_vault_listings_are_noted_and_truncated_pem_rejected(tmp_path: Path, now) -> None:
    write(tmp_path / "list.json", json.dumps({"data": {"keys": ["17:67:16:b0:b9:45:58:c0:3a:29"]}}))
    write(tmp_path / "cli-list.json", json.dumps(["17:67:16:b0:b9:45:58:c0", "26:0f:76:93:73:cb:3f:a0"]))
    write(
        tmp_path / "cut.json",
        json.dumps(
            {"data": {"certificate": "-----BEGIN CERTIFICATE-----\nMIIGmDCC...", "revocation_time": 0}}
        ),
    )
    inv = cmmm.load([tmp_path], now=now)
    assert len(inv) == 0
    assert sum("Vault PKI listing" in n for n in inv.notes) == 2
    assert [r.reason for r in inv.rejected] == ["certificate PEM is truncated (BEGIN without END)"]


CERTBOT_OUTPUT = """Saving debug log to /var/log/letsencrypt/letsencrypt.log

- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
Found the following certs:
  Certificate Name: shop.example.test
    Serial Number: {serial}
    Key Type: ECDSA
    Identifiers: shop.example.test www.shop.example.test
    Expiry Date: 2027-01-20 10:00:00+00:00 (VALID: 53 days)
    Certificate Path: /etc/letsencrypt/live/shop.example.test/fullchain.pem
    Private Key Path: /etc/letsencrypt/live/shop.example.test/privkey.pem
  Certificate Name: staging.example.test
    Serial Number: 0a1b
    Key Type: RSA
    Domains: staging.example.test
    Expiry Date: 2026-12-01 10:00:00+00:00 (INVALID: TEST_CERT)
    Certificate Path: /etc/letsencrypt/live/staging.example.test/fullchain.pem
    Private Key Path: /etc/letsencrypt/live/staging.example.test/privkey.pem
  Certificate Name: broken
    Serial Number: 01
    Key Type: RSA
- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
"""


def test_certbot_certificates_output(tmp_path: Path, now) -> None:
    f = write(tmp_path / "certs.txt", CERTBOT_OUTPUT.format(serial="0123456789"))
    assert detect(f, f.read_bytes()) == Format.CERTBOT
    inv = cmmm.load([f], now=now)
    c = inv.certificates.set_index("common_name")
    assert c.loc["shop.example.test", "serial"] == "123456789"  # hex even without letters
    assert c.loc["shop.example.test", "sans"] == "shop.example.test;www.shop.example.test"
    assert c.loc["shop.example.test", "key_algorithm"] == "EC"
    assert c.loc["staging.example.test", "trust"] == "private"
    assert set(inv.observations["automation"]) == {"acme"}
    assert inv.observations.iloc[0]["location"] == "/etc/letsencrypt/live/shop.example.test/fullchain.pem"
    assert len(inv.rejected) == 1 and "'broken' lacks Domains" in inv.rejected[0].reason


RENEWAL = """# renew_before_expiry = 30 days
version = 2.11.0
archive_dir = /etc/letsencrypt/archive/shop.example.test
cert = /etc/letsencrypt/live/shop.example.test/cert.pem
privkey = /etc/letsencrypt/live/shop.example.test/privkey.pem
chain = /etc/letsencrypt/live/shop.example.test/chain.pem
fullchain = /etc/letsencrypt/live/shop.example.test/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 48d6b9e8d767eccf7e4d877d6ffa81e3
authenticator = webroot
server = https://acme-v02.api.letsencrypt.org/directory
key_type = ecdsa
func = <function obtain_cert at 0x7f093a163c08>
domains = shop.example.test,
[[webroot_map]]
shop.example.test = /var/www/html
"""


def test_renewal_conf_parser_handles_configobj_syntax() -> None:
    conf = parse_conf(RENEWAL)
    assert conf["cert"] == "/etc/letsencrypt/live/shop.example.test/cert.pem"
    assert conf["renewalparams"]["func"] == "<function obtain_cert at 0x7f093a163c08>"
    assert conf["renewalparams"]["webroot_map"] == {"shop.example.test": "/var/www/html"}


def test_renewal_conf_reads_lineage_certificate_below_its_root(tmp_path: Path, chain: Chain, now) -> None:
    root = tmp_path / "letsencrypt"
    leaf = chain.leaves[0]
    write(root / "live" / "shop.example.test" / "cert.pem", leaf.pem)
    conf = write(root / "renewal" / "shop.example.test.conf", RENEWAL)
    assert detect(conf, conf.read_bytes()) == Format.CERTBOT
    inv = cmmm.load([root], now=now)
    facts = inv.certificate_facts().set_index("cert_id")
    # the PEM file itself and the lineage: one certificate, ACME-automated
    assert facts.loc[leaf.cert_id, "automation"] == "acme"
    assert facts.loc[leaf.cert_id, "observations"] == 2
    other = write(tmp_path / "elsewhere" / "renewal" / "x.conf", RENEWAL)
    inv2 = cmmm.load([other], now=now)
    assert len(inv2) == 0 and "not found below" in inv2.notes[0]
