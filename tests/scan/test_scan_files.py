"""The scan's own file (cmmm-scan JSON and CSV): written, read back, ingested as observations; its registry
entry; hostile names stay text in the terminal."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd

from cmmm import ingest
from cmmm.ingest import detect
from cmmm.ingest.registry import Format
from cmmm.lab.pki import issue
from cmmm.scan import HYBRID_GROUP, ScanResult, read_scan, scan, write_scan
from tests.conftest import NOW
from tests.scan.net import LOCAL, Net, der
from tests.scan.tls_servers import LoopbackServers, tls_context


def test_scan_file_round_trip_and_ingest(net: Net, scanned: ScanResult, tmp_path: Path) -> None:
    path = tmp_path / "scan.json"
    write_scan(scanned, path)
    doc = json.loads(path.read_text())
    assert doc["cmmm_scan"] == 1 and len(doc["endpoints"]) == 8
    back = read_scan(path)
    assert [(r.status, der(r.chain)) for r in back.results] == [
        (r.status, der(r.chain)) for r in scanned.results
    ]
    assert detect(path, path.read_bytes()[:4096]) is Format.CMMM_SCAN
    inv = ingest.load([path], now=NOW)
    assert not inv.rejected
    leaf_id = net.certs["ecdsa"].cert_id
    assert leaf_id in set(inv.certificates["cert_id"])
    obs = inv.observations
    leaf_obs = obs[(obs["cert_id"] == leaf_id) & obs["host"].notna()].iloc[0]
    assert leaf_obs["location"] == f"{LOCAL}:{net.ports['ecdsa']}" and leaf_obs["port"] == net.ports["ecdsa"]
    assert leaf_obs["tls_versions"] == "TLSv1.2;TLSv1.3" and leaf_obs["kex_groups"] == "x25519"
    pq_obs = obs[(obs["cert_id"] == net.certs["pq"].cert_id) & obs["host"].notna()].iloc[0]
    # Every hybrid group the server accepts is recorded (OpenSSL 4.0's defaults: two of the three probed).
    assert pq_obs["kex_groups"] == f"{HYBRID_GROUP};SecP256r1MLKEM768"
    assert set(obs["discovered_by"]) == {"network-scan"}
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf_id, "endpoints"] == 1 and facts.loc[leaf_id, "discovered_by"] == "network-scan"
    # the intermediate was presented too: it is in the inventory, linked as the leaf's issuer
    assert facts.loc[leaf_id, "issuer_cert_id"] == net.certs["inter"].cert_id
    csv_path = tmp_path / "scan.csv"
    assert write_scan(scanned, csv_path) == "csv"
    assert len(pd.read_csv(csv_path)) == 8


def test_registry_entry_and_hostile_names_are_escaped(net: Net) -> None:
    from io import StringIO

    from rich.console import Console

    from cmmm.ingest.registry import INGESTERS
    from cmmm.report.terminal.scan import render_scan

    ing = INGESTERS[Format.CMMM_SCAN]
    assert ing.read.__doc__ and ing.sniff.__doc__ and ing.description
    evil = issue(cn="[bold red]pwned[/] \x1b[2J", not_before=NOW - timedelta(days=1), days=9, sans=(LOCAL,))
    servers = LoopbackServers()
    port = servers.tls(tls_context([evil]))
    servers.start()
    try:
        result = scan([f"{LOCAL}:{port}"], now=NOW, timeout=1.0, trust=[])
    finally:
        servers.stop()
    buf = StringIO()
    render_scan(Console(file=buf, width=200, color_system=None), result)
    text = buf.getvalue()
    assert "[bold red]pwned[/]" in text and "\x1b" not in text
