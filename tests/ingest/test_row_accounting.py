"""Every row of a spreadsheet accounted for (issue 19): rows read = certificates + rejected + merged
duplicates, on a file with more than 30 kinds of broken row; a stray quote, NEL, mixed encodings, a PEM
column and true duplicates each handled and said."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

import cmmm
from cmmm.cli import app
from cmmm.export import accounting, inventory_document
from cmmm.ingest._base import MAX_CELL_CHARS
from cmmm.ingest._csvrows import MAX_RECORD_LINES
from cmmm.lab.pki import issue
from tests.conftest import NOW

HEADER = "common_name,not_after,owner,not_before,key_size,criticality,serial"
KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----"
)


def _valid(i: int) -> str:
    return f"h{i}.example,2027-06-01,team{i % 5},2026-01-01,2048,high,{100000 + i}"


# Each kind of broken (or merely odd) row and what must become of it: kept, merged (a duplicate of the row
# before it), blank (skipped and counted), or rejected with a reason containing the text given.
KINDS: list[tuple[str, str, str]] = [
    ("empty not_after", "a.example,,o,,,,1", "rejected:not_after is empty"),
    ("month 13", "a.example,2027-13-45,o,,,,2", "rejected:not_after is not a date"),
    ("words", "a.example,yesterday,o,,,,3", "rejected:not_after is not a date"),
    ("30 February", "a.example,2027-02-30,o,,,,4", "rejected:not_after is not a date"),
    ("N/A expiry", "a.example,N/A,o,,,,5", "rejected:not_after is not a date"),
    ("hour 25", "a.example,2027-01-01T25:00,o,,,,6", "rejected:not_after is not a date"),
    ("private key as expiry", f'a.example,"{KEY}",o,,,,7', "rejected:withheld"),
    ("no name", ",2027-01-01,o,,,,8", "rejected:no common_name or sans"),
    ("blank name", "   ,2027-01-01,o,,,,9", "rejected:no common_name or sans"),
    ("comment-like row", "# a note,,,,,,", "rejected:not_after is empty"),
    ("too many fields", "a.example,2027-01-01,o,,,,10,extra", "rejected:expected 7 fields, found 8"),
    ("too few fields", "a.example,2027-01-01", "rejected:expected 7 fields, found 2"),
    ("one field", "lonely", "rejected:expected 7 fields, found 1"),
    ("inverted validity", "a.example,2027-01-01,o,2028-01-01,,,11", "rejected:is after not_after"),
    ("huge cell", "a.example,2027-01-01," + "x" * (MAX_CELL_CHARS + 1) + ",,,,12", "rejected:a cell exceeds"),
    ("stray quote", '"stray.example,2027-01-01,o,,,,13', "rejected:a quote opened in column 1"),
    ("only delimiters", ",,,,,,", "blank"),
    ("spaces and delimiters", " , , ,,,,", "blank"),
    ("true duplicate", "dup.example,2027-06-01,o,,,,77", "kept"),
    ("true duplicate again", "dup.example,2027-06-01,o,,,,77", "merged"),
    ("same certificate, other owner", "dup.example,2027-06-01,other,,,,77", "merged"),
    ("bare CR formula", "cr.example,2027-01-01,\"bob\r=cmd|' /c calc'!A1\",,,,14", "kept"),
    ("unquoted bare CR", "cr2.example,2027-01-01,bob\r=1+1,,,,15", "kept"),
    ("NEL in cell", "nel.example,2027-01-01,a\x85b,,,,16", "kept"),
    ("LS in cell", "ls.example,2027-01-01,a\u2028b,,,,17", "kept"),
    ("NUL in cell", "nul.example,2027-01-01,a\x00b,,,,18", "kept"),
    ("escape sequence", "esc.example,2027-01-01,\x1b[31mred,,,,19", "kept"),
    ("quoted delimiter", 'q.example,2027-01-01,"a, b",,,,20', "kept"),
    ("escaped quotes", 'q2.example,2027-01-01,"a ""b""",,,,21', "kept"),
    ("multi-line quoted cell", 'ml.example,2027-01-01,"line one\nline two",,,,22', "kept"),
    ("quote at the end", 'qe.example,2027-01-01,bob",,,,23', "kept"),
    ("negative key size", "ks.example,2027-01-01,o,,-2048,,24", "kept"),
    ("unknown criticality", "cr.example,2027-01-01,o,,,ultra,25", "kept"),
    ("sans only", ",2027-01-01,o,,,,26", "rejected:no common_name or sans"),
    ("BOM inside", "\ufeffbom.example,2027-01-01,o,,,,27", "kept"),
    ("formula name", "=1+1,2027-01-01,o,,,,28", "kept"),
    ("far future", "ff.example,9999-12-31,o,,,,29", "kept"),
    ("garbage serial", "gs.example,2027-01-01,o,,,,zz!", "kept"),
    ("spaces as expiry", "a.example,   ,o,,,,30", "rejected:not_after is empty"),
    ("unknown zone", "a.example,2027-01-01 00:00:00 IST,o,,,,31", "rejected:not_after is not a date"),
    ("letter in date", "a.example,2027-0l-01,o,,,,32", "rejected:not_after is not a date"),
    ("tab-separated row", "a.example\t2027-01-01\to", "rejected:expected 7 fields, found 1"),
    ("semicolon row", "a.example;2027-01-01;o;;;;", "rejected:expected 7 fields, found 1"),
    ("quotes only", '""""""', "rejected:expected 7 fields, found 1"),
    ("trailing delimiter", "a.example,2027-01-01,o,,,,33,", "rejected:expected 7 fields, found 8"),
    ("whitespace line", "     ", "blank"),
    ("second stray quote", 'x.example,"2027-01-01,o,,,,34', "rejected:a quote opened in column 2"),
    ("CR LF row end", "crlf.example,2027-01-01,o,,,,35\r", "kept"),
    ("expired long ago", "old.example,1900-01-01,o,,,,36", "kept"),
]


def _spreadsheet(n_valid: int) -> tuple[str, dict[int, str], int, int, int]:
    """The file text, the expected outcome per first line, and the counts of rows, blank and merged rows."""
    parts = [HEADER]
    line = 2
    expect: dict[int, str] = {}
    every = max(1, n_valid // len(KINDS))
    kinds = iter(KINDS)
    pending = list(KINDS)
    rows = blank = merged = 0
    for i in range(n_valid):
        parts.append(_valid(i))
        expect[line] = "kept"
        line += 1
        rows += 1
        if i % every == every - 1 and pending:
            _, text, outcome = next(kinds)
            pending.pop(0)
            parts.append(text)
            expect[line] = outcome
            line += 1 + text.count("\n")
            blank += outcome == "blank"
            rows += outcome != "blank"
            merged += outcome == "merged"
    return "\n".join(parts) + "\n", expect, rows, blank, merged


def test_thirty_kinds_of_broken_row_are_each_accounted_for(tmp_path: Path) -> None:
    assert len([k for k in KINDS if k[2] != "kept"]) >= 30  # broken: rejected, skipped empty or merged
    text, expect, rows, blank, merged = _spreadsheet(10_000)
    path = tmp_path / "inventory.csv"
    path.write_text(text, encoding="utf-8", newline="")
    inv = cmmm.load([path], now=NOW)
    (src,) = inv.sources
    assert src.rows == rows  # nothing swallowed, nothing invented
    assert src.rows == src.records + src.rejected  # records = kept + merged
    assert src.merged == merged
    acc = accounting(inv)
    assert acc["rows"] == acc["kept"] + acc["rejected"] + acc["merged"] == rows
    rejected = {int(r.locator.split()[1]): r.reason for r in inv.rejected}
    wanted = {ln: o.split(":", 1)[1] for ln, o in expect.items() if o.startswith("rejected:")}
    assert set(rejected) == set(wanted), sorted(set(rejected) ^ set(wanted))
    for ln, reason in wanted.items():
        assert reason in rejected[ln], (ln, rejected[ln])
    assert len(inv.certificates) == rows - len(wanted) - merged
    assert any(f"{blank} blank row(s) skipped" in n for n in inv.notes)
    assert not any("PRIVATE KEY" in r.reason or "MIGHAgEA" in r.reason for r in inv.rejected)
    owners = set(inv.observations["owner"].dropna())
    assert {"bob\r=cmd|' /c calc'!A1", "bob\r=1+1", "a\x85b", "a\u2028b"} <= owners  # data, not row ends


def test_a_stray_quote_rejects_its_row_and_keeps_the_rest(tmp_path: Path) -> None:
    lines = [HEADER] + [_valid(i) for i in range(1000)]
    lines[5] = '"' + lines[5]  # row 5 (line 6) opens a quote that never closes
    path = tmp_path / "inv.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inv = cmmm.load([path], now=NOW)
    assert len(inv.certificates) == 999
    (bad,) = inv.rejected
    assert bad.locator == "line 6"
    assert "quote opened in column 1" in bad.reason and "read as rows of their own" in bad.reason
    assert inv.sources[0].rows == 1000


def test_a_quote_spanning_past_the_record_limit_is_cut(tmp_path: Path) -> None:
    n = MAX_RECORD_LINES * 3
    lines = (
        [HEADER, 'x.example,2027-01-01,"open'] + [f"cont{i}" for i in range(n)] + ['close",,,,1', _valid(1)]
    )
    path = tmp_path / "inv.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inv = cmmm.load([path], now=NOW)
    src = inv.sources[0]
    assert src.rows == src.records + src.rejected
    assert any("quote opened in column 3" in r.reason for r in inv.rejected)
    assert "h1.example" in set(inv.certificates["common_name"])


def test_cp1252_ellipsis_is_not_a_line_break(tmp_path: Path) -> None:
    body = HEADER + "\n" + "\n".join(f"h{i}.example,2027-01-01,Müller … {i},,,,{i}" for i in range(50)) + "\n"
    path = tmp_path / "inv.csv"
    path.write_bytes(body.encode("cp1252"))  # "…" is 0x85: NEL when read as Latin-1
    inv = cmmm.load([path], now=NOW)
    assert len(inv.certificates) == 50 and not inv.rejected
    assert "Müller … 7" in set(inv.observations["owner"])
    assert any("not UTF-8; decoded as" in n for n in inv.notes)


def test_one_latin1_line_in_utf8_is_noted_and_the_rest_stays_utf8(tmp_path: Path) -> None:
    rows = [f"h{i}.example,2027-01-01,Zoë Ærø {i},,,,{i}".encode() for i in range(99)]
    rows.insert(40, "latin.example,2027-01-01,Müller,,,,999".encode("latin-1"))
    path = tmp_path / "inv.csv"
    path.write_bytes(HEADER.encode() + b"\n" + b"\n".join(rows) + b"\n")
    inv = cmmm.load([path], now=NOW)
    owners = set(inv.observations["owner"])
    assert {f"Zoë Ærø {i}" for i in range(99)} <= owners  # no mojibake
    assert len(inv.certificates) == 100
    (note,) = [n for n in inv.notes if "mixed encodings" in n]
    assert "line 42" in note


def test_true_duplicates_are_merged_with_a_note_naming_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(HEADER + "\n" + _valid(1) + "\n" + _valid(2) + "\n" + _valid(1) + "\n", encoding="utf-8")
    inv = cmmm.load([path], now=NOW)
    assert len(inv.certificates) == 2 and len(inv.observations) == 3
    assert inv.sources[0].merged == 1
    assert any("line 4 is the same certificate as line 2" in n for n in inv.notes)
    doc = inventory_document(inv)
    assert doc["accounting"] == {"rows": 3, "kept": 2, "rejected": 0, "merged": 1, "defects": 0}
    assert doc["sources"][0]["rows"] == 3


def test_a_spreadsheet_with_a_pem_column_stays_a_spreadsheet(tmp_path: Path) -> None:
    leaf = issue(cn="body.example", not_before=NOW - timedelta(days=5), days=90, sans=("body.example",))
    pem = leaf.pem.decode().strip()
    text = (
        "Common Name,Expiration Date,Owner,Certificate\n"
        f'body.example,,alice,"{pem}"\n'
        "nobody.example,2027-03-01,bob,\n"
    )
    path = tmp_path / "certs.csv"
    path.write_text(text, encoding="utf-8")
    inv = cmmm.load([path], now=NOW)
    assert inv.sources[0].ingester == "csv"
    assert set(inv.observations["owner"]) == {"alice", "bob"}
    certs = inv.certificates.set_index("common_name")
    assert bool(certs.loc["body.example", "has_body"]) is True
    assert str(certs.loc["body.example", "cert_id"]).startswith("sha256:")
    assert bool(certs.loc["nobody.example", "has_body"]) is False
    assert not inv.rejected


def test_strict_fails_on_a_rejected_row_and_json_shows_the_accounting(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(HEADER + "\n" + _valid(1) + "\na.example,never,o,,,,2\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(path), "--strict"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["ingest", str(path), "--format", "json"])
    doc = json.loads(res.stdout)
    assert doc["accounting"]["rows"] == 2 and doc["accounting"]["rejected"] == 1
    res = runner.invoke(app, ["ingest", str(path)])
    assert "2 read = 1 kept + 1 rejected + 0 merged" in res.stdout
