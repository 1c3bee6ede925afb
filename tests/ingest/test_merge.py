"""The foundation end to end: a PEM chain and a spreadsheet row merge into one inventory."""

from __future__ import annotations

from pathlib import Path

import cmmm
from tests.conftest import Chain, write


def test_pem_and_csv_merge_into_one_certificate(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[0]
    write(tmp_path / "chain.pem", leaf.pem + chain.inter.pem + chain.root.pem)
    write(
        tmp_path / "inventory.csv",
        f"Common Name,Expiration Date,Issuer,Serial Number,Owner\n"
        f"{leaf.cert.subject.rfc4514_string()[3:]},2027-01-01,Test Issuing CA 1,{leaf.cert.serial_number:x},alice\n",
    )
    inv = cmmm.load([tmp_path], now=now)
    assert len(inv) == 3
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf.cert_id, "owner"] == "alice"
    assert facts.loc[leaf.cert_id, "discovered_by"] == "filesystem;manual"
    assert facts.loc[leaf.cert_id, "issuer_cert_id"] == chain.inter.cert_id
    assert inv.rejected == ()
