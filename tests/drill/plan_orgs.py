"""Bundles for the plan and priority tests: real certificates (cmmm.lab.pki), an inventory sheet that says
where each is deployed and how it is renewed, a service catalog with depends_on, and a profile."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

import cmmm
from cmmm.lab.pki import Issued, issue, make_key
from cmmm.model import Inventory
from tests.conftest import NOW


@dataclass
class Hierarchy:
    """Two roots: Org Root CA with Org Issuing CA 1 and 2, and Other Root CA with Other Issuing CA."""

    cas: dict[str, Issued] = field(default_factory=dict)

    @classmethod
    def build(cls) -> Hierarchy:
        t0 = NOW - timedelta(days=800)
        org_root = issue(cn="Org Root CA", org="Org", not_before=t0, days=7300, ca=True)
        other_root = issue(cn="Other Root CA", org="Other", not_before=t0, days=7300, ca=True)
        return cls(
            cas={
                "Org Root CA": org_root,
                "Org Issuing CA 1": issue(
                    cn="Org Issuing CA 1", org="Org", not_before=t0, days=3650, ca=True, issuer=org_root
                ),
                "Org Issuing CA 2": issue(
                    cn="Org Issuing CA 2", org="Org", not_before=t0, days=3650, ca=True, issuer=org_root
                ),
                "Other Root CA": other_root,
                "Other Issuing CA": issue(
                    cn="Other Issuing CA", org="Other", not_before=t0, days=3650, ca=True, issuer=other_root
                ),
            }
        )


def write_bundle(
    root: Path,
    rows: list[dict[str, Any]],
    *,
    profile: dict[str, Any],
    services: list[dict[str, Any]] | None = None,
    issuer: str = "Org Issuing CA 1",
    pki: Hierarchy | None = None,
) -> Inventory:
    """One leaf per row, issued by `issuer` (or the row's `issuer_ca`); the row's other keys become columns
    of inventory.csv (common_name, service, environment, criticality, automation, team, owner, endpoints,
    tags …), linked to the leaf by its fingerprint."""
    pki = pki or Hierarchy.build()
    root.mkdir(parents=True, exist_ok=True)
    key = make_key("EC-256")
    pems = [ca.pem for ca in pki.cas.values()]
    sheet = []
    for row in rows:
        ca = pki.cas[row.pop("issuer_ca", issuer)]
        leaf = issue(cn=row["common_name"], not_before=NOW - timedelta(days=10), days=90, issuer=ca, key=key)
        pems.append(leaf.pem)
        sheet.append(
            {
                **row,
                "not_after": (NOW + timedelta(days=80)).date().isoformat(),
                "fingerprint_sha256": leaf.cert_id.removeprefix("sha256:"),
            }
        )
    (root / "certs.pem").write_bytes(b"".join(pems))
    _csv(root / "inventory.csv", sheet)
    if services:
        _csv(root / "services.csv", services)
    (root / "profile.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return cmmm.load([root], now=NOW)


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def cert(name: str, **kw: Any) -> dict[str, Any]:
    """An inventory row: production, manual, team ops, with one endpoint named after it."""
    return {
        "common_name": name,
        "environment": "prod",
        "automation": "manual",
        "team": "ops",
        "owner": "ops@org.test",
        "endpoints": f"{name}:443",
        **kw,
    }


def profile(teams: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {
        "organization": "Org",
        "teams": teams,
        "approved_cas": [{"name": "Org Issuing CA 2", "type": "private"}],
        "ca_onboarding_days": 14,
        **kw,
    }


# portal → appointments → ehr-api → identity, and telehealth → identity: identity is "low" on its own
CHAIN_SERVICES = [
    {"service": "portal", "criticality": "critical", "depends_on": "appointments", "team": "web"},
    {"service": "appointments", "criticality": "high", "depends_on": "ehr-api", "team": "web"},
    {"service": "ehr-api", "criticality": "medium", "depends_on": "identity", "team": "web"},
    {"service": "identity", "criticality": "low", "depends_on": "", "team": "iam"},
    {"service": "telehealth", "criticality": "critical", "depends_on": "identity", "team": "web"},
]


def chain_org(root: Path, *, depends: bool = True) -> Inventory:
    """The clinic: every service but identity is automated in a big team; identity's 20 certificates are
    manual, in a team of one engineer working one hour a day, so they are days late in a 24-hour drill.
    Without `depends`, the catalog has no depends_on."""
    services = [dict(s, depends_on=s["depends_on"] if depends else "") for s in CHAIN_SERVICES]
    rows = [
        cert(f"{s['service']}.clinic.test", service=s["service"], team="web", automation="acme")
        for s in services
        if s["service"] != "identity"
    ]
    rows += [cert(f"identity{i:02}.clinic.test", service="identity", team="iam") for i in range(20)]
    teams = [
        {"name": "web", "engineers": 10, "hours_per_day": 8},
        {"name": "iam", "engineers": 1, "hours_per_day": 1},
    ]
    return write_bundle(root, rows, profile=profile(teams), services=services)
