"""Fixtures of the scan tests: one loopback network and one scan of it per test process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from OpenSSL import SSL

from cmmm.lab.pki import issue
from cmmm.scan import ScanResult, scan
from tests.conftest import NOW
from tests.scan.net import LOCAL, Net
from tests.scan.tls_servers import LoopbackServers, tls_context


@pytest.fixture(scope="session")
def net() -> Iterator[Net]:
    t0 = NOW - timedelta(days=400)
    fresh = NOW - timedelta(days=10)
    root = issue(cn="Scan Test Root", org="Scan", not_before=t0, days=3650, ca=True, key_kind="EC-384")
    inter = issue(cn="Scan Test Issuing CA", org="Scan", not_before=t0, days=1825, ca=True, issuer=root)
    sans = ("localhost", LOCAL)
    ecdsa = issue(cn="ecdsa.test", not_before=fresh, days=90, issuer=inter, sans=("ecdsa.test", *sans))
    rsa_root = issue(cn="Scan RSA Root", not_before=t0, days=3650, ca=True, key_kind="RSA-2048")
    rsa = issue(
        cn="rsa.test",
        not_before=fresh,
        days=90,
        issuer=rsa_root,
        key_kind="RSA-2048",
        sans=("rsa.test", LOCAL),
    )
    expired = issue(
        cn="expired.test", not_before=NOW - timedelta(days=100), days=30, issuer=inter, sans=(LOCAL,)
    )
    selfsigned = issue(cn="self.test", not_before=fresh, days=90, sans=("self.test",))
    pq = issue(cn="pq.test", not_before=fresh, days=90, issuer=inter, sans=("pq.test", LOCAL))
    s = LoopbackServers()
    ports = {
        "ecdsa": s.tls(tls_context([ecdsa, inter])),
        "rsa": s.tls(
            tls_context([rsa, rsa_root], min_version=SSL.TLS1_VERSION, max_version=SSL.TLS1_2_VERSION)
        ),
        "expired": s.tls(tls_context([expired, inter])),
        "self": s.tls(tls_context([selfsigned])),
        "pq": s.tls(tls_context([pq, inter], groups=None, min_version=SSL.TLS1_3_VERSION)),
        "plain": s.plain(),
        "silent": s.silent(),
        "closed": s.closed_port(),
        "postgres": s.postgres(tls_context([ecdsa, inter])),
        "smtp": s.smtp(tls_context([ecdsa, inter])),
        "v6": s.tls(tls_context([ecdsa, inter]), host="::1"),
        "mtls": s.tls(tls_context([ecdsa, inter], max_version=SSL.TLS1_2_VERSION, require_client_cert=True)),
        "closer": s.listen(lambda c: c.recv(1)),  # reads one byte of the ClientHello, then hangs up
    }
    certs = {
        "root": root,
        "inter": inter,
        "ecdsa": ecdsa,
        "rsa_root": rsa_root,
        "rsa": rsa,
        "expired": expired,
        "self": selfsigned,
        "pq": pq,
    }
    s.start()
    yield Net(servers=s, ports=ports, certs=certs)
    s.stop()


@pytest.fixture(scope="session")
def scanned(net: Net) -> ScanResult:
    names = ["ecdsa", "rsa", "expired", "self", "pq", "plain", "silent", "closed"]
    return scan([net.ep(n) for n in names], now=NOW, timeout=1.0, trust=net.trust)
