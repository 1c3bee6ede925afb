"""AWS Certificate Manager: `describe-certificate`, `list-certificates`, `get-certificate` and tags.

Accepted shapes: {"Certificate": {...}} (describe), a list of those, {"CertificateSummaryList": [...]}
(list), {"Certificate": "<PEM>", "CertificateChain": "<PEM>"} (get-certificate), each optionally with
"Tags" from `list-tags-for-certificate` beside or inside the certificate. Timestamps are epoch floats
(CLI v1) or ISO 8601 (CLI v2); key algorithms `RSA-2048` (CLI) or `RSA_2048` (SDK).
Owner, team, service and environment come from the usual tag keys (`Owner`, `Team`, `Service`,
`Environment`, case-insensitive); without a service tag each `InUseBy` resource names the service.
Automation: AMAZON_ISSUED and PRIVATE certificates are renewed by ACM (cloud-managed); IMPORTED ones
are renewed by whoever imported them (manual).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest._structured import (
    add_body,
    combine,
    json_keys,
    kv_tags,
    load_json,
    pem_certificates,
    reject,
    rows_batch,
    seq,
)

_AUTOMATION = {"AMAZON_ISSUED": "cloud-managed", "PRIVATE": "cloud-managed", "IMPORTED": "manual"}


def sniff(path: Path, head: bytes) -> int:
    keys = json_keys(head)
    if "CertificateArn" in keys and ({"Certificate", "CertificateSummaryList"} & keys):
        if "shapes" in keys:  # botocore's service model describes the API; it holds no certificates
            return 0
        return 93
    if "CertificateChain" in keys and "Certificate" in keys:
        return 93
    if keys == {"Tags", "Key", "Value"}:
        return 60  # list-tags-for-certificate on its own
    return 0


def _tags(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    pairs = {str(t.get("Key")): t.get("Value") for t in value if isinstance(t, dict) and t.get("Key")}
    return kv_tags(pairs)


# tag keys (case-insensitive) that name the people and the workload behind a certificate
_TAG_FIELDS = {
    "owner": ("owner", "contact", "technicalcontact"),
    "team": ("team", "owner-team", "ownerteam"),
    "service": ("service", "application", "app"),
    "environment": ("environment", "env", "stage"),
}


def _tag_facts(value: Any) -> dict[str, str]:
    """owner/team/service/environment from the usual tag keys (Owner, Team, Service, Environment…)."""
    if not isinstance(value, list):
        return {}
    tags = {
        str(t.get("Key")).strip().lower(): str(t.get("Value")).strip()
        for t in value
        if isinstance(t, dict) and t.get("Key") and t.get("Value")
    }
    out: dict[str, str] = {}
    for field, keys in _TAG_FIELDS.items():
        hit = next((tags[k] for k in keys if tags.get(k)), None)
        if hit:
            out[field] = hit
    return out


def _records(doc: Any) -> tuple[list[tuple[str, dict[str, Any], Any]], list[str]]:
    """(locator, certificate detail or summary, tags) for each certificate, plus PEM texts."""
    out: list[tuple[str, dict[str, Any], Any]] = []
    pems: list[str] = []
    items = doc if isinstance(doc, list) else [doc]
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        loc = f"record {i}" if isinstance(doc, list) else "document"
        cert = item.get("Certificate")
        if isinstance(cert, dict):
            out.append((loc, cert, item.get("Tags", cert.get("Tags"))))
        elif isinstance(cert, str):
            pems.append(cert + "\n" + str(item.get("CertificateChain") or ""))
        for j, s in enumerate(seq(item.get("CertificateSummaryList"))):
            if isinstance(s, dict):
                out.append((f"{loc} summary {j}", s, s.get("Tags")))
        if "CertificateArn" in item and "Certificate" not in item:
            out.append((loc, item, item.get("Tags")))
    return out, pems


def _service(arn: str) -> str:
    """arn:aws:cloudfront::acct:distribution/E12 → cloudfront:distribution/E12."""
    parts = arn.split(":", 5)
    return f"{parts[2]}:{parts[5]}" if len(parts) == 6 else arn


def read(path: Path, ctx: ReadContext) -> Batch:
    doc = load_json(path)
    records, pems = _records(doc)
    batch = Batch()
    if isinstance(doc, dict) and set(doc) == {"Tags"}:
        batch.notes.append(
            f"{path}: list-tags-for-certificate output without a certificate ARN; "
            "put the tags beside describe-certificate output to attach them"
        )
        return batch
    if not records and not pems:
        raise InputError(
            str(path),
            "no ACM certificates: expected describe-certificate {Certificate: {...}}, "
            "list-certificates {CertificateSummaryList: [...]} or get-certificate output",
        )
    _add_pems(batch, path, pems)
    rows: list[dict[str, Any]] = []
    locs: list[str] = []
    locations: list[str | None] = []
    missing = 0
    for loc, c, tags in records:
        arn = str(c.get("CertificateArn") or "")
        if not c.get("NotAfter"):
            missing += 1
            continue
        base = _row(c, arn, tags)
        in_use = [str(u) for u in seq(c.get("InUseBy"))]
        for u_i, user in enumerate(in_use or [None]):
            row = dict(base)
            if user and not row.get("service"):  # a Service tag names it better than the resource ARN
                row["service"] = _service(user)
            rows.append(row)
            locs.append(f"{loc} {arn}" + (f" in use {u_i}" if user else ""))
            locations.append(user or arn or None)
    if missing:
        batch.notes.append(
            f"{path}: {missing} ACM certificate(s) without NotAfter (pending validation, failed, or a "
            "list-certificates summary from an older CLI): run describe-certificate for each ARN"
        )
    return combine(path, [batch, rows_batch(rows, locs, locations, path, ctx, hex_serials=True)])


def _add_pems(batch: Batch, path: Path, pems: list[str]) -> None:
    """The certificates of get-certificate outputs (certificate and chain)."""
    for k, text in enumerate(pems):
        found, problems = pem_certificates(text)
        for p in problems:
            batch.rejected.append(reject(path, f"get-certificate {k}", p))
        for i, (cert, der) in enumerate(found):
            obs = {
                "source": str(path),
                "source_ref": f"get-certificate {k} cert {i}",
                "discovered_by": "cloud-api",
            }
            add_body(batch, cert, der, obs)


def _row(c: dict[str, Any], arn: str, tags: Any) -> dict[str, Any]:
    """The row of a certificate's detail or summary: its fields, status and type as tags, trust by type."""
    ctype = c.get("Type")
    if ctype is None and c.get("Issuer") == "Amazon":
        ctype = "AMAZON_ISSUED"
    status = {
        "status": c.get("Status"),
        "type": ctype,
        "renewal_eligibility": c.get("RenewalEligibility"),
        "arn": arn,
    }
    tag_text = ";".join(t for t in (kv_tags(status), _tags(tags)) if t)
    row: dict[str, Any] = {
        "common_name": c.get("DomainName"),
        "sans": c.get("SubjectAlternativeNames") or c.get("SubjectAlternativeNameSummaries"),
        "subject_dn": c.get("Subject"),
        "issuer": c.get("Issuer"),
        "serial": c.get("Serial"),
        "not_before": c.get("NotBefore"),
        "not_after": c.get("NotAfter"),
        "key_algorithm": c.get("KeyAlgorithm"),
        "signature_algorithm": c.get("SignatureAlgorithm"),
        "automation": _AUTOMATION.get(str(ctype)),
        "discovered_by": "cloud-api",
        "tags": tag_text or None,
        **_tag_facts(tags),
    }
    if ctype in ("AMAZON_ISSUED",):
        row["trust"] = "public"
    elif ctype == "PRIVATE":
        row["trust"] = "private"
    return row
