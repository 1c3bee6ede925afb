"""Certificate revocation lists (RFC 5280 §5), PEM or DER: each entry becomes a revocation to apply at merge."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from cmmm.ingest._base import Batch

# RFC 5280 §5.3.1 CRLReason, as cryptography names them, in the words of the RFC
_REASONS = {
    x509.ReasonFlags.unspecified: "unspecified",
    x509.ReasonFlags.key_compromise: "keyCompromise",
    x509.ReasonFlags.ca_compromise: "cACompromise",
    x509.ReasonFlags.affiliation_changed: "affiliationChanged",
    x509.ReasonFlags.superseded: "superseded",
    x509.ReasonFlags.cessation_of_operation: "cessationOfOperation",
    x509.ReasonFlags.certificate_hold: "certificateHold",
    x509.ReasonFlags.privilege_withdrawn: "privilegeWithdrawn",
    x509.ReasonFlags.aa_compromise: "aACompromise",
    x509.ReasonFlags.remove_from_crl: "removeFromCRL",
}


def _dn(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:
        return repr(name)


def _authority_key_id(crl: x509.CertificateRevocationList) -> str | None:
    try:
        aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except (x509.ExtensionNotFound, ValueError, x509.DuplicateExtension):
        return None
    return aki.key_identifier.hex() if aki.key_identifier is not None else None


def _reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        flag = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except (x509.ExtensionNotFound, ValueError, x509.DuplicateExtension):
        return None
    return _REASONS.get(flag, flag.value)


def revocation_rows(
    crl: x509.CertificateRevocationList, source: str, der: bytes | None = None
) -> list[dict[str, Any]]:
    """One row per CRL entry: issuer_dn, authority_key_id, serial (lower-case hex), revoked_at, reason, and
    the CRL itself (`crl_der`, one shared bytes object) for the signature check at merge."""
    issuer, aki = _dn(crl.issuer), _authority_key_id(crl)
    rows: list[dict[str, Any]] = []
    for entry in crl:
        revoked_at: datetime | None = entry.revocation_date_utc
        rows.append(
            {
                "issuer_dn": issuer,
                "authority_key_id": aki,
                "serial": format(entry.serial_number, "x"),
                "revoked_at": revoked_at,
                "revocation_reason": _reason(entry),
                "crl": source,
                "crl_der": der,
            }
        )
    return rows


def crl_problem(der: bytes) -> str | None:
    """None when cryptography reads `der` as a CRL, else what it says is wrong."""
    try:
        x509.load_der_x509_crl(der)
    except ValueError as exc:
        return (str(exc).splitlines()[0][:160] if str(exc) else "") or type(exc).__name__
    return None


def add_crl(batch: Batch, path: Path, ref: str, der: bytes) -> None:
    """Read one DER CRL into `batch.revocations`, with a note naming its issuer, size and freshness.
    Raises ValueError when `der` is not a readable CRL."""
    crl = x509.load_der_x509_crl(der)
    try:
        rows = revocation_rows(crl, f"{path} {ref}", der)
    except (ValueError, OverflowError) as exc:  # an entry cryptography cannot decode lazily
        raise ValueError(f"unreadable CRL entry: {exc}") from None
    batch.revocations.extend(rows)
    nxt = crl.next_update_utc
    fresh = f", next update {nxt.isoformat()}" if nxt is not None else ", no next update"
    count = f"{len(rows)} revoked serial(s)" if rows else "(no entries)"
    batch.notes.append(
        f"{path}: {ref}: CRL of {_dn(crl.issuer)} issued {crl.last_update_utc.isoformat()}{fresh}: {count}"
    )


class CrlCheck(StrEnum):
    """What the inventory says of a CRL's signature (cmmm.ingest._merge.apply_revocations)."""

    VERIFIED = "verified"  # a CA certificate of the inventory named as its issuer verifies it
    BAD = "bad"  # the inventory holds its issuer's certificate, and no such certificate verifies it
    UNVERIFIED = "unverified"  # the issuer's certificate is not in the inventory: cannot tell


def check_signature(der: bytes, issuers: list[bytes]) -> CrlCheck:
    """Verify a CRL against the bodies of the CA certificates whose subject is its issuer (and whose key
    identifier is its authority key identifier, when both are known)."""
    crl = x509.load_der_x509_crl(der)
    tried = False
    for body in issuers:
        try:
            key = x509.load_der_x509_certificate(body).public_key()
            if crl.is_signature_valid(key):  # type: ignore[arg-type]  # X25519/X448 keys raise TypeError
                return CrlCheck.VERIFIED
            tried = True
        except (ValueError, TypeError, UnsupportedAlgorithm):  # a key cryptography cannot check with
            continue
    return CrlCheck.BAD if tried else CrlCheck.UNVERIFIED
