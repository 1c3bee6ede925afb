"""The loopback network of the scan tests: TLS servers (tests/scan/tls_servers.py) with known chains, and
helpers to read results."""

from __future__ import annotations

from dataclasses import dataclass

from cmmm.lab.pki import Issued
from cmmm.scan import Endpoint, ScanResult
from tests.scan.tls_servers import LoopbackServers

LOCAL = "127.0.0.1"


@dataclass(frozen=True)
class Net:
    servers: LoopbackServers
    ports: dict[str, int]
    certs: dict[str, Issued]

    def ep(self, name: str, **kw: object) -> Endpoint:
        return Endpoint(host=str(kw.pop("host", LOCAL)), port=self.ports[name], **kw)  # type: ignore[arg-type]

    @property
    def trust(self) -> list[object]:
        return [self.certs["root"].cert, self.certs["rsa_root"].cert]


def der(chain: tuple[object, ...] | list[object]) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding

    return [c.public_bytes(Encoding.DER) for c in chain]  # type: ignore[attr-defined]


def by_port(result: ScanResult, port: int) -> object:
    return next(r for r in result.results if r.endpoint.port == port)
