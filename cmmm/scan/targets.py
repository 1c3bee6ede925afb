"""Targets to endpoints: host, host:port, IPv6, CIDR ranges, SNI names, ports and targets files."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from cmmm.errors import InputError, UsageError
from cmmm.scan.result import Endpoint, StartTLS

# The TLS ports organizations actually run: HTTPS and its alternates, LDAPS, IMAPS, POP3S, SMTPS and
# submission (STARTTLS), PostgreSQL (SSLRequest), DNS over TLS, the Kubernetes API; and SSH, whose key
# exchange is harvested like TLS's (read from the server's KEXINIT, cmmm.scan.ssh).
DEFAULT_PORTS: tuple[int, ...] = (443, 8443, 636, 993, 995, 465, 587, 5432, 853, 6443, 9443, 22)

SSH_PORTS: frozenset[int] = frozenset({22, 2222})


DEFAULT_MAX_RANGE = 1024  # a CIDR range with more addresses needs yes=True (--yes)


STARTTLS_PORTS: dict[int, StartTLS] = {
    25: StartTLS.SMTP,
    587: StartTLS.SMTP,
    143: StartTLS.IMAP,
    110: StartTLS.POP3,
    21: StartTLS.FTP,
    389: StartTLS.LDAP,
    5432: StartTLS.POSTGRES,
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
    ssh_ports: frozenset[int] = SSH_PORTS,
) -> list[Endpoint]:
    """Targets → endpoints. `NAME@ADDRESS[:PORT]` connects to ADDRESS and sends SNI NAME.

    A host without a port is tried on every port of `ports`; a CIDR range expands to its host
    addresses, and ranges holding more than `max_range` addresses together (across all targets, so that
    sixteen /22s do not pass one by one) are refused unless `yes`.
    """
    out: list[Endpoint] = []
    in_ranges = 0
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
            in_ranges += net.num_addresses
            if net.num_addresses > max_range and not yes:
                raise UsageError(
                    f"{raw}: {net.num_addresses} addresses is over the {max_range}-address limit; "
                    "pass --yes to scan it"
                )
            if in_ranges > max_range and not yes:
                raise UsageError(
                    f"the ranges up to {raw} hold {in_ranges} addresses together, over the "
                    f"{max_range}-address limit; pass --yes to scan them"
                )
            hosts = [str(a) for a in (net.hosts() if net.num_addresses > 2 else net)]
        else:
            hosts = [host]
        for h in hosts:
            for p in (port,) if port else ports:
                ssh = p in ssh_ports
                out.append(
                    Endpoint(
                        host=h,
                        port=p,
                        sni=None if ssh else target_sni or _default_sni(h),
                        starttls=None if ssh else starttls.get(p),
                        ssh=ssh,
                    )
                )
    return list(dict.fromkeys(out))


def _default_sni(host: str) -> str | None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.rstrip(".").lower()
    return None  # RFC 6066 §3: literal IP addresses are not sent as SNI
