"""Native inventories: CSV (sniffed delimiters, encodings, column aliases, ragged rows, line numbers), JSON
and YAML."""

from __future__ import annotations

import json
from pathlib import Path

import cmmm
from tests.conftest import NOW, write


def _load(tmp_path: Path):
    return cmmm.load([tmp_path], now=NOW)


def test_aliases_semicolons_bom_and_list_cells(tmp_path: Path) -> None:
    text = (
        "Common Name;SANs;Valid To;Issuer;Key Size;Key Type;Owner;Endpoints;Automation;Environment\n"
        'a.example;"a.example; www.a.example";2027-03-01T00:00:00Z;CN=R11,O=Let\'s Encrypt,C=US;2048;RSA;'
        'ops@example;"a.example:443; a.example:8443";certbot;production\n'
    )
    write(tmp_path / "inv.csv", b"\xef\xbb\xbf" + text.encode())
    inv = _load(tmp_path)
    row = inv.certificates.iloc[0]
    assert row["common_name"] == "a.example"
    assert row["sans"] == "a.example;www.a.example"
    assert row["issuer_name"] == "R11" and row["issuer_org"] == "Let's Encrypt"
    assert row["trust"] == "public"
    assert row["key_algorithm"] == "RSA" and row["key_size"] == 2048
    obs = inv.observations
    assert sorted(obs["location"]) == ["a.example:443", "a.example:8443"]
    assert set(obs["automation"]) == {"acme"} and set(obs["environment"]) == {"prod"}


def test_latin1_fallback_and_duplicate_rows_collapse(tmp_path: Path) -> None:
    body = "cn,expiry,issuer,serial,owner\nm\xfcller.example,2027-01-01,Corp CA,0a1b,J\xfcrgen\n"
    write(tmp_path / "inv.csv", (body + "m\xfcller.example,2027-01-01,Corp CA,0A:1B,\n").encode("latin-1"))
    inv = _load(tmp_path)
    assert len(inv) == 1, "the same issuer+serial (hex with or without colons) is one certificate"
    assert inv.certificates.iloc[0]["common_name"] == "m\xfcller.example"
    assert inv.certificates.iloc[0]["serial"] == "a1b"
    assert len(inv.observations) == 2
    assert inv.certificate_facts().iloc[0]["owner"] == "J\xfcrgen"


def test_json_and_yaml_inventories(tmp_path: Path) -> None:
    write(
        tmp_path / "a.json",
        json.dumps(
            {
                "certificates": [
                    {
                        "common_name": "j.example",
                        "not_after": "2027-02-01",
                        "tags": ["pci", "edge"],
                        "is_ca": False,
                    }
                ]
            }
        ),
    )
    write(tmp_path / "b.yaml", "- cn: y.example\n  expires: 2027-02-01\n  team: web\n")
    inv = _load(tmp_path)
    assert sorted(inv.certificates["common_name"]) == ["j.example", "y.example"]
    assert "pci;edge" in set(inv.observations["tags"].dropna())
    assert "web" in set(inv.observations["team"].dropna())


def test_rows_keep_line_numbers_when_rejected(tmp_path: Path) -> None:
    write(
        tmp_path / "inv.csv",
        "cn,not_after\nok.example,2027-01-01\n,2027-01-01\nbad.example,someday\nalso-ok.example,2027-02-02\n",
    )
    inv = _load(tmp_path)
    assert sorted(inv.certificates["common_name"]) == ["also-ok.example", "ok.example"]
    got = {(r.locator, r.reason.split(":")[0]) for r in inv.rejected}
    assert got == {("line 3", "no common_name or sans"), ("line 4", "not_after is not a date")}


def test_ragged_csv_rejects_only_the_bad_rows(tmp_path: Path) -> None:
    write(
        tmp_path / "inv.csv",
        "cn,not_after,owner\na.example,2027-01-01,x\nb.example,2027-01-01,x,extra,more\n"
        "c.example,2027-01-01,y\n",
    )
    inv = _load(tmp_path)
    assert sorted(inv.certificates["common_name"]) == ["a.example", "c.example"]
    assert [(r.locator, r.reason) for r in inv.rejected] == [("line 3", "expected 3 fields, found 5")]
