"""Google Cloud Certificate Manager: `gcloud certificate-manager certificates list|describe --format=json`
and the v1 REST `Certificate` resource (`projects/P/locations/L/certificates/C`).

Google-managed certificates (`managed`) are renewed by Google: cloud-managed; `selfManaged` ones are
uploaded and renewed by hand: manual. `pemCertificate`, when present, is the body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest._columns import ENVIRONMENT_VALUES, squash
from cmmm.ingest._structured import (
    add_body,
    combine,
    json_keys,
    kv_tags,
    load_json,
    mapping,
    pem_certificates,
    reject,
    rows_batch,
    seq,
)


def sniff(path: Path, head: bytes) -> int:
    keys = json_keys(head)
    if b"/certificates/" in head and keys & {"sanDnsnames", "pemCertificate"} and "expireTime" in keys:
        return 93
    return 0


def _items(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("certificates"), list):
        doc = doc["certificates"]
    if isinstance(doc, dict):
        doc = [doc]
    return [d for d in doc if isinstance(d, dict)] if isinstance(doc, list) else []


def read(path: Path, ctx: ReadContext) -> Batch:
    items = [i for i in _items(load_json(path)) if "/certificates/" in str(i.get("name", ""))]
    if not items:
        raise InputError(str(path), "no Certificate Manager certificates (name projects/…/certificates/…)")
    batch = Batch()
    rows: list[dict[str, Any]] = []
    locs: list[str] = []
    locations: list[str | None] = []
    for item in items:
        name = str(item["name"])
        labels = {str(k): str(v) for k, v in mapping(item.get("labels")).items()}
        managed = mapping(item.get("managed"))
        automation = "cloud-managed" if "managed" in item else "manual" if "selfManaged" in item else None
        env = labels.get("environment") or labels.get("env")
        obs: dict[str, Any] = {
            "source": str(path),
            "source_ref": name,
            "location": name,
            "discovered_by": "cloud-api",
            "automation": automation,
            "owner": labels.get("owner"),
            "team": labels.get("team"),
            "environment": ENVIRONMENT_VALUES.get(squash(env)) if env else None,
            "tags": kv_tags({**labels, "scope": item.get("scope"), "state": managed.get("state")}),
        }
        pem = item.get("pemCertificate")
        if isinstance(pem, str) and pem.strip():
            found, problems = pem_certificates(pem)
            for p in problems:
                batch.rejected.append(reject(path, name, f"pemCertificate: {p}"))
            for i, (cert, der) in enumerate(found):
                leaf = i == 0
                add_body(
                    batch,
                    cert,
                    der,
                    obs if leaf else {**obs, "automation": None, "source_ref": f"{name} chain {i}"},
                )
            if found:
                continue
        sans = seq(item.get("sanDnsnames")) or seq(managed.get("domains"))
        rows.append(
            {
                "common_name": sans[0] if sans else None,
                "sans": sans,
                "not_after": item.get("expireTime"),
                **{k: obs[k] for k in ("automation", "owner", "team", "environment", "tags")},
                "discovered_by": "cloud-api",
            }
        )
        locs.append(name)
        locations.append(name)
    return combine(path, [batch, rows_batch(rows, locs, locations, path, ctx)])
