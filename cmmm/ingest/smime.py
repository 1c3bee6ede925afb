"""S/MIME messages (RFC 8551): the certificates a signature part carries; encrypted parts are rejected."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest.x509files import NotSignedData, add_certificate, pkcs7_certificates
from cmmm.model import Rejected

_PKCS7_TYPES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pkcs7-mime",
    "application/x-pkcs7-mime",
}
_HEADER = re.compile(rb"^content-type:\s*(?:multipart/signed|application/(?:x-)?pkcs7-)", re.I | re.M)


def sniff(path: Path, head: bytes) -> int:
    """A MIME message whose headers name multipart/signed or a PKCS#7 part."""
    return 90 if _HEADER.search(head[:16384]) and b"pkcs7" in head.lower() else 0


def read(path: Path, ctx: ReadContext) -> Batch:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    batch = Batch()
    found = 0
    for i, part in enumerate(msg.walk()):
        if part.get_content_type() not in _PKCS7_TYPES:
            continue
        found += 1
        ref = f"part {i} ({part.get_content_type()})"
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            batch.rejected.append(Rejected(source=str(path), locator=ref, reason="empty S/MIME part"))
            continue
        try:
            certs = pkcs7_certificates(payload, path, batch)
        except NotSignedData as exc:
            batch.rejected.append(Rejected(source=str(path), locator=ref, reason=str(exc)))
            continue
        except ValueError as exc:
            batch.rejected.append(
                Rejected(source=str(path), locator=ref, reason=f"unreadable PKCS#7 part: {exc}")
            )
            continue
        if not certs:
            batch.notes.append(f"{path}: {ref}: the signature carries no certificates")
        for k, cert in enumerate(certs):
            add_certificate(
                batch, path, f"{ref} cert {k}", cert, cert.public_bytes(serialization.Encoding.DER)
            )
    if not found:
        raise InputError(str(path), "MIME message without an S/MIME (PKCS#7) part")
    return batch
