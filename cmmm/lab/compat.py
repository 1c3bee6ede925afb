"""Which TLS clients on this machine accept a chain: each one connects to a loopback server and verifies it.

The clients an organization runs cannot all be tested here; these can: the OpenSSL bundled with
`cryptography` (through pyOpenSSL), Python's own `ssl` module (the system OpenSSL) and the `openssl s_client`
of the system, when installed. Each verifies the presented chain against the hierarchy's root and the
leaf's name; a refusal carries the client's own reason.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.backends.openssl.backend import backend

from cmmm.lab.build import BuiltChain
from cmmm.lab.tls import (
    CLASSICAL_GROUP,
    LabTLSError,
    LoopbackServer,
    client_context,
    handshake,
    server_context,
)

TIMEOUT = 10.0


class Client(StrEnum):
    """The TLS clients the lab can run on this machine."""

    BUNDLED = "pyopenssl-bundled"
    PYTHON_SSL = "python-ssl"
    OPENSSL_CLI = "openssl-s_client"


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """One client against one chain: accepted or not (None: the client is not available), and why."""

    client: Client
    library: str
    accepted: bool | None
    reason: str = ""


def _explain(reason: str) -> str:
    """The client's reason, with what a handshake_failure alert (40) means here: the server found no
    signature scheme the client offers that its key can make (RFC 8446 §4.4.2.2) — a client without ML-DSA."""
    if "handshake failure" in reason.lower() or "HANDSHAKE_FAILURE" in reason:
        return "handshake_failure alert: the client offers no signature scheme the chain's keys can make"
    return reason.split(":SSL routines:", 1)[-1][:200]


def _bundled(chain: BuiltChain, port: int) -> tuple[bool | None, str]:
    ctx, messages = client_context(chain.root_file, CLASSICAL_GROUP)
    try:
        handshake(ctx, messages, port, chain.server_name, timeout=TIMEOUT)
    except LabTLSError as exc:
        return False, str(exc)
    return True, ""


def _python_ssl(chain: BuiltChain, port: int) -> tuple[bool | None, str]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    try:
        ctx.load_verify_locations(cafile=str(chain.root_file))
    except ssl.SSLError as exc:
        return False, f"cannot load the root: {exc.reason or exc}"
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw,
            ctx.wrap_socket(raw, server_hostname=chain.server_name),
        ):
            return True, ""
    except ssl.SSLError as exc:
        return False, str(
            exc.verify_message if isinstance(exc, ssl.SSLCertVerificationError) else exc.reason or exc
        )
    except OSError as exc:
        return False, exc.strerror or str(exc)


def _openssl_cli(chain: BuiltChain, port: int) -> tuple[bool | None, str]:
    exe = shutil.which("openssl")
    if exe is None:
        return None, "openssl is not installed"
    host_flag = "-verify_ip" if chain.server_name.replace(".", "").isdigit() else "-verify_hostname"
    cmd = [
        exe, "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_3", "-CAfile", str(chain.root_file),
        "-verify_return_error", host_flag, chain.server_name, "-servername", chain.server_name, "-brief",
    ]  # fmt: skip
    try:
        done = subprocess.run(cmd, input=b"", capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return False, "no answer before the timeout"
    text = (done.stderr + done.stdout).decode("utf-8", "replace")
    if done.returncode == 0 and "Verification: OK" in text:
        return True, ""
    lines = [ln.strip() for ln in text.splitlines() if "error" in ln.lower() or "verify" in ln.lower()]
    return False, (lines[0] if lines else f"exit code {done.returncode}")[:200]


def _openssl_cli_version() -> str:
    exe = shutil.which("openssl")
    if exe is None:
        return "not installed"
    try:
        done = subprocess.run([exe, "version"], capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return "unknown version"
    text = done.stdout.decode("utf-8", "replace").strip()
    return text.split(" (Library:", 1)[0] or "unknown version"


CLIENTS: dict[Client, Callable[[BuiltChain, int], tuple[bool | None, str]]] = {
    Client.BUNDLED: _bundled,
    Client.PYTHON_SSL: _python_ssl,
    Client.OPENSSL_CLI: _openssl_cli,
}

CLIENT_DOCS: dict[Client, str] = {
    Client.BUNDLED: "pyOpenSSL over the OpenSSL bundled with cryptography (what cmmm's lab and scan use)",
    Client.PYTHON_SSL: "Python's ssl module over the system OpenSSL (what most Python services use)",
    Client.OPENSSL_CLI: "the system's openssl s_client (stands for C services linked to the system OpenSSL)",
}


def libraries() -> dict[Client, str]:
    """The TLS library behind each client, with its version."""
    return {
        Client.BUNDLED: backend.openssl_version_text(),
        Client.PYTHON_SSL: ssl.OPENSSL_VERSION,
        Client.OPENSSL_CLI: _openssl_cli_version(),
    }


def probe(chain: BuiltChain, clients: tuple[Client, ...] = tuple(Client)) -> tuple[Probe, ...]:
    """Each client against a loopback server presenting `chain` (which lives only for these probes)."""
    libs = libraries()
    ctx = server_context(chain.chain_file, chain.key_file)
    out: list[Probe] = []
    with LoopbackServer(ctx, timeout=TIMEOUT) as server:
        for client in clients:
            accepted, reason = CLIENTS[client](chain, server.port)
            why = _explain(reason) if accepted is False else reason
            out.append(Probe(client=client, library=libs[client], accepted=accepted, reason=why))
    return tuple(out)
