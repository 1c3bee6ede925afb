"""The dependency graph: real chains with a cross-signed intermediate, name-only hierarchies from CSV,
unknown issuers, service dependency propagation, blast radius, concentration and export round-trips."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from cmmm.errors import InputError
from cmmm.graph import (
    AmbiguousCaError,
    blast_radius,
    build_graph,
    chain_depth,
    concentration,
    issuer_expires_first,
    orphans,
    single_points_of_failure,
    summarize_graph,
)
from cmmm.graph.hierarchy import certificates_under, resolve_ca, verify_links
from cmmm.lab.pki import Issued, issue
from cmmm.model import Inventory
from cmmm.report.documents import blast_document, summary_document
from cmmm.report.picture import draw_graph
from cmmm.report.picture import write_graph as export_graph
from tests.conftest import NOW, write

REPO = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Org:
    """Root → Issuing A (web, api) and Issuing B (batch), B cross-signed by a second root; one leaf from
    an outside CA; services.csv where checkout needs api and web, and reports needs checkout."""
    tmp = tmp_path_factory.mktemp("org")
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


@pytest.fixture(scope="module")
def inv(org: Org) -> Inventory:
    return cmmm.load([org.path], now=NOW)


def names(frame: pd.DataFrame, col: str = "common_name") -> set[str]:
    return set(frame[col])


def test_blast_radius_of_an_intermediate_follows_depends_on(inv: Inventory) -> None:
    b = blast_radius(inv, "Acme Issuing A")
    assert names(b.certificates) == {f"a{i}.acme.test" for i in range(4)}
    assert b.direct_services == ["api", "web"]
    # checkout needs api and web; reports needs checkout: both go down, transitively
    assert b.dependent_services == ["checkout", "reports"]
    row = b.services.set_index("service")
    assert row.at["checkout", "via"] == "api;web" and row.at["reports", "via"] == "api;web"
    assert set(b.endpoints["location"]) == {f"a{i}.acme.test:443" for i in range(4)}
    # high 4 + critical 8 + critical 8 + low 1, plus the service-less a3 at unknown criticality (1)
    assert b.score == 4 + 8 + 8 + 1 + 1
    assert set(b.owners["team"]) >= {"payments", "platform", "analytics"}
    doc = blast_document(b)
    assert {"cas", "score", "certificates", "endpoints", "services", "owners"} <= doc.keys()
    json.dumps(doc)


def test_cross_signed_intermediate_is_under_both_roots(inv: Inventory, org: Org) -> None:
    b = blast_radius(inv, "Bridge Root")
    assert names(b.certificates) == {"Acme Issuing B", "b0.acme.test", "b1.acme.test"}
    assert len(b.certificates) == 4  # both certificates of the cross-signed intermediate
    assert b.direct_services == ["batch"] and b.dependent_services == []
    r1 = blast_radius(inv, org.root.cert_id.removeprefix("sha256:"))  # by fingerprint
    assert names(r1.certificates) == {
        "Acme Issuing A",
        "Acme Issuing B",
        *(f"a{i}.acme.test" for i in range(4)),
        "b0.acme.test",
        "b1.acme.test",
    }
    inter_b = resolve_ca(inv, "Acme Issuing B")
    assert len(inter_b) == 1
    g = build_graph(inv, aggregate=False)
    parents = {g.nodes[v]["name"] for _, v, d in g.out_edges(inter_b.iloc[0]["ca_id"], data=True)}
    assert parents == {"Acme Root R1", "Bridge Root"}


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


def test_concentration_matches_blast_radius(inv: Inventory) -> None:
    conc = concentration(inv).set_index("name")
    for ca in ("Acme Root R1", "Bridge Root", "Acme Issuing A", "Acme Issuing B", "Outside CA"):
        ca_id = conc.at[ca, "ca_id"]
        assert conc.at[ca, "certificates"] == int(certificates_under(inv, [ca_id]).sum())
        b = blast_radius(inv, [ca_id])
        assert conc.at[ca, "score"] == b.score
        assert conc.at[ca, "services"] == len(b.services)
    assert conc.at["Acme Root R1", "leaves"] == 6
    assert conc.at["Acme Root R1", "leaf_share"] == pytest.approx(6 / 7)
    # high/critical services: web, api, checkout — all beneath Issuing A
    assert conc.at["Acme Issuing A", "critical_services"] == 3
    assert conc.at["Acme Issuing A", "critical_share"] == pytest.approx(1.0)
    assert concentration(inv).iloc[0]["name"] == "Acme Root R1"  # riskiest first
    spof = single_points_of_failure(inv).set_index("name")
    assert spof.at["Acme Issuing A", "sole_ca_for"] == "api;web"
    assert "Acme Root R1" in spof.index and "Bridge Root" not in spof.index


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


def test_ambiguous_and_missing_ca_queries(inv: Inventory) -> None:
    with pytest.raises(AmbiguousCaError) as exc:
        blast_radius(inv, "Acme Issuing")
    assert len(exc.value.candidates) == 2 and "Acme Issuing A" in str(exc.value)
    with pytest.raises(InputError, match="no CA matches"):
        blast_radius(inv, "Nobody CA")


def test_graph_types_and_aggregation(inv: Inventory) -> None:
    g = build_graph(inv, aggregate=False)
    types = {d["type"] for _, d in g.nodes(data=True)}
    assert types == {"root", "intermediate", "unknown", "leaf", "endpoint", "service", "team"}
    edges = {d["type"] for _, _, d in g.edges(data=True)}
    assert edges == {"issued_by", "deployed_at", "serves", "depends_on", "owned_by"}
    assert g.has_edge("svc:checkout", "svc:api")
    leaf = (
        "cert:" + inv.certificates.loc[inv.certificates["common_name"] == "a0.acme.test", "cert_id"].iloc[0]
    )
    assert g.has_edge(leaf, "ep:a0.acme.test:443") and g.has_edge("ep:a0.acme.test:443", "svc:web")
    agg = build_graph(inv, aggregate=True)
    groups = {n: d for n, d in agg.nodes(data=True) if d["type"] == "group"}
    assert sum(d["certificates"] for d in groups.values()) == 7
    assert not any(d["type"] == "leaf" for _, d in agg.nodes(data=True))


def test_exports_round_trip(inv: Inventory, tmp_path: Path) -> None:
    export_graph(inv, tmp_path / "g.graphml", aggregate=False)
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() == build_graph(inv, aggregate=False).number_of_nodes()
    assert g.nodes["svc:checkout"]["criticality"] == "critical"
    assert any(d.get("verified") is True for _, _, d in g.edges(data=True))
    export_graph(inv, tmp_path / "g.json", aggregate=False)
    data = json.loads((tmp_path / "g.json").read_text())
    back = nx.node_link_graph(data, edges="edges")
    assert set(back.nodes) == set(g.nodes)
    export_graph(inv, tmp_path / "g.svg")
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert root.tag.endswith("svg")
    export_graph(inv, tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_picture_draws_hostile_names_literally(tmp_path: Path) -> None:
    write(
        tmp_path / "i.csv",
        "common_name,not_after,issuer,service\nx.test,2027-01-01,$\\frac{1}{0}$ <script>CA,$pay\n",
    )
    inv = cmmm.load([tmp_path], now=NOW)
    export_graph(inv, tmp_path / "p.svg")
    svg = (tmp_path / "p.svg").read_text()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert r"$\frac{1}{0}$" in svg  # drawn literally, not as mathtext
    ET.fromstring(svg)


def test_picture_folds_small_groups(inv: Inventory, tmp_path: Path) -> None:
    draw_graph(inv, tmp_path / "p.svg", max_groups=2)
    svg = (tmp_path / "p.svg").read_text()
    assert "(other)" in svg and "Acme Root R1" in svg


def test_summary_document(inv: Inventory) -> None:
    s = summarize_graph(inv, top=3)
    assert s.cas == {"root": 2, "intermediate": 2, "unknown": 1}
    assert s.orphans == 1 and len(s.riskiest) == 3
    doc = summary_document(s)
    json.dumps(doc)
    assert doc["signatures"]["failed"] == 0


runner = CliRunner()


def test_cli_graph(org: Org, tmp_path: Path) -> None:
    res = runner.invoke(app, ["graph", str(org.path), "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    assert "Acme Root R1" in res.output and "orphan" in res.output
    res = runner.invoke(app, ["graph", str(org.path), "--blast-radius", "Acme Issuing A", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert {s["service"] for s in doc["services"]} == {"web", "api", "checkout", "reports"}
    res = runner.invoke(app, ["graph", str(org.path), "--blast-radius", "Acme Issuing A"])
    assert res.exit_code == 0 and "checkout" in res.output and "a0.acme.test:443" in res.output
    res = runner.invoke(app, ["graph", str(org.path), "--blast-radius", "Acme Issuing"])
    assert res.exit_code == 2 and "matches 2 CAs" in res.output and "ca:ski:" in res.output
    out = tmp_path / "g.graphml"
    res = runner.invoke(app, ["graph", str(org.path), "--export", str(out)])
    assert res.exit_code == 0 and nx.read_graphml(out).number_of_nodes() > 0


# --- ground truth of the generated sample organizations ----------------------------------------------


def _truth_files() -> list[Path]:
    truth = REPO / "sample_inventories" / "_truth"
    return sorted(truth.glob("*.json")) if truth.is_dir() else []


def _pairs(items: list[object]) -> set[tuple[str, str]]:
    """(common_name, serial) from [[cn, serial], …] or [{"common_name": …, "serial": …}, …]; serials as
    lower-case hex without separators or leading zeros (cmmm's serial column)."""
    out = set()
    for item in items:
        cn, serial = (item["common_name"], item["serial"]) if isinstance(item, dict) else item  # type: ignore[misc]
        hexed = "".join(ch for ch in str(serial).lower() if ch in "0123456789abcdef").lstrip("0")
        out.add((str(cn), hexed))
    return out


@pytest.mark.skipif(not _truth_files(), reason="sample_inventories/_truth/*.json not generated in this tree")
@pytest.mark.parametrize("truth_file", _truth_files(), ids=lambda p: p.stem)
def test_blast_radius_matches_generator_truth(truth_file: Path) -> None:
    """`cmmm graph <org> --blast-radius <CA>` lists exactly the certificates the generator issued beneath
    that CA and the services using or depending on them."""
    truth = json.loads(truth_file.read_text())
    bundle = REPO / "sample_inventories" / truth_file.stem
    cas = truth.get("cas") or truth.get("issuing_cas") or truth
    checked = 0
    for ca_name, expected in cas.items():
        if not isinstance(expected, dict) or "certificates" not in expected:
            continue
        res = runner.invoke(app, ["graph", str(bundle), "--blast-radius", ca_name, "--format", "json"])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.output)
        want = _pairs(expected["certificates"])
        every = _pairs(doc["certificates"])
        leaves = _pairs([c for c in doc["certificates"] if not c["is_ca"]])
        assert want in (every, leaves), ca_name
        services = set().union(
            *(set(v) for k, v in expected.items() if "service" in k and isinstance(v, list))
        )
        if services:
            assert {s["service"] for s in doc["services"]} == services, ca_name
        checked += 1
    assert checked, f"no CA entries recognized in {truth_file}"


@pytest.mark.browser
def test_svg_renders_in_a_browser(inv: Inventory, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no headless Chromium (make browser-deps)")
    export_graph(inv, tmp_path / "g.svg")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1200,400",
            (tmp_path / "g.svg").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def test_certificates_naming_no_issuer_are_not_a_single_point_of_failure(tmp_path: Path) -> None:
    write(tmp_path / "i.csv", "common_name,not_after\nx.test,2027-01-01\ny.test,2027-02-01\n")
    inv = cmmm.load([tmp_path], now=NOW)
    assert concentration(inv).iloc[0]["name"] == "(unnamed issuer)"
    assert single_points_of_failure(inv).empty and len(orphans(inv)) == 2
