"""HashiCorp Vault PKI: `GET /v1/pki/cert/:serial`, `/issuer/:ref[/json]`, `pki/issue/:role` responses
(bare or wrapped by `vault read -format=json`), and `LIST /pki/certs|issuers` (or `vault list` arrays).

Vault stores no owner or role with a certificate, so everything comes from the body; revocation time
and issuer id are kept as observation tags. Listings hold only serials or issuer ids: they are noted
(how many, and what to read next), not counted as certificates.
"""

from __future__ import annotations

import re
from pathlib import Path

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.ingest._structured import add_body, json_keys, kv_tags, load_json, pem_certificates, reject, seq
from cmmm.ingest.x509 import private_key_facts
from cmmm.model import PrivateKeyFinding

_SERIAL = re.compile(r"^[0-9a-f]{2}(?::[0-9a-f]{2})+$")
_PEM_FIELD = re.compile(rb'"(?:certificate|issuing_ca)"\s*:\s*"-----BEGIN CERTIFICATE')
_CERT_KEYS = {"certificate", "ca_chain", "issuing_ca"}
_VAULT_KEYS = {
    "revocation_time",
    "revocation_time_rfc3339",
    "issuer_id",
    "ca_chain",
    "issuing_ca",
    "key_info",
}


# A JSON list of colon-separated hex serials. Every repetition starts with its comma, so the pattern has
# one way to match any text: linear time (the former `("…"\s*,?\s*)+` backtracked exponentially on a
# 137-byte "[" file).
_HEX_SERIAL = r'"[0-9a-f]{2}(?::[0-9a-f]{2})+"'
_SERIAL_LIST = re.compile(rf"\[\s*{_HEX_SERIAL}(?:\s*,\s*{_HEX_SERIAL})*\s*\]")


def sniff(path: Path, head: bytes) -> int:
    keys = json_keys(head)
    if "data" in keys and (keys & _VAULT_KEYS or _PEM_FIELD.search(head)):
        return 93
    if "data" in keys and "keys" in keys and re.search(rb'"[0-9a-f]{2}(:[0-9a-f]{2}){7,}"', head):
        return 90
    text = text_of(head[:4096]).strip()
    if text.startswith("[") and _SERIAL_LIST.fullmatch(text):
        return 85  # vault list -format=json pki/certs
    return 0


def read(path: Path, ctx: ReadContext) -> Batch:
    doc = load_json(path)
    batch = Batch()
    if isinstance(doc, list) and all(isinstance(s, str) and _SERIAL.match(s) for s in doc):
        batch.notes.append(_listing_note(path, len(doc), "serial"))
        return batch
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict):
        raise InputError(str(path), 'not a Vault PKI response: expected {"data": {...}}')
    if isinstance(data.get("keys"), list) and not (_CERT_KEYS & set(data)):
        kind = "issuer" if "key_info" in data else "serial"
        batch.notes.append(_listing_note(path, len(data["keys"]), kind))
        return batch
    if not _CERT_KEYS & set(data):
        raise InputError(str(path), "Vault PKI response holds no certificate, ca_chain or keys")
    revoked = data.get("revocation_time")
    tags = kv_tags(
        {
            "issuer_id": data.get("issuer_id"),
            "issuer_name": data.get("issuer_name"),
            "revoked_at": data.get("revocation_time_rfc3339") or (revoked if revoked else None),
        }
    )
    texts: list[tuple[str, str]] = []
    if isinstance(data.get("certificate"), str):
        texts.append(("certificate", data["certificate"]))
    if isinstance(data.get("issuing_ca"), str):
        texts.append(("issuing_ca", data["issuing_ca"]))
    for i, pem in enumerate(seq(data.get("ca_chain"))):
        if isinstance(pem, str):
            texts.append((f"ca_chain {i}", pem))
    seen: set[str] = set()
    for field, text in texts:
        found, problems = pem_certificates(text)
        for p in problems:
            batch.rejected.append(reject(path, f"data.{field}", p))
        if not found and not problems:
            batch.rejected.append(reject(path, f"data.{field}", "holds no PEM certificate"))
        for i, (cert, der) in enumerate(found):
            if der.hex() in seen:
                continue
            seen.add(der.hex())
            leaf = field == "certificate" and i == 0
            add_body(
                batch,
                cert,
                der,
                {
                    "source": str(path),
                    "source_ref": f"data.{field}" + (f" cert {i}" if i else ""),
                    "location": f"vault:{data.get('issuer_id') or 'pki'}",
                    "discovered_by": "ca-api",
                    "automation": "vault" if leaf else None,
                    "tags": tags if leaf else None,
                },
            )
    if data.get("private_key"):
        # a saved issue response carries the new certificate's private key in clear: a finding
        key_kind, key_id = private_key_facts(str(data["private_key"]).encode("utf-8", "replace"))
        batch.private_keys.append(
            PrivateKeyFinding(
                path=str(path),
                locator="data.private_key",
                key_type=str(data.get("private_key_type") or key_kind or "?"),
                encrypted=False,
                key_id=key_id,
                store="export",
            )
        )
    return batch


def _listing_note(path: Path, n: int, kind: str) -> str:
    what = "read pki/cert/<serial>" if kind == "serial" else "read pki/issuer/<id>"
    return f"{path}: Vault PKI listing of {n} {kind}(s) without certificate bodies; {what} for each"
