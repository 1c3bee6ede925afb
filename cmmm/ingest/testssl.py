"""testssl.sh findings: --jsonfile (flat), --jsonfile-pretty and --csvfile, one target or many."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, seq, text_of
from cmmm.ingest._scan import add_body, add_rows, hex_fingerprint, hex_serial, join_groups, join_versions
from cmmm.model import Rejected

DISCOVERED_BY = "network-scan"
# "cert_notAfter <hostCert#2>", "intermediate_cert <#1> <hostCert#2>", and the quirk
# "cert_trust <hostCert#1>_wildcard": servers with several certificates suffix every certificate finding.
_ID = re.compile(r"^(?P<base>[\w.-]+)(?: <#(?P<inter>\d+)>)?(?: <hostCert#(?P<n>\d+)>)?(?P<rest>.*)$")
_VERSIONS = {
    "SSLv2": "SSLv2",
    "SSLv3": "SSLv3",
    "TLS1": "TLSv1.0",
    "TLS1_1": "TLSv1.1",
    "TLS1_2": "TLSv1.2",
    "TLS1_3": "TLSv1.3",
}
_GROUP_IDS = ("FS_KEMs", "FS_ECDHE_curves", "DH_groups")
# One group name without spaces, as testssl prints curves and KEMs ("prime256v1 X25519MLKEM768"); a
# finding made of anything else ("RFC3526/Oakley Group 14") is one group, and a sentence is no group.
_GROUP_TOKEN = re.compile(
    r"^(?:ffdhe\d+|secp\d+[rk]1|sect\d+[rk]\d|prime\d+v\d|x25519|x448|brainpoolp\d+r1(?:tls13)?"
    r"|\w*mlkem\d*|\w*kyber\w*|mlkem\d+|curve25519|curve448)$",
    re.IGNORECASE,
)
_NO_GROUPS = re.compile(r"^(?:--|none|no\b.*|not offered.*|.*\bnot (?:offered|supported|tested)\b.*)$", re.I)


def groups_of(finding: str) -> list[str]:
    """The groups a testssl.sh group finding lists: space-separated names, one multi-word DH group name,
    or none for "No KEMs offered", "--" and the like."""
    text = finding.strip()
    if not text or _NO_GROUPS.match(text):
        return []
    tokens = text.split()
    if all(_GROUP_TOKEN.match(t) for t in tokens):
        return tokens
    return [text]


_CSV_HEADER = re.compile(r"^\W*id\W*,\W*fqdn/ip\W*,", re.IGNORECASE)
_PRETTY_SECTIONS = (
    "pretest",
    "singleCipher",
    "protocols",
    "grease",
    "ciphers",
    "serverPreferences",
    "fs",
    "pfs",  # testssl.sh 3.0 (Debian 12's package): the section and its ids say PFS, not FS
    "serverDefaults",
    "headerResponse",
    "vulnerabilities",
    "cipherTests",
    "browserSimulations",
    "rating",
)


def sniff(path: Path, head: bytes) -> int:
    """Flat JSON (a list of {id, ip, port, severity, finding}), pretty JSON (scanResult) or the CSV header."""
    text = text_of(head[:16384]).lstrip()
    if text.startswith("[") and all(k in text for k in ('"id"', '"ip"', '"severity"', '"finding"')):
        return 95
    if text.startswith("{") and '"scanResult"' in text:
        return 95
    first = text.splitlines()[0] if text else ""
    if _CSV_HEADER.match(first) and "finding" in first.lower():
        return 95
    return 0


def _salvage(text: str) -> list[Any] | None:
    """An interrupted scan leaves the flat JSON without its closing bracket: keep the findings before it."""
    if not text.lstrip().startswith("["):
        return None
    end = text.rfind("}")
    try:
        doc = json.loads(text[: end + 1] + "]") if end > 0 else None
    except json.JSONDecodeError:
        return None
    return doc if isinstance(doc, list) else None


def _findings(path: Path, cut: list[int]) -> tuple[list[dict[str, Any]], datetime | None]:
    """Every finding as {id, ip, port, finding}, whichever of the three shapes the file has, and the scan
    start time when the file records it (only the pretty JSON does). A flat JSON file cut short keeps
    the findings before the cut and appends the line of the cut to `cut`."""
    src = str(path)
    text = text_of(path.read_bytes())
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            doc = _salvage(text)
            if doc is None:
                raise InputError(
                    src, f"invalid JSON: {exc.msg} (truncated testssl.sh output?)", line=exc.lineno
                ) from None
            cut.append(exc.lineno)
        if isinstance(doc, list):
            if not all(isinstance(f, dict) and "id" in f and "finding" in f for f in doc):
                raise InputError(src, "not testssl.sh JSON: expected objects with 'id' and 'finding'")
            return doc, None
        if isinstance(doc, dict) and isinstance(doc.get("scanResult"), list):
            out: list[dict[str, Any]] = []
            for target in doc["scanResult"]:
                if not isinstance(target, dict):
                    continue
                ip = f"{target.get('targetHost') or ''}/{target.get('ip') or ''}"
                port = target.get("port")
                for section in _PRETTY_SECTIONS:
                    for f in seq(target.get(section)):
                        if isinstance(f, dict) and "id" in f:
                            out.append({**f, "ip": ip, "port": port})
            return out, _epoch(doc.get("startTime"))
        raise InputError(src, "not testssl.sh JSON: neither a list of findings nor {scanResult: [...]}")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.lower() for f in reader.fieldnames or []]
    if "id" not in fields or "finding" not in fields:
        raise InputError(src, "not a testssl.sh CSV: header needs id, fqdn/ip, port, finding", line=1)
    try:
        return [
            {"id": r.get("id"), "ip": r.get("fqdn/ip"), "port": r.get("port"), "finding": r.get("finding")}
            for r in reader
        ], None
    except csv.Error as exc:
        raise InputError(src, f"unreadable CSV: {exc}", line=reader.line_num) from None


def _epoch(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (ValueError, OverflowError):
        return None


def read(path: Path, ctx: ReadContext) -> Batch:
    """One observation per presented certificate (and its intermediates) per scanned target."""
    src = str(path)
    cut: list[int] = []
    findings, started = _findings(path, cut)
    targets: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        targets[(str(f.get("ip") or ""), str(f.get("port") or ""))].append(f)
    batch = Batch()
    no_body: list[dict[str, Any]] = []
    no_body_obs: list[dict[str, Any]] = []
    for (ip_field, port), items in targets.items():
        fqdn, _, ip = ip_field.partition("/")
        host = fqdn or ip
        if not host:
            continue  # engine notices ("/") belong to no target
        target = _target(items)
        if not target.certs:
            batch.notes.append(
                f"{src}: {host}:{port}: no certificate findings (run without --severity filters)"
            )
            continue
        for n, fields in sorted(target.certs.items()):
            obs = _observation(src, host, ip, port, n, started, target)
            if "BEGIN CERTIFICATE" in fields.get("cert", ""):
                add_body(batch, path, obs["source_ref"], fields["cert"], obs)
            else:
                no_body.append(_fields(fields))
                no_body_obs.append(obs)
            _add_intermediates(batch, path, obs, n, ip, target.inter)
    add_rows(
        batch, path, no_body, no_body_obs, "certificate findings give no common name or no notAfter date"
    )
    if not findings:
        batch.rejected.append(Rejected(source=src, locator="-", reason="testssl.sh output holds no findings"))
    for line in cut:
        batch.rejected.append(
            Rejected(
                source=src,
                locator=f"line {line}",
                reason=f"JSON ends early (interrupted scan?); the {len(findings)} findings before it were kept",
            )
        )
    return batch


@dataclass(frozen=True, slots=True)
class _Target:
    """What one target's findings say: the versions it accepts, its key-exchange groups, the cert_*
    findings of each host certificate, and intermediate PEMs by (host certificate, position)."""

    versions: list[str]
    groups: list[str]
    certs: dict[int, dict[str, str]]
    inter: dict[tuple[int, int], str]


def _target(items: list[dict[str, Any]]) -> _Target:
    versions: list[str] = []
    groups: list[str] = []
    certs: dict[int, dict[str, str]] = defaultdict(dict)
    inter: dict[tuple[int, int], str] = {}
    for f in items:
        m = _ID.match(str(f.get("id") or ""))
        if m is None or m.group("rest"):
            continue
        base, finding = m.group("base"), str(f.get("finding") or "")
        if base.startswith("PFS"):  # testssl.sh 3.0: PFS, PFS_ciphers, PFS_ECDHE_curves
            base = base[1:]
        if "\\n" in finding and "-----BEGIN" in finding:  # 3.3's CSV writes the PEM's newlines as \n
            finding = finding.replace("\\n", "\n")
        n = int(m.group("n") or 1)
        if base in _VERSIONS and finding.startswith("offered"):
            versions.append(_VERSIONS[base])
        elif base in _GROUP_IDS and finding and finding not in ("--", "none"):
            groups.extend(groups_of(finding))
        elif base == "intermediate_cert" and m.group("inter"):
            inter[(n, int(m.group("inter")))] = finding
        elif base == "cert" or base.startswith("cert_"):
            certs[n][base] = finding
    return _Target(versions=versions, groups=groups, certs=certs, inter=inter)


def _observation(
    src: str, host: str, ip: str, port: str, n: int, started: datetime | None, target: _Target
) -> dict[str, Any]:
    """The observation of host certificate #n at host:port, with the target's protocol facts."""
    ref = f"{host}:{port}"
    return {
        "source": src,
        "source_ref": f"{ref} hostCert#{n}",
        "location": ref,
        "host": host,
        "port": int(port) if port.isdigit() else None,
        "discovered_by": DISCOVERED_BY,
        "last_seen": started,
        "tls_versions": join_versions(target.versions),
        "kex_groups": join_groups(target.groups),
        "tags": f"ip:{ip}" if ip else None,
    }


def _add_intermediates(
    batch: Batch, path: Path, obs: dict[str, Any], n: int, ip: str, inter: dict[tuple[int, int], str]
) -> None:
    """The intermediates served with host certificate #n, observed where it was (no protocol facts)."""
    tags = [f"ip:{ip}"] if ip else []
    for (owner, k), pem in sorted(inter.items()):
        if owner == n and "BEGIN CERTIFICATE" in pem:
            chain_obs = {
                **obs,
                "source_ref": f"{obs['source_ref']} intermediate #{k}",
                "tls_versions": None,
                "kex_groups": None,
                "tags": ";".join([*tags, f"chain:{k}"]),
            }
            add_body(batch, path, chain_obs["source_ref"], pem, chain_obs)


def _fields(f: dict[str, str]) -> dict[str, Any]:
    issuer = f.get("cert_caIssuers", "")
    # "WR2 (Google Trust Services from US)": the issuing CA's CN, then its organization and country
    m = re.match(r"^(?P<cn>.*?)\s*\((?P<org>.*?)(?: from (?P<c>\w+))?\)\s*$", issuer)
    issuer_dn = f"CN={m.group('cn')},O={m.group('org')}" if m else (f"CN={issuer}" if issuer else None)
    return {
        "common_name": f.get("cert_commonName") or None,
        "sans": ";".join(f.get("cert_subjectAltName", "").split()) or None,
        "issuer_dn": issuer_dn,
        "serial": hex_serial(f.get("cert_serialNumber")),
        "not_before": f.get("cert_notBefore"),
        "not_after": f.get("cert_notAfter"),
        "key": f.get("cert_keySize"),
        "signature": f.get("cert_signatureAlgorithm"),
        "fingerprint_sha256": hex_fingerprint(f.get("cert_fingerprintSHA256"), 64),
        "fingerprint_sha1": hex_fingerprint(f.get("cert_fingerprintSHA1"), 40),
    }
