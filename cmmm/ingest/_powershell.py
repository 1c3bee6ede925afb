"""PowerShell `Get-ChildItem Cert:\\… | Export-Csv` of X509Certificate2 objects, as a CSV's columns.

Export-Csv writes each property's ToString(): for SubjectName and IssuerName that is the type name
`System.Security.Cryptography.X509Certificates.X500DistinguishedName`, not the name, and the header aliases
would take SubjectName for the common name. Columns holding only .NET type names are dropped (with a
note), and the string properties Subject and Issuer, which hold the DNs, are read instead; NotAfter is in
the exporting machine's locale (cmmm.ingest._dates reads US and European forms).
"""

from __future__ import annotations

import re

import pandas as pd

# .NET type names where values should be: System.Byte[], System.Security.Cryptography.Oid, List`1[…]
_TYPE_NAME = re.compile(r"^System\.[\w.]+(?:`\d+)?(?:\[[\w.,\s\[\]`]*\])?$")
# PowerShell's X509Certificate2 properties -> the canonical columns (the headers no alias should guess)
_POWERSHELL_COLUMNS = {
    "Subject": "subject_dn",
    "Issuer": "issuer_dn",
    "Thumbprint": "fingerprint_sha1",
    "NotAfter": "not_after",
    "NotBefore": "not_before",
    "SerialNumber": "serial",
    "DnsNameList": "sans",
    "EnhancedKeyUsageList": "ext_key_usage",
}
# Windows writes "CN=web01, O=Example AG, C=DE"; RFC 4514 (and the DNs cmmm reads from bodies) "CN=web01,O=…"
WINDOWS_DN_SPACE = re.compile(r"(?<!\\),\s+(?=[A-Za-z][\w.-]*=)")
_POWERSHELL_MARKERS = {"PSPath", "PSParentPath", "Thumbprint", "HasPrivateKey"}


def is_powershell_export(columns: list[str]) -> bool:
    """An Export-Csv of X509Certificate2 objects (Cert:\\ drive)."""
    return len(_POWERSHELL_MARKERS & set(columns)) >= 2 and "Thumbprint" in columns


def powershell_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The frame with .NET type-name columns dropped, PowerShell's properties under canonical names, the
    Subject's CN as common_name and the store path as a tag; and a note naming what was dropped."""
    columns = [str(c) for c in frame.columns]
    if not is_powershell_export(columns):
        return frame, None
    dropped = [
        c
        for c in columns
        if (cells := frame[c].astype("string").str.strip().replace("", pd.NA).dropna()).size
        and cells.str.fullmatch(_TYPE_NAME.pattern).all()
    ]
    out = frame.drop(columns=dropped)
    keep = {c: _POWERSHELL_COLUMNS[c] for c in out.columns if c in _POWERSHELL_COLUMNS}
    out = out[list(keep)].rename(columns=keep)
    if "sans" in out:  # "{www.example.com, example.com}" when a script expanded DnsNameList
        out["sans"] = out["sans"].astype("string").str.strip("{} ").str.replace(r"\s*,\s*", ";", regex=True)
    if "ext_key_usage" in out:
        out["ext_key_usage"] = (
            out["ext_key_usage"].astype("string").str.strip("{} ").str.replace(r"\s*,\s*", ";", regex=True)
        )
    for col in ("subject_dn", "issuer_dn"):
        if col in out:
            out[col] = out[col].astype("string").str.replace(WINDOWS_DN_SPACE.pattern, ",", regex=True)
    out["common_name"] = out.get("subject_dn", "")
    if "PSParentPath" in frame:
        store = frame["PSParentPath"].astype("string").str.replace(r"^.*::", "", regex=True)
        out["tags"] = "store:" + store
    note = None
    if dropped:
        note = (
            f"PowerShell Export-Csv wrote .NET type names instead of values in {', '.join(dropped)} "
            "(ignored; Subject and Issuer hold the names)"
        )
    return out, note
