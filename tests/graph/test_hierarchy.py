"""The CA hierarchy: key-based linking confirmed by signatures, cross-signing, name-only hierarchies from
spreadsheets, unknown issuers by name, chain depth, issuers that expire before their certificates."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import cmmm
from cmmm.graph import blast_radius, build_graph, chain_depth, issuer_expires_first, orphans, summarize_graph
from cmmm.graph.hierarchy import certificates_under, hierarchy, resolve_ca, verify_links
from cmmm.lab.pki import Issued, issue
from cmmm.model import Inventory
from tests.conftest import NOW, write


def names(frame: pd.DataFrame, col: str = "common_name") -> set[str]:
    return set(frame[col])


def _leaf_without_aki(cn: str, signer: Issued) -> Issued:
    """A leaf naming `signer`'s subject as issuer but carrying no AKI (older certificates often lack it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(signer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=5))
        .not_valid_after(NOW + timedelta(days=60))
        .sign(signer.key, hashes.SHA256())
    )
    return Issued(cert=cert, key=key)


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


def test_signatures_confirm_issued_by_links(inv: Inventory) -> None:
    checked = verify_links(inv)
    by_name = dict(zip(inv.certificates["common_name"], checked.tolist(), strict=True))
    assert by_name["a0.acme.test"] is True and by_name["Acme Issuing A"] is True
    assert pd.isna(by_name["Acme Root R1"])  # self-signed: no issued-by link
    assert pd.isna(by_name["stray.acme.test"])  # issuer unknown: nothing to verify against
    g = build_graph(inv, aggregate=False)
    issued = [d.get("verified") for _, _, d in g.edges(data=True) if d["type"] == "issued_by"]
    assert issued.count(False) == 0 and issued.count(True) >= 8
    assert issued.count(None) == 1  # the stray leaf under an unknown CA


def test_aki_of_another_key_means_an_unknown_issuer(tmp_path: Path) -> None:
    t0 = NOW - timedelta(days=10)
    real = issue(cn="Same Name CA", not_before=t0, days=900, ca=True)
    impostor = issue(cn="Same Name CA", not_before=t0, days=900, ca=True)
    leaf = issue(cn="x.test", not_before=t0, days=90, issuer=impostor)
    write(tmp_path / "c.pem", real.pem + leaf.pem)  # only the other CA is present; the DN matches
    inv = cmmm.load([tmp_path], now=NOW)
    assert list(orphans(inv)["common_name"]) == ["x.test"]
    assert set(resolve_ca(inv, "Same Name CA")["kind"]) == {"root", "unknown"}


def test_signature_refutes_and_settles_name_links(tmp_path: Path) -> None:
    t0 = NOW - timedelta(days=10)
    old = issue(cn="Rekeyed CA", not_before=t0, days=900, ca=True)
    new = issue(cn="Rekeyed CA", not_before=t0, days=900, ca=True)
    other = issue(cn="Lone CA", not_before=t0, days=900, ca=True)
    forged = issue(cn="Lone CA", not_before=t0, days=900, ca=True)
    settled = _leaf_without_aki("settled.test", new)  # two candidates by DN: the signature picks one
    refuted = _leaf_without_aki("refuted.test", forged)  # one candidate by DN, wrong key
    write(tmp_path / "c.pem", old.pem + new.pem + other.pem + settled.pem + refuted.pem)
    write(tmp_path / "rows.csv", "common_name,not_after,issuer\nrow.test,2027-01-01,Rekeyed CA\n")
    inv = cmmm.load([tmp_path], now=NOW)
    cd = chain_depth(inv).set_index("common_name")
    new_node = resolve_ca(inv, new.cert_id)["ca_id"].iloc[0]
    assert cd.at["settled.test", "issuing_ca"] == new_node
    checked = dict(zip(inv.certificates["common_name"], verify_links(inv).tolist(), strict=True))
    assert checked["settled.test"] is True and checked["refuted.test"] is False
    assert summarize_graph(inv).unverified == 1
    # a table row naming two CAs of the same name cannot be settled: it gets an unknown CA of that name
    assert cd.at["row.test", "issuing_ca"] == "ca:name:rekeyed ca" and not cd.at["row.test", "anchored"]


def test_unknown_issuers_orphans_and_depth(inv: Inventory) -> None:
    orph = orphans(inv)
    assert list(orph["common_name"]) == ["stray.acme.test"]
    assert orph.iloc[0]["issuing_ca"] == "ca:name:outside ca"
    unknown = resolve_ca(inv, "Outside CA")
    assert unknown.iloc[0]["kind"] == "unknown"
    depth = chain_depth(inv).set_index("common_name")["depth"]
    assert depth["Acme Root R1"] == 0 and depth["Acme Issuing A"] == 1
    assert depth["a0.acme.test"] == 2 and depth["stray.acme.test"] == 1


def test_issuer_expiring_first(inv: Inventory, tmp_path: Path) -> None:
    late = issuer_expires_first(inv)
    # b* live 398 days; Issuing B's longest certificate (the cross-sign) ends ~600 days from now: fine.
    assert late.empty
    t0 = NOW - timedelta(days=10)
    root = issue(cn="Short Root", not_before=t0, days=100, ca=True)
    leaf = issue(cn="long.test", not_before=t0, days=300, issuer=root)
    inv2 = cmmm.load([write(tmp_path / "short.pem", root.pem + leaf.pem)], now=NOW)
    late = issuer_expires_first(inv2)
    assert list(late["common_name"]) == ["long.test"] and late.iloc[0]["days_beyond"] == pytest.approx(200)


def test_name_only_hierarchy_from_csv(tmp_path: Path) -> None:
    write(
        tmp_path / "inventory.csv",
        "common_name,not_after,issuer,is_ca,service\n"
        "Corp Root,2035-01-01,Corp Root,true,\n"
        "Corp Issuing 1,2030-01-01,Corp Root,true,\n"
        "Corp Issuing 1,2033-01-01,Corp Root,true,\n"  # its renewal: a table cannot tell keys apart
        "Corp Issuing 2,2030-01-01,Corp Root,true,\n"
        "app1.corp,2027-01-01,Corp Issuing 1,,shop\n"
        "app2.corp,2027-01-01,Corp Issuing 1,,shop\n"
        "app3.corp,2027-01-01,Corp Issuing 2,,crm\n"
        'vendor.corp,2027-01-01,"CN=Vendor CA,O=Vendor",,crm\n',
    )
    inv = cmmm.load([tmp_path], now=NOW)
    assert resolve_ca(inv, "Corp Root").iloc[0]["kind"] == "root"
    assert len(resolve_ca(inv, "Corp Issuing 1")) == 1  # one node for both rows
    assert resolve_ca(inv, "Corp Issuing 1").iloc[0]["not_after"].year == 2033
    b = blast_radius(inv, "Corp Issuing 1")
    assert names(b.certificates) == {"app1.corp", "app2.corp"} and b.direct_services == ["shop"]
    root = blast_radius(inv, "Corp Root")
    assert names(root.certificates) == {
        "Corp Issuing 1",
        "Corp Issuing 2",
        "app1.corp",
        "app2.corp",
        "app3.corp",
    }
    assert list(orphans(inv)["common_name"]) == ["vendor.corp"]
    assert resolve_ca(inv, "Vendor CA").iloc[0]["kind"] == "unknown"
    assert chain_depth(inv).set_index("common_name").at["app3.corp", "depth"] == 2
