"""What a spreadsheet makes of a CSV file: LibreOffice's own import (headless), and Python's csv module."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
# Every separator a hostile cell may hide a second line behind, with a formula after it.
BREAKS = {
    "CR": "\r",
    "LF": "\n",
    "CRLF": "\r\n",
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
}
# The test's own statement of the rule (not the code under test): a line of a cell that starts, after
# spaces, with = + - @ tab or CR is run as a formula.
_RISK = re.compile("(?:^|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]) *[=+\\-@\t\r]")
PAYLOADS = ("=41+1", "+41+1", "-41+1", "@SUM(41,1)", " =41+1", "\t=41+1", "=cmd|'/c calc'!A1")


def hostile_values() -> list[str]:
    """Cells with a formula at the start and after every kind of line break."""
    out = list(PAYLOADS)
    for name, sep in BREAKS.items():
        out += [f"bob{sep}{p}" for p in PAYLOADS] + [f"{name}{sep}{sep}=41+1"]
    return out


def live_formulas(path: Path, tmp: Path) -> list[str]:
    """The formulas LibreOffice Calc finds when it opens `path` as CSV (comma, UTF-8, formulas evaluated),
    read from the flat ODF spreadsheet it converts the file to."""
    assert LIBREOFFICE is not None
    out = tmp / "lo-out"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",  # a private profile: parallel runs do not clash
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "fods",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (out / (path.stem + ".fods")).read_text(encoding="utf-8")
    return re.findall(r'table:formula="([^"]*)"', text)


def unsafe_cells(path: Path) -> list[str]:
    """Cells, as Python's csv module reads them, with a line that a spreadsheet would run as a formula."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return [c for row in rows for c in row if _RISK.search(c)]
