"""cmmm's own scan files ({"cmmm_scan": 1, ...}): every presented chain, one observation per endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, parse_json, seq, text_of
from cmmm.ingest.x509 import certificate_row, load_pem
from cmmm.model import Rejected

_MARKER = b'"cmmm_scan"'


def sniff_scan(path: Path, head: bytes) -> int:
    """A JSON object whose first keys include the "cmmm_scan" marker (beats the generic JSON reader)."""
    return 98 if _MARKER in head[:256] and head.lstrip()[:1] == b"{" else 0


def read_scan_file(path: Path, ctx: ReadContext) -> Batch:
    """Read a scan file written by `cmmm scan -o FILE.json`."""
    doc = parse_json(text_of(path.read_bytes()), str(path))
    return batch_from_document(doc, str(path))


def _ssh_observation(ep: dict[str, Any], source: str, location: str, seen_at: Any) -> dict[str, Any]:
    """An SSH server: no certificate, its offered key exchanges (tag `ssh`), for the PQC key-exchange track."""
    return {
        "cert_id": None,
        "source": source,
        "source_ref": f"{location} ssh",
        "location": location,
        "host": ep.get("host"),
        "port": ep.get("port"),
        "discovered_by": "network-scan",
        "last_seen": seen_at,
        "kex_groups": ";".join(str(k) for k in ep.get("ssh_kex") or []) or None,
        "tags": "ssh",
    }


def batch_from_document(doc: Any, source: str) -> Batch:
    """Certificates of every chain; the leaf observed at host:port (discovered_by network-scan) with its
    TLS versions and key-exchange groups; the rest of the chain observed at the same location."""
    if not isinstance(doc, dict) or doc.get("cmmm_scan") != 1 or not isinstance(doc.get("endpoints"), list):
        raise InputError(source, 'not a cmmm scan file (no {"cmmm_scan": 1, "endpoints": [...]})')
    batch = Batch()
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    seen_at = doc.get("started_at")
    statuses: dict[str, int] = {}
    for i, ep in enumerate(doc["endpoints"]):
        if not isinstance(ep, dict):
            batch.rejected.append(Rejected(source=source, locator=f"endpoint {i}", reason="not an object"))
            continue
        status = str(ep.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        location = str(ep.get("location") or f"{ep.get('host')}:{ep.get('port')}")
        if ep.get("ssh") and ep.get("ssh_kex"):
            batch.observations.append(_ssh_observation(ep, source, location, seen_at))
        for pos, pem in enumerate(seq(ep.get("chain"))):
            ref = f"{location} chain[{pos}]"
            try:
                cert = load_pem(str(pem).encode("ascii"))
                row = certificate_row(cert)
            except (ValueError, UnicodeEncodeError) as exc:
                batch.rejected.append(
                    Rejected(source=source, locator=ref, reason=f"unreadable certificate: {exc}"[:200])
                )
                continue
            batch.certificates.append(row)
            batch.bodies[row["cert_id"]] = cert.public_bytes(Encoding.DER)
            obs: dict[str, Any] = {
                "cert_id": row["cert_id"],
                "source": source,
                "source_ref": ref,
                "location": location,
                "discovered_by": "network-scan",
                "last_seen": seen_at,
            }
            if pos == 0:
                hybrid = [g for g in seq(ep.get("hybrid_groups")) if isinstance(g, str)] or (
                    ["X25519MLKEM768"] if ep.get("hybrid_pq") else []
                )
                groups = [g for g in (ep.get("group"), *hybrid) if isinstance(g, str) and g]
                tags = [f"chain:{ep['chain_status']}"] if ep.get("chain_status") else []
                if ep.get("hostname_match") is False:
                    tags.append("hostname-mismatch")
                obs |= {
                    "host": ep.get("host"),
                    "port": ep.get("port"),
                    "tls_versions": ";".join(_strings(ep.get("tls_versions"))) or None,
                    "kex_groups": ";".join(dict.fromkeys(groups)) or None,
                    "tags": ";".join(tags) or None,
                }
            else:
                obs["tags"] = "presented-chain"
            batch.observations.append(obs)
    if statuses:
        summary = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        batch.notes.append(f"{source}: scanned {sum(statuses.values())} endpoints: {summary}")
    return batch


def _strings(v: Any) -> list[str]:
    """The strings of a list field (a hostile file may put anything there)."""
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []
