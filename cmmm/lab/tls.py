"""Loopback TLS 1.3 handshakes, measured: a pyOpenSSL server presents a chain from PEM files, a client verifies it.

Both sides run on the OpenSSL that ships inside `cryptography` (4.0.x), the one that signs and verifies
ML-DSA and offers the hybrid ML-KEM groups. The server loads its chain with `use_certificate_chain_file` /
`use_privatekey_file` (pyOpenSSL's `PKey.from_cryptography_key` refuses ML-DSA keys) and binds 127.0.0.1
only, for as long as one measurement series lasts. The client drives its side over memory BIOs so that every
byte on the wire is counted per flight, and reads each handshake message as OpenSSL parses it through the
message callback (`SSL_CTX_set_msg_callback`, exported by the binding pyOpenSSL is built on): the
Certificate and CertificateVerify sizes are measured inside the encrypted flight, not estimated.
"""

from __future__ import annotations

import contextlib
import ipaddress
import select
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.bindings.openssl.binding import Binding
from OpenSSL import SSL

_LIB: Any = Binding.lib
_FFI: Any = Binding.ffi

# TLS 1.3 handshake message types (RFC 8446 §4) and the special ServerHello.random of a HelloRetryRequest
# (RFC 8446 §4.1.3: SHA-256 of "HelloRetryRequest").
_CLIENT_HELLO, _SERVER_HELLO, _CERTIFICATE, _CERTIFICATE_VERIFY = 1, 2, 11, 15
_HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
_RT_HANDSHAKE = 22  # SSL3_RT_HANDSHAKE: the message callback's content type for handshake messages

# RFC 6928: an initial congestion window of 10 segments; with a 1,460-byte MSS about 14.6 KB leave before
# the first acknowledgement (DOMAIN §5).
INITIAL_WINDOW_BYTES = 14_600

# TLS 1.3 Certificate message framing per RFC 8446 §4.4.2: handshake header (4), certificate_request_context
# length (1), certificate_list length (3); per entry a 3-byte length and 2-byte extensions length.
CERTIFICATE_MESSAGE_OVERHEAD = 8
CERTIFICATE_ENTRY_OVERHEAD = 5

CLASSICAL_GROUP = "x25519"
HYBRID_GROUPS = ("X25519MLKEM768", "SecP256r1MLKEM768")


class LabTLSError(Exception):
    """A loopback measurement could not run (the port could not be bound, the handshake failed)."""


@dataclass(slots=True)
class _Messages:
    """What the client's message callback saw during one handshake."""

    sizes: dict[int, int] = field(default_factory=dict)  # received handshake type → bytes (incl. header)
    hello_retry: bool = False

    def seen(self, head: bytes, length: int) -> None:
        """A received handshake message of `length` bytes starting with `head` (at least 38 bytes of it)."""
        kind = head[0]
        if kind == _SERVER_HELLO and head[6:38] == _HRR_RANDOM:
            self.hello_retry = True
            return
        self.sizes[kind] = self.sizes.get(kind, 0) + length


@dataclass(frozen=True, slots=True, kw_only=True)
class Handshake:
    """One measured handshake, from the client's side."""

    group: str
    hello_retry: bool
    client_hello_bytes: int  # every ClientHello on the wire (two after a HelloRetryRequest)
    server_flight_bytes: int  # everything the server sent before the client's Finished, on the wire
    certificate_bytes: int  # the Certificate handshake message (header included)
    certificate_verify_bytes: int
    client_cpu_ms: float
    server_cpu_ms: float
    wall_ms: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """Repeated handshakes against one chain with one key-exchange group."""

    group: str
    runs: tuple[Handshake, ...]

    @property
    def first(self) -> Handshake:
        return self.runs[0]

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(r, attr) for r in self.runs))

    def p90(self, attr: str) -> float:
        values = sorted(getattr(r, attr) for r in self.runs)
        return float(values[min(len(values) - 1, round(0.9 * (len(values) - 1)))])


def round_trips(server_flight_bytes: int, hello_retry: bool, window: int = INITIAL_WINDOW_BYTES) -> int:
    """Round trips to a finished TLS 1.3 handshake: one, one more after a HelloRetryRequest, and one more per
    slow-start round the server flight needs beyond the initial window (the window doubling each round trip,
    RFC 5681 slow start; no loss)."""
    rounds, sent, cwnd = 1, window, window
    while sent < server_flight_bytes:
        cwnd *= 2
        sent += cwnd
        rounds += 1
    return rounds + (1 if hello_retry else 0)


def set_groups(ctx: SSL.Context, groups: str) -> None:
    """The key-exchange groups of a context (OpenSSL group-list syntax; a leading '*' sends a key share)."""
    # pyOpenSSL has no public setter for the group list; the binding it is built on exports it.
    if _LIB.SSL_CTX_set1_curves_list(ctx._context, groups.encode()) != 1:
        raise LabTLSError(f"the bundled OpenSSL does not support the key-exchange groups {groups}")


def server_context(chain_file: Path, key_file: Path, groups: str | None = None) -> SSL.Context:
    """A TLS 1.3-only server context presenting the chain in `chain_file` (leaf first)."""
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    try:
        ctx.use_certificate_chain_file(str(chain_file))
        ctx.use_privatekey_file(str(key_file))
        ctx.check_privatekey()
    except SSL.Error as exc:
        raise LabTLSError(f"the server cannot load {chain_file.name}: {_reason(exc)}") from None
    if groups:
        set_groups(ctx, groups)
    return ctx


def _reason(exc: BaseException) -> str:
    args = exc.args[0] if exc.args else None
    if isinstance(args, list) and args:
        return "; ".join(str(e[-1]) for e in args if isinstance(e, tuple)) or str(exc)
    return str(exc) or type(exc).__name__


class LoopbackServer:
    """A TLS server on 127.0.0.1 that answers handshakes one at a time, in its own thread, until stopped.
    Each handshake's server-side CPU time (`time.thread_time`) is kept in `cpu_ms`."""

    def __init__(self, ctx: SSL.Context, *, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
        self._ctx = ctx
        self._timeout = timeout
        self._stop = threading.Event()
        self.cpu_ms: list[float] = []
        self.errors: list[str] = []
        try:
            self._sock = socket.create_server((host, 0))
        except OSError as exc:
            raise LabTLSError(f"cannot bind a loopback port on {host}: {exc.strerror or exc}") from None
        self.port: int = self._sock.getsockname()[1]
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, name=f"lab-tls-{self.port}", daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self._timeout)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with sock:
                self._one(sock)

    def _one(self, sock: socket.socket) -> None:
        # No Nagle: a real server flushes its flight at once; Nagle plus delayed ACKs would add ~40 ms stalls
        # that measure the loopback's timers, not TLS.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(0)  # pyOpenSSL answers WantRead on a non-blocking socket; select waits
        conn = SSL.Connection(self._ctx, sock)
        conn.set_accept_state()
        deadline = time.monotonic() + self._timeout
        cpu = 0.0
        try:
            while True:
                t0 = time.thread_time()
                try:
                    conn.do_handshake()
                    cpu += time.thread_time() - t0
                    break
                except SSL.WantReadError:
                    cpu += time.thread_time() - t0
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([sock], [], [], left)[0]:
                        raise LabTLSError("the client went silent") from None
            self.cpu_ms.append(cpu * 1000)
            with contextlib.suppress(SSL.Error):  # close cleanly after the session tickets
                conn.shutdown()
        except (SSL.Error, LabTLSError, OSError) as exc:
            self.errors.append(_reason(exc))
            self.cpu_ms.append(float("nan"))


def client_context(root_file: Path, groups: str) -> tuple[SSL.Context, _Messages]:
    """A TLS 1.3 client that verifies the server against `root_file` only and offers `groups`; its message
    callback fills the returned recorder."""
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    ctx.load_verify_locations(str(root_file))
    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: bool(ok))
    set_groups(ctx, groups)
    messages = _Messages()

    def callback(
        write_p: int, version: int, content_type: int, buf: Any, length: int, ssl: Any, arg: Any
    ) -> None:
        if content_type == _RT_HANDSHAKE and not write_p and length > 0:
            messages.seen(bytes(_FFI.buffer(buf, min(length, 38))), length)

    handle = _FFI.callback("void(int, int, int, void *, size_t, SSL *, void *)", callback)
    _LIB.SSL_CTX_set_msg_callback(ctx._context, handle)
    ctx._cmmm_msg_callback = handle  # keep the cffi callback alive as long as the context
    return ctx, messages


@dataclass(slots=True)
class _Wire:
    """The client's side of one handshake on the wire: ClientHello bytes, the server flight since the last
    ClientHello, CPU time."""

    hellos: list[int] = field(default_factory=list)
    flight: int = 0
    cpu: float = 0.0

    def send(self, conn: SSL.Connection, sock: socket.socket, hello_retry: bool) -> None:
        """Send what the client wrote; a write before any answer, or the one right after a
        HelloRetryRequest, is a ClientHello (and restarts the server flight)."""
        out = b""
        while True:
            try:
                out += conn.bio_read(65536)
            except SSL.WantReadError:
                break
        if not out:
            return
        sock.sendall(out)
        if not self.hellos or (hello_retry and len(self.hellos) == 1):
            self.hellos.append(len(out))
            self.flight = 0


def _drive(conn: SSL.Connection, sock: socket.socket, messages: _Messages, deadline: float) -> _Wire:
    wire = _Wire()
    while True:
        t0 = time.thread_time()
        try:
            conn.do_handshake()
            wire.cpu += time.thread_time() - t0
            return wire
        except SSL.WantReadError:
            wire.cpu += time.thread_time() - t0
        except SSL.Error as exc:
            raise LabTLSError(f"handshake failed: {_reason(exc)}") from None
        wire.send(conn, sock, messages.hello_retry)
        left = deadline - time.monotonic()
        if left <= 0:
            raise LabTLSError("no handshake before the timeout")
        sock.settimeout(left)
        data = sock.recv(65536)
        if not data:
            raise LabTLSError("the server closed the connection during the handshake")
        wire.flight += len(data)
        conn.bio_write(data)


def handshake(
    ctx: SSL.Context, messages: _Messages, port: int, server_name: str, *, timeout: float = 10.0
) -> Handshake:
    """One verified handshake with the server on 127.0.0.1:`port`, checking `server_name` against the
    leaf's SubjectAltName (the server's CPU time is filled in by `measure`)."""
    messages.sizes.clear()
    messages.hello_retry = False
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError as exc:
        raise LabTLSError(f"cannot connect to 127.0.0.1:{port}: {exc.strerror or exc}") from None
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = SSL.Connection(ctx, None)
        conn.set_connect_state()
        _expect_host(conn, server_name)
        wall0 = time.perf_counter()
        try:
            wire = _drive(conn, sock, messages, deadline)
            wire.send(conn, sock, False)  # the client's Finished
        except OSError as exc:
            raise LabTLSError(f"handshake failed: {exc.strerror or exc}") from None
        wall = (time.perf_counter() - wall0) * 1000
        group = conn.get_group_name() or ""
    return Handshake(
        group=group,
        hello_retry=messages.hello_retry,
        client_hello_bytes=sum(wire.hellos),
        server_flight_bytes=wire.flight,
        certificate_bytes=messages.sizes.get(_CERTIFICATE, 0),
        certificate_verify_bytes=messages.sizes.get(_CERTIFICATE_VERIFY, 0),
        client_cpu_ms=wire.cpu * 1000,
        server_cpu_ms=float("nan"),
        wall_ms=wall,
    )


def _expect_host(conn: SSL.Connection, name: str) -> None:
    """Make OpenSSL check the leaf's SubjectAltName against `name` (X509_VERIFY_PARAM_set1_host/_ip)."""
    param = _LIB.SSL_get0_param(conn._ssl)
    try:
        packed = ipaddress.ip_address(name).packed
        ok = _LIB.X509_VERIFY_PARAM_set1_ip(param, packed, len(packed))
    except ValueError:
        ok = _LIB.X509_VERIFY_PARAM_set1_host(param, name.encode(), len(name.encode()))
        conn.set_tlsext_host_name(name.encode())
    if ok != 1:
        raise LabTLSError(f"cannot set the expected server name {name!r}")


def measure(
    chain_file: Path,
    key_file: Path,
    root_file: Path,
    server_name: str,
    groups: str,
    *,
    runs: int,
    server_groups: str | None = None,
    timeout: float = 10.0,
) -> Series:
    """`runs` verified handshakes against a loopback server presenting `chain_file`, the client offering
    `groups` (the first one with a key share). The server lives only for this series."""
    ctx = server_context(chain_file, key_file, server_groups)
    client, messages = client_context(root_file, groups)
    out: list[Handshake] = []
    with LoopbackServer(ctx, timeout=timeout) as server:
        for _ in range(runs):
            out.append(handshake(client, messages, server.port, server_name, timeout=timeout))
        # The server records its CPU time after the client's Finished arrives: wait for the last one.
        limit = time.monotonic() + timeout
        while len(server.cpu_ms) < len(out) and time.monotonic() < limit:
            time.sleep(0.001)
        cpu = list(server.cpu_ms)
    cpu += [float("nan")] * (len(out) - len(cpu))
    return Series(
        group=groups.split(":", maxsplit=1)[0],
        runs=tuple(replace(h, server_cpu_ms=c) for h, c in zip(out, cpu, strict=True)),
    )
