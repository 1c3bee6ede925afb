"""Shadow and stale: what the scan found against what the inventory says is deployed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pandas as pd

from cmmm import ingest
from cmmm.lab.pki import issue
from cmmm.scan import ScanResult, compare, scan, write_scan
from tests.conftest import NOW, sample, write
from tests.scan.net import LOCAL, Net
from tests.scan.tls_servers import LoopbackServers, tls_context


def _scan_file(result: ScanResult, tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    write_scan(result, path)
    return path


def test_compare_with_a_spreadsheet_ground_truth(net: Net, scanned: ScanResult, tmp_path: Path) -> None:
    c, p = net.certs, net.ports
    ecdsa, selfsigned = c["ecdsa"].cert, c["self"].cert
    old_rsa = issue(cn="rsa.test", not_before=NOW - timedelta(days=200), days=90, issuer=c["rsa_root"]).cert
    sheet = write(
        tmp_path / "certs.csv",
        "Common Name,Issuer,Serial Number,Expiration Date,Endpoints,Owner\n"
        # listed with issuer + serial, served where the sheet says: matched
        f"ecdsa.test,Scan Test Issuing CA,{ecdsa.serial_number:x},{ecdsa.not_valid_after_utc:%Y-%m-%d},"
        f"{LOCAL}:{p['ecdsa']},web\n"
        # the previous rsa.test certificate; the server now presents a new one: stale (and the new one shadow)
        f"rsa.test,Scan RSA Root,{old_rsa.serial_number:x},{old_rsa.not_valid_after_utc:%Y-%m-%d},"
        f"{LOCAL}:{p['rsa']},db\n"
        # name and expiry only (a typical level-2 row): matched
        f"self.test,,,{selfsigned.not_valid_after_utc:%Y-%m-%d},{LOCAL}:{p['self']},ops\n"
        # the port is closed now: stale
        f"gone.test,Scan Test Issuing CA,abc123,2027-01-01,{LOCAL}:{p['closed']},ops\n"
        # never scanned: neither shadow nor stale
        "elsewhere.test,Other CA,77,2027-02-01,10.9.8.7:443,ops\n",
    )
    inv = ingest.load([sheet], now=NOW)
    cmp = compare(scanned, inv)
    assert set(cmp.shadow["cert_id"]) == {c["rsa"].cert_id, c["expired"].cert_id, c["pq"].cert_id}
    assert set(cmp.stale["common_name"]) == {"rsa.test", "gone.test"}
    gone = cmp.stale[cmp.stale["common_name"] == "gone.test"].iloc[0]
    assert gone["status"] == "refused" and gone["source_ref"] == "line 5"
    rsa_row = cmp.stale[cmp.stale["common_name"] == "rsa.test"].iloc[0]
    assert "missing from the inventory" in rsa_row["reason"]
    matched = dict(zip(cmp.matched["cert_id"], cmp.matched["matched_by"], strict=True))
    assert matched == {c["ecdsa"].cert_id: "issuer+serial", c["self"].cert_id: "name+expiry"}
    # a merged inventory (scan + sheet) compares the same: the scan's own observations are ignored
    merged = ingest.load([sheet, _scan_file(scanned, tmp_path)], now=NOW)
    again = compare(scanned, merged)
    assert set(again.shadow["cert_id"]) == set(cmp.shadow["cert_id"])
    assert set(again.stale["common_name"]) == {"rsa.test", "gone.test"}


def test_compare_with_the_level2_sample_organization(tmp_path: Path) -> None:
    """Serve look-alikes of three of the sample's certificates on loopback (same name and expiry), move
    those rows and two others to loopback endpoints; the comparison must find exactly that truth."""
    inv = sample("level2-aware")
    facts = inv.certificates.dropna(subset=["common_name", "not_after"])
    facts = facts[~facts["is_ca"].fillna(False).astype(bool)]
    facts = facts.assign(k=facts["common_name"].str.lower() + facts["not_after"].dt.strftime("%Y-%m-%d"))
    facts = facts.drop_duplicates("k", keep=False).head(5)
    assert len(facts) == 5, "the sample needs five distinct named certificates"
    servers = LoopbackServers()
    served_ids, shadow_ids = [], []
    loc: dict[str, str] = {}
    for row in facts.head(3).itertuples():
        nb = row.not_after.to_pydatetime() - timedelta(days=30)
        look = issue(cn=row.common_name, not_before=nb, days=30, sans=(LOCAL,))
        loc[row.cert_id] = f"{LOCAL}:{servers.tls(tls_context([look]))}"
        served_ids.append(row.cert_id)
    for i in range(2):
        extra = issue(cn=f"shadow{i}.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
        shadow_ids.append(extra.cert_id)
        port = servers.tls(tls_context([extra]))
        loc[facts.iloc[3 + i]["cert_id"]] = f"{LOCAL}:{port}"  # the sheet says its cert is here: stale
    servers.start()
    try:
        obs = inv.observations[inv.observations["cert_id"].isin(list(loc))].drop_duplicates("cert_id")
        obs = obs.assign(location=obs["cert_id"].map(loc))
        obs["host"] = LOCAL
        obs["port"] = obs["location"].str.rsplit(":", n=1).str[1].astype("Int64")
        kept = inv.observations[~inv.observations["cert_id"].isin(list(loc))]
        inv = dataclasses.replace(inv, observations=pd.concat([kept, obs]))
        result = scan(sorted(set(loc.values())), now=NOW, timeout=2.0, trust=[])
    finally:
        servers.stop()
    cmp = compare(result, inv)
    assert set(cmp.shadow["cert_id"]) == set(shadow_ids)
    assert set(cmp.matched["inventory_cert_id"]) == set(served_ids)
    assert set(cmp.stale["cert_id"]) == set(facts.iloc[3:5]["cert_id"])
