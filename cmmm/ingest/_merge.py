"""Merge per-file batches into one Inventory: one row per certificate, every observation kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from cmmm.crypto import PUBLIC_CA_MARKERS, quantum_vulnerable
from cmmm.ingest._base import Batch
from cmmm.ingest._roots import root_program_trust
from cmmm.ingest.crl import CrlCheck, check_signature
from cmmm.model import (
    ALGORITHM_COLUMNS,
    CERTIFICATE_COLUMNS,
    OBSERVATION_COLUMNS,
    SERVICE_COLUMNS,
    Inventory,
    conform,
    empty_frame,
)
from cmmm.model._facts import first_of_each
from cmmm.profile import parse_profile

_FROM_ROWS = "cmmm_from_rows"  # DataFrame.attrs flag: this frame was built from row dicts by `combine`


def _frames(parts: list[pd.DataFrame | list[dict[str, Any]]]) -> list[pd.DataFrame]:
    """The batches' own frames in order, then everything that came as row dicts (one frame for the
    dicts: building one per file is the slow path) — the same order however the files were read."""
    frames = [p for p in parts if isinstance(p, pd.DataFrame) and len(p) and not p.attrs.get(_FROM_ROWS)]
    from_rows = [p for p in parts if isinstance(p, pd.DataFrame) and len(p) and p.attrs.get(_FROM_ROWS)]
    rows = [r for p in parts if isinstance(p, list) for r in p]
    if rows:
        from_rows.append(pd.DataFrame.from_records(rows))
    return frames + from_rows


def combine(batches: list[Batch]) -> list[Batch]:
    """Several files' batches as at most two, for a worker to send back: what `merge` makes of them
    equals what it makes of the many, row order included (the second batch holds the row dicts as a
    frame flagged so that `merge` puts it where the dicts would have gone)."""
    out = Batch()
    services: list[pd.DataFrame] = []
    for b in batches:
        out.rejected.extend(b.rejected)
        out.private_keys.extend(b.private_keys)
        out.bodies.update(b.bodies)
        out.notes.extend(b.notes)
        out.algorithms.extend(b.algorithms)
        out.revocations.extend(b.revocations)
        out.exercises.extend(b.exercises)
        if b.services is not None and len(b.services):
            services.append(b.services)
        if b.profile is not None:
            out.profile = {**(out.profile or {}), **b.profile}
            out.profile_source = "; ".join(filter(None, (out.profile_source, b.profile_source)))
        if b.policy is not None:
            out.policy = {**(out.policy or {}), **b.policy}
    rows = Batch()
    for name in ("certificates", "observations"):
        parts = [getattr(b, name) for b in batches]
        frames = [p for p in parts if isinstance(p, pd.DataFrame) and len(p)]
        if frames:
            setattr(out, name, frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True))
        dicts = [r for p in parts if isinstance(p, list) for r in p]
        if dicts:
            frame = pd.DataFrame.from_records(dicts)
            frame.attrs[_FROM_ROWS] = True
            setattr(rows, name, frame)
    if services:
        out.services = pd.concat(services, ignore_index=True)
    return [out, rows] if len(rows.certificates) or len(rows.observations) else [out]


def merge(batches: list[Batch], base: Inventory | None = None) -> Inventory:
    """One Inventory from the batches: certificates merged and deduplicated, observations kept, every
    rejection, private key, body, profile.yaml and policy.yaml gathered. `base` contributes what was
    recorded before the batches (sources read, rejections of the walk, notes)."""
    base = base if base is not None else Inventory()
    cert_parts = _frames([b.certificates for b in batches])
    obs_parts = _frames([b.observations for b in batches])
    certs = (
        conform(pd.concat(cert_parts, ignore_index=True), CERTIFICATE_COLUMNS)
        if cert_parts
        else empty_frame(CERTIFICATE_COLUMNS)
    )
    obs = (
        conform(pd.concat(obs_parts, ignore_index=True), OBSERVATION_COLUMNS)
        if obs_parts
        else empty_frame(OBSERVATION_COLUMNS)
    )
    services = base.services
    parts = [b.services for b in batches if b.services is not None and len(b.services)]
    if parts:
        svc = pd.concat(parts, ignore_index=True).drop_duplicates("service", keep="first")
        services = conform(svc, SERVICE_COLUMNS)
    algorithms = base.algorithms
    rows = [row for b in batches for row in b.algorithms]
    if rows:
        algorithms = conform(pd.DataFrame.from_records(rows), ALGORITHM_COLUMNS)
    profile: dict[str, Any] = {}
    profile_sources: list[str] = []
    policy: dict[str, Any] = dict(base.policy)
    bodies = dict(base.bodies)
    for b in batches:
        bodies.update(b.bodies)
        if b.profile is not None:
            profile.update(b.profile)
            profile_sources.append(b.profile_source or "profile.yaml")
        if b.policy is not None:
            policy.update(b.policy)
    certs, obs = _reconcile(certs, obs)
    certs = _dedupe(certs)
    certs = _derive(certs)
    certs = root_program_trust(_link_issuers(certs), bodies)
    certs = _propagate_trust(certs)
    certs, crl_notes = apply_revocations(certs, [r for b in batches for r in b.revocations], bodies)
    return replace(
        base,
        certificates=certs.reset_index(drop=True),
        observations=obs.reset_index(drop=True),
        services=services,
        algorithms=algorithms,
        rejected=(*base.rejected, *(r for b in batches for r in b.rejected)),
        private_keys=(*base.private_keys, *(k for b in batches for k in b.private_keys)),
        bodies=bodies,
        profile=parse_profile(profile, source="; ".join(profile_sources))
        if profile_sources
        else base.profile,
        policy=policy,
        notes=(*base.notes, *(n for b in batches for n in b.notes), *crl_notes),
        exercises=tuple(
            sorted(
                (*base.exercises, *(e for b in batches for e in b.exercises)), key=lambda e: (e.held_on, e.id)
            )
        ),
    )


def apply_revocations(
    certs: pd.DataFrame, revocations: list[dict[str, Any]], bodies: Mapping[str, bytes] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Mark the certificates an ingested CRL of their issuer lists: same serial, and the CRL's issuer DN
    equal to the certificate's issuer DN (RFC 5280 §5.1.2.3) or, when both are known, its AKI equal to the
    certificate's. The earliest revocation wins when several CRLs list one certificate.

    Each CRL's signature is checked against the CA certificates of the inventory named as its issuer
    (`bodies`): a CRL that does not verify is ignored; one whose issuer is not in the inventory still marks
    the certificates it lists (a revocation claim is never hidden), but no certificate is taken as *not*
    revoked on its word. Returns the certificates and a note per CRL that was not verified."""
    if not revocations or certs.empty:
        return certs, []
    crl = pd.DataFrame.from_records(revocations)
    crl, verified, notes = _checked(crl, certs, bodies or {})
    if crl.empty:
        return certs, notes
    crl["revoked_at"] = pd.to_datetime(crl["revoked_at"], utc=True)
    crl = crl.sort_values("revoked_at", kind="stable")
    certs = certs.copy()
    # a certificate whose issuer's verified CRL was read and does not list it is known not revoked
    covered = certs["issuer_dn"].isin(verified).fillna(False).astype(bool)
    certs.loc[covered & certs["revoked"].isna(), "revoked"] = False
    serial = certs["serial"].astype("string").str.lower().str.lstrip("0").replace("", "0")
    hits: list[pd.DataFrame] = []
    for left, right in (("issuer_dn", "issuer_dn"), ("authority_key_id", "authority_key_id")):
        keys = crl.dropna(subset=[right])
        if right == "authority_key_id":
            # by key identifier alone only for a verified CRL: an identifier is public (every leaf names its
            # issuer's), so an unverified CRL could claim any CA's certificates with it
            keys = keys[keys["verified"].to_numpy(dtype=bool)]
        if keys.empty:
            continue
        table = pd.DataFrame(
            {"k": keys[right].astype(str) + "|" + keys["serial"].astype(str), "i": range(len(keys))}
        ).drop_duplicates("k")
        cert_key = certs[left].astype("string") + "|" + serial
        at = cert_key.map(pd.Series(table["i"].to_numpy(), index=table["k"].to_numpy()))
        found = at.notna()
        if found.any():
            rows = keys.iloc[at[found].astype(int).to_numpy()]
            # a CRL's key identifier and the certificate's must agree wherever both are known: same name,
            # another key is another CA
            cert_aki = certs["authority_key_id"].astype("string")[found.to_numpy(dtype=bool)]
            crl_aki = rows["authority_key_id"].astype("string")
            cert_aki, crl_aki = cert_aki.reset_index(drop=True), crl_aki.reset_index(drop=True)
            agree = (
                (cert_aki.isna() | crl_aki.isna() | cert_aki.eq(crl_aki)).fillna(False).to_numpy(dtype=bool)
            )
            rows = rows[agree]
            found = found.copy()
            found[found.to_numpy(dtype=bool)] = agree
            hits.append(
                pd.DataFrame(
                    {
                        "pos": np.flatnonzero(found.to_numpy()),
                        "revoked_at": rows["revoked_at"].to_numpy(),
                        "reason": rows["revocation_reason"].to_numpy(),
                    }
                )
            )
    if not hits:
        return certs, notes
    found_rows = pd.concat(hits).drop_duplicates("pos")
    pos = found_rows["pos"].to_numpy()
    certs.loc[certs.index[pos], "revoked"] = True
    certs.loc[certs.index[pos], "revoked_at"] = found_rows["revoked_at"].to_numpy()
    certs.loc[certs.index[pos], "revocation_reason"] = found_rows["reason"].astype("string").to_numpy()
    return certs, notes


def _checked(
    crl: pd.DataFrame, certs: pd.DataFrame, bodies: Mapping[str, bytes]
) -> tuple[pd.DataFrame, set[str], list[str]]:
    """The entries of the CRLs that are not refuted by their issuer's certificate, the issuer DNs of the
    verified ones, and a note for each CRL not verified."""
    if "crl_der" not in crl:
        crl["crl_der"] = None
    cas = certs[certs["is_ca"].fillna(False).astype(bool)]
    keep: np.ndarray = np.ones(len(crl), dtype=bool)
    crl["verified"] = False
    verified: set[str] = set()
    notes: list[str] = []
    for source, rows in crl.groupby("crl", sort=False, dropna=False).indices.items():
        first = crl.iloc[rows[0]]
        der, issuer, aki = first["crl_der"], first["issuer_dn"], first["authority_key_id"]
        # every CA the CRL could claim to be: by name, or by key identifier (a forged CRL may name one and
        # point at another); if any of them is in the inventory, one of them must verify it
        named = cas["subject_dn"].eq(issuer).fillna(False).astype(bool)
        if isinstance(aki, str) and aki:
            named |= cas["subject_key_id"].eq(aki).fillna(False).astype(bool)
        issuers = [bodies[c] for c in cas.loc[named.to_numpy(dtype=bool), "cert_id"] if c in bodies]
        state = check_signature(der, issuers) if isinstance(der, bytes) else CrlCheck.UNVERIFIED
        if state is CrlCheck.VERIFIED:
            verified.add(str(issuer))
            crl.iloc[rows, crl.columns.get_loc("verified")] = True
        elif state is CrlCheck.BAD:
            keep[rows] = False
            notes.append(
                f"{source}: CRL of {issuer}: its signature does not verify with the issuer's certificate in the "
                f"inventory; its {len(rows)} entries are ignored"
            )
        else:
            notes.append(
                f"{source}: CRL of {issuer}: signature not verified (the issuer's certificate is not in the "
                f"inventory); its {len(rows)} entries mark certificates revoked, none is taken as not revoked"
            )
    return crl[keep].reset_index(drop=True), verified, notes


def _issuer_key(certs: pd.DataFrame) -> pd.Series:
    return certs["issuer_name"].str.lower().str.strip() + "|" + certs["serial"]


def _reconcile(certs: pd.DataFrame, obs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table row naming the issuer and serial of a known certificate is that certificate.

    Known: parsed from a body, or a row carrying the SHA-256 fingerprint (its cert_id is then the body's
    id already). So a spreadsheet row without a fingerprint merges with a scanner row that has one.
    """
    body = certs["has_body"].fillna(False).astype(bool) | certs["cert_id"].str.startswith("sha256:").fillna(
        False
    ).astype(bool)
    if not body.any() or body.all():
        return certs, obs
    key = _issuer_key(certs)
    # parsed bodies first, so that their issuer spelling wins over a table's
    order = (
        certs["has_body"].fillna(False).astype(bool)[body].sort_values(ascending=False, kind="stable").index
    )
    by_key = pd.Series(certs.loc[order, "cert_id"].to_numpy(), index=key[order].to_numpy())
    by_key = by_key[~by_key.index.duplicated() & by_key.index.notna()]
    if "fingerprint_sha1" in certs:
        by_sha1 = certs.loc[body].dropna(subset=["fingerprint_sha1"]).drop_duplicates("fingerprint_sha1")
        sha1_map = pd.Series(by_sha1["cert_id"].to_numpy(), index=by_sha1["fingerprint_sha1"].to_numpy())
    # a source that names the issuer by its organization only (ACM says "Amazon" for the CA "Amazon RSA
    # 2048 M02") still names one certificate together with the serial
    org_key = certs["issuer_org"].str.lower().str.strip() + "|" + certs["serial"]
    pairs = pd.DataFrame({"k": org_key[order].to_numpy(), "id": certs.loc[order, "cert_id"].to_numpy()})
    pairs = pairs.dropna().drop_duplicates()
    pairs = pairs[~pairs["k"].duplicated(keep=False)]  # two certificates under one organization: ambiguous
    by_org = pd.Series(pairs["id"].to_numpy(), index=pairs["k"].to_numpy())
    rows = ~body
    new_ids = key[rows].map(by_key).astype("string")
    new_ids = new_ids.fillna(key[rows].map(by_org).astype("string"))
    new_ids = new_ids.fillna(certs.loc[rows, "fingerprint_sha1"].map(sha1_map).astype("string"))
    remap = pd.Series(new_ids.to_numpy(), index=certs.loc[rows, "cert_id"].to_numpy()).dropna()
    remap = remap[~remap.index.duplicated()]
    if remap.empty:
        return certs, obs
    certs = certs.copy()
    certs["cert_id"] = certs["cert_id"].map(remap).fillna(certs["cert_id"]).astype("string")
    obs = obs.copy()
    obs["cert_id"] = obs["cert_id"].map(remap).fillna(obs["cert_id"]).astype("string")
    return certs, obs


def _dedupe(certs: pd.DataFrame) -> pd.DataFrame:
    """One row per cert_id: parsed bodies first, then the first non-empty value of each column."""
    dup = certs["cert_id"].duplicated(keep=False)
    if not dup.any():
        return certs
    single = certs[~dup]
    multi = certs[dup].sort_values("has_body", ascending=False, kind="stable").reset_index(drop=True)
    codes, _ = pd.factorize(multi["cert_id"], use_na_sentinel=False)
    codes = np.asarray(codes, dtype=np.int64)
    k = int(codes.max(initial=-1)) + 1
    merged = pd.DataFrame(
        {c: _first_valid(multi[c], codes, k) if c != "cert_id" else None for c in multi.columns},
        index=pd.RangeIndex(k),
    )
    merged["cert_id"] = _first_valid(multi["cert_id"], codes, k)
    out = pd.concat([single, conform(merged, CERTIFICATE_COLUMNS)], ignore_index=True)
    return conform(out, CERTIFICATE_COLUMNS)


def _first_valid(col: pd.Series, codes: np.ndarray, k: int) -> pd.Series:
    """Per group 0..k-1 (groups numbered by first appearance): the first non-null value (groupby.first)."""
    rows = np.flatnonzero(col.notna().to_numpy())
    first: np.ndarray = np.full(k, -1, dtype=np.int64)
    if len(rows):
        groups, at = first_of_each(codes[rows])
        first[groups] = rows[at]
    return pd.Series(col.array.take(first, allow_fill=True), dtype=col.dtype)


def _lookup(keys: pd.Series, table_keys: pd.Series, values: pd.Series) -> pd.Series:
    """keys.map(dict(zip(table_keys, values))) for unique table keys, by one factorize (no hash index)."""
    m = len(table_keys)
    codes, _ = pd.factorize(pd.concat([table_keys, keys], ignore_index=True).astype("string"))
    codes = np.asarray(codes, dtype=np.int64)
    at = codes[m:]
    at = np.where((at >= 0) & (at < m), at, -1)
    # table keys are unique and non-null (callers drop both), so their codes are 0..m-1 in order
    got = values.astype("string").array.take(at, allow_fill=True)
    return pd.Series(got, index=keys.index, dtype="string")


def _derive(certs: pd.DataFrame) -> pd.DataFrame:
    missing = certs["validity_days"].isna() & certs["not_before"].notna() & certs["not_after"].notna()
    if missing.any():
        delta = (
            certs.loc[missing, "not_after"] - certs.loc[missing, "not_before"]
        ).dt.total_seconds() / 86400.0
        certs.loc[missing, "validity_days"] = delta
    certs["quantum_vulnerable"] = quantum_vulnerable(certs["key_algorithm"])
    no_trust = certs["trust"].isna()
    if no_trust.any():
        # Unknown stays unknown: only evidence makes a row public (a publicly trusted CA's name) or, through
        # _propagate_trust, takes the trust of the parsed certificates of the same issuer.
        issuer = (certs["issuer_name"].fillna("") + " " + certs["issuer_org"].fillna("")).str.lower()
        pattern = "|".join(m.replace(".", r"\.") for m in PUBLIC_CA_MARKERS)
        public = issuer.str.contains(pattern, regex=True) & no_trust
        certs.loc[public, "trust"] = "public"
    no_ca = certs["is_ca"].isna()
    if no_ca.any():
        certs.loc[no_ca, "is_ca"] = False
    return certs


def _propagate_trust(certs: pd.DataFrame) -> pd.DataFrame:
    """Rows that do not say their trust take it from the end-entity certificates parsed from bodies that
    name the same issuer (by name, case aside): a row issued by "R11" is public when R11's parsed leaves
    carry SCTs. Rows whose issuer has no parsed leaf stay unknown."""
    no_trust = certs["trust"].isna()
    if not no_trust.any():
        return certs
    key = certs["issuer_name"].astype("string").str.casefold()
    known = certs["has_body"].fillna(False).astype(bool) & ~certs["is_ca"].fillna(False).astype(bool)
    evidence = pd.DataFrame({"key": key[known], "trust": certs.loc[known, "trust"]}).dropna()
    public = set(evidence.loc[evidence["trust"] == "public", "key"])
    private = set(evidence.loc[evidence["trust"] == "private", "key"]) - public
    certs.loc[no_trust & key.isin(public).fillna(False), "trust"] = "public"
    certs.loc[no_trust & key.isin(private).fillna(False), "trust"] = "private"
    return certs


def _link_issuers(certs: pd.DataFrame) -> pd.DataFrame:
    """issuer_cert_id by AKI→SKI, else issuer DN→subject DN, else issuer name→CA common name.

    Several candidates (re-keyed or cross-signed CAs) resolve to the one valid longest; the graph keeps
    every candidate and verifies signatures.
    """
    cas = certs[certs["is_ca"].fillna(False).astype(bool)].sort_values("not_after", ascending=False)
    if cas.empty:
        return certs
    out = certs["issuer_cert_id"].copy()
    self_signed = certs["is_self_signed"].fillna(False).astype(bool)
    for left, right in (("authority_key_id", "subject_key_id"), ("issuer_dn", "subject_dn")):
        if certs[left].isna().all():
            continue
        lut = cas.dropna(subset=[right]).drop_duplicates(right)
        out = out.fillna(_lookup(certs[left], lut[right], lut["cert_id"]))
    lut = (
        cas.dropna(subset=["common_name"])
        .assign(k=lambda d: d["common_name"].str.lower())
        .drop_duplicates("k")
    )
    out = out.fillna(_lookup(certs["issuer_name"].str.lower(), lut["k"], lut["cert_id"]))
    out = out.mask(self_signed | (out == certs["cert_id"]))
    certs["issuer_cert_id"] = out.astype("string")
    return certs
