"""sslyze --json_out (versions 5 and 6): received certificate chains, TLS versions and key-exchange groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, obj, parse_json, seq, text_of
from cmmm.ingest._dates import parse_dates
from cmmm.ingest._scan import (
    add_body,
    add_rows,
    hex_fingerprint,
    hex_serial,
    join_groups,
    join_versions,
    tls_version,
)
from cmmm.model import Rejected

DISCOVERED_BY = "network-scan"
_SUITE_SCANS = (
    "ssl_2_0_cipher_suites",
    "ssl_3_0_cipher_suites",
    "tls_1_0_cipher_suites",
    "tls_1_1_cipher_suites",
    "tls_1_2_cipher_suites",
    "tls_1_3_cipher_suites",
)


def sniff(path: Path, head: bytes) -> int:
    """sslyze's JSON: a top-level object with server_scan_results (and sslyze_version)."""
    text = head[:8192].lstrip()
    if not text.startswith(b"{") or b'"server_scan_results"' not in head:
        return 0
    if b'"$schema"' in text[:2048] or b'"$defs"' in head or b'"definitions"' in head:
        return 0  # sslyze's JSON Schema of the format, not a scan
    return 95


def _result(scan: dict[str, Any], name: str) -> dict[str, Any] | None:
    # v5/v6: {"status": "COMPLETED", "result": {...}}; early v5 betas put the result object directly
    entry = scan.get(name)
    if not isinstance(entry, dict):
        return None
    if "result" in entry or "status" in entry:
        res = entry.get("result")
        return res if isinstance(res, dict) else None
    return entry


def _protocols(scan: dict[str, Any]) -> tuple[str | None, str | None]:
    versions: list[str] = []
    for name in _SUITE_SCANS:
        res = _result(scan, name)
        if res and (res.get("is_tls_version_supported") or res.get("accepted_cipher_suites")):
            v = tls_version(str(res.get("tls_version_used") or name.removesuffix("_cipher_suites")))
            if v:
                versions.append(v)
    curves = obj(_result(scan, "elliptic_curves"))
    groups = [c.get("name", "") for c in seq(curves.get("supported_curves")) if isinstance(c, dict)]
    # ephemeral keys of accepted TLS 1.3 suites name the negotiated group when curves were not scanned
    tls13 = obj(_result(scan, "tls_1_3_cipher_suites"))
    for acc in seq(tls13.get("accepted_cipher_suites")):
        eph = acc.get("ephemeral_key") if isinstance(acc, dict) else None
        if isinstance(eph, dict) and eph.get("curve_name"):
            groups.append(str(eph["curve_name"]))
    return join_versions(versions), join_groups(groups)


def _fields(cert: dict[str, Any]) -> dict[str, Any]:
    """A chain entry without as_pem: its own fields (base64 fingerprints, integer serial, v5/v6 names)."""
    san = obj(cert.get("subject_alternative_name"))
    sans = list(seq(san.get("dns") or san.get("dns_names"))) + list(seq(san.get("ip_addresses")))
    pub = obj(cert.get("public_key"))
    alg = str(pub.get("algorithm") or "").lstrip("_").removesuffix("PublicKey")
    if alg == "EllipticCurve":
        alg = f"EC {pub.get('ec_curve_name') or ''}".strip()
    sig = obj(cert.get("signature_algorithm_oid"))
    return {
        "subject_dn": obj(cert.get("subject")).get("rfc4514_string"),
        "issuer_dn": obj(cert.get("issuer")).get("rfc4514_string"),
        "sans": sans,
        "serial": hex_serial(cert.get("serial_number")),
        "not_before": cert.get("not_valid_before"),
        "not_after": cert.get("not_valid_after"),
        "key": alg or None,
        "key_size": pub.get("key_size"),
        "signature": sig.get("dotted_string") or sig.get("name"),
        "fingerprint_sha256": hex_fingerprint(cert.get("fingerprint_sha256"), 64),
        "fingerprint_sha1": hex_fingerprint(cert.get("fingerprint_sha1"), 40),
    }


def read(path: Path, ctx: ReadContext) -> Batch:
    """One observation per certificate of each received chain (with and without SNI)."""
    src = str(path)
    doc = _scan_document(path)
    finished, _ = parse_dates(pd.Series([doc.get("date_scans_completed") or doc.get("date_scans_started")]))
    seen = finished.iloc[0] if finished.notna().iloc[0] else None
    batch = Batch()
    no_body: list[dict[str, Any]] = []
    no_body_obs: list[dict[str, Any]] = []
    for bad in seq(doc.get("invalid_server_strings")):
        batch.rejected.append(
            Rejected(source=src, locator="invalid_server_strings", reason=f"sslyze could not use {bad!r}")
        )
    for i, server in enumerate(doc["server_scan_results"]):
        if not isinstance(server, dict):
            batch.rejected.append(Rejected(source=src, locator=f"server {i}", reason="not an object"))
            continue
        for obs, cert in _chain_entries(batch, src, i, server, seen):
            pem = cert.get("as_pem") if isinstance(cert, dict) else None
            if pem:
                add_body(batch, path, obs["source_ref"], pem, obs)
            elif isinstance(cert, dict):
                no_body.append(_fields(cert))
                no_body_obs.append(obs)
    add_rows(batch, path, no_body, no_body_obs, "chain entry without a body has no subject or no expiry date")
    return batch


def _scan_document(path: Path) -> dict[str, Any]:
    src = str(path)
    try:
        doc = parse_json(text_of(path.read_bytes()), src)
    except InputError as exc:
        if exc.reason.startswith("invalid JSON"):
            raise InputError(src, f"{exc.reason} (truncated sslyze output?)", line=exc.line) from None
        raise
    if not isinstance(doc, dict) or not isinstance(doc.get("server_scan_results"), list):
        raise InputError(src, "not sslyze JSON: no server_scan_results list")
    return doc


def _chain_entries(
    batch: Batch, src: str, i: int, server: dict[str, Any], seen: Any
) -> list[tuple[dict[str, Any], Any]]:
    """(observation, chain entry) for every certificate of every deployment server #i presented; a server
    sslyze could not scan is rejected, one without certificate_info noted."""
    loc = obj(server.get("server_location"))
    host = loc.get("hostname") or loc.get("ip_address")
    port = loc.get("port")
    ref = f"server {i} ({host}:{port})"
    status = server.get("scan_status") or server.get("connectivity_status")
    scan = server.get("scan_result")
    if not isinstance(scan, dict):
        batch.rejected.append(Rejected(source=src, locator=ref, reason=_not_scanned(server, status)))
        return []
    info = _result(scan, "certificate_info")
    if info is None:
        batch.notes.append(f"{src}: {ref}: no certificate_info result ({status})")
        return []
    versions, groups = _protocols(scan)
    sni = obj(server.get("network_configuration")).get("tls_server_name_indication")
    base_tags = [t for t in (f"ip:{loc.get('ip_address')}" if loc.get("ip_address") else "",) if t]
    out = []
    for d_i, dep in enumerate(_deployments(info)):
        for c_i, cert in enumerate(seq(dep.get("received_certificate_chain"))):
            tags = [*base_tags, "sni:none" if dep.get("_no_sni") else f"sni:{sni}" if sni else ""]
            if c_i:
                tags.append(f"chain:{c_i}")
            obs = {
                "source": src,
                "source_ref": f"{ref} deployment {d_i} cert {c_i}",
                "location": f"{host}:{port}",
                "host": host,
                "port": port,
                "discovered_by": DISCOVERED_BY,
                "last_seen": seen,
                # protocol facts belong to the endpoint's leaf, not to the CA certificates it serves
                "tls_versions": None if c_i else versions,
                "kex_groups": None if c_i else groups,
                "tags": ";".join(t for t in tags if t) or None,
            }
            out.append((obs, cert))
    return out


def _not_scanned(server: dict[str, Any], status: Any) -> str:
    """Why sslyze did not scan a server, with the last line of its connectivity error."""
    err = str(server.get("connectivity_error_trace") or "")
    last = err.strip().splitlines()[-1][:160] if err.strip() else ""
    return f"sslyze did not scan this server ({status}){': ' + last if last else ''}"


def _deployments(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The certificate deployments found with SNI, then the one without SNI (marked `_no_sni`)."""
    deployments = [d for d in seq(info.get("certificate_deployments")) if isinstance(d, dict)]
    no_sni = info.get("certificate_deployment_with_sni_disabled")
    if isinstance(no_sni, dict):
        deployments.append({**no_sni, "_no_sni": True})
    return deployments
