"""Trust from the root programs: a certificate whose chain ends in a root of Mozilla's store is public.

The store is the one certifi ships (Mozilla's CA bundle, the same roots Firefox and most Linux systems
trust for TLS) together with the system bundle when one is installed (Debian/Ubuntu, Fedora/RHEL,
Alpine and SUSE paths). Rule: a certificate is public when it is such a root (by SHA-256 of its body),
when it chains up by issuer links (issuer_cert_id) to one, or when the top of its chain in the inventory
names a root's subject as its issuer and that root's key verifies its signature — a name alone is not
enough, since a private CA can call itself anything.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import certifi
import pandas as pd
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

SYSTEM_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",  # SUSE
)
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.DOTALL)
MAX_DEPTH = 16


@functools.lru_cache(maxsize=1)
def root_store() -> tuple[frozenset[str], dict[str, tuple[x509.Certificate, ...]]]:
    """(SHA-256 hex of every root body, roots by RFC 4514 subject), read once per process."""
    fingerprints: set[str] = set()
    by_subject: dict[str, list[x509.Certificate]] = {}
    for bundle in (certifi.where(), *SYSTEM_BUNDLES):
        try:
            data = Path(bundle).read_bytes()
        except OSError:
            continue
        for m in _PEM.finditer(data):
            try:
                cert = x509.load_pem_x509_certificate(m.group(0))
                der = cert.public_bytes(serialization.Encoding.DER)
                subject = cert.subject.rfc4514_string()
            except ValueError:
                continue
            fp = hashlib.sha256(der).hexdigest()
            if fp not in fingerprints:
                fingerprints.add(fp)
                by_subject.setdefault(subject, []).append(cert)
    return frozenset(fingerprints), {k: tuple(v) for k, v in by_subject.items()}


def _signed_by_root(der: bytes, roots: tuple[x509.Certificate, ...]) -> bool:
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return False
    for root in roots:
        try:
            cert.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return True
    return False


def root_program_trust(certs: pd.DataFrame, bodies: dict[str, bytes]) -> pd.DataFrame:
    """`certs` with trust = public for Mozilla's roots and every certificate that chains to one."""
    if certs.empty or not certs["fingerprint_sha256"].notna().any():
        return certs  # rows without bodies or fingerprints: nothing to compare with the store
    fingerprints, by_subject = root_store()
    public = certs["fingerprint_sha256"].isin(fingerprints).fillna(False).astype(bool)
    # the top of a chain in the inventory: its issuer is not here, but may be a root of the store
    tops = ~public & certs["issuer_cert_id"].isna() & certs["issuer_dn"].isin(by_subject.keys()).fillna(False)
    for i in certs.index[tops.to_numpy(dtype=bool)]:
        der = bodies.get(str(certs.at[i, "cert_id"]))
        if der is not None and _signed_by_root(der, by_subject[str(certs.at[i, "issuer_dn"])]):
            public.at[i] = True
    if not public.any():
        return certs
    ids = set(certs.loc[public, "cert_id"])
    for _ in range(MAX_DEPTH):  # down the issuer links: intermediates, then their leaves
        more = ~public & certs["issuer_cert_id"].isin(ids).fillna(False).astype(bool)
        if not more.any():
            break
        public |= more
        ids |= set(certs.loc[more, "cert_id"])
    certs = certs.copy()
    certs.loc[public, "trust"] = "public"
    return certs
