"""A scan that survives its targets (issue 19): a certificate with an IP-network SAN, a defect while probing
one endpoint, a process out of file descriptors, SIGTERM, and ranges that add up past --max-range."""

from __future__ import annotations

import ipaddress
import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cmmm.errors import UsageError
from cmmm.lab.pki import Issued, issue
from cmmm.scan import Endpoint, EndpointResult, Status, expand_targets, scan, write_scan
from cmmm.scan import _Pool as Pool
from tests.conftest import NOW
from tests.scan.net import LOCAL, Net
from tests.scan.tls_servers import LoopbackServers, tls_context

ROOT = Path(__file__).resolve().parents[2]


def _network_san_leaf(issuer: Issued) -> Issued:
    """A leaf whose only subjectAltName is the iPAddress 10.0.0.0/8 (8 octets: a network, which RFC 5280
    allows only in name constraints)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "net-san.test")]))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_network("10.0.0.0/8"))]), critical=False
        )
        .sign(issuer.key, hashes.SHA256())
    )
    return Issued(cert=cert, key=key)


def test_ip_network_san_is_judged_not_fatal(net: Net, tmp_path: Path) -> None:
    servers = LoopbackServers()
    port = servers.tls(tls_context([_network_san_leaf(net.certs["inter"]), net.certs["inter"]]))
    servers.start()
    try:
        result = scan(
            [Endpoint(host=LOCAL, port=port), net.ep("ecdsa")], now=NOW, timeout=2.0, trust=net.trust
        )
    finally:
        servers.stop()
    hostile, good = result.results
    assert good.status is Status.OK and good.chain_status is not None and good.chain_status.value == "valid"
    assert hostile.status is Status.OK and len(hostile.chain) == 2
    assert hostile.chain_status is not None and hostile.chain_status.value != "valid"
    assert hostile.hostname_match is False
    out = tmp_path / "scan.json"
    write_scan(result, out)
    assert len(json.loads(out.read_text(encoding="utf-8"))["endpoints"]) == 2


def test_each_endpoint_is_guarded() -> None:
    """A defect while probing one endpoint becomes that endpoint's `error` result; the others are kept."""
    eps = [Endpoint(host=f"h{i}.test", port=443) for i in range(5)]

    def probe(ep: Endpoint) -> EndpointResult:
        if ep.host == "h1.test":
            raise TypeError("a defect")
        if ep.host == "h2.test":
            raise ValueError("invalid certificate")
        return EndpointResult(endpoint=ep, status=Status.OK)

    import threading

    pool = Pool(probe, threading.Event())
    for i, ep in enumerate(eps):
        pool.queue.put((i, ep))
    for t in pool.start(3):
        t.join()
    got = [pool.results[i].status for i in range(5)]
    assert got == [Status.OK, Status.ERROR, Status.INVALID_CERTIFICATE, Status.OK, Status.OK]
    assert "TypeError" in (pool.results[1].error or "")


def _run(script: str, nofile: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def forty(net: Net) -> list[str]:
    leaf = issue(cn="many.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
    servers = LoopbackServers()
    ports = [servers.tls(tls_context([leaf])) for _ in range(40)]
    servers.start()
    yield [f"{LOCAL}:{p}" for p in ports]
    servers.stop()


def test_concurrency_is_clamped_to_the_descriptors_and_the_output_written(
    forty: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "scan.json"
    script = f"""
        import sys
        from cmmm.cli import main
        sys.argv = ["cmmm", "scan", *{forty!r}, "--concurrency", "10000", "--timeout", "3", "-o", {str(out)!r}]
        main()
    """
    proc = _run(script, nofile=80)
    assert proc.returncode == 0, proc.stderr
    assert "concurrency clamped from 10000" in proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["counts"] == {"ok": 40}
    assert any("clamped" in n for n in doc["notes"])


def test_running_out_of_descriptors_lowers_concurrency_and_keeps_every_endpoint(forty: list[str]) -> None:
    """The clamp bypassed and the descriptors used up by the process itself: workers that cannot open a
    socket retire, the rest of the scan goes on, every endpoint has a result."""
    script = f"""
        import json, os
        from datetime import UTC, datetime
        import cmmm.scan as s
        s.clamp_concurrency = lambda n: (n, None)
        s.system_trust_store()
        hold = []
        try:
            while True:
                hold.append(os.open("/dev/null", os.O_RDONLY))
        except OSError:
            pass
        for fd in hold[-6:]:
            os.close(fd)
        r = s.scan({forty!r}, now=datetime.now(UTC), concurrency=40, per_host=40, timeout=3, trust=[])
        for fd in hold[:-6]:
            os.close(fd)
        print(json.dumps({{"counts": r.counts, "notes": list(r.notes), "n": len(r.results)}}))
    """
    proc = _run(script, nofile=256)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["n"] == 40
    assert doc["counts"].get("ok", 0) >= 30, doc
    assert any("lowered" in n or "out of file descriptors" in n for n in doc["notes"]), doc


def _wait_until_it_catches_sigterm(pid: int, limit: float = 60.0) -> None:
    """Until the process has installed its SIGTERM handler (Linux: SigCgt in /proc/PID/status)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
        except OSError:
            time.sleep(4.0)  # not Linux: the old fixed wait
            return
        caught = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt:")), 16)
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.1)


def test_sigterm_writes_the_partial_scan(net: Net, tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    silent = [f"{LOCAL}:{net.ports['silent']}"] * 1 + [
        f"s{i}.test@{LOCAL}:{net.ports['silent']}" for i in range(20)
    ]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cmmm",
            "scan",
            *silent,
            "--concurrency",
            "2",
            "--timeout",
            "3",
            "-o",
            str(out),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until_it_catches_sigterm(proc.pid)  # under load the import alone can take seconds
    time.sleep(2.0)  # a few endpoints under way
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["interrupted"] is True and len(doc["endpoints"]) == 21
    assert doc["counts"].get("skipped", 0) >= 10


def test_max_range_limits_the_total_across_targets() -> None:
    ranges = [f"10.{i}.0.0/22" for i in range(16)]  # 16 × 1,024 addresses, each one at the limit
    with pytest.raises(UsageError, match="together"):
        expand_targets(ranges, [443])
    assert len(expand_targets(ranges[:1], [443])) == 1022
    assert len(expand_targets(ranges, [443], yes=True)) == 16 * 1022
