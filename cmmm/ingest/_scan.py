"""Shared pieces of the scanner and CBOM ingesters: PEM bodies, rows without a body, endpoint observations."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography import x509

from cmmm.crypto import CURVE_BY_SIZE, key_algorithm, signature_algorithm
from cmmm.errors import InputError
from cmmm.ingest._base import Batch
from cmmm.ingest._dates import parse_dates
from cmmm.ingest.tabular import row_ids
from cmmm.ingest.x509 import certificate_row, load_der
from cmmm.model import Rejected

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)
_CN = re.compile(r"(?:^|[,/]\s*)CN\s*=\s*((?:\\,|[^,/])+)", re.IGNORECASE)
_ORG = re.compile(r"(?:^|[,/]\s*)O\s*=\s*((?:\\,|[^,/])+)", re.IGNORECASE)
_XML_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)

# Scanners spell protocol versions many ways; the observations keep one: "TLSv1.2".
_TLS_NAMES = {
    "sslv2": "SSLv2",
    "ssl_2_0": "SSLv2",
    "sslv3": "SSLv3",
    "ssl_3_0": "SSLv3",
    "tls1": "TLSv1.0",
    "tlsv1": "TLSv1.0",
    "tlsv1.0": "TLSv1.0",
    "tls_1_0": "TLSv1.0",
    "1.0": "TLSv1.0",
    "tls1_1": "TLSv1.1",
    "tlsv1.1": "TLSv1.1",
    "tls_1_1": "TLSv1.1",
    "1.1": "TLSv1.1",
    "tls1_2": "TLSv1.2",
    "tlsv1.2": "TLSv1.2",
    "tls_1_2": "TLSv1.2",
    "1.2": "TLSv1.2",
    "tls1_3": "TLSv1.3",
    "tlsv1.3": "TLSv1.3",
    "tls_1_3": "TLSv1.3",
    "1.3": "TLSv1.3",
}
_TLS_ORDER = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

# Group names as IANA registers them (TLS Supported Groups), from the spellings scanners print.
_GROUP_NAMES = {
    "x25519": "x25519",
    "ecdh_x25519": "x25519",
    "x448": "x448",
    "ecdh_x448": "x448",
    "prime256v1": "secp256r1",
    "secp256r1": "secp256r1",
    "p-256": "secp256r1",
    "secp384r1": "secp384r1",
    "p-384": "secp384r1",
    "secp521r1": "secp521r1",
    "p-521": "secp521r1",
    "x25519mlkem768": "X25519MLKEM768",
    "secp256r1mlkem768": "SecP256r1MLKEM768",
    "secp384r1mlkem1024": "SecP384r1MLKEM1024",
    "x25519kyber768draft00": "X25519Kyber768Draft00",
    "mlkem512": "MLKEM512",
    "mlkem768": "MLKEM768",
    "mlkem1024": "MLKEM1024",
}


def tls_version(name: str) -> str | None:
    """Canonical protocol version ("TLSv1.2") from any scanner spelling, None when not a version."""
    key = name.strip().lower().replace(" ", "")
    return _TLS_NAMES.get(key)


def join_versions(versions: Iterable[str]) -> str | None:
    got = {v for v in versions if v}
    return ";".join(v for v in _TLS_ORDER if v in got) or None


def group_name(name: str) -> str:
    """IANA spelling of a key-exchange group; unknown names are kept as given."""
    n = name.strip()
    return _GROUP_NAMES.get(n.lower().replace("_", "").replace(" ", ""), _GROUP_NAMES.get(n.lower(), n))


def join_groups(groups: Iterable[str]) -> str | None:
    """';'-joined, hybrid post-quantum groups first, then in the order seen, without duplicates."""
    seen: dict[str, None] = {}
    for g in groups:
        if isinstance(g, str) and g:
            seen[group_name(g)] = None
    names = list(seen)
    names.sort(key=lambda g: 0 if "mlkem" in g.lower() or "kyber" in g.lower() else 1)
    return ";".join(names) or None


_XML_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_PLAIN_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[A-Za-z_][\w.-]*\s*>")  # nmap's <!DOCTYPE nmaprun>: names a root
_CHUNK = 1 << 20


def reject_entities(path: Path, head: bytes | None = None) -> None:
    """Refuse XML that declares entities or carries a DOCTYPE with an internal subset or an external id
    (entity expansion, external entities) — anywhere in the file, not only its first MiB: comments may
    push a DOCTYPE arbitrarily far. A bare `<!DOCTYPE name>` (nmap writes one) declares nothing and
    passes. `head` is ignored; the whole file is scanned in chunks."""
    overlap = 300  # longer than any plain DOCTYPE and than "<!ENTITY": nothing hides across chunks
    with path.open("rb") as fh:
        window = fh.read(_CHUNK)
        while window:
            more = fh.read(_CHUNK)
            # judge a DOCTYPE only where the window holds all of it (or the file ends)
            limit = len(window) if not more else len(window) - overlap
            if _XML_ENTITY.search(window):
                raise InputError(str(path), "XML declares entities (<!ENTITY>); refused as unsafe")
            for m in _XML_DOCTYPE.finditer(window, 0, max(limit, 0)):
                if not _PLAIN_DOCTYPE.match(window, m.start()):
                    raise InputError(
                        str(path),
                        "XML carries a DOCTYPE with declarations or an external id; refused as unsafe",
                    )
            window = window[-overlap:] + more if more else b""


def pem_certificates(text: str) -> list[tuple[x509.Certificate | None, bytes | None, str | None]]:
    """Every certificate PEM block in `text`: (certificate, DER, None) or (None, None, reason)."""
    out: list[tuple[x509.Certificate | None, bytes | None, str | None]] = []
    if not isinstance(text, str):  # a hostile document's number or list where PEM text belongs
        return [(None, None, f"expected PEM text, found {type(text).__name__}")]
    for m in _PEM.finditer(text):
        try:
            der = base64.b64decode(re.sub(r"\s+", "", m.group(1)), validate=True)
            out.append((load_der(der), der, None))
        except (binascii.Error, ValueError) as exc:
            reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            out.append((None, None, f"corrupt certificate body: {reason}"))
    return out


def add_body(
    batch: Batch, path: Path, ref: Any, text: str, observation: dict[str, Any]
) -> list[dict[str, Any]]:
    """Parse the PEM certificates in `text` into the batch, each with a copy of `observation`.

    Returns the certificate rows added; a corrupt body becomes a rejection naming `ref`.
    """
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    rows: list[dict[str, Any]] = []
    for cert, der, reason in pem_certificates(text):
        if cert is None or der is None:
            batch.rejected.append(Rejected(source=str(path), locator=str(ref), reason=str(reason)))
            continue
        try:
            row = certificate_row(cert, der)
        except ValueError as exc:
            batch.rejected.append(Rejected(source=str(path), locator=str(ref), reason=str(exc)[:200]))
            continue
        batch.certificates.append(row)
        batch.observations.append({**observation, "cert_id": row["cert_id"]})
        batch.bodies[row["cert_id"]] = der
        rows.append(row)
    return rows


def _extract(col: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    got = col.astype("string").str.extract(pattern, expand=False)
    return got.str.replace("\\,", ",", regex=False).str.strip().astype("string")


def dn_attr(dn: str | None, which: str) -> str | None:
    if not dn:
        return None
    m = (_CN if which == "CN" else _ORG).search(dn)
    return m.group(1).replace("\\,", ",").strip() if m else None


def hex_serial(value: Any) -> str | None:
    """Lower-case hex without leading zeros from an int, a hex string (with colons/spaces) or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return format(value, "x")
    s = re.sub(r"[:\s-]", "", str(value)).lower().removeprefix("0x")
    try:
        return format(int(s, 16), "x")
    except ValueError:
        return None


def hex_fingerprint(value: Any, length: int) -> str | None:
    """Hex fingerprint of `length` hex digits from hex (any separators) or base64 (sslyze)."""
    if not value:
        return None
    s = str(value).strip()
    h = re.sub(r"[^0-9a-fA-F]", "", s).lower()
    if len(h) == length and re.fullmatch(r"[0-9a-fA-F:\s]+", s):
        return h
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) * 2 == length else None


def rows_without_body(records: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[int], int]:
    """Certificate rows from the fields a source gives when it has no body.

    Each record may hold: common_name, subject_dn, sans (list or ';'-string), issuer_dn, issuer_name,
    serial (hex), not_before, not_after (text), key (algorithm text), key_size, signature (name or OID),
    fingerprint_sha256/sha1 (hex). cert_id is sha256:<fingerprint> when known, else the tabular row id
    (issuer + serial), so that a body of the same certificate seen elsewhere merges with the row.
    A fingerprint that several different certificates of the same file claim (a placeholder) is ignored.
    Returns the frame, the positions of records dropped for lacking a name or an expiry date, and how
    many rows had their fingerprint ignored.
    """
    if not records:
        return pd.DataFrame(), [], 0
    raw = pd.DataFrame.from_records(
        [{k: r.get(k) for k in (*_TEXT_FIELDS, "not_before", "not_after")} for r in records],
        columns=[*_TEXT_FIELDS, "not_before", "not_after"],
    )
    raw["sans"] = raw["sans"].map(lambda v: ";".join(str(x) for x in v) or None if isinstance(v, list) else v)
    text = raw.drop(columns=["not_before", "not_after"]).astype("string").replace("", pd.NA)
    out = _name_columns(text)
    _key_columns(text, out)
    sigs = {u: signature_algorithm(u) for u in text["signature"].dropna().unique()}
    out["signature_algorithm"] = text["signature"].map({u: s.name if s else u for u, s in sigs.items()})
    out["signature_hash"] = text["signature"].map({u: s.hash if s else pd.NA for u, s in sigs.items()})
    out["signature_algorithm"] = out["signature_algorithm"].astype("string")
    out["signature_hash"] = out["signature_hash"].astype("string")
    out["fingerprint_sha256"] = text["fingerprint_sha256"]
    out["fingerprint_sha1"] = text["fingerprint_sha1"]
    out["not_before"], _ = parse_dates(raw["not_before"].astype("string"))
    out["not_after"], _ = parse_dates(raw["not_after"].astype("string"))
    drop = out["common_name"].isna() | out["not_after"].isna()
    out = out[~drop].copy()
    placeholder = _placeholder_fingerprints(out)
    out.loc[placeholder, "fingerprint_sha256"] = pd.NA
    fp = out["fingerprint_sha256"]
    out["cert_id"] = ("sha256:" + fp).fillna(row_ids(out))
    out["has_body"] = False
    return out.reset_index(drop=True), [int(i) for i in drop[drop].index], int(placeholder.sum())


_TEXT_FIELDS = (
    "common_name",
    "subject_dn",
    "sans",
    "issuer_dn",
    "issuer_name",
    "serial",
    "key",
    "key_size",
    "key_curve",
    "signature",
    "fingerprint_sha256",
    "fingerprint_sha1",
)


def _name_columns(text: pd.DataFrame) -> pd.DataFrame:
    """Subject and issuer: names from their fields, else from the DNs (CN, then O), the first SAN for a
    subject without any."""
    subject, issuer = text["subject_dn"], text["issuer_dn"]
    out = pd.DataFrame(index=text.index)
    out["subject_dn"] = subject
    out["common_name"] = (
        text["common_name"].fillna(_extract(subject, _CN)).fillna(text["sans"].str.split(";").str[0])
    )
    out["subject_org"] = _extract(subject, _ORG)
    out["sans"] = text["sans"]
    out["issuer_dn"] = issuer
    out["issuer_org"] = _extract(issuer, _ORG)
    out["issuer_name"] = (
        text["issuer_name"].fillna(_extract(issuer, _CN)).fillna(out["issuer_org"]).fillna(issuer)
    )
    out["serial"] = text["serial"]
    return out


def _key_columns(text: pd.DataFrame, out: pd.DataFrame) -> None:
    """key_algorithm, key_size (given, else from the algorithm text) and key_curve (given, else from the
    algorithm text, else by an EC key's size) into `out`."""
    # algorithm spellings repeat: normalize each distinct one once
    keys = {u: key_algorithm(u) for u in text["key"].dropna().unique()}
    out["key_algorithm"] = text["key"].map({u: v[0] for u, v in keys.items()}).astype("string")
    given = pd.to_numeric(text["key_size"].str.extract(r"^\s*(\d+)", expand=False), errors="coerce")
    from_alg = pd.to_numeric(text["key"].map({u: v[1] for u, v in keys.items()}), errors="coerce")
    out["key_size"] = given.fillna(from_alg).astype("Int64")
    curve = text["key_curve"].fillna(text["key"].map({u: v[2] for u, v in keys.items()}).astype("string"))
    by_size = out["key_size"].map(CURVE_BY_SIZE).astype("string")
    out["key_curve"] = curve.fillna(by_size.where(out["key_algorithm"] == "EC"))


def _placeholder_fingerprints(out: pd.DataFrame) -> pd.Series:
    """Rows whose SHA-256 fingerprint other rows with a different identity (expiry, names, serial) claim too."""
    identity = out["not_after"].astype("string").fillna("")
    for col in ("subject_dn", "common_name", "issuer_name", "serial"):
        identity = identity + "|" + out[col].astype("string").fillna("")
    shared = (
        pd.DataFrame({"fp": out["fingerprint_sha256"], "who": identity})
        .dropna(subset=["fp"])
        .groupby("fp")["who"]
        .nunique()
    )
    return out["fingerprint_sha256"].isin(shared[shared > 1].index)


def add_rows(
    batch: Batch, path: Path, records: list[dict[str, Any]], observations: list[dict[str, Any]], reason: str
) -> None:
    """Add rows_without_body(records) to the batch, each with its observation; dropped ones are rejected."""
    frame, dropped, placeholders = rows_without_body(records)
    gone = set(dropped)
    if placeholders:
        batch.notes.append(
            f"{path}: {placeholders} certificates share one SHA-256 fingerprint; it was ignored as a placeholder"
        )
    for i in dropped:
        batch.rejected.append(
            Rejected(source=str(path), locator=str(observations[i]["source_ref"]), reason=reason)
        )
    if frame.empty:
        return
    kept = pd.DataFrame.from_records([o for i, o in enumerate(observations) if i not in gone])
    kept["cert_id"] = frame["cert_id"].to_numpy()
    # frames stay frames (a list of row dicts would cost a Python object per cell); bodies parsed
    # earlier in the same file join them as a frame too
    certs, obs = batch.certificates, batch.observations
    assert isinstance(certs, list) and isinstance(obs, list)
    batch.certificates = (
        pd.concat([pd.DataFrame.from_records(certs), frame], ignore_index=True) if certs else frame
    )
    batch.observations = pd.concat([pd.DataFrame.from_records(obs), kept], ignore_index=True) if obs else kept
