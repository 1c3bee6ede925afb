"""Column normalizers of the spreadsheet reader: endpoints, serials, fingerprints, dates read once per value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import cmmm
from cmmm.crypto import quantum_vulnerable
from cmmm.ingest._dates import parse_dates
from cmmm.ingest.tabular import _host_port, _serials
from tests.conftest import NOW


def _plain(values: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in values]


def test_endpoints_split_into_host_and_port() -> None:
    loc = pd.Series(
        [
            "a.example:443",
            "[2001:db8::1]:8443",
            "https://x.example:8443/p",
            "bare.example",
            None,
            "h:0443",
            "user@h:22",
            ":443",
            "::1:443",
            "a/b:443",
            "h:443x",
        ],
        dtype="string",
    )
    host, port = _host_port(loc)
    assert _plain(host) == [
        "a.example",
        "2001:db8::1",
        "x.example",
        "bare.example",
        None,
        "h",
        "user@h",
        None,
        None,
        "a",
        "h",
    ]
    assert _plain(port) == [443, 8443, 8443, None, None, 443, 22, None, None, None, 443]


def test_endpoints_all_host_port_take_the_pairwise_path() -> None:
    host, port = _host_port(pd.Series(["a:1", "b.example:65535"], dtype="string"))
    assert _plain(host) == ["a", "b.example"] and _plain(port) == [1, 65535]


def test_serials_hex_decimal_and_prefixed() -> None:
    hexes = _serials(pd.Series(["0A:1B", "00ab cd", "", "00", None], dtype="string"))
    assert _plain(hexes) == ["a1b", "abcd", None, "0", None]
    # digits only: a decimal column, converted to hex
    assert _plain(_serials(pd.Series(["255", "0016", "12z"], dtype="string"))) == ["ff", "10", None]
    # separators include the no-break space spreadsheets paste in
    assert _plain(_serials(pd.Series(["12\u00a034", "5"], dtype="string"))) == ["4d2", "5"]
    # 0x says hex, even without a letter
    assert _plain(_serials(pd.Series(["0x1013", "0x0041"], dtype="string"))) == ["1013", "41"]
    # a value that is not a serial spoils only itself
    assert _plain(_serials(pd.Series(["zz", "0"], dtype="string"), hex_serials=True)) == [None, "0"]


def test_repeated_dates_parse_like_distinct_ones() -> None:
    days = ["2027-01-05T00:00:00Z", "05/01/2027", "Jan  5 12:00:00 2027 GMT", "garbage", ""]
    many = pd.Series(days * 50, dtype="string")  # few distinct values: parsed once each
    few = pd.Series(days, dtype="string")
    parsed_many, note_many = parse_dates(many)
    parsed_few, note_few = parse_dates(few)
    assert note_many == note_few
    assert list(parsed_many[:5]) == list(parsed_few)
    assert parsed_many.dtype == parsed_few.dtype and parsed_many.index.equals(many.index)
    assert parsed_many.isna().sum() == 100


def test_quantum_vulnerable_per_value() -> None:
    algs = pd.Series(["RSA", "EC", "ML-DSA-65", None, "mystery"] * 3, dtype="string")
    assert _plain(quantum_vulnerable(algs))[:5] == [True, True, False, None, None]


def test_fingerprints_with_separators_give_the_sha256_id(tmp_path: Path) -> None:
    fp = "AB:" * 31 + "CD"
    (tmp_path / "inv.csv").write_text(
        "common_name,not_after,fingerprint_sha256\n"
        f"a.example,2027-01-01,{fp}\n"
        f"b.example,2027-01-01,{'0' * 40}\n"
        "c.example,2027-01-01,not-a-fingerprint\n"
    )
    inv = cmmm.load([tmp_path], now=NOW)
    certs = inv.certificates.set_index("common_name")
    assert certs.at["a.example", "cert_id"] == "sha256:" + "ab" * 31 + "cd"
    assert certs.at["b.example", "fingerprint_sha1"] == "0" * 40  # a SHA-1 in the SHA-256 column
    assert str(certs.at["c.example", "cert_id"]).startswith("row:")


def test_notes_reach_the_json_document(tmp_path: Path) -> None:
    from cmmm.export import inventory_document

    (tmp_path / "inv.csv").write_text(
        "common_name,not_after,not_before,criticality\na.example,2027-01-01,garbage,ultra\n", encoding="utf-8"
    )
    doc = inventory_document(cmmm.load([tmp_path], now=NOW))
    assert len(doc["certificates"]) == 1
    assert any("not_before is not a date" in n for n in doc["notes"])
    assert any("not in the vocabulary" in n for n in doc["notes"])
