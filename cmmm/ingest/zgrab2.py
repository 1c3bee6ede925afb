"""zgrab2 JSON lines: the TLS handshakes any module logged (server certificate, chain, version, group)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, obj, seq, text_of
from cmmm.ingest._dates import parse_dates
from cmmm.ingest._scan import join_groups, tls_version
from cmmm.ingest.x509 import certificate_row, load_der
from cmmm.model import Rejected

DISCOVERED_BY = "network-scan"
_RECORD = re.compile(rb'^\s*\{\s*"(ip|domain)"\s*:')
# zgrab2 logs no port: the module's standard TLS port stands in (the http module's TLS is https).
_MODULE_PORTS = {
    "http": 443,
    "tls": 443,
    "postgres": 5432,
    "mysql": 3306,
    "mssql": 1433,
    "smtp": 25,
    "imap": 143,
    "pop3": 110,
    "ftp": 21,
    "ldap": 389,
    "redis": 6379,
    "mongodb": 27017,
    "amqp091": 5671,
    "mqtt": 8883,
}


def sniff(path: Path, head: bytes) -> int:
    """zgrab2 output: JSON lines whose records start with "ip" or "domain" and hold per-module "data"."""
    if _RECORD.match(head) and b'"data"' in head and b'"status"' in head:
        return 90
    return 0


def _handshakes(node: Any, module: str) -> Iterator[dict[str, Any]]:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            hl = cur.get("handshake_log")
            if isinstance(hl, dict):
                yield hl
            stack.extend(v for k, v in cur.items() if k != "handshake_log")
        elif isinstance(cur, list):
            stack.extend(cur)


def _port(module: str, result: Any) -> int | None:
    url = None
    if isinstance(result, dict):
        url = obj(obj(result.get("response")).get("request")).get("url")
    if isinstance(url, dict) and url.get("host") and ":" in str(url["host"]):
        tail = str(url["host"]).rsplit(":", 1)[1]
        if tail.isdigit():
            return int(tail)
    return _MODULE_PORTS.get(module)


def read(path: Path, ctx: ReadContext) -> Batch:
    """One observation per certificate of each logged handshake; unreadable lines are rejected by number."""
    src = str(path)
    batch = Batch()
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    records = 0
    for n, line in enumerate(text_of(path.read_bytes()).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            batch.rejected.append(
                Rejected(source=src, locator=f"line {n}", reason=f"invalid JSON line: {exc.msg} (truncated?)")
            )
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("data"), dict):
            batch.rejected.append(Rejected(source=src, locator=f"line {n}", reason="not a zgrab2 record"))
            continue
        records += 1
        host = rec.get("domain") or rec.get("ip")
        for module, scan in rec["data"].items():
            if not isinstance(scan, dict):
                continue
            seen, _ = parse_dates(pd.Series([scan.get("timestamp")], dtype="string"))
            for h_i, hl in enumerate(_handshakes(scan.get("result"), module)):
                _add_handshake(
                    batch, path, f"line {n} {module} handshake {h_i}", hl, host, module, scan, seen
                )
    if records == 0 and not batch.rejected:
        raise InputError(src, "no zgrab2 records")
    return batch


def _add_handshake(
    batch: Batch,
    path: Path,
    ref: str,
    hl: dict[str, Any],
    host: Any,
    module: str,
    scan: dict[str, Any],
    seen: pd.Series,
) -> None:
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    hello = obj(hl.get("server_hello"))
    version = tls_version(str(obj(hello.get("version")).get("name") or ""))
    kex = obj(hl.get("server_key_exchange"))
    curve = obj(obj(kex.get("ecdh_params")).get("curve_id")).get("name")
    certs = obj(hl.get("server_certificates"))
    entries = [certs.get("certificate"), *seq(certs.get("chain"))]
    port = _port(module, scan.get("result"))
    for c_i, entry in enumerate(e for e in entries if isinstance(e, dict)):
        try:
            der = base64.b64decode(str(entry.get("raw") or ""), validate=True)
            cert = load_der(der)
            row = certificate_row(cert, der)
        except (binascii.Error, ValueError) as exc:
            batch.rejected.append(
                Rejected(
                    source=str(path), locator=f"{ref} cert {c_i}", reason=f"unreadable certificate: {exc}"
                )
            )
            continue
        batch.certificates.append(row)
        batch.bodies[row["cert_id"]] = der
        batch.observations.append(
            {
                "cert_id": row["cert_id"],
                "source": str(path),
                "source_ref": f"{ref} cert {c_i}",
                "location": f"{host}:{port}" if port else str(host),
                "host": host,
                "port": port,
                "discovered_by": DISCOVERED_BY,
                "last_seen": seen.iloc[0] if seen.notna().iloc[0] else None,
                "tls_versions": None if c_i else version,
                "kex_groups": None if c_i else join_groups([curve] if curve else []),
                "tags": ";".join([f"zgrab2-module:{module}", *([f"chain:{c_i}"] if c_i else [])]),
            }
        )
