"""Certificate Transparency records from crt.sh (`?q=%.example.com&output=json`) as a `ct-log` discovery source.

crt.sh lists one row per (certificate, matching identity), and a precertificate and its final certificate
have different crt.sh ids: rows with the same issuer and serial are one certificate, seen once. Times have
no zone (UTC) and serials are hex. `shadow_certificates` reports what CT logs know and no other source
does — certificates issued for the organization's names outside its inventory (shadow IT).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest._structured import json_keys, kv_tags, load_json, rows_batch
from cmmm.model import Inventory

_CRTSH_KEYS = {"issuer_ca_id", "name_value", "entry_timestamp"}

SHADOW_COLUMNS = [
    "cert_id",
    "common_name",
    "sans",
    "issuer_name",
    "not_before",
    "not_after",
    "matched_domain",
]


def sniff(path: Path, head: bytes) -> int:
    keys = json_keys(head)
    return 94 if keys >= _CRTSH_KEYS else 0


def read(path: Path, ctx: ReadContext) -> Batch:
    doc = load_json(path)
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise InputError(
            str(path), "crt.sh JSON is a list of objects (issuer_name, name_value, not_after, …)"
        )
    first: dict[tuple[str, str], dict[str, Any]] = {}
    ids: dict[tuple[str, str], list[str]] = {}
    for r in doc:
        key = (str(r.get("issuer_name") or r.get("issuer_ca_id")), str(r.get("serial_number") or r.get("id")))
        ids.setdefault(key, []).append(str(r.get("id")))
        prev = first.get(key)
        if prev is None:
            first[key] = dict(r)
            continue
        # the earliest log entry of a certificate approximates its first SCT
        if str(r.get("entry_timestamp") or "") < str(prev.get("entry_timestamp") or "~"):
            prev["entry_timestamp"] = r.get("entry_timestamp")
        names = set(str(prev.get("name_value") or "").split("\n"))
        names |= set(str(r.get("name_value") or "").split("\n"))
        prev["name_value"] = "\n".join(sorted(n for n in names if n))
    rows: list[dict[str, Any]] = []
    locs: list[str] = []
    locations: list[str | None] = []
    for key, r in first.items():
        crt_ids = ids[key]
        sans = [n.strip() for n in str(r.get("name_value") or "").split("\n") if n.strip()]
        rows.append(
            {
                "common_name": r.get("common_name") or (sans[0] if sans else None),
                "sans": sans,
                "issuer": r.get("issuer_name"),
                "serial": r.get("serial_number"),
                "not_before": r.get("not_before"),
                "not_after": r.get("not_after"),
                "earliest_sct": r.get("entry_timestamp"),
                "trust": "public",  # logged for browsers: issued by a publicly trusted CA
                "discovered_by": "ct-log",
                "tags": kv_tags({"crtsh_ids": ",".join(crt_ids), "issuer_ca_id": r.get("issuer_ca_id")}),
            }
        )
        locs.append(f"crt.sh id {crt_ids[0]}")
        locations.append(f"https://crt.sh/?id={crt_ids[0]}")
    return rows_batch(rows, locs, locations, path, ctx, hex_serials=True)


def _registrable(names: pd.Series) -> pd.Series:
    """The last two labels of each name (example.com from *.www.example.com): a cheap registrable domain."""
    clean = names.astype("string").str.lower().str.strip().str.lstrip("*.").str.rstrip(".")
    return clean.str.extract(r"([^.]+\.[^.]+)$", expand=False)


def shadow_certificates(inv: Inventory, domains: Iterable[str] | None = None) -> pd.DataFrame:
    """Certificates seen only in CT logs whose names fall under the organization's domains.

    `domains` defaults to profile.yaml's `domains` list, else to the registrable domains of every
    certificate some other source (spreadsheet, scanner, cloud, Kubernetes…) knows. Columns: SHADOW_COLUMNS.
    """
    facts = inv.certificate_facts()
    methods = facts["discovered_by"].fillna("")
    ct_only = methods == "ct-log"
    if not ct_only.any():
        return pd.DataFrame(columns=SHADOW_COLUMNS)
    if domains is None:
        listed = inv.profile.get("domains") if isinstance(inv.profile, dict) else None
        if isinstance(listed, list) and listed:
            domains = [str(d) for d in listed]
        else:
            known = facts.loc[~ct_only & methods.ne("")]
            names = pd.concat(
                [known["common_name"], known["sans"].str.split(";").explode()], ignore_index=True
            )
            domains = _registrable(names.dropna()).dropna().unique().tolist()
    wanted = sorted({d.lower().strip().lstrip("*.").rstrip(".") for d in domains if d})
    if not wanted:
        return pd.DataFrame(columns=SHADOW_COLUMNS)
    cand = facts.loc[ct_only]
    names = (
        pd.concat([cand["common_name"], cand["sans"].str.split(";").explode()])
        .dropna()
        .astype("string")
        .str.lower()
        .str.lstrip("*.")
    )
    matched = pd.Series(pd.NA, index=names.index, dtype="string")
    for d in wanted:  # a handful of organization domains, vectorized over every name
        hit = (names == d) | names.str.endswith("." + d)
        matched = matched.mask(matched.isna() & hit, d)
    first_match = matched.dropna().groupby(level=0).first()
    out = cand.loc[first_match.index, SHADOW_COLUMNS[:-1]].copy()
    out["matched_domain"] = first_match
    return out.sort_values(["matched_domain", "not_after"]).reset_index(drop=True)
