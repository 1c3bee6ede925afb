"""What changed between two snapshots: certificates, owners, automation, hybrid PQC, criteria, the level."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from cmmm.model import Inventory
from cmmm.store.snapshots import SnapshotInfo

CHANGE_COLUMNS: dict[str, str] = {
    "kind": "string",  # a Change value
    "subject": "string",  # cert_id, endpoint (host:port) or criterion id
    "name": "string",  # what a reader recognizes: common name (or subject DN), endpoint, criterion
    "before": "string",
    "after": "string",
}


class Change(StrEnum):
    """The kinds of change `cmmm diff` reports, in the order it reports them."""

    ADDED = "added"  # a certificate in B, not in A (and no renewal of one of A's)
    REMOVED = "removed"  # in A, gone from B (and not renewed)
    RENEWED = "renewed"  # gone from A, a new certificate with the same names in B, same key
    REKEYED = "rekeyed"  # … with a new key (SubjectPublicKeyInfo)
    EXPIRED = "expired"  # valid at A's date, expired by B's
    OWNER = "owner"  # the owner (or team) of the certificate, or of its renewal, changed
    AUTOMATION = "automation"  # its renewal method changed
    PQC_GAINED = "pqc_gained"  # an endpoint seen in both now offers a hybrid ML-KEM group
    PQC_LOST = "pqc_lost"  # … no longer offers one
    CRITERION_MET = "criterion_met"  # a criterion not met in A, met in B
    CRITERION_LOST = "criterion_lost"  # met in A, not in B


class Regression(StrEnum):
    """What `cmmm diff --fail-on` can treat as a regression (exit 1)."""

    LEVEL = "level"  # the level dropped
    SCORE = "score"  # the overall score dropped
    CRITERION = "criterion"  # a criterion was lost
    PQC = "pqc"  # an endpoint lost its hybrid ML-KEM group
    EXPIRED = "expired"  # certificates expired between the snapshots and are still in B


@dataclass(frozen=True, slots=True, kw_only=True)
class Diff:
    """Snapshot `a` against snapshot `b`: every change as a row of `changes` (CHANGE_COLUMNS)."""

    a: SnapshotInfo
    b: SnapshotInfo
    changes: pd.DataFrame
    expired_still_present: int

    @property
    def counts(self) -> dict[Change, int]:
        vc = self.changes["kind"].value_counts()
        return {k: int(vc.get(k.value, 0)) for k in Change}

    @property
    def level_change(self) -> tuple[int | None, int | None]:
        return self.a.metrics.level, self.b.metrics.level

    def regressions(self) -> dict[Regression, int]:
        """How many of each regression; a level or score that is unknown on either side is no evidence."""
        before, after = self.level_change
        sa, sb = self.a.metrics.score, self.b.metrics.score
        counts = self.counts
        return {
            Regression.LEVEL: int(before is not None and after is not None and after < before),
            Regression.SCORE: int(sa is not None and sb is not None and sb < sa - 1e-9),
            Regression.CRITERION: counts[Change.CRITERION_LOST],
            Regression.PQC: counts[Change.PQC_LOST],
            Regression.EXPIRED: self.expired_still_present,
        }


def _names(certs: pd.DataFrame) -> pd.Series:
    """The names a renewal keeps: common name and sorted SANs, case aside (else the subject DN)."""
    sans = (
        certs["sans"].fillna("").map(lambda s: ";".join(sorted(x.strip().lower() for x in s.split(";") if x)))
    )
    key = certs["common_name"].fillna("").str.lower().str.strip() + "|" + sans
    key = key.mask(key == "|", certs["subject_dn"].str.lower())
    return key.astype("string")


def _label(certs: pd.DataFrame) -> pd.Series:
    return certs["common_name"].fillna(certs["subject_dn"]).fillna(certs["cert_id"]).astype("string")


def _rows(kind: Change, subject: pd.Series, name: pd.Series, before: object, after: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind.value,
            "subject": subject.to_numpy(),
            "name": name.to_numpy(),
            "before": before,
            "after": after,
        }
    )


def _certificate_changes(
    a: Inventory, b: Inventory, at_a: pd.Timestamp, at_b: pd.Timestamp
) -> list[pd.DataFrame]:
    ca, cb = a.certificates, b.certificates
    gone = ca[~ca["cert_id"].isin(cb["cert_id"])]
    new = cb[~cb["cert_id"].isin(ca["cert_id"])]
    old = pd.DataFrame(
        {
            "old": gone["cert_id"].to_numpy(),
            "key": _names(gone).to_numpy(),
            "old_key": gone["key_id"].to_numpy(),
        }
    )
    fresh = pd.DataFrame(
        {
            "new": new["cert_id"].to_numpy(),
            "key": _names(new).to_numpy(),
            "new_key": new["key_id"].to_numpy(),
            "label": _label(new).to_numpy(),
        }
    )
    # one renewal per old certificate and per new one, paired in order of appearance
    pairs = (
        old.dropna(subset=["key"])
        .drop_duplicates("key")
        .merge(fresh.dropna(subset=["key"]).drop_duplicates("key"), on="key")
    )
    same_key = pairs["old_key"].eq(pairs["new_key"]).fillna(False).astype(bool)
    out = [
        _rows(
            Change.ADDED,
            new.loc[~new["cert_id"].isin(pairs["new"]), "cert_id"],
            _label(new[~new["cert_id"].isin(pairs["new"])]),
            None,
            None,
        ),
        _rows(
            Change.REMOVED,
            gone.loc[~gone["cert_id"].isin(pairs["old"]), "cert_id"],
            _label(gone[~gone["cert_id"].isin(pairs["old"])]),
            None,
            None,
        ),
        _rows(
            Change.RENEWED,
            pairs.loc[same_key, "new"],
            pairs.loc[same_key, "label"],
            pairs.loc[same_key, "old"],
            pairs.loc[same_key, "new"],
        ),
        _rows(
            Change.REKEYED,
            pairs.loc[~same_key, "new"],
            pairs.loc[~same_key, "label"],
            pairs.loc[~same_key, "old"],
            pairs.loc[~same_key, "new"],
        ),
    ]
    expired = ca[(ca["not_after"] > at_a) & (ca["not_after"] <= at_b)]
    out.append(
        _rows(
            Change.EXPIRED, expired["cert_id"], _label(expired), expired["not_after"].astype("string"), None
        )
    )
    # owner and automation: of the same certificate, or of a renewal against the certificate it replaced
    fa, fb = a.certificate_facts(), b.certificate_facts()
    match = pd.concat(
        [
            pd.DataFrame({"old": ca.loc[ca["cert_id"].isin(cb["cert_id"]), "cert_id"].to_numpy()}).assign(
                new=lambda d: d["old"]
            ),
            pairs[["old", "new"]],
        ],
        ignore_index=True,
    )
    left = fa.set_index("cert_id").reindex(match["old"].to_numpy())
    right = fb.set_index("cert_id").reindex(match["new"].to_numpy())
    label = _label(fb.set_index("cert_id").reindex(match["new"].to_numpy()).reset_index())
    for kind, col in ((Change.OWNER, "owner"), (Change.AUTOMATION, "automation")):
        x = left[col].astype("string").reset_index(drop=True)
        y = right[col].astype("string").reset_index(drop=True)
        changed = ~(x.eq(y).fillna(False).astype(bool) | (x.isna() & y.isna()))
        out.append(_rows(kind, match.loc[changed, "new"], label[changed], x[changed], y[changed]))
    return out


_HYBRID = r"mlkem|ml-kem|kyber"


def _hybrid_endpoints(inv: Inventory) -> pd.Series:
    """Endpoint (host:port) → whether any observation there shows a hybrid ML-KEM key-exchange group."""
    obs = inv.observations.dropna(subset=["host"])
    if obs.empty:
        return pd.Series(dtype="boolean")
    endpoint = obs["host"].str.lower() + ":" + obs["port"].astype("string").fillna("")
    hybrid = obs["kex_groups"].str.contains(_HYBRID, case=False, regex=True).fillna(False).astype(bool)
    return hybrid.groupby(endpoint.to_numpy()).any()


def _endpoint_changes(a: Inventory, b: Inventory) -> list[pd.DataFrame]:
    ha, hb = _hybrid_endpoints(a), _hybrid_endpoints(b)
    both = ha.index.intersection(hb.index)
    ha, hb = ha[both], hb[both]
    gained = pd.Series(both[(~ha & hb).to_numpy()], dtype="string")
    lost = pd.Series(both[(ha & ~hb).to_numpy()], dtype="string")
    return [
        _rows(Change.PQC_GAINED, gained, gained, "classical", "hybrid ML-KEM"),
        _rows(Change.PQC_LOST, lost, lost, "hybrid ML-KEM", "classical"),
    ]


def _criteria_changes(a: SnapshotInfo, b: SnapshotInfo) -> list[pd.DataFrame]:
    before = {c.id: c for c in a.metrics.criteria}
    rows: list[dict[str, str]] = []
    for c in b.metrics.criteria:
        was = before.get(c.id)
        if was is None or was.met == c.met:
            continue
        kind = Change.CRITERION_MET if c.met else Change.CRITERION_LOST
        rows.append(
            {"kind": kind.value, "subject": c.id, "name": c.id, "before": was.status, "after": c.status}
        )
    return [pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))]


def diff(before: Inventory, after: Inventory, *, a: SnapshotInfo, b: SnapshotInfo) -> Diff:
    """Snapshot `a` (inventory `before`) against `b` (`after`)."""
    at_a, at_b = pd.Timestamp(a.taken_at), pd.Timestamp(b.taken_at)
    parts = [
        *_certificate_changes(before, after, at_a, at_b),
        *_endpoint_changes(before, after),
        *_criteria_changes(a, b),
    ]
    frames = [p.astype(CHANGE_COLUMNS) for p in parts if len(p)]
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(CHANGE_COLUMNS))
    changes = changes.astype(CHANGE_COLUMNS)
    ca = before.certificates
    expired = ca[(ca["not_after"] > at_a) & (ca["not_after"] <= at_b)]
    still = int(expired["cert_id"].isin(after.certificates["cert_id"]).sum())
    return Diff(a=a, b=b, changes=changes, expired_still_present=still)
