"""Live TLS discovery: connect to endpoints, record the presented chain, versions, groups and errors.

The TLS library is pyOpenSSL over the OpenSSL that ships inside `cryptography` (4.x), not the standard
`ssl` module: `ssl` (Python 3.11) exposes only the leaf certificate and neither the negotiated
key-exchange group nor a way to restrict the client's groups, while pyOpenSSL gives the full presented
chain (`get_peer_cert_chain`), the negotiated group (`get_group_name`) and — through the same libssl —
`SSL_CTX_set1_groups_list`, which the hybrid post-quantum probe (X25519MLKEM768) needs. The handshake
runs over memory BIOs so that every byte on the wire goes through one loop with one deadline: timeouts
are exact and "the peer is not speaking TLS" is decided from the first bytes received.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography import x509
from cryptography.hazmat.bindings.openssl.binding import Binding
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification
from OpenSSL import SSL

from cmmm.errors import InputError, UsageError
from cmmm.export import neutralize_formulas, records
from cmmm.ingest._base import Batch
from cmmm.ingest._merge import merge
from cmmm.ingest.cmmm_scan import batch_from_document
from cmmm.ingest.x509 import certificate_row, load_pem
from cmmm.model import Discovery, Inventory, SourceRecord

__all__ = [
    "DEFAULT_PORTS",
    "HYBRID_GROUP",
    "STARTTLS_PORTS",
    "ChainStatus",
    "Endpoint",
    "EndpointResult",
    "ScanResult",
    "StartTLS",
    "Status",
    "expand_targets",
    "read_scan",
    "read_targets_file",
    "scan",
]

# The TLS ports organizations actually run: HTTPS and its alternates, LDAPS, IMAPS, POP3S, SMTPS and
# submission (STARTTLS), PostgreSQL (SSLRequest), DNS over TLS, the Kubernetes API.
DEFAULT_PORTS: tuple[int, ...] = (443, 8443, 636, 993, 995, 465, 587, 5432, 853, 6443, 9443)
HYBRID_GROUP = "X25519MLKEM768"  # draft-ietf-tls-ecdhe-mlkem; what browsers and OpenSSL 3.5+ offer first
DEFAULT_MAX_RANGE = 1024  # a CIDR range with more addresses needs yes=True (--yes)
MAX_CHAIN = 16
_LIB: Any = Binding.lib


class Status(StrEnum):
    """What happened at one endpoint (closed vocabulary; stable in JSON)."""

    OK = "ok"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NOT_TLS = "not-tls"
    HANDSHAKE_FAILURE = "handshake-failure"
    UNRESOLVED = "unresolved"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"  # never tried: the scan was stopped first


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


STARTTLS_PORTS: dict[int, StartTLS] = {
    25: StartTLS.SMTP,
    587: StartTLS.SMTP,
    143: StartTLS.IMAP,
    110: StartTLS.POP3,
    21: StartTLS.FTP,
    389: StartTLS.LDAP,
    5432: StartTLS.POSTGRES,
}

_VERSIONS: dict[str, int] = {
    "TLSv1": SSL.TLS1_VERSION,
    "TLSv1.1": SSL.TLS1_1_VERSION,
    "TLSv1.2": SSL.TLS1_2_VERSION,
    "TLSv1.3": SSL.TLS1_3_VERSION,
}
# Probing legacy versions needs legacy ciphers: security level 0 lets OpenSSL offer them (RFC 8996
# deprecates TLS 1.0/1.1 — which is exactly why a scanner must be able to see who still accepts them).
_CIPHERS = b"ALL:COMPLEMENTOFALL:@SECLEVEL=0"


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One place to connect to: `host` as given (name or address), the SNI name to send, STARTTLS kind."""

    host: str
    port: int
    sni: str | None = None
    starttls: StartTLS | None = None

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
            "endpoints": [_result_doc(r) for r in self.results],
        }

    def to_batch(self, source: str | None = None) -> Batch:
        """An ingest Batch (discovered_by=network-scan), as `cmmm ingest scan.json` would read it."""
        return batch_from_document(self.to_document(), source or self.source)

    def to_inventory(self, source: str | None = None) -> Inventory:
        """The scan as an Inventory on its own (certificates merged, observations per endpoint)."""
        batch = self.to_batch(source)
        inv = Inventory()
        inv.sources.append(
            SourceRecord(
                path=source or self.source,
                ingester="cmmm-scan",
                records=batch.records,
                rejected=0,
                read_at=self.started_at,
            )
        )
        inv.notes.extend(batch.notes)
        return merge([batch], inv)


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
        "address": r.address,
        "status": r.status.value,
        "error": r.error,
        "protocol": r.protocol,
        "cipher": r.cipher,
        "group": r.group,
        "tls_versions": list(r.tls_versions),
        "hybrid_pq": r.hybrid_pq,
        "hostname_match": r.hostname_match,
        "chain_status": r.chain_status.value if r.chain_status else None,
        "chain_error": r.chain_error,
        "elapsed_ms": round(r.elapsed_ms, 1),
        "chain": [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in r.chain],
    }


# --------------------------------------------------------------------------------------------- targets
def _split_host_port(text: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]:port`, bare IPv6, `cidr`, `cidr:port`, `[v6cidr]:port`."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise InputError(text, "unclosed '[' in target")
        port = rest[1:] if rest.startswith(":") else ""
        if rest and not rest.startswith(":"):
            raise InputError(text, "expected ':PORT' after ']'")
        return host, _port(text, port) if port else None
    if text.count(":") > 1:  # bare IPv6 address or range: no port possible without brackets
        return text, None
    host, sep, port = text.partition(":")
    return host, _port(text, port) if sep else None


def _port(target: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise InputError(target, f"not a TCP port: {value!r}")
    return int(value)


def parse_ports(text: str) -> tuple[int, ...]:
    """'443,8443,9000-9010' → ports, in the order given, without duplicates."""
    out: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        first = _port("--ports", lo)
        last = _port("--ports", hi) if sep else first
        if last < first:
            raise InputError("--ports", f"empty range {part!r}")
        out.extend(range(first, last + 1))
    if not out:
        raise InputError("--ports", "no ports given")
    return tuple(dict.fromkeys(out))


def read_targets_file(path: Path) -> list[str]:
    """One target per line; blank lines and '#' comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read targets file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "targets file is not UTF-8 text") from None
    return [ln.split("#", 1)[0].strip() for ln in text.splitlines() if ln.split("#", 1)[0].strip()]


def expand_targets(
    targets: Iterable[str],
    ports: Sequence[int] = DEFAULT_PORTS,
    *,
    sni: str | None = None,
    max_range: int = DEFAULT_MAX_RANGE,
    yes: bool = False,
    starttls: Mapping[int, StartTLS] = STARTTLS_PORTS,
) -> list[Endpoint]:
    """Targets → endpoints. `NAME@ADDRESS[:PORT]` connects to ADDRESS and sends SNI NAME.

    A host without a port is tried on every port of `ports`; a CIDR range expands to its host
    addresses, and one larger than `max_range` addresses is refused unless `yes`.
    """
    out: list[Endpoint] = []
    for raw in targets:
        text = raw.strip()
        if not text:
            continue
        name, at, rest = text.rpartition("@")
        target_sni = name if at else sni
        host, port = _split_host_port(rest)
        if not host or any(ch.isspace() for ch in host):
            raise InputError(raw, "empty or malformed host")
        hosts: list[str]
        if "/" in host:
            try:
                net = ipaddress.ip_network(host, strict=False)
            except ValueError:
                raise InputError(raw, "not a CIDR range") from None
            if net.num_addresses > max_range and not yes:
                raise UsageError(
                    f"{raw}: {net.num_addresses} addresses is over the {max_range}-address limit; "
                    "pass --yes to scan it"
                )
            hosts = [str(a) for a in (net.hosts() if net.num_addresses > 2 else net)]
        else:
            hosts = [host]
        for h in hosts:
            for p in (port,) if port else ports:
                out.append(
                    Endpoint(host=h, port=p, sni=target_sni or _default_sni(h), starttls=starttls.get(p))
                )
    return list(dict.fromkeys(out))


def _default_sni(host: str) -> str | None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.rstrip(".").lower()
    return None  # RFC 6066 §3: literal IP addresses are not sent as SNI


# ----------------------------------------------------------------------------------------- politeness
class _Pacer:
    """Global new-connection rate, at most `per_host` concurrent connections per host, a per-host gap."""

    def __init__(self, rate: float | None, per_host: int, host_delay: float, stop: threading.Event) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._per_host = per_host
        self._host_delay = host_delay
        self._stop = stop
        self._lock = threading.Lock()
        self._next = 0.0
        self._host_next: dict[str, float] = defaultdict(float)
        self._sems: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            sem = self._sems.setdefault(host, threading.BoundedSemaphore(self._per_host))
        sem.acquire()
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next, self._host_next[host])
                self._next = start + self._interval
                self._host_next[host] = start + self._host_delay
            if start > now:
                self._stop.wait(start - now)
            yield
        finally:
            sem.release()


# ---------------------------------------------------------------------------------------- handshakes
class _Failed(Exception):
    """One connection attempt failed with a classified status (internal; becomes an EndpointResult)."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        # A TLS 1.2 server that demands a client certificate fails the handshake after presenting its
        # own chain: that chain is still a discovered certificate.
        self.chain: list[x509.Certificate] = []


@dataclass(slots=True)
class _Conn:
    protocol: str
    cipher: str | None
    group: str | None
    chain: list[x509.Certificate] = field(default_factory=list)
    address: str = ""
    note: str | None = None


def _context(version: int | None = None, groups: str | None = None) -> SSL.Context:
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_cipher_list(_CIPHERS)
    ctx.set_min_proto_version(version or SSL.TLS1_VERSION)
    ctx.set_max_proto_version(version or SSL.TLS1_3_VERSION)
    ctx.set_verify(SSL.VERIFY_NONE)  # the chain is judged afterwards, against `now`, by cryptography
    # pyOpenSSL has no public setter for the group list; the binding it is built on exports it.
    if groups is not None and _LIB.SSL_CTX_set1_curves_list(ctx._context, groups.encode()) != 1:
        raise UsageError(f"this OpenSSL does not support the key-exchange group {groups}")
    return ctx


def _drain(conn: SSL.Connection) -> bytes:
    parts: list[bytes] = []
    while True:
        try:
            parts.append(conn.bio_read(65536))
        except SSL.WantReadError:
            return b"".join(parts)


def _recv(sock: socket.socket, deadline: float, n: int = 65536) -> bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    sock.settimeout(remaining)
    return sock.recv(n)


def _looks_tls(first: bytes) -> bool:
    # A TLS record: content type alert(21) or handshake(22), then protocol major version 3.
    return len(first) >= 2 and first[0] in (21, 22) and first[1] == 3


def _handshake(conn: SSL.Connection, sock: socket.socket, deadline: float) -> None:
    first = b""
    while True:
        try:
            conn.do_handshake()
            out = _drain(conn)
            if out:
                sock.sendall(out)
            return
        except SSL.WantReadError:
            out = _drain(conn)
            if out:
                sock.sendall(out)
            data = _recv(sock, deadline)
            if len(first) < 2:
                first += data
                if len(first) >= 2 and not _looks_tls(first):
                    raise _Failed(Status.NOT_TLS, f"peer answered with non-TLS data {first[:16]!r}") from None
            if not data:
                if not first:
                    raise _Failed(
                        Status.HANDSHAKE_FAILURE, "connection closed without a TLS answer"
                    ) from None
                conn.bio_shutdown()
            else:
                conn.bio_write(data)
        except SSL.Error as exc:
            raise _Failed(Status.HANDSHAKE_FAILURE, _ssl_reason(exc)) from None


def _ssl_reason(exc: SSL.Error) -> str:
    args = exc.args[0] if exc.args else None
    if isinstance(args, list) and args:
        return "; ".join(str(e[-1]) for e in args if isinstance(e, tuple)) or str(exc)
    return str(exc) or type(exc).__name__


def _lines(sock: socket.socket, deadline: float, done: Callable[[str], bool]) -> str:
    buf = b""
    while True:
        data = _recv(sock, deadline, 4096)
        if not data:
            raise _Failed(Status.NOT_TLS, "STARTTLS: connection closed during the plain-text preamble")
        buf += data
        text = buf.decode("latin-1")
        last = text.rstrip("\r\n").rsplit("\n", 1)[-1].strip("\r")
        if text.endswith("\n") and done(last):
            return last
        if len(buf) > 65536:
            raise _Failed(Status.NOT_TLS, "STARTTLS: preamble too long")


def _expect(ok: bool, kind: StartTLS, answer: str) -> None:
    if not ok:
        raise _Failed(Status.NOT_TLS, f"STARTTLS ({kind.value}) refused: {answer[:80]!r}")


_LDAP_STARTTLS = bytes.fromhex("301d02010177188016") + b"1.3.6.1.4.1.1466.20037"


def _starttls(sock: socket.socket, kind: StartTLS, deadline: float) -> None:
    """Speak the plain-text protocol until the server agrees to start TLS (RFC 3207, 2595, 4217, 4511)."""
    if kind is StartTLS.POSTGRES:
        sock.sendall((8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"))  # SSLRequest
        reply = _recv(sock, deadline, 1)
        _expect(reply == b"S", kind, reply.decode("latin-1"))
    elif kind is StartTLS.LDAP:
        sock.sendall(_LDAP_STARTTLS)
        reply = _recv(sock, deadline, 4096)
        _expect(b"\x0a\x01\x00" in reply[:16], kind, reply.hex())
    elif kind is StartTLS.SMTP:
        smtp_final: Callable[[str], bool] = lambda ln: len(ln) >= 4 and ln[3] == " "  # noqa: E731
        _expect(_lines(sock, deadline, smtp_final).startswith("220"), kind, "greeting")
        sock.sendall(b"EHLO cmmm.invalid\r\n")
        _lines(sock, deadline, smtp_final)
        sock.sendall(b"STARTTLS\r\n")
        answer = _lines(sock, deadline, smtp_final)
        _expect(answer.startswith("220"), kind, answer)
    elif kind is StartTLS.IMAP:
        _lines(sock, deadline, lambda ln: ln.startswith("* "))
        sock.sendall(b"a1 STARTTLS\r\n")
        answer = _lines(sock, deadline, lambda ln: ln.startswith("a1 "))
        _expect(answer.startswith("a1 OK"), kind, answer)
    elif kind is StartTLS.POP3:
        _lines(sock, deadline, lambda ln: ln.startswith(("+OK", "-ERR")))
        sock.sendall(b"STLS\r\n")
        answer = _lines(sock, deadline, lambda ln: ln.startswith(("+OK", "-ERR")))
        _expect(answer.startswith("+OK"), kind, answer)
    elif kind is StartTLS.FTP:
        ftp_final: Callable[[str], bool] = lambda ln: len(ln) >= 4 and ln[3] == " "  # noqa: E731
        _lines(sock, deadline, ftp_final)
        sock.sendall(b"AUTH TLS\r\n")
        answer = _lines(sock, deadline, ftp_final)
        _expect(answer.startswith("234"), kind, answer)


def _connect(addresses: Sequence[Any], timeout: float, deadline: float) -> socket.socket:
    refused: OSError | None = None
    for family, _, _, _, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(max(0.001, min(timeout, deadline - time.monotonic())))
        try:
            sock.connect(sockaddr)
            return sock
        except TimeoutError:
            sock.close()
            raise _Failed(Status.TIMEOUT, "connect timed out") from None
        except ConnectionRefusedError as exc:
            sock.close()
            refused = exc
        except OSError as exc:
            sock.close()
            raise _Failed(Status.UNREACHABLE, exc.strerror or str(exc)) from None
    raise _Failed(Status.REFUSED, "connection refused" if refused else "no address")


def _peer_chain(conn: SSL.Connection) -> tuple[list[x509.Certificate], str | None]:
    try:
        return list(conn.get_peer_cert_chain(as_cryptography=True) or [])[:MAX_CHAIN], None
    except ValueError as exc:  # a hostile or broken certificate cryptography refuses to parse
        return [], f"presented a certificate that cannot be parsed: {exc}"[:200]


def _attempt(
    ep: Endpoint, addresses: Sequence[Any], ctx: SSL.Context, timeout: float, pacer: _Pacer
) -> _Conn:
    with pacer.slot(ep.host):
        deadline = time.monotonic() + timeout
        sock = _connect(addresses, timeout, deadline)
        try:
            if ep.starttls is not None:
                _starttls(sock, ep.starttls, deadline)
            conn = SSL.Connection(ctx, None)
            conn.set_connect_state()
            if ep.sni:
                conn.set_tlsext_host_name(ep.sni.encode("idna") if not ep.sni.isascii() else ep.sni.encode())
            try:
                _handshake(conn, sock, deadline)
            except _Failed as failed:
                failed.chain = _peer_chain(conn)[0]
                raise
            chain, note = _peer_chain(conn)
            return _Conn(
                note=note,
                protocol=conn.get_protocol_version_name(),
                cipher=conn.get_cipher_name(),
                group=conn.get_group_name(),
                chain=chain,
                address=str(sock.getpeername()[0]),
            )
        except TimeoutError:
            raise _Failed(Status.TIMEOUT, "no TLS answer before the timeout") from None
        except ConnectionResetError:
            raise _Failed(Status.HANDSHAKE_FAILURE, "connection reset by peer") from None
        except OSError as exc:
            raise _Failed(Status.HANDSHAKE_FAILURE, exc.strerror or str(exc)) from None
        finally:
            sock.close()


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


def subject_text(cert: x509.Certificate) -> str:
    """The subject DN as RFC 4514 text, or a repr when a hostile attribute cannot be decoded."""
    try:
        return cert.subject.rfc4514_string()
    except ValueError:
        return repr(cert.subject)


def _leaf_names(leaf: x509.Certificate) -> tuple[list[str], list[str]]:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
        return [], []
    return (
        [n.lower().rstrip(".") for n in san.get_values_for_type(x509.DNSName)],
        [str(a) for a in san.get_values_for_type(x509.IPAddress)],
    )


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
        reason = "no trust anchors" if not trust else "leaf has no subjectAltName"
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


# ------------------------------------------------------------------------------------------- the scan
@dataclass(frozen=True, slots=True)
class _Contexts:
    main: SSL.Context
    versions: dict[str, SSL.Context]
    hybrid: SSL.Context


def _probe(
    ep: Endpoint,
    ctxs: _Contexts,
    timeout: float,
    pacer: _Pacer,
    stop: threading.Event,
    now: datetime,
    trust: Sequence[x509.Certificate],
) -> EndpointResult:
    t0 = time.monotonic()
    if stop.is_set():
        return EndpointResult(endpoint=ep, status=Status.SKIPPED, error="scan stopped")
    try:
        addresses = socket.getaddrinfo(ep.host, ep.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return EndpointResult(endpoint=ep, status=Status.UNRESOLVED, error=str(exc))
    try:
        main = _attempt(ep, addresses, ctxs.main, timeout, pacer)
    except _Failed as f:
        failed = EndpointResult(endpoint=ep, status=f.status, error=f.message, chain=tuple(f.chain))
        return replace(_judged(failed, now, trust), elapsed_ms=(time.monotonic() - t0) * 1000)
    # Later probes go to the address that answered, so a multi-address name is judged consistently.
    addr = [a for a in addresses if str(a[4][0]) == main.address] or list(addresses)
    accepted = {main.protocol}
    for name, ctx in ctxs.versions.items():
        if name == main.protocol or stop.is_set():
            continue
        try:
            _attempt(ep, addr, ctx, timeout, pacer)
            accepted.add(name)
        except _Failed:
            pass
    hybrid: bool | None
    if main.group == HYBRID_GROUP:
        hybrid = True
    elif "TLSv1.3" not in accepted:
        hybrid = False  # the hybrid groups are TLS 1.3 only
    elif stop.is_set():
        hybrid = None
    else:
        try:
            hybrid = _attempt(ep, addr, ctxs.hybrid, timeout, pacer).group == HYBRID_GROUP
        except _Failed:
            hybrid = False
    result = EndpointResult(
        endpoint=ep,
        status=Status.OK,
        error=main.note,
        address=main.address,
        protocol=main.protocol,
        cipher=main.cipher,
        group=main.group,
        tls_versions=tuple(v for v in _VERSIONS if v in accepted),
        hybrid_pq=hybrid,
        chain=tuple(main.chain),
    )
    return replace(_judged(result, now, trust), elapsed_ms=(time.monotonic() - t0) * 1000)


def _judged(result: EndpointResult, now: datetime, trust: Sequence[x509.Certificate]) -> EndpointResult:
    if not result.chain:
        return result
    status, reason = judge_chain(result.chain, now, trust)
    ep = result.endpoint
    return replace(
        result,
        hostname_match=hostname_matches(result.chain[0], ep.sni or ep.host),
        chain_status=status,
        chain_error=reason,
    )


def scan(
    targets: Sequence[str] | Sequence[Endpoint],
    *,
    now: datetime,
    ports: Sequence[int] = DEFAULT_PORTS,
    concurrency: int = 64,
    timeout: float = 5.0,
    rate: float | None = None,
    per_host: int = 4,
    host_delay: float = 0.0,
    sni: str | None = None,
    max_range: int = DEFAULT_MAX_RANGE,
    yes: bool = False,
    trust: Sequence[x509.Certificate] | None = None,
    progress: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> ScanResult:
    """Scan every endpoint: chain, accepted versions, negotiated group, hybrid PQC, validity, errors.

    At most `concurrency` endpoints at once, `per_host` connections per host spaced `host_delay` s
    apart, and `rate` new connections per second overall. `timeout` bounds each connection attempt
    (connect + STARTTLS + handshake). Setting `stop` (or Ctrl-C) finishes the attempts in flight and
    returns what was gathered, with `interrupted=True` and the untried endpoints as `skipped`.
    Chains are judged at `now` against `trust` (default: the system trust store).
    """
    if concurrency < 1 or per_host < 1 or timeout <= 0 or (rate is not None and rate <= 0):
        raise UsageError("concurrency, per-host and rate must be positive, timeout above zero")
    endpoints = (
        [t for t in targets if isinstance(t, Endpoint)]
        if targets and isinstance(targets[0], Endpoint)
        else expand_targets([str(t) for t in targets], ports, sni=sni, max_range=max_range, yes=yes)
    )
    stop = stop or threading.Event()
    anchors = tuple(trust) if trust is not None else system_trust_store()
    ctxs = _Contexts(
        main=_context(),
        versions={name: _context(v) for name, v in _VERSIONS.items()},
        hybrid=_context(SSL.TLS1_3_VERSION, HYBRID_GROUP),
    )
    pacer = _Pacer(rate, per_host, host_delay, stop)
    results: dict[int, EndpointResult] = {}
    t0 = time.monotonic()
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=min(concurrency, max(1, len(endpoints))), thread_name_prefix="scan")
    try:
        futures: dict[Future[EndpointResult], int] = {
            pool.submit(_probe, ep, ctxs, timeout, pacer, stop, now, anchors): i
            for i, ep in enumerate(endpoints)
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for f in done:
                if not f.cancelled():
                    results[futures[f]] = f.result()
            if progress is not None and done:
                progress(len(results), len(endpoints))
            if stop.is_set() and not interrupted:
                interrupted = True
                for f in pending:
                    f.cancel()
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    interrupted = interrupted or stop.is_set()
    ordered = tuple(
        results.get(i) or EndpointResult(endpoint=ep, status=Status.SKIPPED, error="scan stopped")
        for i, ep in enumerate(endpoints)
    )
    return ScanResult(
        started_at=now,
        targets=tuple(str(t.location if isinstance(t, Endpoint) else t) for t in targets),
        ports=tuple(ports),
        results=ordered,
        interrupted=interrupted,
        elapsed_s=time.monotonic() - t0,
    )


# --------------------------------------------------------------------------------------- scan files
def write_scan(result: ScanResult, path: Path) -> str:
    """Write the scan as JSON (the cmmm_scan document) or CSV (one row per endpoint); returns the kind."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = result.frame()
            neutralize_formulas(frame).to_csv(path, index=False)
            return "csv"
        path.write_text(json.dumps(result.to_document(), indent=1) + "\n", encoding="utf-8")
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
    )


# ------------------------------------------------------------------------------- shadow and stale
SHADOW_COLUMNS = ("cert_id", "common_name", "issuer_name", "not_after", "locations")
STALE_COLUMNS = ("cert_id", "common_name", "location", "source", "source_ref", "status", "reason")
MATCHED_COLUMNS = ("cert_id", "inventory_cert_id", "common_name", "locations", "matched_by")


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """A scan against an inventory.

    `shadow`: certificates served on the network that the inventory does not list (SHADOW_COLUMNS).
    `stale`: inventory endpoint rows the scan covered where that certificate was not found (STALE_COLUMNS;
    `status` is the endpoint's scan status, `reason` says what was there instead).
    `matched`: served certificates the inventory knows (MATCHED_COLUMNS; `matched_by` names the key).
    """

    shadow: pd.DataFrame
    stale: pd.DataFrame
    matched: pd.DataFrame
    endpoints_scanned: int
    endpoints_tls: int

    def to_document(self) -> dict[str, Any]:
        return {
            "endpoints_scanned": self.endpoints_scanned,
            "endpoints_tls": self.endpoints_tls,
            "shadow": records(self.shadow),
            "stale": records(self.stale),
            "matched": records(self.matched),
        }


def _norm_host(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip("[]").str.lower().str.rstrip(".")


def _first_map(keys: pd.Series, values: pd.Series) -> pd.Series:
    ok = keys.notna()
    frame = pd.DataFrame({"k": keys[ok].to_numpy(), "v": values[ok].to_numpy()}).drop_duplicates("k")
    return pd.Series(frame["v"].to_numpy(), index=frame["k"].to_numpy(), dtype="string")


def compare(result: ScanResult, inventory: Inventory) -> Comparison:
    """Shadow certificates and stale rows: `result` against an Inventory (e.g. the spreadsheet).

    A served leaf matches an inventory certificate by SHA-256 fingerprint, then SHA-1 fingerprint,
    then issuer + serial, then common name + expiry date (what a spreadsheet usually has). An
    inventory endpoint without a port is taken as 443. Observations that came from a network scan
    are ignored on the inventory side, so a merged inventory can be compared too.
    """
    scanned = [r for r in result.results if r.status is not Status.SKIPPED]
    leaf_rows = []
    for r in scanned:
        if r.leaf is None:
            continue
        try:
            row = certificate_row(r.leaf)
        except ValueError:  # a served certificate too malformed to read: nothing to compare it by
            continue
        leaf_rows.append(
            {
                "cert_id": row["cert_id"],
                "fp": row["fingerprint_sha256"],
                "sha1": row["fingerprint_sha1"],
                "is": f"{(row['issuer_name'] or '').lower().strip()}|{row['serial']}",
                "cn": f"{(row['common_name'] or '').lower()}|{row['not_after']:%Y-%m-%d}",
                "common_name": row["common_name"],
                "issuer_name": row["issuer_name"],
                "not_after": row["not_after"],
                "location": r.endpoint.location,
            }
        )
    leaves = pd.DataFrame(
        leaf_rows,
        columns=["cert_id", "fp", "sha1", "is", "cn", "common_name", "issuer_name", "not_after", "location"],
    )
    # Only what the inventory knows by other means counts as known: a certificate whose every
    # observation is a network scan (the scan merged into the inventory) would otherwise hide itself.
    seen = inventory.observations
    by_scan = seen["discovered_by"].fillna("").eq(Discovery.NETWORK_SCAN.value)
    scan_only = pd.Index(seen.loc[by_scan, "cert_id"]).difference(pd.Index(seen.loc[~by_scan, "cert_id"]))
    certs = inventory.certificates
    certs = certs[~certs["cert_id"].isin(scan_only)]
    fp = certs["fingerprint_sha256"].astype("string")
    fp = fp.fillna(certs["cert_id"].astype("string").str.extract(r"^sha256:([0-9a-f]{64})$", expand=False))
    serial = certs["serial"].astype("string").str.lower().str.lstrip("0").replace("", "0")
    keys = {
        "sha256": (leaves["fp"], fp),
        "sha1": (leaves["sha1"], certs["fingerprint_sha1"].astype("string")),
        "issuer+serial": (
            leaves["is"],
            certs["issuer_name"].astype("string").str.lower().str.strip() + "|" + serial,
        ),
        "name+expiry": (
            leaves["cn"],
            certs["common_name"].astype("string").str.lower()
            + "|"
            + certs["not_after"].dt.strftime("%Y-%m-%d"),
        ),
    }
    inv_id = pd.Series(pd.NA, index=leaves.index, dtype="string")
    how = pd.Series(pd.NA, index=leaves.index, dtype="string")
    for name, (scan_key, inv_key) in keys.items():
        found = scan_key.map(_first_map(inv_key, certs["cert_id"])).astype("string")
        new = inv_id.isna() & found.notna()
        inv_id = inv_id.fillna(found)
        how = how.mask(new, name)
    leaves["inventory_cert_id"] = inv_id
    leaves["matched_by"] = how

    def grouped(frame: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
        if frame.empty:
            return pd.DataFrame(columns=list(cols))
        g = frame.groupby("cert_id", sort=True)
        out = g.first().reset_index()
        out["locations"] = g["location"].agg(lambda s: ";".join(sorted(set(s)))).to_numpy()
        return out[list(cols)].reset_index(drop=True)

    shadow = grouped(leaves[leaves["inventory_cert_id"].isna()], SHADOW_COLUMNS)
    matched = grouped(leaves[leaves["inventory_cert_id"].notna()], MATCHED_COLUMNS)

    # What each scanned endpoint served, keyed by host:port as targeted and by the address that answered.
    served: dict[str, tuple[str, str | None, str]] = {}
    leaf_inv = dict(zip(leaves["location"], leaves["inventory_cert_id"], strict=True))
    leaf_cn = dict(zip(leaves["location"], leaves["common_name"], strict=True))
    for r in scanned:
        loc = r.endpoint.location
        inv = leaf_inv.get(loc)
        inv = None if inv is None or pd.isna(inv) else str(inv)
        if r.leaf is not None:
            reason = (
                f"serves another inventory certificate ({leaf_cn.get(loc)})"
                if inv
                else f"serves a certificate missing from the inventory ({leaf_cn.get(loc)})"
            )
        else:
            reason = f"endpoint {r.status.value}: {r.error or ''}".rstrip(": ")
        entry = (r.status.value, inv, reason)
        for host in {r.endpoint.host, r.address} - {None}:
            served.setdefault(f"{str(host).strip('[]').lower().rstrip('.')}|{r.endpoint.port}", entry)

    obs = inventory.observations
    obs = obs[obs["host"].notna() & obs["discovered_by"].fillna("").ne(Discovery.NETWORK_SCAN.value)]
    key = _norm_host(obs["host"]) + "|" + obs["port"].fillna(443).astype("Int64").astype("string")
    covered = key.isin(list(served))
    obs, key = obs[covered], key[covered]
    entries = key.map(served)
    status = entries.map(lambda e: e[0])
    served_id = entries.map(lambda e: e[1])
    reason = entries.map(lambda e: e[2])
    stale_mask = served_id.astype("string").fillna("") != obs["cert_id"].astype("string")
    names = obs["cert_id"].map(_first_map(certs["cert_id"], certs["common_name"].astype("string")))
    stale = pd.DataFrame(
        {
            "cert_id": obs["cert_id"],
            "common_name": names,
            "location": obs["location"],
            "source": obs["source"],
            "source_ref": obs["source_ref"],
            "status": status,
            "reason": reason,
        }
    )[stale_mask.to_numpy()].reset_index(drop=True)
    return Comparison(
        shadow=shadow,
        stale=stale[list(STALE_COLUMNS)],
        matched=matched,
        endpoints_scanned=len(scanned),
        endpoints_tls=len(result.ok),
    )
