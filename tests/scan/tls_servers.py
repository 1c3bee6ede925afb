"""Real TLS (and deliberately broken) servers on loopback only, for the scanner's tests and benchmark.

One acceptor thread watches every listening socket; each accepted connection gets its own thread.
Servers bind 127.0.0.1 or ::1 on ephemeral ports and nothing here ever connects anywhere.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.bindings.openssl.binding import Binding
from OpenSSL import SSL

from cmmm.lab.pki import Issued

_LIB = Binding.lib
LOOPBACK = ("127.0.0.1", "::1")

Handler = Callable[[socket.socket], None]


def tls_context(
    chain: Sequence[Issued],
    *,
    min_version: int = SSL.TLS1_2_VERSION,
    max_version: int = SSL.TLS1_3_VERSION,
    groups: str | None = "X25519:P-256:P-384",
    require_client_cert: bool = False,
) -> SSL.Context:
    """A server context presenting `chain` (leaf first). groups=None keeps OpenSSL's defaults, which
    in the OpenSSL bundled with cryptography include the hybrid X25519MLKEM768 first."""
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_cipher_list(b"ALL:@SECLEVEL=0")
    ctx.set_min_proto_version(min_version)
    ctx.set_max_proto_version(max_version)
    ctx.use_certificate(chain[0].cert)
    for extra in chain[1:]:
        ctx.add_extra_chain_cert(extra.cert)
    ctx.use_privatekey(chain[0].key)
    if require_client_cert:
        ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *a: True)
    if groups is not None:
        assert _LIB.SSL_CTX_set1_curves_list(ctx._context, groups.encode()) == 1
    return ctx


@dataclass
class LoopbackServers:
    """Listening sockets with behaviours; `max_active` records the most simultaneous connections."""

    _sel: selectors.DefaultSelector = field(default_factory=selectors.DefaultSelector)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _conns: set[socket.socket] = field(default_factory=set)
    _listeners: list[socket.socket] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    active: int = 0
    max_active: int = 0
    accepted: int = 0

    def listen(self, handler: Handler, host: str = "127.0.0.1") -> int:
        assert host in LOOPBACK, "test servers bind loopback only"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind((host, 0))
        s.listen(256)
        s.setblocking(False)
        self._listeners.append(s)
        self._sel.register(s, selectors.EVENT_READ, handler)
        return int(s.getsockname()[1])

    def tls(self, ctx: SSL.Context, host: str = "127.0.0.1") -> int:
        return self.listen(lambda c: _serve_tls(ctx, c), host)

    def plain(self, banner: bytes = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") -> int:
        def handle(c: socket.socket) -> None:
            c.recv(4096)
            c.sendall(banner)

        return self.listen(handle)

    def silent(self) -> int:
        """Accepts and never answers (the connection stays open until the servers stop)."""
        return self.listen(lambda c: self._stop.wait(30))

    def postgres(self, ctx: SSL.Context) -> int:
        def handle(c: socket.socket) -> None:
            if c.recv(8) == (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"):
                c.sendall(b"S")
                _serve_tls(ctx, c)

        return self.listen(handle)

    def smtp(self, ctx: SSL.Context) -> int:
        def handle(c: socket.socket) -> None:
            f = c.makefile("rb")
            c.sendall(b"220 mail.test ESMTP\r\n")
            if f.readline().upper().startswith(b"EHLO"):
                c.sendall(b"250-mail.test\r\n250 STARTTLS\r\n")
            if f.readline().upper().startswith(b"STARTTLS"):
                c.sendall(b"220 go ahead\r\n")
                _serve_tls(ctx, c)

        return self.listen(handle)

    @staticmethod
    def closed_port() -> int:
        """A port nothing listens on (bound, then closed): connecting is refused."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
        s.close()
        return port

    def start(self) -> LoopbackServers:
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="loopback-accept")
        self._thread.start()
        return self

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._sel.select(timeout=0.1):
                lsock: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    conn, _ = lsock.accept()
                except OSError:
                    continue
                conn.setblocking(True)
                with self._lock:
                    self._conns.add(conn)
                    self.accepted += 1
                    self.active += 1
                    self.max_active = max(self.max_active, self.active)
                threading.Thread(target=self._run, args=(key.data, conn), daemon=True).start()

    def _run(self, handler: Handler, conn: socket.socket) -> None:
        try:
            handler(conn)
        except (OSError, SSL.Error):
            pass
        finally:
            with self._lock:
                self.active -= 1
                self._conns.discard(conn)
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        with self._lock:
            for c in list(self._conns):
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
        for s in self._listeners:
            s.close()
        self._sel.close()


def _serve_tls(ctx: SSL.Context, sock: socket.socket) -> None:
    sock.settimeout(None)  # pyOpenSSL needs a blocking socket; stop() unblocks it with shutdown()
    conn = SSL.Connection(ctx, sock)
    conn.set_accept_state()
    conn.do_handshake()
    with contextlib.suppress(SSL.ZeroReturnError, SSL.SysCallError):
        conn.recv(1024)  # wait for the client's close
