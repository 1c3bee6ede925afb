"""Acme, the small organization of the graph tests: a real hierarchy with a cross-signed intermediate, a
leaf under a CA that is not in the inventory, deployments and a service catalog with dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cmmm.lab.pki import Issued, issue
from tests.conftest import NOW, write


@dataclass(frozen=True)
class Org:
    root: Issued
    root2: Issued
    inter_a: Issued
    inter_b: Issued
    inter_b_cross: Issued
    leaves_a: list[Issued]
    leaves_b: list[Issued]
    stray: Issued  # signed by a CA that is not in the inventory
    path: Path


SERVICES = """service,owner,team,criticality,depends_on
web,alice,payments,high,
api,bob,platform,critical,
checkout,carol,payments,critical,api;web
reports,dave,analytics,low,checkout
batch,erin,analytics,medium,
"""


def build_acme(tmp: Path) -> Org:
    """Root → Issuing A (web, api) and Issuing B (batch), B cross-signed by a second root; one leaf from
    an outside CA; services.csv where checkout needs api and web, and reports needs checkout."""
    t0 = NOW - timedelta(days=300)
    root = issue(cn="Acme Root R1", org="Acme", not_before=t0, days=3650, ca=True)
    root2 = issue(cn="Bridge Root", org="Bridge", not_before=t0, days=3650, ca=True)
    inter_a = issue(cn="Acme Issuing A", org="Acme", not_before=t0, days=1000, ca=True, issuer=root)
    inter_b = issue(cn="Acme Issuing B", org="Acme", not_before=t0, days=200, ca=True, issuer=root)
    inter_b_cross = issue(
        cn="Acme Issuing B", org="Acme", not_before=t0, days=900, ca=True, issuer=root2, key=inter_b.key
    )
    lt = NOW - timedelta(days=20)
    leaves_a = [issue(cn=f"a{i}.acme.test", not_before=lt, days=90, issuer=inter_a) for i in range(4)]
    leaves_b = [issue(cn=f"b{i}.acme.test", not_before=lt, days=398, issuer=inter_b) for i in range(2)]
    outside = issue(cn="Outside CA", not_before=t0, days=1000, ca=True)
    stray = issue(cn="stray.acme.test", not_before=lt, days=90, issuer=outside)
    pem = b"".join(c.pem for c in (root, root2, inter_a, inter_b, inter_b_cross, *leaves_a, *leaves_b, stray))
    write(tmp / "certs.pem", pem)
    rows = ["fingerprint_sha256,common_name,not_after,endpoints,service,owner"]
    svc_of = {0: "web", 1: "web", 2: "api", 3: ""}
    for i, leaf in enumerate(leaves_a):
        fp = leaf.cert_id.removeprefix("sha256:")
        rows.append(f"{fp},a{i}.acme.test,2027-01-01,a{i}.acme.test:443,{svc_of[i]},")
    for i, leaf in enumerate(leaves_b):
        rows.append(f"{leaf.cert_id.removeprefix('sha256:')},b{i}.acme.test,2027-01-01,b{i}:8443,batch,")
    write(tmp / "deployments.csv", "\n".join(rows) + "\n")
    write(tmp / "services.csv", SERVICES)
    return Org(root, root2, inter_a, inter_b, inter_b_cross, leaves_a, leaves_b, stray, tmp)
