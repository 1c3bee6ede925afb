"""X.509 files: PEM bundles, DER, PKCS#7 (.p7b/.p7c, PEM or DER) and PKCS#12 (.pfx/.p12)."""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.ingest.crl import add_crl, crl_problem
from cmmm.ingest.x509 import (
    certificate_row,
    content_type_oid,
    first_element,
    key_type_name,
    lenient_row,
    private_key_facts,
    public_key_id,
)
from cmmm.model import PrivateKeyFinding, Rejected

_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 #]+)-----")
_KEY_LABELS = {
    b"PRIVATE KEY",
    b"RSA PRIVATE KEY",
    b"EC PRIVATE KEY",
    b"DSA PRIVATE KEY",
    b"ENCRYPTED PRIVATE KEY",
    b"OPENSSH PRIVATE KEY",
}
_WHITESPACE = b" \t\r\n\v\f"
_CERT_LABELS = {b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"}
_P7_LABELS = {b"PKCS7", b"CMS", b"PKCS #7 SIGNED DATA"}
_CRL_LABELS = {b"X509 CRL"}
_PKCS12_SUFFIXES = (".pfx", ".p12")
_WRONG_PASSWORD = "Invalid password or PKCS12 data"  # cryptography's message for a MAC that does not verify
_P7_SUFFIXES = (".p7b", ".p7c", ".p7", ".p7m", ".p7s")
_DER_SUFFIXES = (".der", ".cer", ".crt", ".cert")


# CMS content types (RFC 5652 §3, RFC 3274, RFC 5083): only signed-data carries certificates to read
_SIGNED_DATA = "1.2.840.113549.1.7.2"
CMS_CONTENT_TYPES = {
    "1.2.840.113549.1.7.1": "data",
    _SIGNED_DATA: "signed-data",
    "1.2.840.113549.1.7.3": "enveloped-data (encrypted)",
    "1.2.840.113549.1.7.4": "signed-and-enveloped-data",
    "1.2.840.113549.1.7.5": "digested-data",
    "1.2.840.113549.1.7.6": "encrypted-data",
    "1.2.840.113549.1.9.16.1.2": "authenticated-data",
    "1.2.840.113549.1.9.16.1.9": "compressed-data",
    "1.2.840.113549.1.9.16.1.23": "authenticated-enveloped-data (encrypted)",
}


class NotSignedData(ValueError):
    """A CMS/PKCS#7 ContentInfo whose content type is not signed-data: it carries no certificate list."""


def _pkcs7_certificates(der: bytes, path: Path, batch: Batch) -> list[x509.Certificate]:
    """PKCS#7 certificates; BER or an unsorted SET OF (what openssl crl2pkcs7 and Windows write) is
    accepted with a note instead of cryptography's warning. Raises ValueError when unreadable, and
    NotSignedData, naming the content type, for enveloped-data and the other types without certificates."""
    oid = content_type_oid(der)
    if oid is not None and oid != _SIGNED_DATA and oid in CMS_CONTENT_TYPES:
        raise NotSignedData(
            f"CMS/PKCS#7 {CMS_CONTENT_TYPES[oid]} ({oid}) carries no certificate list; "
            "only signed-data (.p7b/.p7c, S/MIME signatures) does"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            certs = pkcs7.load_der_pkcs7_certificates(der)
        except UnsupportedAlgorithm as exc:  # a content type cryptography does not read
            raise NotSignedData(f"unsupported CMS/PKCS#7 structure: {_short(exc)}") from None
    if any("BER" in str(w.message) for w in caught):
        batch.notes.append(f"{path}: PKCS#7 is not strict DER (read as BER)")
    return certs


def _observation(path: Path, ref: str) -> dict[str, Any]:
    return {"source": str(path), "source_ref": ref, "location": str(path), "discovered_by": "filesystem"}


def _add(batch: Batch, path: Path, ref: str, cert: x509.Certificate, der: bytes) -> None:
    _add_row(batch, path, ref, certificate_row(cert, der), der)


def _add_row(batch: Batch, path: Path, ref: str, row: dict[str, Any], der: bytes | None) -> None:
    """A row, its observation at the file and its body (None: a repaired body, whose signature covers
    bytes cryptography cannot read, is not kept)."""
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    batch.certificates.append(row)
    batch.observations.append({"cert_id": row["cert_id"], **_observation(path, ref)})
    if der is not None:
        batch.bodies[row["cert_id"]] = der
    if row["not_before"] > row["not_after"]:  # real evidence on disk: kept, but say so
        batch.notes.append(
            f"{path}: {ref}: notBefore {row['not_before'].isoformat()} is after notAfter "
            f"{row['not_after'].isoformat()} (kept; its validity is negative)"
        )


def _add_body(batch: Batch, path: Path, ref: str, der: bytes) -> None:
    """A certificate body as openssl reads it: strict DER first, then the repaired re-encoding, noted."""
    row, repairs = lenient_row(der)
    for note in row.pop("notes", ()):
        batch.notes.append(f"{path}: {ref}: {note}")
    if not repairs:
        _add_row(batch, path, ref, row, der)
        return
    _add_row(batch, path, ref, row, None)
    batch.notes.append(
        f"{path}: {ref}: read as openssl reads it, past {'; '.join(repairs)} "
        "(kept under the SHA-256 of the bytes on disk; its signature is not checked)"
    )


def add_certificate(batch: Batch, path: Path, ref: str, cert: x509.Certificate, der: bytes) -> None:
    """A certificate read from a file: its row, an observation at the file, and its body."""
    _add(batch, path, ref, cert, der)


def pkcs7_certificates(der: bytes, path: Path, batch: Batch) -> list[x509.Certificate]:
    """The certificates of a DER (or BER) PKCS#7 signed-data; NotSignedData for the other content types."""
    return _pkcs7_certificates(der, path, batch)


# ------------------------------------------------------------------------------------------------- PEM
_BEGIN_AT_LINE_START = re.compile(rb"(?m)^[ \t]*-----BEGIN [A-Z0-9 #]+-----")


def sniff_pem(path: Path, head: bytes) -> int:
    """90 for a PEM bundle (a BEGIN line at the start of a line, text around it tolerated); 40 when every
    BEGIN sits inside a line — a quoted spreadsheet cell ("-----BEGIN …) — so that a spreadsheet with a
    certificate column is read as the table it is (the CSV sniffer scores a known header 60 or more)."""
    if _BEGIN_AT_LINE_START.search(head):
        return 90
    return 40 if _BEGIN.search(head) else 0


_MARKER = re.compile(rb"-----(BEGIN|END) ([A-Z0-9 #]+)-----")
MAX_BUNDLE_BLOCKS = 1_000_000  # PEM blocks read from one file; the rest are reported, not read


class _LineCounter:
    """Line numbers of increasing offsets, counting each newline once (linear in the file)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.line = 1

    def at(self, offset: int) -> int:
        self.line += self.data.count(b"\n", self.pos, offset)
        self.pos = offset
        return self.line


def _blocks(data: bytes) -> Iterator[tuple[bytes, int, int, int] | tuple[bytes, int, None, None]]:
    """(label, start, body start, end) of each BEGIN … END block in one pass over the markers, or
    (label, start, None, None) for a BEGIN that is not closed by its own END line (truncated)."""
    opened: re.Match[bytes] | None = None
    for mk in _MARKER.finditer(data):
        if mk.group(1) == b"BEGIN":
            if opened is not None:
                yield opened.group(2), opened.start(), None, None
            opened = mk
        elif opened is not None:
            if mk.group(2) == opened.group(2):
                yield opened.group(2), opened.start(), opened.end(), mk.end()
            else:
                yield opened.group(2), opened.start(), None, None
            opened = None
    if opened is not None:
        yield opened.group(2), opened.start(), None, None


def read_pem(path: Path, ctx: ReadContext) -> Batch:
    """Block by block: one corrupt block is rejected with its line, the others are kept."""
    return read_pem_data(path, path.read_bytes(), ctx)


def read_pem_data(path: Path, data: bytes, ctx: ReadContext) -> Batch:
    """read_pem of content already read: linear in its size (one pass over the BEGIN/END markers)."""
    batch = Batch()
    lines = _LineCounter(data)
    for n, (label, start, body, end) in enumerate(_blocks(data)):
        ref = f"line {lines.at(start)}"
        if n >= MAX_BUNDLE_BLOCKS:
            batch.rejected.append(
                Rejected(
                    source=str(path),
                    locator=ref,
                    reason=f"more than {MAX_BUNDLE_BLOCKS} PEM blocks in one file (limit: blocks per "
                    "bundle); the rest not read",
                )
            )
            break
        if body is None or end is None:
            batch.rejected.append(
                Rejected(
                    source=str(path),
                    locator=ref,
                    reason=f"{label.decode()} block has no END line (truncated)",
                )
            )
            continue
        _pem_block(batch, path, ref, label, data[body : end - len(label) - 14], data[start:end])
    if not batch.certificates and not batch.rejected and not batch.private_keys and not batch.revocations:
        if any(n.endswith("(no entries)") for n in batch.notes):
            return batch  # an empty CRL: read, and noted
        raise InputError(str(path), "PEM file holds no certificate")
    return batch


def _read_container(batch: Batch, path: Path, ref: str, label: bytes, body: bytes) -> None:
    """A PEM PKCS#7 or CRL block: its certificates or revocations, else a rejection naming why."""
    kind = "CRL" if label in _CRL_LABELS else "PKCS#7"
    try:
        der = base64.b64decode(body.translate(None, _WHITESPACE), validate=True)
        if kind == "CRL":
            add_crl(batch, path, ref, der)
            return
        for i, cert in enumerate(_pkcs7_certificates(der, path, batch)):
            _add(batch, path, f"{ref} cert {i}", cert, cert.public_bytes(serialization.Encoding.DER))
    except NotSignedData as exc:
        batch.rejected.append(Rejected(source=str(path), locator=ref, reason=str(exc)))
    except (binascii.Error, ValueError) as exc:
        batch.rejected.append(
            Rejected(source=str(path), locator=ref, reason=f"corrupt {kind} block: {_short(exc)}")
        )


def _pem_block(batch: Batch, path: Path, ref: str, label: bytes, body: bytes, block: bytes) -> None:
    """One complete block: a certificate, a private key (listed, never copied), PKCS#7 or a CRL, or a note."""
    if label in _CERT_LABELS:
        try:
            der = base64.b64decode(body.translate(None, _WHITESPACE), validate=True)
            if label == b"TRUSTED CERTIFICATE":  # OpenSSL's X509_AUX trust settings follow the body
                der = first_element(der)
            _add_body(batch, path, ref, der)
        except (binascii.Error, ValueError) as exc:
            batch.rejected.append(
                Rejected(source=str(path), locator=ref, reason=f"corrupt certificate block: {_short(exc)}")
            )
    elif label in _KEY_LABELS:
        batch.private_keys.append(_key_finding(path, ref, label, block))
    elif label in _P7_LABELS or label in _CRL_LABELS:
        _read_container(batch, path, ref, label, body)
    else:
        batch.notes.append(
            f"{path}:{ref.removeprefix('line ')}: skipped a {label.decode()} block (not a certificate)"
        )


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def _key_finding(path: Path, ref: str, label: bytes, pem: bytes) -> PrivateKeyFinding:
    if label == b"ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in pem:
        return PrivateKeyFinding(path=str(path), locator=ref, key_type="unknown (encrypted)", encrypted=True)
    if label == b"OPENSSH PRIVATE KEY":
        return PrivateKeyFinding(path=str(path), locator=ref, key_type="OpenSSH", encrypted=False)
    kind, key_id = private_key_facts(pem)
    if kind is None:
        kind = label.decode().replace(" PRIVATE KEY", "") or "unknown"
    return PrivateKeyFinding(
        path=str(path), locator=ref, key_type=kind or "PKCS#8", encrypted=False, key_id=key_id
    )


# ------------------------------------------------------------------------------------------------- DER
def _looks_der(head: bytes) -> bool:
    return len(head) > 4 and head[0] == 0x30 and head[1] in (0x80, 0x81, 0x82, 0x83, 0x84)


def sniff_der(path: Path, head: bytes) -> int:
    if not _looks_der(head):
        return 0
    return 70 if path.suffix.lower() in _DER_SUFFIXES else 40


def read_der(path: Path, ctx: ReadContext) -> Batch:
    data = path.read_bytes()
    batch = Batch()
    try:
        _add_body(batch, path, "der", data)
    except ValueError as exc:
        as_certificate = _short(exc)
        batch = Batch()
    else:
        return batch
    not_signed: NotSignedData | None = None
    try:
        certs = _pkcs7_certificates(data, path, batch)
    except NotSignedData as exc:
        not_signed = exc
    except ValueError:
        pass
    else:
        for i, c in enumerate(certs):
            try:
                _add(batch, path, f"pkcs7 cert {i}", c, c.public_bytes(serialization.Encoding.DER))
            except ValueError as exc:
                batch.rejected.append(
                    Rejected(
                        source=str(path),
                        locator=f"pkcs7 cert {i}",
                        reason=f"corrupt certificate: {_short(exc)}",
                    )
                )
        return batch
    if not_signed is not None:
        raise InputError(str(path), str(not_signed))
    as_crl = crl_problem(data)
    if as_crl is None:
        try:
            add_crl(batch, path, "der", data)
        except ValueError as exc:
            raise InputError(str(path), f"unreadable CRL: {_short(exc)}") from None
        return batch
    if path.suffix.lower() in _PKCS12_SUFFIXES or _maybe_pkcs12(data):
        return read_pkcs12(path, ctx)
    kind, key_id = private_key_facts(data)
    if kind is not None:
        batch.private_keys.append(
            PrivateKeyFinding(path=str(path), locator="der", key_type=kind, encrypted=False, key_id=key_id)
        )
        return batch
    if path.suffix.lower() == ".crl":
        raise InputError(str(path), f"unreadable CRL: {as_crl}")
    raise InputError(
        str(path),
        "binary DER content is not a certificate, PKCS#7, CRL or PKCS#12 "
        f"(as a certificate: {as_certificate})",
    )


def _maybe_pkcs12(data: bytes) -> bool:
    # PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, ... }
    return _looks_der(data) and b"\x02\x01\x03" in data[:8]


# ---------------------------------------------------------------------------------------------- PKCS#7
def sniff_pkcs7(path: Path, head: bytes) -> int:
    if path.suffix.lower() in _P7_SUFFIXES and (_looks_der(head) or b"-----BEGIN PKCS7" in head):
        return 95
    return 0


def read_pkcs7(path: Path, ctx: ReadContext) -> Batch:
    data = path.read_bytes()
    if b"-----BEGIN" in data[:4096]:
        return read_pem(path, ctx)
    batch = Batch()
    try:
        certs = _pkcs7_certificates(data, path, batch)
    except NotSignedData as exc:
        raise InputError(str(path), str(exc)) from None
    except ValueError as exc:
        raise InputError(str(path), f"unreadable PKCS#7: {_short(exc)}") from None
    for i, c in enumerate(certs):
        _add(batch, path, f"cert {i}", c, c.public_bytes(serialization.Encoding.DER))
    return batch


# --------------------------------------------------------------------------------------------- PKCS#12
def sniff_pkcs12(path: Path, head: bytes) -> int:
    if path.suffix.lower() in _PKCS12_SUFFIXES and _looks_der(head):
        return 95
    return 50 if _maybe_pkcs12(head) else 0


# PKCS#12 key derivation and MAC iterations: OpenSSL writes 2,048, Windows 2,000, Java 10,000, and current
# guidance for PBKDF2 reaches 600,000. A file asking for more (2^31-1 hangs a reader for hours per password
# tried) is refused before any password is tried.
MAX_PKCS12_ITERATIONS = 1_000_000
_DER_MAX_DEPTH = 32


def pkcs12_iterations(der: bytes) -> int:
    """The largest iteration count a PKCS#12 file declares (MacData, PBES1/PBES2 parameters): every
    INTEGER that follows an OCTET STRING (the salt) in a SEQUENCE, looking inside OCTET STRINGs that hold
    DER (the authenticated safe and its bags). 0 when there is none. Bounded: depth and one pass."""
    best = 0
    stack: list[tuple[bytes, int]] = [(der, 0)]
    while stack:
        chunk, depth = stack.pop()
        children = _der_children(chunk)
        if children is None:
            continue
        for (tag, _), (next_tag, next_value) in itertools.pairwise(children):
            if tag == 0x04 and next_tag == 0x02 and next_value:
                best = max(best, int.from_bytes(next_value[:9], "big", signed=False))
        if depth < _DER_MAX_DEPTH:
            stack.extend((value, depth + 1) for tag, value in children if tag & 0x20 or tag == 0x04)
    return best


def _der_children(data: bytes) -> list[tuple[int, bytes]] | None:
    """The TLVs that exactly fill `data` (tag, value), or None when it is not DER."""
    out: list[tuple[int, bytes]] = []
    i = 0
    while i < len(data):
        if i + 2 > len(data):
            return None
        tag, length = data[i], data[i + 1]
        i += 2
        if tag & 0x1F == 0x1F:
            return None  # high tag numbers do not occur in PKCS#12
        if length & 0x80:
            n = length & 0x7F
            if n == 0 or n > 4 or i + n > len(data):
                return None
            length = int.from_bytes(data[i : i + n], "big")
            i += n
        if i + length > len(data):
            return None
        out.append((tag, data[i : i + length]))
        i += length
    return out


def read_pkcs12(path: Path, ctx: ReadContext) -> Batch:
    """Try no password, the empty one, then each configured password (which are never logged)."""
    data = path.read_bytes()
    iterations = pkcs12_iterations(data)
    if iterations > MAX_PKCS12_ITERATIONS:
        raise InputError(
            str(path),
            f"PKCS#12 asks for {iterations} key-derivation iterations, over the {MAX_PKCS12_ITERATIONS} "
            "limit (limit: PKCS#12 iterations); not opened",
        )
    # surrogateescape: a password read from the environment or a file keeps its original bytes even when
    # they are not UTF-8 (os.environ decodes them that way)
    candidates: list[bytes | None] = [
        None,
        b"",
        *(p.encode("utf-8", "surrogateescape") for p in ctx.passwords),
    ]
    for pw in candidates:
        try:
            p12 = pkcs12.load_pkcs12(data, pw)
        except (ValueError, TypeError) as exc:
            if str(exc) != _WRONG_PASSWORD and str(exc):
                # the password opened it: what fails is a certificate or key inside (e.g. a DSA key whose
                # parameters are inherited from its issuer, which cryptography cannot represent)
                raise InputError(
                    str(path), f"PKCS#12 opened, but its contents cannot be read: {_short(exc)}"
                ) from None
            continue
        except UnsupportedAlgorithm as exc:
            raise InputError(str(path), f"PKCS#12 uses an unsupported algorithm: {_short(exc)}") from None
        batch = Batch()
        certs = ([p12.cert] if p12.cert else []) + list(p12.additional_certs)
        for i, pc in enumerate(certs):
            cert = pc.certificate
            _add(batch, path, f"bag {i}", cert, cert.public_bytes(serialization.Encoding.DER))
        if p12.key is not None:
            batch.private_keys.append(
                PrivateKeyFinding(
                    path=str(path),
                    locator="key bag",
                    key_type=key_type_name(p12.key),
                    encrypted=pw not in (None, b""),
                    key_id=public_key_id(p12.key),
                    store="keystore",
                )
            )
        return batch
    tried = len(ctx.passwords)
    raise InputError(
        str(path),
        "PKCS#12 could not be opened: wrong password or corrupt file "
        f"(tried no password and {tried} configured password{'s' if tried != 1 else ''}; "
        "supply them with --password-file or CMMM_PKCS12_PASSWORDS)",
    )


def decode_text(data: bytes) -> str:
    return text_of(data)
