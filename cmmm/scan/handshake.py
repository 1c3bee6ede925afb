"""One TLS attempt over memory BIOs with one deadline: connect, STARTTLS, handshake, the presented chain."""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.bindings.openssl.binding import Binding
from OpenSSL import SSL

from cmmm.errors import UsageError
from cmmm.scan.result import Endpoint, StartTLS, Status

HYBRID_GROUP = "X25519MLKEM768"  # draft-ietf-tls-ecdhe-mlkem; what browsers and OpenSSL 3.5+ offer first


MAX_CHAIN = 16


_LIB: Any = Binding.lib


_VERSIONS: dict[str, int] = {
    "TLSv1": SSL.TLS1_VERSION,
    "TLSv1.1": SSL.TLS1_1_VERSION,
    "TLSv1.2": SSL.TLS1_2_VERSION,
    "TLSv1.3": SSL.TLS1_3_VERSION,
}


# Probing legacy versions needs legacy ciphers: security level 0 lets OpenSSL offer them (RFC 8996
# deprecates TLS 1.0/1.1 — which is exactly why a scanner must be able to see who still accepts them).
_CIPHERS = b"ALL:COMPLEMENTOFALL:@SECLEVEL=0"


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
    hello_retry: bool = False


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


# RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
_HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def hello_retry(first: bytes) -> bool:
    """Whether the server's first record is a HelloRetryRequest: a handshake record (22) whose message is a
    ServerHello (2) carrying the special random (record header 5, message header 4, version 2 bytes)."""
    return len(first) >= 43 and first[0] == 22 and first[5] == 2 and first[11:43] == _HRR_RANDOM


def _handshake(conn: SSL.Connection, sock: socket.socket, deadline: float) -> bytes:
    """Complete the handshake; returns the first bytes the server sent (up to 64, for hello_retry)."""
    first = b""
    while True:
        try:
            conn.do_handshake()
            out = _drain(conn)
            if out:
                sock.sendall(out)
            return first
        except SSL.WantReadError:
            out = _drain(conn)
            if out:
                sock.sendall(out)
            data = _recv(sock, deadline)
            if len(first) < 64:
                known = len(first)
                first = (first + data)[:64]
                if known < 2 <= len(first) and not _looks_tls(first):
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
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:  # EMFILE, ENFILE, ENOBUFS: this process, not the target, is out of room
            raise _Failed(Status.NO_RESOURCES, f"cannot open a socket: {exc.strerror or exc}") from None
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
                first = _handshake(conn, sock, deadline)
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
                hello_retry=hello_retry(first),
            )
        except TimeoutError:
            raise _Failed(Status.TIMEOUT, "no TLS answer before the timeout") from None
        except ConnectionResetError:
            raise _Failed(Status.HANDSHAKE_FAILURE, "connection reset by peer") from None
        except OSError as exc:
            raise _Failed(Status.HANDSHAKE_FAILURE, exc.strerror or str(exc)) from None
        finally:
            sock.close()
