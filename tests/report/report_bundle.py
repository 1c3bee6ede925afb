"""A small but varied inventory bundle for report tests: real chains (EC, RSA/SHA-1, ML-DSA), a spreadsheet
with owners, automation and endpoints, a service catalog and a profile; the report's view of an inventory."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from pathlib import Path

from cmmm import drill
from cmmm.graph import summarize_graph
from cmmm.ingest.summary import summarize
from cmmm.lab.pki import issue
from cmmm.maturity import assess
from cmmm.model import Inventory
from cmmm.report import ReportView, build_view
from tests.conftest import NOW, sample

PROFILE = """\
organization: Contoso Test Bank
migration_years: 6
quantum_threat_years: 10
"""

SERVICES = """\
service,owner,team,criticality,depends_on,customer_facing,secrecy_years,pqc_capable
payments,alice,payments,critical,,true,12,false
web,bob,edge,high,payments,true,2,false
intranet,carol,it,medium,,false,1,true
batch,,ops,low,,false,,false
"""


def write_bundle(root: Path, now: datetime, leaves: int = 16) -> Path:
    """Write the bundle under `root` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    t0 = now - timedelta(days=700)
    ca_root = issue(cn="Contoso Root CA", org="Contoso", not_before=t0, days=7300, ca=True, key_kind="EC-384")
    ca_issuing = issue(
        cn="Contoso Issuing CA 1", org="Contoso", not_before=t0, days=3650, ca=True, issuer=ca_root
    )
    le = issue(cn="R11", org="Let's Encrypt", not_before=t0, days=1800, ca=True)
    legacy = issue(cn="Legacy RSA CA", org="Contoso", not_before=t0, days=5000, ca=True, key_kind="RSA-2048")
    pq_root = issue(
        cn="Contoso PQC Pilot Root", org="Contoso", not_before=t0, days=3650, ca=True, key_kind="ML-DSA-65"
    )
    pem = [ca_root.pem, ca_issuing.pem, le.pem, legacy.pem, pq_root.pem]
    rows = [
        "Common Name,Expiration Date,Issuer,Serial Number,Owner,Service,Automation,Discovered By,Endpoints,Signature Algorithm,Valid From,Trust"
    ]
    services = ["payments", "web", "intranet", "batch"]
    methods = ["acme", "manual", "cert-manager", "", "manual"]
    for i in range(leaves):
        issuer = (ca_issuing, le, legacy)[i % 3]
        start = now - timedelta(days=30 + 23 * i)
        days = (90, 398, 200, 825, 47)[i % 5]
        leaf = issue(
            cn=f"host{i}.contoso.test",
            not_before=start,
            days=days,
            issuer=issuer,
            key_kind="RSA-1024" if issuer is legacy and i % 2 else "EC-256",
        )
        pem.append(leaf.pem)
        owner = "" if i % 4 == 3 else f"owner{i % 3}"
        rows.append(
            f"host{i}.contoso.test,{leaf.cert.not_valid_after_utc:%Y-%m-%d %H:%M:%S},{issuer.cert.subject.rfc4514_string().split('CN=')[1].split(',')[0]},"
            f"{leaf.cert.serial_number:x},{owner},{services[i % 4]},{methods[i % 5]},network-scan,host{i}.contoso.test:443,,,"
        )
    pq_leaf = issue(
        cn="pq.contoso.test",
        not_before=now - timedelta(days=10),
        days=60,
        issuer=pq_root,
        key_kind="ML-DSA-44",
    )
    pem.append(pq_leaf.pem)
    rows.append(
        "spreadsheet-only.contoso.test,2026-12-10,Contoso Issuing CA 1,abc123,dave,payments,manual,manual,,sha1WithRSAEncryption,2025-12-10,private"
    )
    for j, (days, auto) in enumerate(((397, "manual"), (180, "manual"), (90, "acme"), (398, "manual"))):
        nb = now - timedelta(days=20 * j + 5)
        na = nb + timedelta(days=days)
        rows.append(
            f"shop{j}.contoso.example,{na:%Y-%m-%d},Let's Encrypt R10,{j + 1:x}0f,erin,web,{auto},ct-log,"
            f"shop{j}.contoso.example:443,sha256WithRSAEncryption,{nb:%Y-%m-%d},public"
        )
    rows.append("broken-row.contoso.test,not a date,,,,,,,,,,")
    (root / "certs.pem").write_bytes(b"".join(pem))
    (root / "inventory.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "services.csv").write_text(SERVICES, encoding="utf-8")
    (root / "profile.yaml").write_text(PROFILE, encoding="utf-8")
    return root


def view_of(
    inv: Inventory,
    now: datetime,
    *,
    graph: bool = False,
    scenarios: tuple[str, ...] = (),
    generated_at: datetime | None = None,
) -> ReportView:
    """The report's view of `inv` at `now`: summary and assessment always (no simulated criteria), the graph
    and drills when asked."""
    return build_view(
        summary=summarize(inv, now=now),
        assessment=assess(inv, now=now),
        graph=summarize_graph(inv) if graph else None,
        drills=[drill.run(inv, drill.load_scenario(s), now=now, runs=40) for s in scenarios],
        generated_at=generated_at or now,
    )


@functools.cache
def sample_view(org: str) -> ReportView:
    """view_of a sample organization at NOW, built once per test process (a ReportView is immutable)."""
    return view_of(sample(org), NOW)
