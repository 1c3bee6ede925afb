"""A small organization built at test time: real certificates (a chain, a root without a common name),
a spreadsheet with owners, endpoints and hybrid key-exchange groups, a service catalog, profile and policy,
a private key and a file that cannot be read — every part an Inventory carries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

import cmmm
from cmmm.lab.pki import issue, key_pem
from cmmm.model import Inventory
from tests.conftest import NOW, Chain, write

SPREADSHEET = """common_name,sans,issuer,serial,not_before,not_after,key_algorithm,key_size,endpoints,service,owner,team,environment,automation,discovered_by,tags
shop.example.test,shop.example.test,"CN=Test Issuing CA 1,O=Test Org",0a1b,2026-10-01T00:00:00Z,2027-01-10T00:00:00Z,EC,256,shop.example.test:443,shop,ann@example.test,web,prod,acme,network-scan,pci
legacy.example.test,legacy.example.test,"CN=Old CA,O=Old Org",77,2025-01-01T00:00:00Z,2026-12-10T00:00:00Z,RSA,2048,legacy.example.test:8443,legacy,,,prod,by-hand,manual,
=cmd|' /C calc'!A0,,Old CA,78,2025-01-01T00:00:00Z,2027-12-10T00:00:00Z,RSA,2048,,,,,,,,
"""
SERVICES = """service,owner,team,criticality,depends_on,customer_facing,secrecy_years,pqc_capable
shop,ann@example.test,web,critical,payments,true,10,false
legacy,,ops,low,,false,,false
"""
PROFILE = """organization: Test Org
teams:
  - name: web
    engineers: 2
    hours_per_day: 6
approved_cas:
  - name: Let's Encrypt
    type: acme
change_freeze:
  - start: 2026-12-20
    end: 2027-01-05
attested:
  documented_policy: {answer: true, date: 2026-01-15, evidence: POL-1}
"""
POLICY = """name: test policy
allowed_key_algorithms:
  RSA: {min_size: 2048}
forbidden_signature_hashes: [sha1]
max_validity_days: {public: cabf, private: 825}
"""


def build_bundle(folder: Path, chain: Chain) -> Path:
    """Write the organization's files into `folder` and return it."""
    write(folder / "pki" / "root.pem", chain.root.pem)
    write(folder / "pki" / "issuing.pem", chain.inter.pem)
    write(folder / "pki" / "leaves.pem", b"".join(leaf.pem for leaf in chain.leaves))
    # a root whose subject has no common name (8 of Debian's 144 roots are like this)
    no_cn = issue(
        cn="unused",
        subject=x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Nameless Trust")]),
        not_before=NOW - timedelta(days=900),
        days=7300,
        ca=True,
    )
    write(folder / "pki" / "nameless-root.pem", no_cn.pem)
    write(folder / "pki" / "leaf.key", key_pem(chain.leaves[0].key))
    write(folder / "inventory.csv", SPREADSHEET)
    write(folder / "services.csv", SERVICES)
    write(folder / "profile.yaml", PROFILE)
    write(folder / "policy.yaml", POLICY)
    write(folder / "notes.bin", b"\x00\x01 not an inventory")
    return folder


@pytest.fixture
def bundle(tmp_path: Path, chain: Chain) -> Path:
    return build_bundle(tmp_path / "org", chain)


@pytest.fixture
def inventory(bundle: Path) -> Inventory:
    return cmmm.load([bundle], now=NOW, workers=1)
