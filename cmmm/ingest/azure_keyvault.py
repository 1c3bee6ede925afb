"""Azure Key Vault certificates: REST `GetCertificate(s)` (snake_case policy, epoch attributes) and
`az keyvault certificate show/list` (camelCase, ISO dates).

The embedded `cer` (DER, base64) is the certificate: its fields come from the body and the vault's own
facts (policy, lifetime actions, tags, enabled) become the observation. List entries without `cer`
carry the SHA-1 thumbprint (`x5t`, base64url, or `x509ThumbprintHex`), which merges them with the body
when both are read. A policy whose lifetime actions include AutoRenew with an integrated issuer is
cloud-managed; EmailContacts only, or issuer "Unknown" (certificates merged by hand), is manual.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, obj, seq, text_of
from cmmm.ingest._structured import (
    add_body,
    b64_der,
    combine,
    json_keys,
    kv_tags,
    load_json,
    mapping,
    parse_der,
    reject,
    rows_batch,
)

_CN = re.compile(r"(?:^|,)\s*CN\s*=\s*([^,]+)", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> int:
    keys = json_keys(head)
    text = text_of(head[:20000])
    if not keys or "vault.azure.net" not in text:
        return 0
    if keys & {"x5t", "x509Thumbprint", "x509ThumbprintHex", "cer"}:
        return 93
    return 0


def _unwrap(doc: Any) -> Any:
    """The azure-rest-api-specs example envelope {"parameters", "responses": {"200": {"body": …}}}."""
    if isinstance(doc, dict) and isinstance(doc.get("responses"), dict):
        ok = doc["responses"].get("200")
        if isinstance(ok, dict) and "body" in ok:
            return ok["body"]
    return doc


def _items(doc: Any) -> list[dict[str, Any]]:
    doc = _unwrap(doc)
    if isinstance(doc, dict) and isinstance(doc.get("value"), list):
        doc = doc["value"]
    if isinstance(doc, dict):
        return [doc]
    if isinstance(doc, list):
        return [d for d in doc if isinstance(d, dict)]
    return []


def _pick(d: Any, *names: str) -> Any:
    if not isinstance(d, dict):
        return None
    for n in names:
        if d.get(n) is not None:
            return d[n]
    return None


def _policy_facts(policy: Any) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(automation, key facts for body-less rows, tags) from a certificate policy in either spelling."""
    if not isinstance(policy, dict):
        return None, {}, {}
    key = obj(_pick(policy, "key_props", "keyProperties"))
    x509p = obj(_pick(policy, "x509_props", "x509CertificateProperties"))
    issuer = obj(_pick(policy, "issuer", "issuerParameters"))
    actions = seq(_pick(policy, "lifetime_actions", "lifetimeActions"))
    kinds: list[str] = []
    for a in actions if isinstance(actions, list) else []:
        act = _pick(_pick(a, "action"), "action_type", "actionType")
        if act:
            trig = obj(_pick(a, "trigger"))
            when = _pick(trig, "lifetime_percentage", "lifetimePercentage")
            days = _pick(trig, "days_before_expiry", "daysBeforeExpiry")
            kinds.append(f"{act}@{when}%" if when is not None else f"{act}@{days}d" if days else str(act))
    issuer_name = str(_pick(issuer, "name") or "")
    auto = any(k.lower().startswith("autorenew") for k in kinds)
    automation = "cloud-managed" if auto and issuer_name.lower() != "unknown" else "manual"
    kty = str(_pick(key, "kty", "keyType") or "")
    facts: dict[str, Any] = {
        "key_algorithm": {"RSA": "RSA", "RSA-HSM": "RSA", "EC": "EC", "EC-HSM": "EC"}.get(kty.upper(), kty)
        or None,
        "key_size": _pick(key, "key_size", "keySize"),
        "key_curve": _pick(key, "crv", "curve"),
        "subject_dn": _pick(x509p, "subject"),
    }
    sans = obj(_pick(x509p, "sans", "subjectAlternativeNames"))
    facts["sans"] = _pick(sans, "dns_names", "dnsNames")
    tags = {
        "policy_issuer": issuer_name or None,
        "lifetime_actions": ",".join(kinds) or None,
        "key_exportable": _pick(key, "exportable"),
        "reuse_key": _pick(key, "reuse_key", "reuseKey"),
        "validity_months": _pick(x509p, "validity_months", "validityInMonths"),
    }
    return automation, facts, tags


def _sha1(item: dict[str, Any]) -> str | None:
    hx = item.get("x509ThumbprintHex")
    if isinstance(hx, str) and re.fullmatch(r"[0-9A-Fa-f]{40}", hx):
        return hx.lower()
    raw = _pick(item, "x5t", "x509Thumbprint")
    der = b64_der(str(raw)) if raw else None
    return der.hex() if der is not None and len(der) == 20 else None


def read(path: Path, ctx: ReadContext) -> Batch:
    items = _items(load_json(path))
    if not items or not any(("id" in i or "cer" in i) and "attributes" in i for i in items):
        raise InputError(
            str(path),
            "no Key Vault certificates: expected a CertificateBundle (id, cer, attributes, policy), "
            'a list result {"value": [...]} or az keyvault certificate show/list output',
        )
    batch = Batch()
    rows: list[dict[str, Any]] = []
    locs: list[str] = []
    locations: list[str | None] = []
    for i, item in enumerate(items):
        ident = str(item.get("id") or item.get("name") or f"item {i}")
        loc = f"item {i} {ident}" if len(items) > 1 else ident
        attrs = mapping(item.get("attributes"))
        automation, facts, ptags = _policy_facts(item.get("policy"))
        vault_tags = mapping(item.get("tags"))
        tags = kv_tags(
            {
                **vault_tags,
                "enabled": attrs.get("enabled"),
                "recovery_level": _pick(attrs, "recoveryLevel"),
                **ptags,
            }
        )
        base_obs: dict[str, Any] = {
            "source": str(path),
            "source_ref": loc,
            "location": ident,
            "discovered_by": "cloud-api",
            "automation": automation,
            "tags": tags,
        }
        cer = item.get("cer")
        if cer:
            der = b64_der(str(cer))
            cert = parse_der(der) if der is not None else None
            if cert is None or der is None:
                batch.rejected.append(reject(path, loc, "cer is not a base64 DER certificate"))
                continue
            add_body(batch, cert, der, base_obs)
            continue
        not_after = _pick(attrs, "exp", "expires")
        if not not_after:
            batch.rejected.append(reject(path, loc, "certificate has neither cer nor attributes.exp/expires"))
            continue
        name = item.get("name") or ident.rstrip("/").split("/certificates/")[-1].split("/")[0]
        subject = item.get("subject") or facts.get("subject_dn")
        m = _CN.search(str(subject or ""))
        rows.append(
            {
                "common_name": m.group(1).strip() if m else name,
                "subject_dn": subject,
                "sans": facts.get("sans"),
                "not_before": _pick(attrs, "nbf", "notBefore"),
                "not_after": not_after,
                "fingerprint_sha1": _sha1(item),
                "key_algorithm": facts.get("key_algorithm"),
                "key_size": facts.get("key_size"),
                "key_curve": facts.get("key_curve"),
                "automation": automation,
                "discovered_by": "cloud-api",
                "tags": tags,
            }
        )
        locs.append(loc)
        locations.append(ident)
    return combine(path, [batch, rows_batch(rows, locs, locations, path, ctx)])
