"""Column normalizers of the spreadsheet reader: endpoints (host and port), serials, fingerprints."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import cmmm
from cmmm.ingest.tabular import _host_port, _serials
from tests.conftest import NOW, write


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


def test_bare_hosts_next_to_multi_endpoint_rows(tmp_path: Path) -> None:
    """A row listing several endpoints (exploded: repeated index labels) beside a bare host name."""
    write(
        tmp_path / "sheet.csv",
        "Common Name,Expiration Date,Server\n"
        'a.example,2027-01-01,"web01; mail01:25"\n'
        "b.example,2027-01-01,srv-web02\n"
        "c.example,2027-01-01,https://c.example:8443/login\n",
    )
    inv = cmmm.load([tmp_path], now=NOW)
    obs = inv.observations.sort_values("location")
    assert list(obs["host"]) == ["c.example", "mail01", "srv-web02", "web01"]
    assert list(obs["port"].astype("float").fillna(0).astype(int)) == [8443, 25, 0, 0]


def test_row_ids_follow_the_documented_rule_on_any_index() -> None:
    """A row without a body is named by a hash of issuer+serial, else of issuer+name+expiry as pandas
    writes the date: the ids are kept in stores, so the rule must not drift (nor depend on the index)."""
    import numpy as np
    import pandas as pd

    from cmmm.ingest.tabular import row_ids

    frame = pd.DataFrame(
        {
            "issuer_name": pd.array(["CA 1", None, "ca 2", "CA 1"], dtype="string"),
            "serial": pd.array(["0a1b", None, None, "ff"], dtype="string"),
            "common_name": pd.array(["A.example", "b.example", None, "d.example"], dtype="string"),
            "not_after": pd.Series(
                pd.to_datetime(["2027-01-01T00:00:00Z", "2026-12-31T23:59:59Z", None, "9999-12-31T00:00:00Z"])
            ).astype("datetime64[us, UTC]"),
        },
        index=[10, 3, 7, 5],
    )
    issuer = frame["issuer_name"].str.lower().fillna("")
    expiry = frame["not_after"].astype("string").fillna("")
    key = ("s|" + issuer + "|" + frame["serial"]).where(
        frame["serial"].notna(),
        "n|" + issuer + "|" + frame["common_name"].str.lower().fillna("") + "|" + expiry,
    )
    hashed = pd.util.hash_pandas_object(key.fillna(""), index=False).to_numpy()
    expected = [f"row:{h:016x}" for h in hashed]
    assert list(row_ids(frame)) == expected
    assert list(row_ids(frame.reset_index(drop=True))) == expected
    assert np.all(row_ids(frame).index == frame.index)
