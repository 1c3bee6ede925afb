"""A polite scanner: bounded concurrency overall and per host, a rate limit, and a stop that keeps what was
gathered."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from cmmm.lab.pki import issue
from cmmm.scan import Endpoint, Status, scan
from tests.conftest import NOW
from tests.scan.net import LOCAL, Net
from tests.scan.tls_servers import LoopbackServers, tls_context


class _InFlight:
    """Counts handshakes in progress inside the scanner (exact, unlike a server's view of closes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import cmmm.scan.handshake as mod

        self.now = self.max = 0
        self._lock = threading.Lock()
        real = mod._handshake

        def counted(*args: object) -> bytes:
            with self._lock:
                self.now += 1
                self.max = max(self.max, self.now)
            try:
                return real(*args)  # type: ignore[arg-type]
            finally:
                with self._lock:
                    self.now -= 1

        monkeypatch.setattr(mod, "_handshake", counted)


def test_two_hundred_endpoints_with_bounded_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    inflight = _InFlight(monkeypatch)
    leaf = issue(cn="many.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
    servers = LoopbackServers()
    # Hybrid negotiated first: one handshake, three more versions, two more hybrid groups, the hybrid-retry
    # and the classical-only ClientHello: eight handshakes per endpoint.
    ctx = tls_context([leaf], groups=None)
    ports = [servers.tls(ctx) for _ in range(200)]
    servers.start()
    try:
        timeout, bound = 2.0, 16
        t0 = time.monotonic()
        result = scan(
            [f"{LOCAL}:{p}" for p in ports],
            now=NOW,
            timeout=timeout,
            concurrency=bound,
            per_host=bound,
            trust=[],
        )
        elapsed = time.monotonic() - t0
    finally:
        servers.stop()
    assert result.counts == {"ok": 200}
    assert all(r.hybrid_pq for r in result.results)
    assert inflight.max <= bound and servers.accepted == 1600  # 8 handshakes per endpoint
    assert elapsed < 15.0  # budget; typically ~2 s on a shared 2-core machine


def test_stop_keeps_gathered_results(net: Net) -> None:
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 1:
            stop.set()

    eps = [net.ep("ecdsa")] + [net.ep("silent")] * 1 + [net.ep("rsa", host="localhost")] * 1
    eps += [Endpoint(host=LOCAL, port=net.ports["closed"] + 0, sni=f"s{i}.test") for i in range(30)]
    result = scan(
        eps, now=NOW, timeout=1.0, concurrency=2, per_host=2, trust=[], progress=progress, stop=stop
    )
    assert result.interrupted
    statuses = [r.status for r in result.results]
    assert Status.SKIPPED in statuses
    assert any(s is not Status.SKIPPED for s in statuses)
    assert len(result.results) == len(eps)


def test_politeness_per_host_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    inflight = _InFlight(monkeypatch)
    leaf = issue(cn="polite.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
    servers = LoopbackServers()
    ctx = tls_context([leaf], groups=None)
    ports = [servers.tls(ctx) for _ in range(12)]
    servers.start()
    try:
        result = scan(
            [f"{LOCAL}:{p}" for p in ports], now=NOW, timeout=2.0, concurrency=12, per_host=2, trust=[]
        )
        assert result.counts == {"ok": 12} and inflight.max == 2
        closed = LoopbackServers.closed_port()
        t0 = time.monotonic()
        paced = scan(
            [f"{LOCAL}:{closed}"] * 1 + [f"{LOCAL}:{p}" for p in ports[:3]], now=NOW, rate=10, trust=[]
        )
        # 1 refused connection + 3 endpoints × 4 handshakes = 13 connections at 10 per second
        assert time.monotonic() - t0 >= 1.1 and paced.counts == {"refused": 1, "ok": 3}
    finally:
        servers.stop()
