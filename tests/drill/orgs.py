"""Small organizations for the drill tests: a real CA hierarchy (cmmm.lab.pki) plus an inventory sheet; an
inventory from a few spreadsheet rows; scenario files."""

from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

import cmmm
from cmmm.lab.pki import issue, make_key
from cmmm.model import Inventory
from tests.conftest import NOW, write


def build_org(
    root: Path,
    *,
    leaves: int,
    automated_share: float,
    unknown_owner_share: float,
    teams: list[dict[str, Any]],
    backup_pre_approved: bool | None,
    onboarding_days: int = 14,
    rate_limit: int | None = None,
    critical_share: float = 0.1,
    seed: int = 1,
    extra_profile: dict[str, Any] | None = None,
) -> Path:
    """Write a bundle: certs.pem (root, two issuing CAs, leaves), inventory.csv, profile.yaml."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    t0 = NOW - timedelta(days=800)
    ca_root = issue(cn="Org Root CA", org="Org", not_before=t0, days=7300, ca=True)
    ca1 = issue(cn="Org Issuing CA 1", org="Org", not_before=t0, days=3650, ca=True, issuer=ca_root)
    ca2 = issue(cn="Org Issuing CA 2", org="Org", not_before=t0, days=3650, ca=True, issuer=ca_root)
    key = make_key("EC-256")
    pems = [ca_root.pem, ca1.pem, ca2.pem]
    rows = []
    for i in range(leaves):
        issuer = ca1 if i % 10 < 7 else ca2
        leaf = issue(
            cn=f"host{i}.org.test",
            not_before=NOW - timedelta(days=rng.randint(1, 60)),
            days=90,
            issuer=issuer,
            key=key,
        )
        pems.append(leaf.pem)
        team = teams[i % len(teams)]["name"]
        known = rng.random() >= unknown_owner_share
        rows.append(
            {
                "common_name": f"host{i}.org.test",
                "not_after": (NOW + timedelta(days=30)).date().isoformat(),
                "fingerprint_sha256": leaf.cert_id.removeprefix("sha256:"),
                "service": f"svc{i % 7}" if known else "",
                "owner": f"{team}-lead@org.test" if known else "",
                "team": team if known else "",
                "automation": "cert-manager" if rng.random() < automated_share else "manual",
                "criticality": "critical" if rng.random() < critical_share else "medium",
                "environment": "prod",
            }
        )
    (root / "certs.pem").write_bytes(b"".join(pems))
    with (root / "inventory.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    profile: dict[str, Any] = {
        "organization": root.name,
        "teams": teams,
        "approved_cas": [
            {"name": "Org Issuing CA 1", "type": "private"},
            {"name": "Org Issuing CA 2", "type": "private"},
        ],
        "ca_onboarding_days": onboarding_days,
    }
    if backup_pre_approved is not None:
        profile["backup_cas"] = [
            {"name": "Backup Issuing CA", "type": "private", "pre_approved": backup_pre_approved}
        ]
    if rate_limit:
        profile["acme_rate_limit_per_hour"] = rate_limit
    profile.update(extra_profile or {})
    (root / "profile.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return root


def chaos_org(root: Path) -> Path:
    """Like level1-chaos: one team "it" with 1 engineer × 2 h/day, everything manual, half the owners
    unknown, one approved CA (its sibling is not approved), no backup CA and 30 days to onboard one."""
    return build_org(
        root,
        leaves=40,
        automated_share=0.0,
        unknown_owner_share=0.5,
        teams=[{"name": "it", "engineers": 1, "hours_per_day": 2}],
        backup_pre_approved=None,
        onboarding_days=30,
        extra_profile={"approved_cas": [{"name": "Org Issuing CA 1", "type": "private"}]},
    )


def agile_org(root: Path, leaves: int = 300) -> Path:
    """Like level4-agile: ≥ 95 % automated, known owners, 4 teams of 3 engineers at 6 h/day who work 16-hour
    incident days, a pre-approved backup CA, an issuance rate limit."""
    return build_org(
        root,
        leaves=leaves,
        automated_share=0.96,
        unknown_owner_share=0.0,
        teams=[
            {"name": n, "engineers": 3, "hours_per_day": 6, "incident_hours_per_day": 16}
            for n in ("platform", "web", "data", "edge")
        ],
        backup_pre_approved=True,
        rate_limit=300,
    )


def sheet(tmp: Path, rows: list[dict[str, Any]], profile: dict[str, Any] | None = None) -> Inventory:
    """An inventory from a spreadsheet (plus an optional profile.yaml)."""
    tmp.mkdir(parents=True, exist_ok=True)
    cols = sorted({k for r in rows for k in r})
    with (tmp / "inventory.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    if profile is not None:
        (tmp / "profile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return cmmm.load([tmp], now=NOW)


def day(offset: float) -> str:
    return (NOW + timedelta(days=offset)).isoformat()


def scenario_file(tmp: Path, doc: dict[str, Any], name: str = "custom") -> Path:
    return write(tmp / f"{name}.yaml", yaml.safe_dump(doc, sort_keys=False))
