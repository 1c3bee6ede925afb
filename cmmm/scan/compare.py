"""A scan against an inventory: shadow certificates (served, not listed), stale rows (listed, not served), matches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cmmm.export import records
from cmmm.ingest.x509 import certificate_row
from cmmm.model import Discovery, Inventory
from cmmm.scan.result import EndpointResult, ScanResult, Status

# ------------------------------------------------------------------------------- shadow and stale
SHADOW_COLUMNS = ("cert_id", "common_name", "issuer_name", "not_after", "locations")


STALE_COLUMNS = ("cert_id", "common_name", "location", "source", "source_ref", "status", "reason")


MATCHED_COLUMNS = ("cert_id", "inventory_cert_id", "common_name", "locations", "matched_by")


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """A scan against an inventory.

    `shadow`: certificates served on the network that the inventory does not list (SHADOW_COLUMNS).
    `stale`: inventory endpoint rows the scan covered where that certificate was not found (STALE_COLUMNS;
    `status` is the endpoint's scan status, `reason` says what was there instead).
    `matched`: served certificates the inventory knows (MATCHED_COLUMNS; `matched_by` names the key).
    """

    shadow: pd.DataFrame
    stale: pd.DataFrame
    matched: pd.DataFrame
    endpoints_scanned: int
    endpoints_tls: int

    def to_document(self) -> dict[str, Any]:
        return {
            "endpoints_scanned": self.endpoints_scanned,
            "endpoints_tls": self.endpoints_tls,
            "shadow": records(self.shadow),
            "stale": records(self.stale),
            "matched": records(self.matched),
        }


def _norm_host(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip("[]").str.lower().str.rstrip(".")


def _first_map(keys: pd.Series, values: pd.Series) -> pd.Series:
    ok = keys.notna()
    frame = pd.DataFrame({"k": keys[ok].to_numpy(), "v": values[ok].to_numpy()}).drop_duplicates("k")
    return pd.Series(frame["v"].to_numpy(), index=frame["k"].to_numpy(), dtype="string")


def compare(result: ScanResult, inventory: Inventory) -> Comparison:
    """Shadow certificates and stale rows: `result` against an Inventory (e.g. the spreadsheet).

    A served leaf matches an inventory certificate by SHA-256 fingerprint, then SHA-1 fingerprint,
    then issuer + serial, then common name + expiry date (what a spreadsheet usually has). An
    inventory endpoint without a port is taken as 443. Observations that came from a network scan
    are ignored on the inventory side, so a merged inventory can be compared too.
    """
    scanned = [r for r in result.results if r.status is not Status.SKIPPED]
    certs = _known_certificates(inventory)
    leaves = _matched(_served_leaves(scanned), certs)
    stale = _stale(inventory, certs, _served(scanned, leaves))
    return Comparison(
        shadow=_grouped(leaves[leaves["inventory_cert_id"].isna()], SHADOW_COLUMNS),
        stale=stale[list(STALE_COLUMNS)],
        matched=_grouped(leaves[leaves["inventory_cert_id"].notna()], MATCHED_COLUMNS),
        endpoints_scanned=len(scanned),
        endpoints_tls=len(result.ok),
    )


_LEAF_COLUMNS = ["cert_id", "fp", "sha1", "is", "cn", "common_name", "issuer_name", "not_after", "location"]


def _served_leaves(scanned: list[EndpointResult]) -> pd.DataFrame:
    """The leaf each endpoint served, with its match keys (fp, sha1, issuer|serial, name|expiry)."""
    leaf_rows = []
    for r in scanned:
        if r.leaf is None:
            continue
        try:
            row = certificate_row(r.leaf)
        except ValueError:  # a served certificate too malformed to read: nothing to compare it by
            continue
        leaf_rows.append(
            {
                "cert_id": row["cert_id"],
                "fp": row["fingerprint_sha256"],
                "sha1": row["fingerprint_sha1"],
                "is": f"{(row['issuer_name'] or '').lower().strip()}|{row['serial']}",
                "cn": f"{(row['common_name'] or '').lower()}|{row['not_after']:%Y-%m-%d}",
                "common_name": row["common_name"],
                "issuer_name": row["issuer_name"],
                "not_after": row["not_after"],
                "location": r.endpoint.location,
            }
        )
    return pd.DataFrame(leaf_rows, columns=_LEAF_COLUMNS)


def _known_certificates(inventory: Inventory) -> pd.DataFrame:
    """The inventory's certificates that it knows by other means than a network scan."""
    # A certificate whose every observation is a network scan (the scan merged into the inventory)
    # would otherwise hide itself.
    seen = inventory.observations
    by_scan = seen["discovered_by"].fillna("").eq(Discovery.NETWORK_SCAN.value)
    scan_only = pd.Index(seen.loc[by_scan, "cert_id"]).difference(pd.Index(seen.loc[~by_scan, "cert_id"]))
    certs = inventory.certificates
    return certs[~certs["cert_id"].isin(scan_only)]


def _matched(leaves: pd.DataFrame, certs: pd.DataFrame) -> pd.DataFrame:
    """`leaves` with inventory_cert_id and matched_by: the first key, strongest first, that finds one."""
    fp = certs["fingerprint_sha256"].astype("string")
    fp = fp.fillna(certs["cert_id"].astype("string").str.extract(r"^sha256:([0-9a-f]{64})$", expand=False))
    serial = certs["serial"].astype("string").str.lower().str.lstrip("0").replace("", "0")
    keys = {
        "sha256": (leaves["fp"], fp),
        "sha1": (leaves["sha1"], certs["fingerprint_sha1"].astype("string")),
        "issuer+serial": (
            leaves["is"],
            certs["issuer_name"].astype("string").str.lower().str.strip() + "|" + serial,
        ),
        "name+expiry": (
            leaves["cn"],
            certs["common_name"].astype("string").str.lower()
            + "|"
            + certs["not_after"].dt.strftime("%Y-%m-%d"),
        ),
    }
    inv_id = pd.Series(pd.NA, index=leaves.index, dtype="string")
    how = pd.Series(pd.NA, index=leaves.index, dtype="string")
    for name, (scan_key, inv_key) in keys.items():
        found = scan_key.map(_first_map(inv_key, certs["cert_id"])).astype("string")
        new = inv_id.isna() & found.notna()
        inv_id = inv_id.fillna(found)
        how = how.mask(new, name)
    leaves["inventory_cert_id"] = inv_id
    leaves["matched_by"] = how
    return leaves


def _grouped(frame: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """One row per served certificate, its locations ';'-joined."""
    if frame.empty:
        return pd.DataFrame(columns=list(cols))
    g = frame.groupby("cert_id", sort=True)
    out = g.first().reset_index()
    out["locations"] = g["location"].agg(lambda s: ";".join(sorted(set(s)))).to_numpy()
    return out[list(cols)].reset_index(drop=True)


_Served = dict[str, tuple[str, str | None, str]]  # host|port → (status, inventory cert_id, reason)


def _served(scanned: list[EndpointResult], leaves: pd.DataFrame) -> _Served:
    """What each scanned endpoint served, keyed by host:port as targeted and by the address that answered."""
    served: _Served = {}
    leaf_inv = dict(zip(leaves["location"], leaves["inventory_cert_id"], strict=True))
    leaf_cn = dict(zip(leaves["location"], leaves["common_name"], strict=True))
    for r in scanned:
        loc = r.endpoint.location
        inv = leaf_inv.get(loc)
        inv = None if inv is None or pd.isna(inv) else str(inv)
        if r.leaf is not None:
            reason = (
                f"serves another inventory certificate ({leaf_cn.get(loc)})"
                if inv
                else f"serves a certificate missing from the inventory ({leaf_cn.get(loc)})"
            )
        else:
            reason = f"endpoint {r.status.value}: {r.error or ''}".rstrip(": ")
        entry = (r.status.value, inv, reason)
        for host in {r.endpoint.host, r.address} - {None}:
            served.setdefault(f"{str(host).strip('[]').lower().rstrip('.')}|{r.endpoint.port}", entry)
    return served


def _stale(inventory: Inventory, certs: pd.DataFrame, served: _Served) -> pd.DataFrame:
    """Inventory endpoint rows the scan covered where their certificate was not served."""
    obs = inventory.observations
    obs = obs[obs["host"].notna() & obs["discovered_by"].fillna("").ne(Discovery.NETWORK_SCAN.value)]
    key = _norm_host(obs["host"]) + "|" + obs["port"].fillna(443).astype("Int64").astype("string")
    covered = key.isin(list(served))
    obs, key = obs[covered], key[covered]
    entries = key.map(served)
    served_id = entries.map(lambda e: e[1])
    stale_mask = served_id.astype("string").fillna("") != obs["cert_id"].astype("string")
    names = obs["cert_id"].map(_first_map(certs["cert_id"], certs["common_name"].astype("string")))
    return pd.DataFrame(
        {
            "cert_id": obs["cert_id"],
            "common_name": names,
            "location": obs["location"],
            "source": obs["source"],
            "source_ref": obs["source_ref"],
            "status": entries.map(lambda e: e[0]),
            "reason": entries.map(lambda e: e[2]),
        }
    )[stale_mask.to_numpy()].reset_index(drop=True)
