"""Live TLS discovery against real servers started here, on loopback only (127.0.0.1 / ::1 / localhost)."""

from __future__ import annotations

from cmmm.scan import HYBRID_GROUP, ChainStatus, ScanResult, StartTLS, Status, scan
from tests.conftest import NOW
from tests.scan.net import Net, by_port, der


def test_chains_versions_groups_and_validity(net: Net, scanned: ScanResult) -> None:
    c = net.certs
    ecdsa = by_port(scanned, net.ports["ecdsa"])
    assert ecdsa.status is Status.OK
    assert der(ecdsa.chain) == [c["ecdsa"].der, c["inter"].der]  # the full presented chain, leaf first
    assert ecdsa.tls_versions == ("TLSv1.2", "TLSv1.3") and ecdsa.protocol == "TLSv1.3"
    assert ecdsa.group == "x25519" and ecdsa.hybrid_pq is False
    assert ecdsa.chain_status is ChainStatus.VALID and ecdsa.hostname_match is True

    rsa = by_port(scanned, net.ports["rsa"])
    assert der(rsa.chain) == [c["rsa"].der, c["rsa_root"].der]
    assert rsa.tls_versions == ("TLSv1", "TLSv1.1", "TLSv1.2") and rsa.protocol == "TLSv1.2"
    assert rsa.hybrid_pq is False and rsa.chain_status is ChainStatus.VALID

    expired = by_port(scanned, net.ports["expired"])
    assert expired.chain_status is ChainStatus.EXPIRED and "expired" in (expired.chain_error or "")

    selfsigned = by_port(scanned, net.ports["self"])
    assert der(selfsigned.chain) == [c["self"].der]
    assert selfsigned.chain_status is ChainStatus.SELF_SIGNED
    assert selfsigned.hostname_match is False  # its SAN is self.test, the target an address

    pq = by_port(scanned, net.ports["pq"])
    assert pq.group == HYBRID_GROUP and pq.hybrid_pq is True and pq.tls_versions == ("TLSv1.3",)


def test_errors_are_classified_never_raised(net: Net, scanned: ScanResult) -> None:
    assert by_port(scanned, net.ports["plain"]).status is Status.NOT_TLS
    silent = by_port(scanned, net.ports["silent"])
    assert silent.status is Status.TIMEOUT and silent.elapsed_ms < 2500
    assert by_port(scanned, net.ports["closed"]).status is Status.REFUSED
    assert scanned.counts == {"ok": 5, "refused": 1, "timeout": 1, "not-tls": 1}
    unresolved = scan(["no-such-host.invalid:443"], now=NOW, timeout=1.0, trust=[])
    assert unresolved.results[0].status is Status.UNRESOLVED


def test_untrusted_by_default_trust_store(net: Net) -> None:
    result = scan([net.ep("ecdsa")], now=NOW, timeout=1.0)  # the system store does not know the test root
    assert result.results[0].chain_status is ChainStatus.UNTRUSTED


def test_starttls_ipv6_sni_and_hostname(net: Net) -> None:
    eps = [
        net.ep("postgres", starttls=StartTLS.POSTGRES),
        net.ep("smtp", starttls=StartTLS.SMTP),
        net.ep("v6", host="::1"),
        net.ep("ecdsa", host="localhost", sni="localhost"),
        net.ep("ecdsa", sni="other.test"),
    ]
    res = scan(eps, now=NOW, timeout=1.0, trust=net.trust)
    pg, smtp, v6, named, other = res.results
    leaf = net.certs["ecdsa"].der
    for r in (pg, smtp, v6, named, other):
        assert r.status is Status.OK, r
        assert der(r.chain)[0] == leaf
    assert v6.address == "::1" and v6.endpoint.location == f"[::1]:{net.ports['v6']}"
    assert named.hostname_match is True and other.hostname_match is False
    fails = scan([net.ep("mtls"), net.ep("closer")], now=NOW, timeout=1.0, trust=net.trust)
    mtls, closer = fails.results
    assert mtls.status is Status.HANDSHAKE_FAILURE and "alert" in (mtls.error or "")
    assert der(mtls.chain) == [leaf, net.certs["inter"].der]  # presented before the failure: kept
    assert mtls.chain_status is ChainStatus.VALID
    assert closer.status is Status.HANDSHAKE_FAILURE and closer.chain == ()
    plain_as_pg = scan([net.ep("plain", starttls=StartTLS.POSTGRES)], now=NOW, timeout=1.0, trust=[])
    assert plain_as_pg.results[0].status is Status.NOT_TLS
