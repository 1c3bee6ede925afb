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

import logging
import os
import queue
import resource
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from OpenSSL import SSL

from cmmm.errors import UsageError
from cmmm.scan import ssh
from cmmm.scan.compare import Comparison, compare
from cmmm.scan.handshake import _VERSIONS, HYBRID_GROUP, _attempt, _context, _Failed, _Pacer
from cmmm.scan.result import (
    ChainStatus,
    Endpoint,
    EndpointResult,
    ScanResult,
    StartTLS,
    Status,
    read_scan,
    scan_from_document,
    write_scan,
)
from cmmm.scan.targets import (
    DEFAULT_MAX_RANGE,
    DEFAULT_PORTS,
    SSH_PORTS,
    STARTTLS_PORTS,
    expand_targets,
    parse_ports,
    read_targets_file,
)
from cmmm.scan.trust import hostname_matches, judge_chain, system_trust_store

__all__ = [
    "DEFAULT_MAX_RANGE",
    "DEFAULT_PORTS",
    "HYBRID_GROUP",
    "HYBRID_GROUPS",
    "SSH_PORTS",
    "STARTTLS_PORTS",
    "ChainStatus",
    "Comparison",
    "Endpoint",
    "EndpointResult",
    "ScanResult",
    "StartTLS",
    "Status",
    "clamp_concurrency",
    "compare",
    "expand_targets",
    "hostname_matches",
    "judge_chain",
    "parse_ports",
    "read_scan",
    "read_targets_file",
    "scan",
    "scan_from_document",
    "system_trust_store",
    "write_scan",
]


# Each endpoint in flight is one thread: beyond this many, threads cost more than they gather.
MAX_CONCURRENCY = 512
_FD_RESERVE = 32  # descriptors kept for the output file, the trust store, logging and the interpreter
_log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------- the scan
# The hybrid ML-KEM groups a scan probes one by one (RFC 10024 code points 4588, 4587, 4589).
HYBRID_GROUPS = ("X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024")
# What most TLS stacks send first: the hybrid groups listed, one key share — for x25519 (OpenSSL sends a
# share for the first group of a list without '*' markers). A server that wants hybrid asks again (HRR).
RETRY_GROUPS = "x25519:" + ":".join(HYBRID_GROUPS)
CLASSICAL_GROUPS = "x25519:secp256r1:secp384r1:x448:secp521r1"


@dataclass(frozen=True, slots=True)
class _Contexts:
    main: SSL.Context
    versions: dict[str, SSL.Context]
    hybrid: dict[str, SSL.Context]
    retry: SSL.Context
    classical: SSL.Context


def _kex(
    ep: Endpoint,
    addr: list[Any],
    ctxs: _Contexts,
    timeout: float,
    pacer: _Pacer,
    stop: threading.Event,
    negotiated: str | None,
) -> dict[str, Any]:
    """TLS 1.3 key exchange as the server really does it: each hybrid group offered alone, a ClientHello with
    the hybrid groups but only a classical key share (HelloRetryRequest or not), a classical-only one."""
    accepted: list[str] = []
    for group, ctx in ctxs.hybrid.items():
        if stop.is_set():
            return {}
        if group == negotiated:  # the first handshake already offered it with its share and got it
            accepted.append(group)
            continue
        try:
            if _attempt(ep, addr, ctx, timeout, pacer).group == group:
                accepted.append(group)
        except _Failed:
            pass
    out: dict[str, Any] = {"hybrid_groups": tuple(accepted), "hybrid_pq": HYBRID_GROUP in accepted}
    try:
        conn = _attempt(ep, addr, ctxs.retry, timeout, pacer)
        out["hybrid_hello_retry"] = conn.hello_retry and conn.group in HYBRID_GROUPS
    except _Failed:
        out["hybrid_hello_retry"] = None
    try:
        _attempt(ep, addr, ctxs.classical, timeout, pacer)
        out["classical_fallback"] = True
    except _Failed:
        out["classical_fallback"] = False
    return out


def _probe_ssh(ep: Endpoint, timeout: float, pacer: _Pacer, addresses: list[Any]) -> EndpointResult:
    try:
        with pacer.slot(ep.host):
            found = ssh.read_kexinit(addresses, timeout)
    except ssh.SshFailed as failed:
        return EndpointResult(endpoint=ep, status=failed.status, error=failed.message)
    return EndpointResult(
        endpoint=ep,
        status=Status.OK,
        address=found.address,
        protocol="SSH",
        ssh_banner=found.banner,
        ssh_kex=found.kex,
        ssh_host_keys=found.host_keys,
    )


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
    if ep.ssh:
        return replace(
            _probe_ssh(ep, timeout, pacer, list(addresses)), elapsed_ms=(time.monotonic() - t0) * 1000
        )
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
    kex: dict[str, Any] = {"hybrid_pq": main.group == HYBRID_GROUP or None}
    if "TLSv1.3" not in accepted:
        kex = {"hybrid_pq": False}  # the hybrid groups are TLS 1.3 only
    elif not stop.is_set():
        kex = _kex(ep, addr, ctxs, timeout, pacer, stop, main.group) or kex
    result = EndpointResult(
        endpoint=ep,
        status=Status.OK,
        error=main.note,
        address=main.address,
        protocol=main.protocol,
        cipher=main.cipher,
        group=main.group,
        tls_versions=tuple(v for v in _VERSIONS if v in accepted),
        chain=tuple(main.chain),
        **kex,
    )
    return replace(_judged(result, now, trust), elapsed_ms=(time.monotonic() - t0) * 1000)


def _judged(result: EndpointResult, now: datetime, trust: Sequence[x509.Certificate]) -> EndpointResult:
    if not result.chain:
        return result
    ep = result.endpoint
    try:
        status, reason = judge_chain(result.chain, now, trust)
    except ValueError as exc:  # a malformed extension cryptography refuses: the server's certificate is bad
        return replace(
            result,
            status=Status.INVALID_CERTIFICATE,
            chain_status=ChainStatus.INVALID,
            chain_error=f"certificate cannot be judged: {exc}"[:200],
        )
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

    At most `concurrency` endpoints at once (clamped to MAX_CONCURRENCY and to the file descriptors the
    process may open, said in `notes`), `per_host` connections per host spaced `host_delay` s
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
        hybrid={g: _context(SSL.TLS1_3_VERSION, g) for g in HYBRID_GROUPS},
        retry=_context(SSL.TLS1_3_VERSION, RETRY_GROUPS),
        classical=_context(SSL.TLS1_3_VERSION, CLASSICAL_GROUPS),
    )
    pacer = _Pacer(rate, per_host, host_delay, stop)
    t0 = time.monotonic()
    concurrency, clamped = clamp_concurrency(concurrency)
    results, interrupted, notes = _probe_all(
        endpoints,
        lambda ep: _probe(ep, ctxs, timeout, pacer, stop, now, anchors),
        stop=stop,
        concurrency=concurrency,
        progress=progress,
    )
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
        notes=(clamped, *notes) if clamped else tuple(notes),
    )


class _Pool:
    """`concurrency` worker threads over one queue of endpoints, each endpoint behind its own guard.

    A worker whose connection finds the process out of file descriptors retires and hands the endpoint
    back (the scan goes on with one connection fewer at a time; each hand-back retires a worker, so it
    ends); when the last worker is out of room too,
    no new connection starts and the rest are `skipped`. A thread that cannot be started lowers the
    concurrency the same way. Either is reported in the scan's notes."""

    def __init__(self, probe: Callable[[Endpoint], EndpointResult], stop: threading.Event) -> None:
        self.probe = probe
        self.stop = stop
        self.queue: queue.SimpleQueue[tuple[int, Endpoint]] = queue.SimpleQueue()
        self.results: dict[int, EndpointResult] = {}
        self.notes: list[str] = []
        self.lock = threading.Lock()
        self.workers = 0
        self.retired = 0
        self.changed = threading.Event()  # a result came in: the caller reports progress at once

    def guarded(self, ep: Endpoint) -> EndpointResult:
        """One endpoint's result, whatever happens while probing it."""
        try:
            return self.probe(ep)
        except ValueError as exc:  # a certificate or name cryptography refuses: the target's doing
            return EndpointResult(endpoint=ep, status=Status.INVALID_CERTIFICATE, error=str(exc)[:200])
        except OSError as exc:
            return EndpointResult(endpoint=ep, status=Status.NO_RESOURCES, error=exc.strerror or str(exc))
        except Exception as exc:  # the boundary of one endpoint: a defect in cmmm must not lose the others
            _log.exception("defect while scanning %s", ep.location)
            return EndpointResult(
                endpoint=ep, status=Status.ERROR, error=f"internal error ({type(exc).__name__}): {exc}"[:200]
            )

    def work(self) -> None:
        while not self.stop.is_set():
            try:
                i, ep = self.queue.get_nowait()
            except queue.Empty:
                return
            result = self.guarded(ep)
            if result.status is Status.NO_RESOURCES:
                with self.lock:
                    if self.workers - self.retired > 1:
                        self.retired += 1
                        self.queue.put((i, ep))
                        return  # this worker retires: one connection fewer at a time
                    self.notes.append(
                        "stopped starting connections: the process is out of file descriptors "
                        f"({result.error}); the endpoints not tried are 'skipped'"
                    )
                self.stop.set()
            with self.lock:
                self.results[i] = result
            self.changed.set()

    def start(self, n: int) -> list[threading.Thread]:
        threads: list[threading.Thread] = []
        for k in range(n):
            t = threading.Thread(target=self.work, name=f"scan-{k}", daemon=True)
            try:
                t.start()
            except RuntimeError as exc:  # "can't start new thread": go on with the threads there are
                self.notes.append(f"concurrency lowered from {n} to {len(threads)}: {exc}")
                break
            threads.append(t)
            with self.lock:
                self.workers += 1
        return threads


def _probe_all(
    endpoints: list[Endpoint],
    probe: Callable[[Endpoint], EndpointResult],
    *,
    stop: threading.Event,
    concurrency: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[dict[int, EndpointResult], bool, list[str]]:
    """Probe the endpoints on `concurrency` threads: the results by endpoint position, whether the scan
    was stopped (by `stop`, Ctrl-C or exhaustion) before every endpoint was tried, and notes."""
    pool = _Pool(probe, stop)
    for i, ep in enumerate(endpoints):
        pool.queue.put((i, ep))
    threads = pool.start(min(concurrency, max(1, len(endpoints))))
    if not threads:
        pool.work()  # not even one thread could be started: probe in this one
    interrupted = False
    try:
        while any(t.is_alive() for t in threads):
            pool.changed.wait(timeout=0.2)
            pool.changed.clear()
            if progress is not None:
                progress(len(pool.results), len(endpoints))
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        for t in threads:
            t.join()
    if progress is not None:
        progress(len(pool.results), len(endpoints))
    if pool.retired:
        pool.notes.append(
            f"concurrency lowered from {len(threads)} to {len(threads) - pool.retired}: "
            "the process ran out of file descriptors"
        )
    return pool.results, interrupted or stop.is_set(), pool.notes


def clamp_concurrency(requested: int) -> tuple[int, str | None]:
    """`requested` bounded by MAX_CONCURRENCY threads and by the file descriptors this process may still
    open (two per endpoint in flight: its socket and a resolver's), with a note when it was lowered."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        soft = resource.RLIM_INFINITY
    try:
        in_use = len(os.listdir("/proc/self/fd"))
    except OSError:
        in_use = 64
    fd_room = (
        MAX_CONCURRENCY if soft == resource.RLIM_INFINITY else max(1, (soft - in_use - _FD_RESERVE) // 2)
    )
    allowed = min(MAX_CONCURRENCY, fd_room)
    if requested <= allowed:
        return requested, None
    why = (
        f"the process may open {soft} files"
        if fd_room < MAX_CONCURRENCY
        else f"at most {MAX_CONCURRENCY} connections at once"
    )
    return allowed, f"concurrency clamped from {requested} to {allowed} ({why})"
