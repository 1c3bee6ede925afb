"""What a scan found: endpoints, per-endpoint results, the scan result, and its file (JSON or CSV)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cmmm._json import dumps
from cmmm.errors import InputError
from cmmm.export import write_csv
from cmmm.export.atomic import write_text_atomic
from cmmm.ingest._base import Batch
from cmmm.ingest._merge import merge
from cmmm.ingest.cmmm_scan import batch_from_document
from cmmm.ingest.x509 import load_pem
from cmmm.model import Inventory, SourceRecord


class Status(StrEnum):
    """What happened at one endpoint (closed vocabulary; stable in JSON)."""

    OK = "ok"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NOT_TLS = "not-tls"
    NOT_SSH = "not-ssh"
    HANDSHAKE_FAILURE = "handshake-failure"
    UNRESOLVED = "unresolved"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"  # never tried: the scan was stopped first
    INVALID_CERTIFICATE = "invalid-certificate"  # the presented certificate could not be judged (malformed)
    NO_RESOURCES = "no-resources"  # this process ran out of file descriptors or memory for the connection
    ERROR = "error"  # an unexpected failure inside cmmm (a defect; its traceback is logged)


class ChainStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    SELF_SIGNED = "self-signed"
    UNTRUSTED = "untrusted"
    INVALID = "invalid"


class StartTLS(StrEnum):
    """Plain-text preambles that upgrade a connection to TLS."""

    SMTP = "smtp"
    IMAP = "imap"
    POP3 = "pop3"
    FTP = "ftp"
    LDAP = "ldap"
    POSTGRES = "postgres"


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One place to connect to: `host` as given (name or address), the SNI name to send, STARTTLS kind."""

    host: str
    port: int
    sni: str | None = None
    starttls: StartTLS | None = None
    ssh: bool = False  # an SSH server: its KEXINIT is read instead of a TLS handshake

    @property
    def location(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointResult:
    """What one endpoint presented, or why it could not be scanned (`status`, `error`)."""

    endpoint: Endpoint
    status: Status
    error: str | None = None
    address: str | None = None
    protocol: str | None = None  # negotiated with the client's widest range, e.g. "TLSv1.3"
    cipher: str | None = None
    group: str | None = None  # negotiated key-exchange group, e.g. "X25519MLKEM768", "x25519"
    tls_versions: tuple[str, ...] = ()  # every version the server accepted on its own
    hybrid_pq: bool | None = None  # the server agrees to X25519MLKEM768 when offered alone
    # Every probed hybrid group the server accepts when a ClientHello offers it alone (its key share sent).
    hybrid_groups: tuple[str, ...] = ()
    # A ClientHello listing the hybrid groups but carrying only an x25519 key share (what most TLS stacks
    # send first): True when the server answers with a HelloRetryRequest for a hybrid group (hybrid, at the
    # cost of a round trip), False when it takes the classical share, None when not probed.
    hybrid_hello_retry: bool | None = None
    classical_fallback: bool | None = None  # a ClientHello with classical groups only still completes
    ssh_banner: str | None = None  # SSH: the server's identification line
    ssh_kex: tuple[str, ...] = ()  # SSH: key exchanges offered in the server's KEXINIT, in its order
    ssh_host_keys: tuple[str, ...] = ()  # SSH: host-key algorithms offered
    chain: tuple[x509.Certificate, ...] = ()  # as presented, leaf first
    hostname_match: bool | None = None
    chain_status: ChainStatus | None = None
    chain_error: str | None = None
    elapsed_ms: float = 0.0

    @property
    def leaf(self) -> x509.Certificate | None:
        return self.chain[0] if self.chain else None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    """Every endpoint result, in target order; `interrupted` when the scan was stopped early."""

    started_at: datetime
    targets: tuple[str, ...]
    ports: tuple[int, ...]
    results: tuple[EndpointResult, ...]
    interrupted: bool = False
    elapsed_s: float = 0.0
    source: str = "network-scan"
    notes: tuple[str, ...] = ()  # what the scan changed or hit: concurrency clamped, resources exhausted

    @property
    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for r in self.results:
            out[r.status.value] += 1
        return {k: v for k, v in out.items() if v}

    @property
    def ok(self) -> tuple[EndpointResult, ...]:
        return tuple(r for r in self.results if r.status is Status.OK)

    def frame(self) -> pd.DataFrame:
        """One row per endpoint (the CSV output): location, status, versions, group, leaf facts."""
        rows = []
        for r in self.results:
            leaf = r.leaf
            rows.append(
                {
                    "location": r.endpoint.location,
                    "host": r.endpoint.host,
                    "port": r.endpoint.port,
                    "address": r.address,
                    "sni": r.endpoint.sni,
                    "status": r.status.value,
                    "error": r.error,
                    "protocol": r.protocol,
                    "tls_versions": ";".join(r.tls_versions) or None,
                    "group": r.group,
                    "hybrid_pq": r.hybrid_pq,
                    "hybrid_groups": ";".join(r.hybrid_groups) or None,
                    "hybrid_hello_retry": r.hybrid_hello_retry,
                    "classical_fallback": r.classical_fallback,
                    "ssh_kex": ";".join(r.ssh_kex) or None,
                    "cipher": r.cipher,
                    "chain_length": len(r.chain),
                    "leaf_subject": subject_text(leaf) if leaf is not None else None,
                    "leaf_not_after": leaf.not_valid_after_utc if leaf is not None else None,
                    "hostname_match": r.hostname_match,
                    "chain_status": r.chain_status.value if r.chain_status else None,
                    "chain_error": r.chain_error,
                }
            )
        return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))

    def to_document(self) -> dict[str, Any]:
        """The scan file ({"cmmm_scan": 1, ...}): stable keys, each chain as PEM, read back by ingest."""
        return {
            "cmmm_scan": 1,
            "started_at": self.started_at.isoformat(),
            "elapsed_s": round(self.elapsed_s, 3),
            "interrupted": self.interrupted,
            "targets": list(self.targets),
            "ports": list(self.ports),
            "counts": self.counts,
            "notes": list(self.notes),
            "endpoints": [_result_doc(r) for r in self.results],
        }

    def to_batch(self, source: str | None = None) -> Batch:
        """An ingest Batch (discovered_by=network-scan), as `cmmm ingest scan.json` would read it."""
        return batch_from_document(self.to_document(), source or self.source)

    def to_inventory(self, source: str | None = None) -> Inventory:
        """The scan as an Inventory on its own (certificates merged, observations per endpoint)."""
        batch = self.to_batch(source)
        record = SourceRecord(
            path=source or self.source,
            ingester="cmmm-scan",
            records=batch.records,
            rejected=0,
            read_at=self.started_at,
        )
        return merge([batch], Inventory(sources=(record,)))


_FRAME_COLUMNS = (
    "location",
    "host",
    "port",
    "address",
    "sni",
    "status",
    "error",
    "protocol",
    "tls_versions",
    "group",
    "hybrid_pq",
    "hybrid_groups",
    "hybrid_hello_retry",
    "classical_fallback",
    "ssh_kex",
    "cipher",
    "chain_length",
    "leaf_subject",
    "leaf_not_after",
    "hostname_match",
    "chain_status",
    "chain_error",
)


def _result_doc(r: EndpointResult) -> dict[str, Any]:
    return {
        "host": r.endpoint.host,
        "port": r.endpoint.port,
        "location": r.endpoint.location,
        "sni": r.endpoint.sni,
        "starttls": r.endpoint.starttls.value if r.endpoint.starttls else None,
        "ssh": r.endpoint.ssh,
        "address": r.address,
        "status": r.status.value,
        "error": r.error,
        "protocol": r.protocol,
        "cipher": r.cipher,
        "group": r.group,
        "tls_versions": list(r.tls_versions),
        "hybrid_pq": r.hybrid_pq,
        "hybrid_groups": list(r.hybrid_groups),
        "hybrid_hello_retry": r.hybrid_hello_retry,
        "classical_fallback": r.classical_fallback,
        "ssh_banner": r.ssh_banner,
        "ssh_kex": list(r.ssh_kex),
        "ssh_host_keys": list(r.ssh_host_keys),
        "hostname_match": r.hostname_match,
        "chain_status": r.chain_status.value if r.chain_status else None,
        "chain_error": r.chain_error,
        "elapsed_ms": round(r.elapsed_ms, 1),
        "chain": [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in r.chain],
    }


# --------------------------------------------------------------------------------------- scan files
def write_scan(result: ScanResult, path: Path) -> str:
    """Write the scan as JSON (the cmmm_scan document) or CSV (one row per endpoint); returns the kind."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            write_csv(result.frame(), path)
            return "csv"
        write_text_atomic(path, dumps(result.to_document()))
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
    return "json"


def read_scan(path: Path) -> ScanResult:
    """Read a scan file written by `write_scan` (JSON) back into a ScanResult."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not a readable scan file: {exc}") from None
    return scan_from_document(doc, str(path))


def scan_from_document(doc: Any, source: str) -> ScanResult:
    if not isinstance(doc, dict) or doc.get("cmmm_scan") != 1 or not isinstance(doc.get("endpoints"), list):
        raise InputError(source, 'not a cmmm scan file (no {"cmmm_scan": 1, "endpoints": [...]})')
    results = []
    for i, e in enumerate(doc["endpoints"]):
        try:
            ep = Endpoint(
                host=str(e["host"]),
                port=int(e["port"]),
                sni=e.get("sni"),
                starttls=StartTLS(e["starttls"]) if e.get("starttls") else None,
                ssh=bool(e.get("ssh")),
            )
            chain = tuple(load_pem(p.encode("ascii")) for p in e.get("chain") or [])
            results.append(
                EndpointResult(
                    endpoint=ep,
                    status=Status(e["status"]),
                    error=e.get("error"),
                    address=e.get("address"),
                    protocol=e.get("protocol"),
                    cipher=e.get("cipher"),
                    group=e.get("group"),
                    tls_versions=tuple(e.get("tls_versions") or ()),
                    hybrid_pq=e.get("hybrid_pq"),
                    hybrid_groups=tuple(e.get("hybrid_groups") or ()),
                    hybrid_hello_retry=e.get("hybrid_hello_retry"),
                    classical_fallback=e.get("classical_fallback"),
                    ssh_banner=e.get("ssh_banner"),
                    ssh_kex=tuple(e.get("ssh_kex") or ()),
                    ssh_host_keys=tuple(e.get("ssh_host_keys") or ()),
                    chain=chain,
                    hostname_match=e.get("hostname_match"),
                    chain_status=ChainStatus(e["chain_status"]) if e.get("chain_status") else None,
                    chain_error=e.get("chain_error"),
                    elapsed_ms=float(e.get("elapsed_ms") or 0.0),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(source, f"endpoint {i}: {exc}") from None
    return ScanResult(
        started_at=datetime.fromisoformat(doc["started_at"]),
        targets=tuple(doc.get("targets") or ()),
        ports=tuple(doc.get("ports") or ()),
        results=tuple(results),
        interrupted=bool(doc.get("interrupted")),
        elapsed_s=float(doc.get("elapsed_s") or 0.0),
        source=source,
        notes=tuple(str(n) for n in doc.get("notes") or () if isinstance(doc.get("notes"), list)),
    )


def subject_text(cert: x509.Certificate) -> str:
    """The subject DN as RFC 4514 text, or a repr when a hostile attribute cannot be decoded."""
    try:
        return cert.subject.rfc4514_string()
    except ValueError:
        return repr(cert.subject)
