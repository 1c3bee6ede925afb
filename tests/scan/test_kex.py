"""Key exchange as servers really do it: hybrid groups, HelloRetryRequest, classical fallback, SSH KEXINIT."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from OpenSSL import SSL
from rich.console import Console

from cmmm import ingest
from cmmm.crypto import SSH_PQC_KEX
from cmmm.drill import pqc
from cmmm.lab.pki import issue
from cmmm.report.terminal.scan import render_scan
from cmmm.scan import Endpoint, Status, expand_targets, scan, write_scan
from cmmm.scan.ssh import SshFailed, parse_kexinit
from tests.conftest import NOW
from tests.scan.net import LOCAL
from tests.scan.tls_servers import LoopbackServers, tls_context

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)


def _banner_then_nothing(c: socket.socket) -> None:
    """An SSH server that identifies itself and never sends its KEXINIT."""
    c.sendall(b"SSH-2.0-Silent_1.0\r\n")
    c.settimeout(5)
    with contextlib.suppress(OSError):
        while c.recv(4096):
            pass


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, int]]:
    leaf = issue(cn="kex.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
    s = LoopbackServers()
    ports = {
        # Only the hybrid group: a client whose first ClientHello carries an x25519 share is asked again.
        "hrr": s.tls(tls_context([leaf], groups="X25519MLKEM768", min_version=SSL.TLS1_3_VERSION)),
        "classical": s.tls(tls_context([leaf], groups="X25519:P-256", min_version=SSL.TLS1_3_VERSION)),
        "both": s.tls(tls_context([leaf], groups="X25519MLKEM768:SecP384r1MLKEM1024:X25519")),
        "garbage": s.plain(b"\x00\xff\x13garbage, not an identification line\r\n"),
        "banner-then-close": s.plain(b"SSH-2.0-Gone_1.0\r\n"),
        "banner-only": s.listen(_banner_then_nothing),
        "silent": s.silent(),
    }
    s.start()
    yield ports
    s.stop()


def _one(port: int, **kw: object) -> object:
    result = scan([Endpoint(host=LOCAL, port=port, **kw)], now=NOW, timeout=2.0, trust=[])  # type: ignore[arg-type]
    return result.results[0]


def test_hybrid_only_after_hello_retry(servers: dict[str, int]) -> None:
    r = _one(servers["hrr"])
    assert r.status is Status.OK and r.group == "X25519MLKEM768"  # type: ignore[attr-defined]
    assert r.hybrid_groups == ("X25519MLKEM768",)  # type: ignore[attr-defined]
    assert r.hybrid_hello_retry is True  # type: ignore[attr-defined]
    assert r.classical_fallback is False  # type: ignore[attr-defined]


def test_classical_server_takes_the_classical_share(servers: dict[str, int]) -> None:
    r = _one(servers["classical"])
    assert r.hybrid_groups == () and r.hybrid_pq is False  # type: ignore[attr-defined]
    assert r.hybrid_hello_retry is False and r.classical_fallback is True  # type: ignore[attr-defined]


def test_every_accepted_hybrid_group_recorded(servers: dict[str, int]) -> None:
    r = _one(servers["both"])
    assert r.hybrid_groups == ("X25519MLKEM768", "SecP384r1MLKEM1024")  # type: ignore[attr-defined]
    assert r.classical_fallback is True  # type: ignore[attr-defined]


def test_ssh_garbage_and_silence_are_one_line_each(servers: dict[str, int]) -> None:
    garbage = _one(servers["garbage"], ssh=True)
    assert garbage.status is Status.NOT_SSH and "non-SSH" in garbage.error  # type: ignore[attr-defined]
    t0 = time.monotonic()
    silent = _one(servers["banner-only"], ssh=True)
    assert silent.status is Status.TIMEOUT and "KEXINIT" in silent.error  # type: ignore[attr-defined]
    assert time.monotonic() - t0 < 5
    closed = _one(servers["banner-then-close"], ssh=True)
    assert closed.status is Status.HANDSHAKE_FAILURE and "before the server's KEXINIT" in closed.error  # type: ignore[attr-defined]
    assert _one(servers["silent"], ssh=True).status is Status.TIMEOUT  # type: ignore[attr-defined]


def test_kexinit_parser_bounds() -> None:
    with pytest.raises(SshFailed, match="not KEXINIT"):
        parse_kexinit(b"\x15" + bytes(40))
    with pytest.raises(SshFailed, match="truncated"):
        parse_kexinit(b"\x14" + bytes(16) + b"\x00\x00\xff\xffabc")


def test_port_22_is_ssh_by_default() -> None:
    eps = expand_targets(["10.0.0.1"])
    ssh = [e for e in eps if e.port == 22]
    assert len(ssh) == 1 and ssh[0].ssh and ssh[0].sni is None and ssh[0].starttls is None
    assert not any(e.ssh for e in eps if e.port != 22)


# ------------------------------------------------------------------------------- a real OpenSSH sshd
def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sshd() -> Iterator[int]:
    """Debian's OpenSSH sshd on a high loopback port, for this module only. As root, sshd insists on its
    privilege-separation directory; it runs as nobody instead (setpriv), which needs none."""
    if SSHD is None:
        pytest.skip("openssh-server is not installed")
    folder = Path(tempfile.mkdtemp(prefix="cmmm-sshd-"))
    os.chmod(folder, 0o755)
    key = folder / "host_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    port = _free_port()
    cmd = [SSHD, "-D", "-e", "-f", "/dev/null", "-o", f"Port={port}", "-o", f"ListenAddress={LOCAL}",
           "-o", f"HostKey={key}", "-o", "PidFile=none", "-o", "UsePAM=no"]  # fmt: skip
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("sshd as root needs /run/sshd; setpriv is missing to run it unprivileged")
        os.chown(key, 65534, 65534)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex((LOCAL, port)) == 0:
                    break
            if proc.poll() is not None:
                pytest.skip(f"sshd did not start: {proc.stderr.read().decode()[:200]}")  # type: ignore[union-attr]
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def test_scan_reads_a_real_sshd(sshd: int, servers: dict[str, int], tmp_path: Path) -> None:
    result = scan(
        [Endpoint(host=LOCAL, port=sshd, ssh=True), Endpoint(host=LOCAL, port=servers["hrr"])],
        now=NOW,
        timeout=3.0,
        trust=[],
    )
    ssh, tls = result.results
    assert ssh.status is Status.OK and ssh.protocol == "SSH" and ssh.ssh_banner.startswith("SSH-2.0-OpenSSH")  # type: ignore[union-attr]
    assert "curve25519-sha256" in ssh.ssh_kex and ssh.ssh_host_keys == ("ssh-ed25519",)
    assert set(ssh.ssh_kex) & SSH_PQC_KEX  # OpenSSH ≥ 9.0 offers sntrup761x25519 (≥ 9.9 also mlkem768x25519)
    assert tls.hybrid_hello_retry is True and tls.hybrid_groups == ("X25519MLKEM768",)
    console = Console(record=True, width=400)
    render_scan(console, result)
    text = console.export_text()
    assert "PQ key exchange sntrup761x25519-sha512" in text and "host keys ssh-ed25519" in text
    assert "hybrid X25519MLKEM768 · asks for a hybrid key share by HelloRetryRequest" in text
    # The scan file carries both, and the SSH server becomes a key-exchange endpoint of the service whose
    # TLS endpoint shares its host.
    path = tmp_path / "scan.json"
    write_scan(result, path)
    csv = tmp_path / "inventory.csv"
    leaf = tls.chain[0]
    fp = leaf.fingerprint(__import__("cryptography").hazmat.primitives.hashes.SHA256()).hex()
    csv.write_text(f"common_name,not_after,fingerprint_sha256,service\nkex.test,2027-01-01,{fp},payments\n")
    inv = ingest.load([path, csv], now=NOW)
    obs = inv.observations
    ssh_obs = obs[obs["tags"] == "ssh"]
    assert len(ssh_obs) == 1 and "sntrup761x25519-sha512" in ssh_obs["kex_groups"].iloc[0]
    live = (inv.certificates["not_after"] > NOW).to_numpy()
    eps = pqc.endpoints(inv, live)
    ssh_row = eps[eps["location"] == f"{LOCAL}:{sshd}"]
    assert list(ssh_row["service"]) == ["payments"] and list(ssh_row["status"]) == ["hybrid"]
