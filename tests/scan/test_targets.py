"""Targets and names: CIDR ranges, IPv6, STARTTLS by port, SNI@address, port lists, RFC 6125 host name
matching."""

from __future__ import annotations

import pytest

from cmmm.errors import InputError, UsageError
from cmmm.lab.pki import issue
from cmmm.scan import StartTLS, expand_targets, hostname_matches, parse_ports
from tests.conftest import NOW
from tests.scan.net import Net


def test_hostname_rules(net: Net) -> None:
    wild = issue(cn="w", not_before=NOW, days=10, sans=("*.example.test", "10.0.0.1")).cert
    assert hostname_matches(wild, "a.example.test")
    assert not hostname_matches(wild, "a.b.example.test") and not hostname_matches(wild, "example.test")
    assert hostname_matches(wild, "10.0.0.1") and not hostname_matches(wild, "10.0.0.2")


def test_target_parsing() -> None:
    eps = expand_targets(
        ["10.0.0.0/30", "[::1]:8443", "::1", "db.test:5432", "www.test@127.0.0.1:443"], (443,)
    )
    assert [(e.host, e.port) for e in eps] == [
        ("10.0.0.1", 443),
        ("10.0.0.2", 443),
        ("::1", 8443),
        ("::1", 443),
        ("db.test", 5432),
        ("127.0.0.1", 443),
    ]
    assert eps[4].starttls is StartTLS.POSTGRES and eps[4].sni == "db.test"
    assert eps[5].sni == "www.test" and eps[0].sni is None
    with pytest.raises(UsageError, match="--yes"):
        expand_targets(["10.0.0.0/16"], max_range=1024)
    assert len(expand_targets(["10.0.0.0/22"], (443,), max_range=256, yes=True)) == 1022
    assert parse_ports("443,8443,9000-9002,443") == (443, 8443, 9000, 9001, 9002)
    with pytest.raises(InputError):
        parse_ports("443,http")
    with pytest.raises(InputError):
        expand_targets(["host:99999"])
