"""nmap -oX XML with the ssl-cert and ssl-enum-ciphers NSE scripts: certificates and TLS endpoints."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest._scan import (
    add_body,
    add_rows,
    hex_fingerprint,
    join_groups,
    join_versions,
    reject_entities,
    tls_version,
)
from cmmm.model import Rejected

DISCOVERED_BY = "network-scan"
# ssl-cert names subject attributes by their OpenSSL long names; the DN keeps the short ones.
_DN_SHORT = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
}
_NOT_GROUPS = re.compile(r"^(rsa|dh|dhe|psk|srp|ecdh?)\b\s*\d*$|^\d+$", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> int:
    """nmap's XML: the <nmaprun> root."""
    return 95 if b"<nmaprun" in head[:4096] else 0


def _elems(table: ET.Element | None) -> dict[str, str]:
    if table is None:
        return {}
    return {e.get("key", ""): (e.text or "") for e in table.findall("elem") if e.get("key")}


def _dn(table: ET.Element | None) -> str | None:
    vals = _elems(table)
    if not vals:
        return None
    return ",".join(f"{_DN_SHORT.get(k, k)}={v.replace(',', chr(92) + ',')}" for k, v in vals.items())


def _text_dn(line: str | None) -> str | None:
    # very old nmap prints "commonName=x/organizationName=y" only
    if not line:
        return None
    parts = [p.split("=", 1) for p in line.split("/") if "=" in p]
    return ",".join(f"{_DN_SHORT.get(k.strip(), k.strip())}={v.strip()}" for k, v in parts) or None


def _cert_fields(script: ET.Element) -> dict[str, Any] | None:
    """The structured ssl-cert tables (nmap ≥ 6), else the output text of older versions."""
    subject = _dn(script.find("table[@key='subject']"))
    if subject is not None:
        pub = _elems(script.find("table[@key='pubkey']"))
        validity = _elems(script.find("table[@key='validity']"))
        top = _elems(script)
        sans = None
        for ext in script.findall("table[@key='extensions']/table"):
            e = _elems(ext)
            if e.get("name") == "X509v3 Subject Alternative Name":
                sans = ";".join(
                    re.sub(r"^(DNS|IP Address|IP|URI|email):", "", p.strip())
                    for p in e.get("value", "").split(",")
                    if p.strip()
                )
        key = pub.get("type")
        if key and pub.get("curve"):
            key = f"EC {pub['curve']}"
        return {
            "subject_dn": subject,
            "issuer_dn": _dn(script.find("table[@key='issuer']")),
            "sans": sans,
            "key": key,
            "key_size": pub.get("bits"),
            "signature": top.get("sig_algo"),
            "not_before": validity.get("notBefore"),
            "not_after": validity.get("notAfter"),
            "fingerprint_sha256": hex_fingerprint(top.get("sha256"), 64),
            "fingerprint_sha1": hex_fingerprint(top.get("sha1"), 40),
        }
    out = script.get("output", "")
    lines = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.splitlines()) if v.strip()}
    if "Subject" not in lines and "Not valid after" not in lines:
        return None
    return {
        "subject_dn": _text_dn(lines.get("Subject")),
        "issuer_dn": _text_dn(lines.get("Issuer")),
        "key": lines.get("Public Key type"),
        "key_size": lines.get("Public Key bits"),
        "not_before": lines.get("Not valid before"),
        "not_after": lines.get("Not valid after"),
        "fingerprint_sha1": hex_fingerprint(lines.get("SHA-1"), 40),
    }


def _ciphers(script: ET.Element) -> tuple[str | None, str | None]:
    versions: list[str] = []
    groups: list[str] = []
    for table in script.findall("table"):
        v = tls_version(table.get("key", ""))
        if v is None:
            continue
        versions.append(v)
        for c in table.findall("table[@key='ciphers']/table"):
            kex = _elems(c).get("kex_info", "").strip()
            if kex and not _NOT_GROUPS.match(kex):
                groups.append(kex)
    return join_versions(versions), join_groups(groups)


def _epoch(value: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value or ""), UTC)
    except ValueError:
        return None


def read(path: Path, ctx: ReadContext) -> Batch:
    """One observation per certificate per open TLS port; bodies from the `pem` element when present."""
    reject_entities(path)
    batch = Batch()
    src = str(path)
    no_body: list[dict[str, Any]] = []
    no_body_obs: list[dict[str, Any]] = []
    hosts = 0
    root_seen = False
    started: datetime | None = None
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if elem.tag != "nmaprun":
                        raise InputError(src, f"not nmap XML: root element is <{elem.tag}>, not <nmaprun>")
                    started = _epoch(elem.get("start"))
                continue
            if elem.tag != "host":
                continue
            hosts += 1
            _read_host(batch, path, elem, hosts, started, no_body, no_body_obs)
            elem.clear()
    except LookupError as exc:  # <?xml encoding="…"?> naming no codec
        raise InputError(src, f"invalid XML: {exc}") from None
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        if hosts == 0 and not batch.certificates and not no_body:
            raise InputError(src, f"invalid XML: {exc}", line=line) from None
        batch.rejected.append(
            Rejected(
                source=src,
                locator=f"line {line}",
                reason=f"XML ends early or is corrupt ({exc}); the {hosts} host(s) before it were kept",
            )
        )
    add_rows(
        batch, path, no_body, no_body_obs, "ssl-cert gives no subject name or no valid 'Not valid after' date"
    )
    if hosts == 0:
        batch.notes.append(f"{src}: nmap XML lists no hosts")
    return batch


def _read_host(
    batch: Batch,
    path: Path,
    host: ET.Element,
    n: int,
    started: datetime | None,
    no_body: list[dict[str, Any]],
    no_body_obs: list[dict[str, Any]],
) -> None:
    addrs = [a.get("addr", "") for a in host.findall("address") if a.get("addrtype") in ("ipv4", "ipv6")]
    names = [h.get("name", "") for h in host.findall("hostnames/hostname") if h.get("name")]
    ip = addrs[0] if addrs else None
    name = names[0] if names else ip
    seen = _epoch(host.get("endtime")) or _epoch(host.get("starttime")) or started
    for port in host.findall("ports/port"):
        portid = port.get("portid")
        scripts = {s.get("id"): s for s in port.findall("script")}
        cert_script = scripts.get("ssl-cert")
        cipher_script = scripts.get("ssl-enum-ciphers")
        if cert_script is None and cipher_script is None:
            continue
        versions, groups = _ciphers(cipher_script) if cipher_script is not None else (None, None)
        ref = f"host {n} ({ip}) port {portid}"
        if cert_script is None:
            batch.notes.append(
                f"{path}: {ref}: ssl-enum-ciphers without ssl-cert; no certificate to attach the endpoint to"
            )
            continue
        service = port.find("service")
        tags = [f"ip:{ip}"] if ip else []
        if service is not None and service.get("name"):
            tags.append(f"nmap-service:{service.get('name')}")
        obs = {
            "source": str(path),
            "source_ref": ref,
            "location": f"{name}:{portid}",
            "host": name,
            "port": int(portid) if portid and portid.isdigit() else None,
            "discovered_by": DISCOVERED_BY,
            "last_seen": seen,
            "tls_versions": versions,
            "kex_groups": groups,
            "tags": ";".join(tags) or None,
        }
        pem = _elems(cert_script).get("pem") or cert_script.get("output") or ""
        if "BEGIN CERTIFICATE" in pem:
            add_body(batch, path, ref, pem, obs)
            continue
        fields = _cert_fields(cert_script)
        if fields is None:
            batch.rejected.append(
                Rejected(source=str(path), locator=ref, reason="ssl-cert output holds no certificate fields")
            )
            continue
        no_body.append(fields)
        no_body_obs.append(obs)
