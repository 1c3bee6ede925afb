"""Scan throughput: `cmmm scan` against N loopback TLS endpoints, beside `nmap --script ssl-cert`.

    PYTHONPATH=. python benchmarks/scan_bench.py [--endpoints 200] [--concurrency 32] [--no-nmap]

The servers run in a child process (so the scanner does not share their interpreter), bind 127.0.0.1
only, and present one ECDSA leaf + intermediate with OpenSSL's default groups (hybrid X25519MLKEM768
first). Both tools scan the same endpoints in the same run. nmap is Debian's package (`apt-get install
nmap`); `+ssl-cert` forces the script on ports that nmap would not guess are TLS.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def serve(n: int) -> None:
    """Child process: start N TLS endpoints, print their ports as JSON, serve until stdin closes."""
    from cmmm.lab.pki import issue
    from tests.scan.tls_servers import LoopbackServers, tls_context

    now = datetime.now(UTC)
    root = issue(cn="Bench Root", not_before=now - timedelta(days=10), days=365, ca=True)
    inter = issue(cn="Bench Issuing", not_before=now - timedelta(days=10), days=200, ca=True, issuer=root)
    leaf = issue(
        cn="bench.test", not_before=now - timedelta(days=1), days=30, issuer=inter, sans=("127.0.0.1",)
    )
    servers = LoopbackServers()
    ctx = tls_context([leaf, inter], groups=None)
    ports = [servers.tls(ctx) for _ in range(n)]
    servers.start()
    print(json.dumps(ports), flush=True)
    sys.stdin.read()
    servers.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoints", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--no-nmap", action="store_true")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return

    from cmmm.scan import scan

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.endpoints)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        ports: list[int] = json.loads(child.stdout.readline())
        targets = [f"127.0.0.1:{p}" for p in ports]
        t0 = time.perf_counter()
        result = scan(
            targets,
            now=datetime.now(UTC),
            timeout=args.timeout,
            concurrency=args.concurrency,
            per_host=args.concurrency,
            trust=[],
        )
        cmmm_s = time.perf_counter() - t0
        ok = result.counts.get("ok", 0)
        print(
            f"cmmm scan : {len(targets)} endpoints, {ok} ok, {cmmm_s:.2f} s, "
            f"{len(targets) / cmmm_s:.0f} endpoints/s (4 handshakes per endpoint: chain, group, hybrid PQC, TLS 1.0–1.3; "
            f"concurrency {args.concurrency})"
        )
        nmap = shutil.which("nmap")
        if args.no_nmap or nmap is None:
            print("nmap      : skipped" + ("" if nmap else " (not installed: apt-get install nmap)"))
            return
        cmd = [
            nmap,
            "-n",
            "-Pn",
            "-sT",
            "-p",
            ",".join(map(str, ports)),
            "--script",
            "+ssl-cert",
            "-oX",
            "-",
            "127.0.0.1",
        ]
        t0 = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        nmap_s = time.perf_counter() - t0
        certs = run.stdout.count('id="ssl-cert"')
        print(
            f"nmap      : {len(ports)} endpoints, {certs} ssl-cert results, {nmap_s:.2f} s, "
            f"{len(ports) / nmap_s:.0f} endpoints/s (leaf only, one handshake; "
            "`nmap -n -Pn -sT -p PORTS --script +ssl-cert -oX - 127.0.0.1`)"
        )
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(10)


if __name__ == "__main__":
    main()
