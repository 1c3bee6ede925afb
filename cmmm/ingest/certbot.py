"""certbot: `certbot certificates` output and renewal `.conf` files (/etc/letsencrypt/renewal/*.conf).

Every certbot lineage is ACME-automated. The text output names each lineage's serial, key type,
domains, expiry and paths. Renewal confs are ConfigObj files (nested `[[webroot_map]]` sections,
`domains = a.org,` trailing-comma lists, unquoted `<function …>` values) that `configparser` rejects, so
they are read with a small line parser; they hold no expiry, so the lineage's certificate is read from
`live/<name>/cert.pem` under the conf's letsencrypt directory when it is there, else the lineage is noted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.ingest._structured import add_body, kv_tags, pem_certificates, reject, rows_batch

_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z ]+?):\s*(.*?)\s*$")
_EXPIRY = re.compile(r"^(\S+ \S+?)(?:\s*\((.*)\))?$")
_CONF_LINE = re.compile(r"^\s*([A-Za-z0-9_][\w.-]*)\s*=\s*(.*?)\s*$")
_SECTION = re.compile(r"^\s*(\[+)\s*([^\]]+?)\s*\]+\s*$")
_KEY_TYPES = {"ECDSA": "EC", "RSA": "RSA"}


def sniff(path: Path, head: bytes) -> int:
    text = text_of(head[:8192])
    if "Certificate Name:" in text and "Expiry Date:" in text:
        return 94
    if re.search(r"^\[renewalparams\]", text, re.MULTILINE) or (
        re.search(r"^archive_dir\s*=", text, re.MULTILINE)
        and re.search(r"^fullchain\s*=", text, re.MULTILINE)
    ):
        return 94
    return 0


def read(path: Path, ctx: ReadContext) -> Batch:
    text = text_of(path.read_bytes())
    if "Certificate Name:" in text:
        return _read_listing(path, text, ctx)
    return _read_conf(path, text, ctx)


# --------------------------------------------------------------------------------- certbot certificates
def _read_listing(path: Path, text: str, ctx: ReadContext) -> Batch:
    blocks: list[tuple[int, dict[str, str]]] = []
    for n, text_line in enumerate(text.splitlines(), start=1):
        m = _FIELD.match(text_line)
        if not m:
            continue
        key, value = m.group(1).strip().lower(), m.group(2)
        if key == "certificate name":
            blocks.append((n, {}))
        if blocks:
            blocks[-1][1][key] = value
    if not blocks:
        raise InputError(str(path), "no 'Certificate Name:' blocks in certbot certificates output")
    rows: list[dict[str, Any]] = []
    locs: list[str] = []
    locations: list[str | None] = []
    batch = Batch()
    for line, b in blocks:
        name = b.get("certificate name", "?")
        domains = (b.get("domains") or b.get("identifiers") or "").split()
        exp = _EXPIRY.match(b.get("expiry date", ""))
        if not domains or not exp:
            batch.rejected.append(
                reject(path, f"line {line}", f"lineage {name!r} lacks Domains or a readable Expiry Date")
            )
            continue
        state = exp.group(2) or ""
        kt = b.get("key type", "")
        rows.append(
            {
                "common_name": domains[0],
                "sans": domains,
                "serial": b.get("serial number"),
                "not_after": exp.group(1),
                "key_algorithm": _KEY_TYPES.get(kt.upper(), kt) or None,
                "automation": "acme",
                "discovered_by": "filesystem",
                # certbot marks staging certificates TEST_CERT: not publicly trusted
                "trust": "private" if "TEST_CERT" in state else None,
                "tags": kv_tags({"certbot_lineage": name, "certbot_state": state}),
            }
        )
        locs.append(f"line {line}")
        locations.append(b.get("certificate path") or f"certbot:{name}")
    out = rows_batch(rows, locs, locations, path, ctx, hex_serials=True)
    out.rejected.extend(batch.rejected)
    return out


# ---------------------------------------------------------------------------------- renewal .conf files
def parse_conf(text: str) -> dict[str, Any]:
    """ConfigObj-style file → {key: value, section: {key: value, subsection: {...}}} (values as strings)."""
    root: dict[str, Any] = {}
    stack: list[dict[str, Any]] = [root]
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sec = _SECTION.match(line)
        if sec:
            depth = len(sec.group(1))
            del stack[depth:]
            parent = stack[-1]
            child: dict[str, Any] = parent.setdefault(sec.group(2), {})
            stack.append(child)
            continue
        m = _CONF_LINE.match(line)
        if m:
            value = m.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            stack[-1][m.group(1)] = value
    return root


def _lineage_cert(path: Path, conf: dict[str, Any]) -> Path | None:
    """live/<name>/cert.pem (or fullchain.pem) below the directory that holds renewal/; never outside it."""
    root = path.resolve().parent.parent
    for key in ("cert", "fullchain"):
        configured = str(conf.get(key) or "")
        if "\0" in configured:
            continue  # no file name holds NUL
        m = re.search(r"(?:^|/)(live/[^/]+/[^/]+)$", configured)
        if not m:
            continue
        candidate = (root / m.group(1)).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _read_conf(path: Path, text: str, ctx: ReadContext) -> Batch:
    conf = parse_conf(text)
    params = conf.get("renewalparams")
    if not isinstance(params, dict) and "cert" not in conf:
        raise InputError(str(path), "not a certbot renewal conf: no [renewalparams] section or cert = line")
    params = params if isinstance(params, dict) else {}
    live = re.search(r"live/([^/]+)/", str(conf.get("cert") or ""))
    lineage = live.group(1) if live else path.name.removesuffix(".conf")
    server = str(params.get("server") or "")
    tags = kv_tags(
        {
            "certbot_lineage": lineage,
            "acme_server": server,
            "authenticator": params.get("authenticator"),
            "installer": params.get("installer") if params.get("installer") != "None" else None,
            "renew_before_expiry": conf.get("renew_before_expiry"),
            "certbot_version": conf.get("version"),
        }
    )
    batch = Batch()
    cert_path = _lineage_cert(path, conf)
    if cert_path is None:
        batch.notes.append(
            f"{path}: certbot lineage {lineage!r} (ACME, {server or 'default server'}): certificate file "
            f"{conf.get('cert') or '?'} not found below {path.resolve().parent.parent}; not counted"
        )
        return batch
    found, problems = pem_certificates(text_of(cert_path.read_bytes()))
    for p in problems:
        batch.rejected.append(reject(path, str(cert_path), p))
    if found:
        cert, der = found[0]
        add_body(
            batch,
            cert,
            der,
            {
                "source": str(path),
                "source_ref": f"lineage {lineage}",
                "location": str(cert_path),
                "automation": "acme",
                "discovered_by": "filesystem",
                "tags": tags,
            },
        )
    return batch
