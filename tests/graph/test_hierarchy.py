"""The CA hierarchy: key-based linking, cross-signing, unknown issuers by name, transitive selection."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import cmmm
from cmmm.graph.hierarchy import certificates_under, hierarchy, resolve_ca
from cmmm.lab.pki import issue
from tests.conftest import NOW, write


def test_cross_signed_intermediate_is_one_node_with_two_parents(tmp_path: Path) -> None:
    t0 = NOW - timedelta(days=100)
    root_a = issue(cn="Root A", not_before=t0, days=3000, ca=True)
    root_b = issue(cn="Root B", not_before=t0, days=3000, ca=True)
    inter = issue(cn="Inter X", not_before=t0, days=1000, ca=True, issuer=root_a)
    inter_cross = issue(cn="Inter X", not_before=t0, days=1000, ca=True, issuer=root_b, key=inter.key)
    leaves = [issue(cn=f"l{i}.test", not_before=t0, days=90, issuer=inter) for i in range(4)]
    other = issue(cn="other.test", not_before=t0, days=90, issuer=root_b)
    blob = b"".join(c.pem for c in (root_a, root_b, inter, inter_cross, other, *leaves))
    write(tmp_path / "all.pem", blob)
    write(tmp_path / "rows.csv", "common_name,not_after,issuer\nrow.test,2027-01-01,Vendor CA Z\n")
    inv = cmmm.load([tmp_path], now=NOW)
    h = hierarchy(inv)
    node = resolve_ca(inv, "Inter X")
    assert len(node) == 1 and node.iloc[0]["kind"] == "intermediate"
    inter_id = node.iloc[0]["ca_id"]
    assert set(h.parents.loc[h.parents["child"] == inter_id, "parent"]) == set(
        resolve_ca(inv, "Root A")["ca_id"]
    ) | set(resolve_ca(inv, "Root B")["ca_id"])
    certs = inv.certificates
    under_a = set(certs.loc[certificates_under(inv, resolve_ca(inv, "Root A")["ca_id"]), "common_name"])
    assert under_a == {"Inter X", *(f"l{i}.test" for i in range(4))}
    under_b = set(certs.loc[certificates_under(inv, resolve_ca(inv, "Root B")["ca_id"]), "common_name"])
    assert under_b == under_a | {"other.test"}
    unknown = resolve_ca(inv, "vendor ca z")
    assert unknown.iloc[0]["kind"] == "unknown" and unknown.iloc[0]["certificates"] == 1
    by_fp = resolve_ca(inv, root_a.cert_id.removeprefix("sha256:"))
    assert list(by_fp["name"]) == ["Root A"]
