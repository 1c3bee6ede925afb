"""Judging a presented chain: the system trust store, hostname matching, validity at a date."""

from __future__ import annotations

import ipaddress
import ssl
import warnings
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509 import verification

from cmmm.ingest.x509 import load_pem
from cmmm.scan.result import ChainStatus, subject_text


# -------------------------------------------------------------------------------------- certificates
@lru_cache(maxsize=1)
def system_trust_store() -> tuple[x509.Certificate, ...]:
    """The system's trusted roots (Debian/Ubuntu, RHEL, Alpine/macOS bundle paths); empty if none."""
    paths = ssl.get_default_verify_paths()
    candidates = [
        paths.cafile,
        paths.openssl_cafile,
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ]
    for c in candidates:
        if not c:
            continue
        try:
            data = Path(c).read_bytes()
        except OSError:
            continue
        certs: list[x509.Certificate] = []
        for block in data.split(b"-----END CERTIFICATE-----"):
            if b"-----BEGIN CERTIFICATE-----" in block:
                try:
                    with warnings.catch_warnings():  # old roots with non-positive serials still anchor
                        warnings.simplefilter("ignore")
                        certs.append(load_pem(block + b"-----END CERTIFICATE-----\n"))
                except ValueError:
                    continue
        if certs:
            return tuple(certs)
    return ()


def _leaf_names(leaf: x509.Certificate) -> tuple[list[str], list[str]]:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
        return [], []
    # An iPAddress SAN of 8 or 32 octets is a network (legal only in name constraints, RFC 5280
    # §4.2.1.10): it names no host, so it matches nothing (a hostile server's leaf must not end the scan).
    ips = [a for a in san.get_values_for_type(x509.IPAddress) if isinstance(a, IPv4Address | IPv6Address)]
    return [n.lower().rstrip(".") for n in san.get_values_for_type(x509.DNSName)], [str(a) for a in ips]


def hostname_matches(leaf: x509.Certificate, name: str) -> bool:
    """RFC 6125 / RFC 9525: SAN dNSName (wildcard only as the whole left-most label) or iPAddress."""
    dns, ips = _leaf_names(leaf)
    try:
        return str(ipaddress.ip_address(name.strip("[]"))) in ips
    except ValueError:
        pass
    name = name.lower().rstrip(".")
    for pattern in dns:
        if pattern == name:
            return True
        if pattern.startswith("*.") and "." in name:
            head, rest = name.split(".", 1)
            if head and rest == pattern[2:] and "." in rest:
                return True
    return False


def judge_chain(
    chain: Sequence[x509.Certificate], now: datetime, trust: Sequence[x509.Certificate]
) -> tuple[ChainStatus, str | None]:
    """Validate the presented chain at `now` against `trust` (cryptography's RFC 5280 path builder)."""
    leaf = chain[0]
    expired = [c for c in chain if c.not_valid_after_utc < now]
    if leaf.not_valid_before_utc > now:
        return ChainStatus.NOT_YET_VALID, f"leaf valid from {leaf.not_valid_before_utc:%Y-%m-%d}"
    dns, ips = _leaf_names(leaf)
    if trust and (dns or ips):
        subject: Any = (
            x509.DNSName(dns[0].replace("*", "wildcard", 1))
            if dns
            else x509.IPAddress(ipaddress.ip_address(ips[0]))
        )
        try:
            verifier = (
                verification.PolicyBuilder()
                .store(verification.Store(list(trust)))
                .time(now)
                .build_server_verifier(subject)
            )
            verifier.verify(leaf, list(chain[1:]))
            return ChainStatus.VALID, None
        except verification.VerificationError as exc:
            reason = str(exc)[:200]
        except ValueError as exc:  # e.g. an unusable SAN for a verifier subject
            reason = str(exc)[:200]
    else:
        reason = "no trust anchors" if not trust else "leaf has no subjectAltName naming a host"
    if expired:
        return (
            ChainStatus.EXPIRED,
            f"{subject_text(expired[0])} expired {expired[0].not_valid_after_utc:%Y-%m-%d}",
        )
    if len(chain) == 1 and leaf.subject == leaf.issuer:
        return ChainStatus.SELF_SIGNED, "self-signed leaf"
    if not trust:
        return ChainStatus.UNTRUSTED, reason
    if "candidates exhausted" in reason:
        return ChainStatus.UNTRUSTED, "no path to a trusted root (unknown issuer or missing intermediate)"
    return ChainStatus.INVALID, reason
