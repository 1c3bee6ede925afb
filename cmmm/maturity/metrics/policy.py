"""Policy & compliance: weak public cryptography, policy findings, the next validity cap, exposed private
keys, wildcard sprawl, key reuse and the serverAuth-only rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cmmm.maturity.measures import MetricContext
from cmmm.maturity.metrics._common import (
    Judged,
    Measurement,
    judged_count,
    judged_share,
    verified,
)
from cmmm.maturity.metrics.agility import DEPRECATED_TEXT
from cmmm.model import isin
from cmmm.policy import Severity
from cmmm.schedules import SUNSETS_BY_ID, next_validity_cap, validity_cap_on

# Inputs in which private keys can be found: certificate files, keystores, Kubernetes Secrets, Vault exports.
KEY_BEARING_INGESTERS = frozenset({"pem", "der", "pkcs12", "kubernetes", "vault-pki"})
# Where a key found in clear is an exposure; a Kubernetes Secret is the platform's own key store (its CA
# keys are judged by pol.hsm-ca-keys instead).
EXPOSED_STORES = frozenset({"file", "keystore", "export"})
_CLIENT_AUTH = r"clientauth|client authentication|1\.3\.6\.1\.5\.5\.7\.3\.2|anyextendedkeyusage"


def pol_no_weak_public(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired public end-entity certificates with deprecated hashes, RSA < 2048, ECDSA < 256 or DSA;
    certificates of unknown trust may be public, and unknown key or signature data is not judged."""
    population = ctx.active_leaf & (ctx.public | ~ctx.trust_known)
    bad = population & ctx.public & ctx.deprecated_crypto
    good = ctx.public & ctx.known(ctx.crypto_known, verified=verified(params)) & ~ctx.deprecated_crypto
    return judged_count(
        ctx,
        Judged(
            population=population,
            good=good,
            bad=bad,
            what=f"unexpired public certificates with {DEPRECATED_TEXT}",
            field="trust, key algorithm, key size and signature hash",
            of="unexpired end-entity certificates that are or may be public",
            empty="no unexpired public end-entity certificates",
        ),
    )


def pol_compliance(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates without an error-level policy finding, among those whose key and signature
    could be checked (read from the certificate when the rule says verified)."""
    findings = ctx.policy.findings
    m = judged_share(
        ctx,
        Judged(
            population=ctx.everything,
            good=ctx.known(ctx.crypto_known, verified=verified(params)) & ~ctx.policy_error,
            bad=ctx.policy_error,
            what="certificates compliant (no error-level finding)",
            field="key and signature" + (" read from the certificate" if verified(params) else ""),
            of="certificates",
        ),
    )
    if m.value is None:
        return m
    top = findings.loc[findings["severity"] == Severity.ERROR.value, "code"].value_counts().head(4)
    codes = ", ".join(f"{k} {v:,}" for k, v in top.items())
    # Warnings (owner missing, issuer unknown) do not make a certificate non-compliant, but the evidence
    # says so, so that a high share never hides a policy rule that is being broken.
    warn = findings.loc[findings["severity"] == Severity.WARNING.value, "code"].value_counts().head(3)
    warnings_text = ", ".join(f"{k} {v:,}" for k, v in warn.items())
    return Measurement(
        value=m.value,
        evidence=f"{m.evidence} with policy '{ctx.policy.policy_name}'"
        + (f"; errors: {codes}" if codes else "")
        + (f"; warnings, not counted: {warnings_text}" if warnings_text else ""),
        failing=m.failing,
        coverage=m.coverage,
        worst=m.worst,
        best=m.best,
    )


def pol_compliance_enforced(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates without an error-level policy finding."""
    return pol_compliance(ctx, params)


def pol_compliance_complete(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of certificates without an error-level policy finding."""
    return pol_compliance(ctx, params)


def pol_cap_ready(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Share of unexpired public end-entity certificates automated or within the next CA/B cap."""
    day = ctx.now.date()
    cap = next_validity_cap(day) or validity_cap_on(day)
    validity = ctx.facts["validity_days"].astype("float64")
    fits = pd.Series(np.ceil(validity.to_numpy() - 1e-9) <= cap.max_days, index=ctx.facts.index)
    too_long = validity.notna().fillna(False).astype(bool) & ~fits
    m = judged_share(
        ctx,
        Judged(
            population=ctx.active_leaf & (ctx.public | ~ctx.trust_known),
            good=ctx.public & (ctx.automated | fits),
            bad=ctx.public & ctx.automation_known & ~ctx.automated & too_long,
            what=f"public certificates automated or ≤ {cap.max_days} days",
            field="trust, renewal method and validity",
            of="unexpired end-entity certificates that are or may be public",
            empty=f"no unexpired public end-entity certificates (next cap {cap.max_days} days)",
        ),
    )
    if m.value is None:
        return m
    return Measurement(
        value=m.value,
        evidence=f"{m.evidence}; next cap: {cap.max_days} days for certificates issued from {cap.effective}",
        failing=m.failing,
        coverage=m.coverage,
        worst=m.worst,
        best=m.best,
    )


def pol_no_exposed_keys(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Private keys found unencrypted in files, keystores or saved exports among the inputs. Unknown when no
    input that could hold keys was read."""
    readers = sum(1 for s in ctx.sources if s.ingester in KEY_BEARING_INGESTERS)
    if readers == 0:
        return Measurement(
            value=None,
            evidence="no evidence: no certificate files, keystores, Kubernetes Secrets or Vault exports were "
            "read, where private keys could be found",
        )
    exposed = [
        k for k in ctx.private_keys if not k.encrypted and not k.referenced and k.store in EXPOSED_STORES
    ]
    where = "; ".join(f"{k.path} ({k.locator}, {k.key_type})" for k in exposed[:3])
    more = f" and {len(exposed) - 3} more" if len(exposed) > 3 else ""
    text = f"{len(exposed):,} unencrypted private keys in files, keystores or exports ({readers:,} key-bearing inputs read)"
    return Measurement(value=float(len(exposed)), evidence=text + (f": {where}{more}" if exposed else ""))


def _wildcard(ctx: MetricContext) -> pd.Series:
    f = ctx.facts
    names = f["common_name"].fillna("").astype(str) + ";" + f["sans"].fillna("").astype(str)
    return names.str.contains(r"(?:^|;)\*\.", regex=True).astype(bool)


def _spread(ctx: MetricContext, column: str, among: pd.Series) -> pd.Series:
    """Per certificate: how many distinct non-empty `column` values its observations carry (counted for the
    certificates of `among` only, 0 for the others: the observations of a million certificates are not
    grouped to judge a few hundred wildcards)."""
    ids = ctx.facts.loc[among.to_numpy(dtype=bool), "cert_id"]
    obs = ctx.observations[["cert_id", column]]
    obs = obs[isin(obs["cert_id"], ids)].dropna()
    counts = obs.drop_duplicates().groupby("cert_id", sort=False).size()
    return ctx.facts["cert_id"].map(counts).fillna(0).astype("int64").set_axis(ctx.facts.index)


def pol_wildcards_limited(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired wildcard certificates deployed on more than `max_services` services or `max_hosts` hosts
    (one key shared across systems: one compromise exposes them all)."""
    max_services, max_hosts = int(params.get("max_services", 1)), int(params.get("max_hosts", 10))
    if not ctx.deployed.any():
        return Measurement(value=None, evidence="no evidence: no certificate was seen at a host or endpoint")
    wild = ctx.unexpired & ctx.leaf & _wildcard(ctx) & ctx.deployed
    services, hosts = _spread(ctx, "service", wild), _spread(ctx, "host", wild)
    bad = wild & ((services > max_services) | (hosts > max_hosts))
    n_wild = int(wild.sum())
    return Measurement(
        value=float(bad.sum()),
        evidence=f"{int(bad.sum()):,} of {n_wild:,} deployed wildcard certificates are on more than "
        f"{max_services} service(s) or {max_hosts} hosts",
        failing=ctx.ids(bad),
    )


def _names(ctx: MetricContext, mask: pd.Series) -> pd.DataFrame:
    """(cert_id, key_id, name) for the certificates of `mask`: common name and SANs, lower-case."""
    f = ctx.facts.loc[mask.to_numpy(dtype=bool), ["cert_id", "key_id", "common_name", "sans"]]
    joined = f["common_name"].fillna("").astype(str) + ";" + f["sans"].fillna("").astype(str)
    out = f[["cert_id", "key_id"]].assign(name=joined.str.lower().str.split(";")).explode("name")
    return out[out["name"].fillna("").str.len() > 0].drop_duplicates()


def pol_no_key_reuse(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired end-entity certificates sharing one public key with a certificate for unrelated names (no
    name common to all of them) or another service. Renewals that keep the key for the same names pass."""
    key_known = ctx.facts["key_id"].notna().fillna(False).astype(bool)
    population = ctx.unexpired & ctx.leaf
    keyed = population & key_known
    f = ctx.facts.loc[keyed.to_numpy(dtype=bool), ["key_id", "cert_id", "service"]]
    sizes = f.groupby("key_id", sort=False)["cert_id"].transform("size")
    shared = f.loc[sizes.to_numpy() > 1]
    reused: set[str] = set()
    if not shared.empty:
        mask = ctx.facts["cert_id"].isin(shared["cert_id"]).to_numpy(dtype=bool)
        names = _names(ctx, pd.Series(mask, index=ctx.facts.index))
        per_name = names.groupby(["key_id", "name"], sort=False)["cert_id"].nunique()
        common = per_name.groupby(level=0).max()
        group_size = shared.groupby("key_id", sort=False)["cert_id"].nunique()
        services = shared.groupby("key_id", sort=False)["service"].nunique()
        unrelated = group_size.index[
            (common.reindex(group_size.index).fillna(0) < group_size) | (services > 1)
        ]
        reused = set(shared.loc[shared["key_id"].isin(unrelated), "cert_id"])
    bad = ctx.facts["cert_id"].isin(reused).astype(bool)
    return judged_count(
        ctx,
        Judged(
            population=population,
            good=key_known & ~bad,
            bad=bad,
            what="certificates share their key with certificates for other names or services",
            field="public key (from the certificate)",
            of="unexpired end-entity certificates",
        ),
    )


def pol_serverauth_only(ctx: MetricContext, params: Mapping[str, Any]) -> Measurement:
    """Unexpired public end-entity certificates carrying clientAuth (or any) EKU: from the Chrome Root
    Program's serverAuth-only date they cannot be renewed as they are; mutual-TLS clients need a private CA."""
    rule = SUNSETS_BY_ID["chrome-serverauth-only"]
    eku = ctx.facts["ext_key_usage"]
    eku_known = ctx.known(eku.notna().fillna(False).astype(bool), verified=verified(params))
    client = eku.fillna("").astype(str).str.lower().str.contains(_CLIENT_AUTH, regex=True).astype(bool)
    population = ctx.active_leaf & (ctx.public | ~ctx.trust_known)
    return judged_count(
        ctx,
        Judged(
            population=population,
            good=ctx.public & eku_known & ~client,
            bad=ctx.public & client,
            what=f"public certificates carry clientAuth (serverAuth only from {rule.date}, {rule.source})",
            field="trust and extended key usage" + (" read from the certificate" if verified(params) else ""),
            of="unexpired end-entity certificates that are or may be public",
            empty="no unexpired public end-entity certificates",
        ),
    )
