"""CBOM export: signature algorithm assets carry the security levels their family has."""

from __future__ import annotations

from pathlib import Path

from cmmm.crypto import CATEGORY_CLASSICAL_BITS
from cmmm.export.cbom import cbom_document
from cmmm.ingest import load
from tests.conftest import NOW, write


def test_signature_algorithm_levels(tmp_path: Path) -> None:
    """Post-quantum signatures: their NIST category and its classical bits; classical ones: quantum level
    0 (broken by a quantum computer); an unknown name: no level at all, not a guess."""
    path = write(
        tmp_path / "sheet.csv",
        "common_name,not_after,key_algorithm,key_size,signature_algorithm\n"
        "a.example,2027-01-01,EC,256,ML-DSA-65\n"
        "b.example,2027-01-01,EC,256,SLH-DSA-SHA2-128s\n"
        "c.example,2027-01-01,RSA,2048,sha256WithRSAEncryption\n"
        "d.example,2027-01-01,EC,256,madeUpSignature\n",
    )
    doc = cbom_document(load([path], now=NOW), timestamp=NOW)
    levels = {
        c["name"]: (
            c["cryptoProperties"]["algorithmProperties"].get("classicalSecurityLevel"),
            c["cryptoProperties"]["algorithmProperties"].get("nistQuantumSecurityLevel"),
            c["cryptoProperties"].get("oid"),
        )
        for c in doc["components"]
        if c["bom-ref"].startswith("crypto/algorithm/")
    }
    assert levels["ML-DSA-65"] == (CATEGORY_CLASSICAL_BITS[3], 3, "2.16.840.1.101.3.4.3.18")
    assert levels["SLH-DSA-SHA2-128s"][:2] == (CATEGORY_CLASSICAL_BITS[1], 1)
    assert levels["sha256WithRSAEncryption"] == (None, 0, "1.2.840.113549.1.1.11")
    assert levels["madeUpSignature"] == (None, None, None)
