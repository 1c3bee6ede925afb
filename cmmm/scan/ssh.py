"""SSH servers as they really are: the identification line and the algorithms offered in the server's KEXINIT.

The server's KEXINIT (RFC 4253 §7.1) is the first binary packet it sends and it travels in the clear, so
reading it needs no key exchange: connect, send our identification line, read the server's (§4.2), read one
packet (§6), parse its name-lists, hang up. No SSH library is used: neither paramiko nor asyncssh has a
public API for the lists a peer offers (they keep the peer's KEXINIT only to hash it into the exchange) and
both go on into a full key exchange, with its cryptography, to learn what one unencrypted packet says —
the reading is a few dozen lines of bounded parsing. Every read
is bounded in bytes and by one deadline: a server that sends garbage or never sends its KEXINIT costs one
line in the result, not a hang.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cmmm.scan.result import Status

CLIENT_ID = b"SSH-2.0-cmmm_scan\r\n"
MAX_ID_BYTES = 8192  # RFC 4253 §4.2: lines before the version line are allowed; ours stops reading here
MAX_PACKET = 35000  # RFC 4253 §6.1: implementations must handle packets up to 35,000 bytes
SSH_MSG_KEXINIT = 20


class SshFailed(Exception):
    """An SSH probe that did not get the server's KEXINIT (status and a one-line reason)."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class KexInit:
    """What an SSH server offered: its identification line, key exchanges and host-key algorithms."""

    banner: str
    kex: tuple[str, ...]
    host_keys: tuple[str, ...]
    ciphers: tuple[str, ...]
    address: str


def _recv(sock: socket.socket, deadline: float, n: int) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    sock.settimeout(left)
    return sock.recv(n)


def _read_exact(sock: socket.socket, buf: bytearray, n: int, deadline: float) -> bytes:
    while len(buf) < n:
        data = _recv(sock, deadline, max(4096, n - len(buf)))
        if not data:
            raise SshFailed(Status.HANDSHAKE_FAILURE, "connection closed before the server's KEXINIT")
        buf += data
    out = bytes(buf[:n])
    del buf[:n]
    return out


def _banner(sock: socket.socket, buf: bytearray, deadline: float) -> str:
    """The server's identification line (lines before it are skipped, RFC 4253 §4.2)."""
    while True:
        end = buf.find(b"\n")
        if end >= 0:
            line = bytes(buf[:end]).rstrip(b"\r")
            del buf[: end + 1]
            if line.startswith(b"SSH-"):
                return line.decode("utf-8", "replace")[:255]
            if not line.isascii() or b"\x00" in line:
                raise SshFailed(Status.NOT_SSH, f"peer answered with non-SSH data {line[:16]!r}")
            continue
        if len(buf) >= MAX_ID_BYTES:
            raise SshFailed(Status.NOT_SSH, f"no SSH identification line in the first {MAX_ID_BYTES} bytes")
        if len(buf) >= 4 and not bytes(buf[:4]).isascii():
            raise SshFailed(Status.NOT_SSH, f"peer answered with non-SSH data {bytes(buf[:16])!r}")
        data = _recv(sock, deadline, 4096)
        if not data:
            raise SshFailed(Status.HANDSHAKE_FAILURE, "connection closed without an SSH identification line")
        buf += data


def parse_kexinit(payload: bytes) -> tuple[tuple[str, ...], ...]:
    """The ten name-lists of a KEXINIT payload (message byte and 16-byte cookie first, RFC 4253 §7.1)."""
    if not payload or payload[0] != SSH_MSG_KEXINIT:
        raise SshFailed(
            Status.NOT_SSH, f"first packet is message {payload[:1].hex() or 'empty'}, not KEXINIT"
        )
    pos, lists = 17, []
    for _ in range(10):
        if pos + 4 > len(payload):
            raise SshFailed(Status.NOT_SSH, "truncated KEXINIT")
        (n,) = struct.unpack_from(">I", payload, pos)
        pos += 4
        if pos + n > len(payload):
            raise SshFailed(Status.NOT_SSH, "truncated KEXINIT name-list")
        raw = payload[pos : pos + n]
        pos += n
        if not raw.isascii():
            raise SshFailed(Status.NOT_SSH, "KEXINIT name-list is not ASCII")
        lists.append(tuple(x for x in raw.decode("ascii").split(",") if x))
    return tuple(lists)


def read_kexinit(addresses: Sequence[Any], timeout: float) -> KexInit:
    """Connect to the first address that answers and read the server's identification and KEXINIT."""
    deadline = time.monotonic() + timeout
    sock = _connect(addresses, timeout)
    try:
        sock.sendall(CLIENT_ID)
        buf = bytearray()
        banner = _banner(sock, buf, deadline)
        head = _read_exact(sock, buf, 5, deadline)
        length, padding = struct.unpack(">IB", head)
        if not 5 <= length <= MAX_PACKET or padding >= length:
            raise SshFailed(Status.NOT_SSH, f"implausible SSH packet length {length}")
        payload = _read_exact(sock, buf, length - 1, deadline)[: length - 1 - padding]
        lists = parse_kexinit(payload)
        return KexInit(
            banner=banner,
            kex=lists[0],
            host_keys=lists[1],
            ciphers=lists[2],
            address=str(sock.getpeername()[0]),
        )
    except TimeoutError:
        raise SshFailed(Status.TIMEOUT, "no KEXINIT from the server before the timeout") from None
    except OSError as exc:
        raise SshFailed(Status.HANDSHAKE_FAILURE, exc.strerror or str(exc)) from None
    finally:
        sock.close()


def _connect(addresses: Sequence[Any], timeout: float) -> socket.socket:
    refused = False
    for family, _, _, _, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
            return sock
        except TimeoutError:
            sock.close()
            raise SshFailed(Status.TIMEOUT, "connect timed out") from None
        except ConnectionRefusedError:
            sock.close()
            refused = True
        except OSError as exc:
            sock.close()
            raise SshFailed(Status.UNREACHABLE, exc.strerror or str(exc)) from None
    raise SshFailed(Status.REFUSED, "connection refused" if refused else "no address")
