"""Windows certificate stores as `certutil -store` dumps them (English and German labels).

PowerShell's `Get-ChildItem Cert:\\… | Export-Csv` is a CSV: cmmm.ingest._powershell rewrites its columns.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.ingest._powershell import WINDOWS_DN_SPACE
from cmmm.ingest.tabular import from_rows

# ------------------------------------------------------------------------------------- certutil -store
_CERTUTIL_BLOCK = re.compile(r"^=+ (?:Certificate|Zertifikat) (\d+) =+\s*$", re.MULTILINE)
_CERTUTIL_FIELDS = {
    "serial number": "serial",
    "seriennummer": "serial",
    "issuer": "issuer_dn",
    "aussteller": "issuer_dn",
    "notbefore": "not_before",
    "notafter": "not_after",
    "subject": "subject_dn",
    "antragsteller": "subject_dn",
    "cert hash(sha1)": "fingerprint_sha1",
    "zertifikathash(sha1)": "fingerprint_sha1",
    "template": "template",
    "vorlage": "template",
}


def sniff_certutil(path: Path, head: bytes) -> int:
    """certutil -store output: '================ Certificate 0 ================' blocks."""
    return 90 if _CERTUTIL_BLOCK.search(text_of(head[:16384])) else 0


def _fields(block: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for line in block.splitlines():
        key, sep, value = line.strip().partition(":")
        column = _CERTUTIL_FIELDS.get(key.strip().lower()) if sep else None
        if column and column not in row:
            row[column] = value.strip()
    for col in ("subject_dn", "issuer_dn"):
        if col in row:
            row[col] = WINDOWS_DN_SPACE.sub(",", row[col])
    if "serial" in row:
        row["serial"] = row["serial"].replace(" ", "")
    if "fingerprint_sha1" in row:
        row["fingerprint_sha1"] = row["fingerprint_sha1"].replace(" ", "")
    row["common_name"] = row.get("subject_dn")
    return row


def read_certutil(path: Path, ctx: ReadContext) -> Batch:
    """One certificate per block; the store named on the dump's first line becomes a tag."""
    text = text_of(path.read_bytes())
    marks = list(_CERTUTIL_BLOCK.finditer(text))
    if not marks:
        raise InputError(str(path), "no '==== Certificate N ====' block (not a certutil -store dump)")
    store = text[: marks[0].start()].strip().splitlines()
    tag = f"store:{store[0].split()[0]}" if store and store[0].split() else None
    rows: list[dict[str, Any]] = []
    locators: list[str] = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        row = _fields(text[m.end() : end])
        template = row.pop("template", None)
        row["tags"] = ";".join(t for t in (tag, f"template:{template}" if template else None) if t) or None
        rows.append(row)
        locators.append(f"certificate {m.group(1)} (line {text.count(chr(10), 0, m.start()) + 1})")
    batch = from_rows(rows, locators, path, ctx, hex_serials=True)
    batch.notes.append(f"{path}: certutil -store dump: {len(rows)} certificate block(s)")
    return batch
