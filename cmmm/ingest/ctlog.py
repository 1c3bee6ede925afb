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
from cmmm.ingest._structured import frame_batch, json_keys, load_json
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
    if not doc:
        return Batch(notes=[f"{path}: crt.sh returned no records"])
    # one certificate per issuer + serial (a precertificate and its certificate, one row per matching name):
    # a single pass with dicts, then column-wise frames (no per-row dicts downstream)
    first: dict[tuple[str, str], dict[str, Any]] = {}
    ids: dict[tuple[str, str], list[str]] = {}
    names: dict[tuple[str, str], dict[str, None]] = {}
    for r in doc:
        key = (str(r.get("issuer_name") or r.get("issuer_ca_id")), str(r.get("serial_number") or r.get("id")))
        ids.setdefault(key, []).append(str(r.get("id")))
        seen = names.setdefault(key, {})
        for n in str(r.get("name_value") or "").split("\n"):
            if n.strip():
                seen[n.strip()] = None
        prev = first.get(key)
        if prev is None:
            first[key] = r
        elif str(r.get("entry_timestamp") or "") < str(prev.get("entry_timestamp") or "~"):
            # the earliest log entry of a certificate approximates its first SCT
            first[key] = {**prev, "entry_timestamp": r.get("entry_timestamp")}
    rows = list(first.values())

    def col(field: str) -> pd.Series:
        return pd.Series([r.get(field) for r in rows], dtype=object).astype("string")

    sans = pd.Series([";".join(names[k]) for k in first], dtype="string")
    id_lists = [ids[k] for k in first]
    first_id = pd.Series([i[0] for i in id_lists], dtype="string")
    frame = pd.DataFrame(
        {
            "common_name": col("common_name").fillna(sans.str.split(";").str[0]),
            "sans": sans,
            "issuer": col("issuer_name"),
            "serial": col("serial_number"),
            "not_before": col("not_before"),
            "not_after": col("not_after"),
            "earliest_sct": col("entry_timestamp"),
            "trust": pd.Series("public", index=sans.index, dtype="string"),  # logged: a public CA issued it
            "discovered_by": pd.Series("ct-log", index=sans.index, dtype="string"),
            "tags": "crtsh_ids="
            + pd.Series([",".join(i) for i in id_lists], dtype="string")
            + ";issuer_ca_id="
            + col("issuer_ca_id").fillna(""),
        }
    )
    return frame_batch(
        frame,
        "crt.sh id " + first_id,
        "https://crt.sh/?id=" + first_id,
        path,
        ctx,
        hex_serials=True,
    )


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
        if inv.profile.domains:
            domains = list(inv.profile.domains)
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
