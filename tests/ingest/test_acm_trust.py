"""AWS ACM: a certificate's trust follows its Type (PRIVATE, AMAZON_ISSUED); an imported one says nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cmmm.ingest import read_file
from cmmm.ingest._base import ReadContext
from tests.conftest import NOW, write


def test_acm_trust_follows_the_certificate_type(tmp_path: Path) -> None:
    def described(arn: str, domain: str, ctype: str | None, issuer: str) -> dict[str, object]:
        c = {
            "CertificateArn": arn,
            "DomainName": domain,
            "Issuer": issuer,
            "NotAfter": "2027-01-01T00:00:00+00:00",
            "Serial": "0a:1b",
            "Status": "ISSUED",
        }
        return {"Certificate": c | ({"Type": ctype} if ctype else {})}

    docs = [
        described("arn:aws:acm:eu-west-1:1:certificate/a", "private.example", "PRIVATE", "Corp CA"),
        described("arn:aws:acm:eu-west-1:1:certificate/b", "public.example", None, "Amazon"),
        described("arn:aws:acm:eu-west-1:1:certificate/c", "imported.example", "IMPORTED", "Other CA"),
    ]
    trust = {}
    for i, d in enumerate(docs):
        fmt, batch = read_file(write(tmp_path / f"acm-{i}.json", json.dumps(d)), ReadContext(now=NOW))
        assert fmt == "aws-acm" and isinstance(batch.certificates, pd.DataFrame)
        row = batch.certificates.iloc[0]
        trust[row["common_name"]] = row.get("trust", pd.NA)
    assert trust["private.example"] == "private"
    assert trust["public.example"] == "public"  # issued by Amazon without a Type: AMAZON_ISSUED
    assert pd.isna(trust["imported.example"])  # not said; the merge decides it later
