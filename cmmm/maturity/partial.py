"""The headline numbers of an inventory too large for one process, as mergeable partials.

A partitioned dataset (cmmm.store's buckets by cert_id) keeps a certificate, its observations and its
body together, so every per-certificate fact, mask and policy finding of a bucket is the one the whole
inventory would give — provided the bucket sees the CA certificates its leaves chain to, which are few and
are broadcast to every bucket. A bucket's `Partial` counts only its own certificates; partials add up
(`merge`), so the census of the whole equals the census of its buckets summed, whatever the number of
buckets or workers. `census(inv)` is the in-process reference: the same code over one bucket that is
everything.

What merges exactly: the headline measures (every `Measures` field is a count or a Share of counts), the
policy's checked/compliant counts and findings per code and severity, the leaves issued directly by each CA
(concentration by issuing CA), the discovery methods seen. What does not, and is not here: the criteria
that need the whole inventory at once (quantiles, the service dependency closure, the drills).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from cmmm.graph.hierarchy import CaKind, Hierarchy, hierarchy
from cmmm.maturity.measures import Measures, MetricContext, Share, measure
from cmmm.model import Inventory, isin
from cmmm.policy import PolicyResult
from cmmm.policy import check as check_policy

TOP_ISSUERS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Partial:
    """One bucket's counts (its own certificates only); `merge` adds partials."""

    measures: Measures
    observations: int
    merged: int  # certificate rows merged away by the dedup (a certificate written twice)
    policy_checked: int
    policy_compliant: int
    findings: Mapping[tuple[str, str], int]  # (code, severity) → findings
    issued_leaves: Mapping[str, int]  # CA node id → end-entity certificates it signed directly
    ca_names: Mapping[str, tuple[int, str]]  # CA node id → (place of the row that names it, the name)
    methods: frozenset[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuerShare:
    ca_id: str
    name: str
    leaves: int
    share: Share  # of every end-entity certificate


@dataclass(frozen=True, slots=True, kw_only=True)
class Census:
    """The merged headline numbers: what `cmmm census` renders. `buckets` says how it was counted and is not
    part of the comparison: one inventory gives equal censuses in any number of buckets."""

    buckets: int = field(compare=False)
    observations: int
    merged: int
    measures: Measures
    policy_checked: int
    policy_compliant: Share
    findings: Mapping[tuple[str, str], int]
    issuing_cas: int  # CAs that signed at least one end-entity certificate directly
    top_issuers: tuple[IssuerShare, ...]
    methods: tuple[str, ...]


def _add(a: int | Share, b: int | Share) -> int | Share:
    """Two buckets' counts of one measure: counts add, and a Share adds its count, population and unknown."""
    if isinstance(a, Share) and isinstance(b, Share):
        return Share(a.count + b.count, a.of + b.of, a.unknown + b.unknown)
    assert isinstance(a, int) and isinstance(b, int)
    return a + b


def _sum_measures(parts: list[Measures]) -> Measures:
    total: dict[str, Any] = {f.name: getattr(parts[0], f.name) for f in fields(Measures)}
    for m in parts[1:]:
        total = {name: _add(v, getattr(m, name)) for name, v in total.items()}
    return Measures(**total)


def with_cas(
    bucket: Inventory,
    cas: pd.DataFrame,
    ca_bodies: Mapping[str, bytes],
    *,
    order: np.ndarray | None = None,
    ca_order: np.ndarray | None = None,
) -> tuple[Inventory, np.ndarray, np.ndarray]:
    """`bucket` with the broadcast CA rows (`cas`, and their bodies) it does not hold itself; a mask of its
    own certificates (the ones its partial counts); and every row's place in the whole inventory's order.
    With `order`/`ca_order` (each row's place in the dataset) the rows are sorted into that order, so the
    hierarchy picks a CA's name and its candidate issuers among the rows as the whole inventory would."""
    own_ids = bucket.certificates["cert_id"]
    keep = ~isin(cas["cert_id"], own_ids.astype(object).unique())
    extra = cas[keep]
    n = len(bucket.certificates)
    places = np.r_[
        np.arange(n) if order is None else order,
        np.arange(n, n + len(extra)) if ca_order is None else ca_order[keep],
    ].astype(np.int64)
    own = np.r_[np.ones(n, bool), np.zeros(len(extra), bool)]
    certs = pd.concat([bucket.certificates, extra], ignore_index=True) if len(extra) else bucket.certificates
    sort = np.argsort(places, kind="stable")
    if len(extra) or not np.array_equal(sort, np.arange(len(sort))):
        certs, own, places = certs.iloc[sort].reset_index(drop=True), own[sort], places[sort]
    wanted = set(extra["cert_id"].astype(str))
    bodies = {**{k: v for k, v in ca_bodies.items() if k in wanted}, **bucket.bodies}
    return replace(bucket, certificates=certs, bodies=bodies), own, places


def partial_of(
    inv: Inventory,
    own: np.ndarray | None = None,
    places: np.ndarray | None = None,
    *,
    now: datetime,
    observed_at: datetime | None = None,
    merged: int = 0,
) -> Partial:
    """The counts of `inv`'s certificates where `own` (default: all of them) at `now`; `places`: each row's
    place in the whole inventory (default: its position), which decides the name an issuer goes by."""
    certs = inv.certificates
    own = np.ones(len(certs), bool) if own is None else own
    places = np.arange(len(certs)) if places is None else places
    facts = inv.certificate_facts()
    policy = check_policy(inv, inv.policy, now=now, facts=facts)
    own_ids = certs["cert_id"][own].astype(object).unique()
    mine = policy.findings[isin(policy.findings["cert_id"], own_ids)]
    own_facts = facts[own].reset_index(drop=True)
    failing = mine.loc[mine["severity"] == "error", "cert_id"].nunique()
    checked = _checked(policy, facts, own)
    ctx = MetricContext(
        own_facts, inv.observations, now=now, policy=policy, observed_at=observed_at, inventory=inv
    )
    h = hierarchy(inv)
    leaf = ~certs["is_ca"].fillna(False).astype(bool).to_numpy()
    issuers = h.issuer[leaf & own].dropna().value_counts()
    return Partial(
        measures=measure(ctx),
        observations=int(isin(inv.observations["cert_id"], own_ids).sum()),
        merged=merged,
        policy_checked=checked,
        policy_compliant=checked - int(failing),
        findings=Counter(
            {(str(c), str(s)): int(n) for (c, s), n in mine.groupby(["code", "severity"]).size().items()}
        ),
        issued_leaves={str(k): int(v) for k, v in issuers.items()},
        ca_names=_named(inv, h, places, issuers.index),
        methods=frozenset(ctx.methods_seen),
    )


def _named(inv: Inventory, h: Hierarchy, places: np.ndarray, ids: pd.Index) -> dict[str, tuple[int, str]]:
    """Each issuing node's name and the place of the row it comes from. A known CA is named by its first CA
    certificate (rows every bucket holds, in the same order: place -1, any bucket's answer is the answer);
    an issuer known only by name, as the hierarchy names it, by the first certificate it issued — which may
    sit in another bucket, so `merge` keeps the name with the smallest place."""
    nodes = h.nodes.set_index("ca_id")
    unknown_ids = nodes.index[nodes["kind"].eq(CaKind.UNKNOWN.value).to_numpy(dtype=bool)]
    rows = np.flatnonzero(isin(h.issuer.astype("string"), pd.Series(unknown_ids, dtype="string")))
    first = (
        pd.DataFrame(
            {
                "ca": h.issuer.iloc[rows].astype(str).to_numpy(),
                "place": places[rows],
                "name": inv.certificates["issuer_name"]
                .iloc[rows]
                .astype("string")
                .fillna("(unnamed issuer)"),
            }
        )
        .sort_values("place", kind="stable")
        .drop_duplicates("ca")
        .set_index("ca")
    )
    out: dict[str, tuple[int, str]] = {}
    for k in ids:
        key = str(k)
        if key in first.index:
            out[key] = (int(first.at[key, "place"]), str(first.at[key, "name"]))
        else:
            out[key] = (-1, str(nodes["name"].get(k, "") or ""))
    return out


def _checked(policy: PolicyResult, facts: pd.DataFrame, own: np.ndarray) -> int:
    """The checked certificates among `own`: the policy checks every certificate of the inventory."""
    if policy.checked == len(facts):
        return int(own.sum())
    raise ValueError(
        f"the policy checked {policy.checked} of {len(facts)} certificates: cannot split by bucket"
    )


def merge(parts: Iterable[Partial], *, top: int = TOP_ISSUERS) -> Census:
    """Add the partials of the buckets of one inventory (in any order: the sums do not depend on it)."""
    parts = list(parts)
    if not parts:
        raise ValueError("nothing to merge: no bucket")
    findings: Counter[tuple[str, str]] = Counter()
    leaves: Counter[str] = Counter()
    named: dict[str, tuple[int, str]] = {}
    for p in parts:
        findings.update(p.findings)
        leaves.update(p.issued_leaves)
        for k, v in p.ca_names.items():
            named[k] = min(v, named.get(k, v))
    names = {k: name for k, (_, name) in named.items()}
    measures = _sum_measures([p.measures for p in parts])
    checked = sum(p.policy_checked for p in parts)
    ranked = sorted(leaves.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return Census(
        buckets=len(parts),
        observations=sum(p.observations for p in parts),
        merged=sum(p.merged for p in parts),
        measures=measures,
        policy_checked=checked,
        policy_compliant=Share(sum(p.policy_compliant for p in parts), checked),
        findings=dict(sorted(findings.items())),
        issuing_cas=len(leaves),
        top_issuers=tuple(
            IssuerShare(ca_id=k, name=names.get(k, ""), leaves=n, share=Share(n, measures.end_entity))
            for k, n in ranked
        ),
        methods=tuple(sorted(set().union(*(p.methods for p in parts)))),
    )


def census(inv: Inventory, *, now: datetime, observed_at: datetime | None = None) -> Census:
    """The census of a whole inventory in this process: one partial, merged (the partitioned path's
    reference)."""
    return merge([partial_of(inv, now=now, observed_at=observed_at)])
