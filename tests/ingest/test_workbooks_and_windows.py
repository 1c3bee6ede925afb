"""Issue 20: spreadsheets as teams have them (.xlsx with title rows and several sheets, Excel serial dates in
both date systems, locale numbers, localized headers, blank rows, Auto-Renew, unused columns) and Windows
exports (PowerShell Export-Csv of Cert:\\, certutil -store). Workbooks are written by openpyxl at test time."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

import cmmm
from cmmm.ingest import Format, detect, read_file
from cmmm.ingest._base import ReadContext
from cmmm.ingest._columns import map_headers
from cmmm.ingest._dates import excel_serial_date
from cmmm.ingest._locale import whole_number
from cmmm.model import AUTOMATED, Automation
from tests.conftest import NOW, write

CTX = ReadContext(now=NOW)


def _by_name(inv: cmmm.Inventory) -> pd.DataFrame:
    return inv.certificates.set_index("common_name")


# ---------------------------------------------------------------------------------------------- xlsx
def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Übersicht"
    ws.append(["Zertifikatsinventar, Stand November 2026"])  # a title row above the header
    ws.append([])
    ws.append(["Allgemeiner Name", "Gültig bis", "Schlüssellänge", "Auto-Renew", "Bemerkung"])
    ws.append(["a.example.test", datetime(2027, 3, 1, 12, 0), "2.048", "ja", "vom Team gepflegt"])
    ws.append([None, None, None, None, None])
    ws.append(["b.example.test", 46387, 4096, "nein", None])  # a date typed as a serial number
    ws.append(["c.example.test", "kein Datum", 2048, "ja", None])
    ws2 = wb.create_sheet("Notizen")
    ws2.append(["nur Notizen"])
    ws3 = wb.create_sheet("Extern")
    ws3.append(["Common Name", "Expiry", "Key Size"])
    ws3.append(["d.example.test", "2027-05-01", "2,048"])
    wb.save(path)
    return path


def test_xlsx_every_sheet_header_below_title_rows(tmp_path: Path) -> None:
    f = _workbook(tmp_path / "inventory.xlsx")
    assert detect(f, f.read_bytes()[:65536]) is Format.XLSX
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    certs = _by_name(inv)
    assert sorted(certs.index) == ["a.example.test", "b.example.test", "d.example.test"]
    assert certs.at["a.example.test", "not_after"] == datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    assert certs.at["b.example.test", "not_after"] == datetime(2026, 12, 31, tzinfo=UTC)  # Excel's 46387
    assert certs.at["a.example.test", "key_size"] == 2048 and certs.at["d.example.test", "key_size"] == 2048
    [rejected] = inv.rejected
    assert rejected.locator == "sheet 'Übersicht' row 7" and "kein Datum" in rejected.reason
    notes = "\n".join(inv.notes)
    assert "sheet 'Übersicht': 1 blank row(s) skipped" in notes
    assert "sheet 'Übersicht': columns not used: 'Bemerkung'" in notes
    assert "skipped: 'Notizen'" in notes
    obs = inv.observations.set_index("source_ref")
    assert obs.at["sheet 'Übersicht' row 4", "automation"] == "automated"
    assert obs.at["sheet 'Übersicht' row 6", "automation"] == "none"


def test_xlsx_1904_date_system(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    wb.active.append(["cn", "not_after"])
    wb.active.append(["mac.example.test", 44927])
    wb.active.append(["typed.example.test", datetime(2027, 1, 2)])
    wb.save(tmp_path / "mac.xlsx")
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    certs = _by_name(inv)
    assert certs.at["mac.example.test", "not_after"] == datetime(2027, 1, 2, tzinfo=UTC)
    assert certs.at["typed.example.test", "not_after"] == datetime(2027, 1, 2, tzinfo=UTC)
    assert any("1904 date system" in n for n in inv.notes)


def test_xlsm_and_corrupt_workbooks(tmp_path: Path) -> None:
    _workbook(tmp_path / "macro.xlsm")
    write(tmp_path / "broken.xlsx", b"PK\x03\x04 this is no zip")
    write(tmp_path / "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert len(inv) == 3
    reasons = {Path(r.source).name: r.reason for r in inv.rejected if r.locator == "-"}
    assert reasons["broken.xlsx"].startswith("unreadable Excel workbook")
    assert "legacy binary Excel (.xls)" in reasons["old.xls"]


def test_workbook_without_any_inventory_sheet_is_one_rejection(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Budget", "2026"])
    wb.save(tmp_path / "budget.xlsx")
    _, batch = read_file(tmp_path / "budget.xlsx", CTX)
    assert "no sheet has a header row" in batch.rejected[0].reason


# ------------------------------------------------------------------------------------ serial dates
@pytest.mark.parametrize(
    ("serial", "date1904", "expected"),
    [
        (46387, False, datetime(2026, 12, 31, tzinfo=UTC)),
        (61, False, datetime(1900, 3, 1, tzinfo=UTC)),
        (59, False, datetime(1900, 2, 28, tzinfo=UTC)),  # before Lotus's 1900-02-29
        (1, False, datetime(1900, 1, 1, tzinfo=UTC)),
        (60, False, None),  # 1900-02-29 never was
        (0, True, datetime(1904, 1, 1, tzinfo=UTC)),
        (44927, True, datetime(2027, 1, 2, tzinfo=UTC)),
        (46387.5, False, datetime(2026, 12, 31, 12, tzinfo=UTC)),
    ],
)
def test_excel_serial_dates(serial: float, date1904: bool, expected: datetime | None) -> None:
    assert excel_serial_date(serial, date1904=date1904) == expected


def test_csv_serial_dates_are_read_with_a_note(tmp_path: Path) -> None:
    write(tmp_path / "inv.csv", "cn,expiry\na.example.test,46387\n")
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert inv.certificates.at[0, "not_after"] == datetime(2026, 12, 31, tzinfo=UTC)
    assert any("Excel serial dates (1900 date system)" in n for n in inv.notes)


# --------------------------------------------------------------------------------- locale numbers
@pytest.mark.parametrize(
    ("text", "value", "ambiguous"),
    [
        ("2048", 2048, False),
        ("2.048", 2048, False),
        ("2,048", 2048, False),
        ("2 048", 2048, False),
        ("2\u00a0048", 2048, False),
        ("2\u202f048", 2048, False),
        ("2'048", 2048, False),
        ("2.048,00", 2048, False),
        ("2048.0", 2048, False),
        ("2,5", None, True),
        ("20.48", None, True),
        ("1.2.3", None, True),
        ("", None, False),
    ],
)
def test_locale_whole_numbers(text: str, value: int | None, ambiguous: bool) -> None:
    assert whole_number(text) == (value, ambiguous)


def test_german_csv_key_size_is_never_silently_another_number(tmp_path: Path) -> None:
    write(
        tmp_path / "de.csv",
        "Allgemeiner Name;Gültig bis;Schlüssellänge\n"
        "a.example.test;31.12.2027;2.048\n;;\n;;\nb.example.test;31.12.2027;2,5\n",
    )
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    certs = _by_name(inv)
    assert certs.at["a.example.test", "key_size"] == 2048  # not 2
    assert pd.isna(certs.at["b.example.test", "key_size"])
    assert not inv.rejected  # blank ;; rows are skipped, not rejected
    notes = "\n".join(inv.notes)
    assert "2 blank row(s) skipped" in notes
    assert "key_size: 1 ambiguous number(s) ('2,5') left empty" in notes


# -------------------------------------------------------------------------------------- header aliases
@pytest.mark.parametrize(
    ("headers", "lang"),
    [
        (["Allgemeiner Name", "Gültig bis", "Aussteller", "Seriennummer", "Schlüssellänge"], "de"),
        (["Nom commun", "Date d'expiration", "Émetteur", "Numéro de série", "Taille de clé"], "fr"),
        (["Nombre común", "Fecha de caducidad", "Emisor", "Número de serie", "Tamaño de clave"], "es"),
        (["Nome comune", "Data di scadenza", "Emittente", "Numero di serie", "Lunghezza chiave"], "it"),
        (["Algemene naam", "Vervaldatum", "Uitgever", "Serienummer", "Sleutellengte"], "nl"),
        (["Nome comum", "Data de validade", "Emissor", "Número de série", "Tamanho da chave"], "pt"),
    ],
)
def test_localized_headers(headers: list[str], lang: str) -> None:
    assert list(map_headers(headers).values()) == [
        "common_name",
        "not_after",
        "issuer",
        "serial",
        "key_size",
    ], lang
    upper = [h.upper() for h in headers]  # accents and case folded
    assert len(map_headers(upper)) == 5


def test_auto_renew_column_is_automation() -> None:
    assert map_headers(["Auto-Renew"]) == {"Auto-Renew": "automation"}
    assert Automation.AUTOMATED in AUTOMATED


def test_unused_columns_are_listed_with_the_closest_name(tmp_path: Path) -> None:
    write(tmp_path / "inv.csv", "Common Name,Expiry,Ower,Rack\na.example.test,2027-01-01,ops,r1\n")
    inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert any("columns not used: 'Ower' (closest: owner" in n and "'Rack'" in n for n in inv.notes)


# ------------------------------------------------------------------------------------------- Windows
_PS_HEADER = (
    '"PSPath","PSParentPath","PSChildName","PSDrive","PSProvider","PSIsContainer","EnhancedKeyUsageList",'
    '"DnsNameList","SendAsTrustedIssuer","Archived","Extensions","FriendlyName","IssuerName","NotAfter",'
    '"NotBefore","HasPrivateKey","PrivateKey","PublicKey","RawData","SerialNumber","SubjectName",'
    '"SignatureAlgorithm","Thumbprint","Version","Handle","Issuer","Subject"'
)
_X500 = "System.Security.Cryptography.X509Certificates.X500DistinguishedName"


def _ps_row(thumb: str, not_after: str, subject: str) -> str:
    return (
        f'"Microsoft.PowerShell.Security\\Certificate::LocalMachine\\My\\{thumb}",'
        '"Microsoft.PowerShell.Security\\Certificate::LocalMachine\\My",'
        f'"{thumb}",,,"False","{{Server Authentication (1.3.6.1.5.5.7.3.1)}}",'
        '"System.Collections.Generic.List`1[System.Management.Automation.DnsNameRepresentation]","False","False",'
        '"System.Security.Cryptography.X509Certificates.X509ExtensionCollection","web",'
        f'"{_X500}","{not_after}","01.01.2026 00:00:00","True",,'
        '"System.Security.Cryptography.X509Certificates.PublicKey","System.Byte[]","1A2B3C",'
        f'"{_X500}","System.Security.Cryptography.Oid","{thumb}","3","2395112345",'
        f'"CN=Corp Issuing CA 1, DC=corp, DC=example","{subject}"'
    )


def test_powershell_export_csv_of_the_cert_drive(tmp_path: Path) -> None:
    thumb = "9F1B2C3D4E5F60718293A4B5C6D7E8F901234567"
    text = "\n".join(
        [
            "#TYPE System.Security.Cryptography.X509Certificates.X509Certificate2",
            _PS_HEADER,
            _ps_row(thumb, "31.12.2027 23:59:59", "CN=web01.corp.example, O=Example AG, C=DE"),
        ]
    )
    inv = cmmm.load([write(tmp_path / "certs.csv", text + "\n")], now=NOW, workers=1)
    row = inv.certificates.iloc[0]
    assert row["common_name"] == "web01.corp.example"  # not the X500DistinguishedName type name
    assert row["issuer_name"] == "Corp Issuing CA 1"
    # Windows's ", " between RDNs becomes RFC 4514's "," so that DNs compare with parsed certificates'
    assert row["subject_dn"] == "CN=web01.corp.example,O=Example AG,C=DE"
    assert row["issuer_dn"] == "CN=Corp Issuing CA 1,DC=corp,DC=example"
    assert row["not_after"] == datetime(2027, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert row["fingerprint_sha1"] == thumb.lower() and row["serial"] == "1a2b3c"
    assert inv.observations.at[0, "tags"] == "store:LocalMachine\\My"
    assert any("SubjectName" in n and "type names" in n for n in inv.notes)
    assert _X500 not in set(inv.certificates.astype(str).to_numpy().ravel())


_CERTUTIL = """My "Personal"
================ Certificate 0 ================
Serial Number: 61 00 00 00 12 ab cd
Issuer: CN=Corp Issuing CA 1, DC=corp, DC=example
 NotBefore: 13.01.2026 10:00
 NotAfter: 13.01.2027 10:00
Subject: CN=web02.corp.example
Non-root Certificate
Template: WebServer, Web Server
Cert Hash(sha1): 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
  Key Container = {F1E2}
  Provider = Microsoft RSA SChannel Cryptographic Provider
Encryption test passed

================ Zertifikat 1 ================
Seriennummer: 1f
Aussteller: CN=Corp Root
 NotBefore: 02.01.2020 10:00
 NotAfter: 02.01.2040 10:00
Antragsteller: CN=Corp Root
Zertifikathash(sha1): ffeeddccbbaa99887766554433221100ffeeddcc
CertUtil: -store command completed successfully.
"""


def test_certutil_store_dump(tmp_path: Path) -> None:
    f = write(tmp_path / "store.txt", _CERTUTIL)
    fmt, batch = read_file(f, CTX)
    assert fmt == "certutil-store" and not batch.rejected
    certs = batch.certificates.set_index("common_name")
    assert certs.at["web02.corp.example", "serial"] == "6100000012abcd"
    assert certs.at["web02.corp.example", "not_after"] == datetime(2027, 1, 13, 10, tzinfo=UTC)
    assert certs.at["Corp Root", "fingerprint_sha1"] == "ffeeddccbbaa99887766554433221100ffeeddcc"
    assert certs.at["web02.corp.example", "issuer_dn"] == "CN=Corp Issuing CA 1,DC=corp,DC=example"
    assert batch.observations.at[0, "tags"] == "store:My;template:WebServer, Web Server"


def test_a_corrupt_sheet_is_a_rejection_and_any_name_is_read(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    good = _workbook(tmp_path / "src" / "inventory.xlsx").read_bytes()
    write(tmp_path / "in" / "export", good)  # a workbook saved without an extension
    z_in = zipfile.ZipFile(io.BytesIO(good))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z_out:
        for item in z_in.infolist():
            data = z_in.read(item.filename)
            z_out.writestr(
                item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data
            )
    write(tmp_path / "in" / "cut.xlsx", buf.getvalue())
    inv = cmmm.load([tmp_path / "in"], now=NOW, workers=1)
    assert len(inv) == 3  # the export without extension
    cut = [r for r in inv.rejected if r.source.endswith("cut.xlsx")]
    assert cut[0].locator == "sheet 'Übersicht'" and cut[0].reason.startswith("unreadable Excel sheet")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_wide_unicode_spreadsheets_with_their_bom(tmp_path: Path, encoding: str, sep: str) -> None:
    """Excel's "Unicode Text" and Windows PowerShell 5.1's redirections: UTF-16/32 with a byte-order mark."""
    text = f"Common Name{sep}Gültig bis{sep}Key Size\r\nä.example{sep}2026-12-31{sep}2048\r\n"
    f = write(tmp_path / "export.csv", "\ufeff".encode(encoding) + text.encode(encoding))
    fmt, batch = read_file(f, CTX)
    assert fmt == "csv" and not batch.rejected, batch.rejected
    row = batch.certificates.iloc[0]
    assert (row["common_name"], int(row["key_size"])) == ("ä.example", 2048)


def test_certutil_dump_redirected_in_utf16(tmp_path: Path) -> None:
    f = write(tmp_path / "store.txt", "\ufeff".encode("utf-16-le") + _CERTUTIL.encode("utf-16-le"))
    fmt, batch = read_file(f, CTX)
    assert fmt == "certutil-store" and not batch.rejected
    assert set(batch.certificates["common_name"]) >= {"web02.corp.example", "Corp Root"}
