"""The inventory as the analysis sees it: per-certificate masks computed once, and the headline measures.

Every number a reader can compare across outputs (expired-but-deployed, owner coverage, deprecated
cryptography, quantum-vulnerable share, automated renewal …) is defined here, once, as a mask over the
certificate facts. The criteria (metrics.py), the risk findings (risks.py) and the report's tiles all
count the same masks, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from cmmm.crypto import DEPRECATED_HASHES, MIN_EC_BITS, MIN_RSA_BITS, quantum_vulnerable
from cmmm.model import (
    AUTOMATED,
    AUTOMATED_DISCOVERY,
    CRITICALITY_RANK,
    Criticality,
    Inventory,
    PrivateKeyFinding,
    Profile,
    SourceRecord,
    isin,
    remap,
)
from cmmm.policy import PolicyResult, Severity

# "High or critical" services: the ones a risk escalates on.
HIGH_RANK = CRITICALITY_RANK[Criticality.HIGH]


@dataclass(frozen=True, slots=True)
class Share:
    """`count` of `of`: a share that knows when there is nothing to divide (value None, never 0 %).

    `unknown` of the `of` could not be judged (the field needed is missing): they are neither in `count`
    nor proven outside it, and every rendering shows them ("16 % quantum-vulnerable, 84 % unknown").
    """

    count: int
    of: int
    unknown: int = 0

    @property
    def value(self) -> float | None:
        return self.count / self.of if self.of else None

    @property
    def unknown_share(self) -> float | None:
        return self.unknown / self.of if self.of else None


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a criterion's population the needed field is known for: "key algorithm known for 12 of
    76 certificates". Below the criterion's coverage threshold the criterion is unknown, not judged."""

    field: str  # "key algorithm", "key algorithm read from a certificate body"
    known: int
    of: int
    population: str  # "certificates", "unexpired public end-entity certificates"

    @property
    def share(self) -> float | None:
        return self.known / self.of if self.of else None

    @property
    def text(self) -> str:
        return f"{self.field} known for {self.known:,} of {self.of:,} {self.population}"


class MetricContext:
    """The inventory as the metrics see it: facts indexed by cert_id, shared masks computed once."""

    def __init__(
        self,
        facts: pd.DataFrame,
        observations: pd.DataFrame,
        *,
        now: datetime,
        policy: PolicyResult,
        observed_at: datetime | None = None,
        private_keys: Sequence[PrivateKeyFinding] = (),
        sources: Sequence[SourceRecord] = (),
        inventory: Inventory | None = None,
        profile: Profile | None = None,
    ) -> None:
        self.facts = facts.set_index(pd.Index(facts["cert_id"].astype(object), name=None), drop=False)
        self.observations = observations
        self.now = now
        self.observed_at = min(observed_at, now) if observed_at is not None else now
        self.policy = policy
        self.private_keys = private_keys
        self.sources = sources
        self.inventory = inventory  # for the criteria that read the CA hierarchy
        self.profile = profile if profile is not None else Profile()

    def _bool(self, values: pd.Series) -> pd.Series:
        return values.fillna(False).astype(bool)

    @cached_property
    def everything(self) -> pd.Series:
        return pd.Series(True, index=self.facts.index)

    @cached_property
    def leaf(self) -> pd.Series:
        return ~self._bool(self.facts["is_ca"])

    @cached_property
    def expired(self) -> pd.Series:
        """Expired when the inventory was taken (observed_at, normally `now`). Looking ahead to a later
        `now`, certificates expiring in between are assumed renewed as they are today — by their client or
        by people — so the dated rules (the next CA/B cap, the age of attested dates) are what changes."""
        return self._bool(self.facts["not_after"] < self.observed_at)

    def expiring_within(self, days: int) -> pd.Series:
        """Unexpired at observed_at and expiring within `days` of it."""
        soon = self._bool(self.facts["not_after"] < self.observed_at + timedelta(days=days))
        return soon & ~self.expired

    @cached_property
    def unexpired(self) -> pd.Series:
        return ~self.expired

    @cached_property
    def active_leaf(self) -> pd.Series:
        return self.leaf & ~self.expired

    @cached_property
    def automated(self) -> pd.Series:
        return self.facts["automation"].isin([a.value for a in AUTOMATED]).astype(bool)

    @cached_property
    def public(self) -> pd.Series:
        return self._bool(self.facts["trust"] == "public")

    @cached_property
    def deployed(self) -> pd.Series:
        """Seen at a host or endpoint (an observation with a location other than the file that listed it)."""
        return self.facts["endpoints"].fillna(0).astype("int64") > 0

    @cached_property
    def high_criticality(self) -> pd.Series:
        rank = remap(self.facts["criticality"], CRITICALITY_RANK).astype("float64").fillna(0)
        return rank >= HIGH_RANK

    @cached_property
    def owner_known(self) -> pd.Series:
        return self.facts["owner"].notna() | self.facts["team"].notna()

    @cached_property
    def methods(self) -> pd.Series:
        """Per certificate: the ';'-joined discovery methods (empty string when none)."""
        return self.facts["discovered_by"].fillna("").astype(str)

    @cached_property
    def auto_discovered(self) -> pd.Series:
        """Seen by an automated discovery method, or managed by an automated issuance client (an ACME
        client, cert-manager or a cloud certificate manager keeps its own inventory of what it renews)."""
        pattern = "|".join(sorted(m.value for m in AUTOMATED_DISCOVERY))
        seen = self.methods.str.contains(rf"(?:^|;)(?:{pattern})(?:;|$)", regex=True).astype(bool)
        return seen | self.automated

    @cached_property
    def deprecated_hash(self) -> pd.Series:
        """Signed with MD2/MD5/SHA-1 (crypto.DEPRECATED_HASHES); a self-signed anchor's own signature excepted."""
        f = self.facts
        bad = self._bool(f["signature_hash"].str.lower().isin(DEPRECATED_HASHES))
        return bad & ~self._bool(f["is_self_signed"])

    @cached_property
    def weak_key(self) -> pd.Series:
        """A key known to be too weak: RSA < 2048, ECDSA < 256 bits, or DSA. An unknown size is not weak:
        it is unknown (see crypto_unknown)."""
        f = self.facts
        alg = f["key_algorithm"].fillna("").astype(str).str.upper()
        size = f["key_size"].astype("float64")
        rsa = (alg == "RSA") & (size < MIN_RSA_BITS)
        ec = (alg == "EC") & (size < MIN_EC_BITS)
        return self._bool(rsa | ec) | (alg == "DSA")

    @cached_property
    def deprecated_crypto(self) -> pd.Series:
        return self.deprecated_hash | self.weak_key

    @cached_property
    def key_unknown(self) -> pd.Series:
        """The key algorithm is not known (nothing can be said about its strength or quantum safety)."""
        alg = self.facts["key_algorithm"]
        return self._bool(alg.isna() | (alg == "unknown"))

    @cached_property
    def verified(self) -> pd.Series:
        """Read from a certificate body (a file, a store, an API that returns the certificate, or a live
        handshake); the rest was declared (typed in a spreadsheet or an export without the body)."""
        return self._bool(self.facts["has_body"])

    @cached_property
    def expiry_known(self) -> pd.Series:
        return self._bool(self.facts["not_after"].notna())

    @cached_property
    def trust_known(self) -> pd.Series:
        return self._bool(self.facts["trust"].notna())

    @cached_property
    def automation_known(self) -> pd.Series:
        return self._bool(self.facts["automation"].notna())

    @cached_property
    def crypto_known(self) -> pd.Series:
        """Enough is known to judge the key and the signature: the key algorithm, the key size where the
        algorithm has sizes (RSA, EC, DSA), and the signature hash (unless self-signed, whose own signature
        does not count)."""
        f = self.facts
        alg = f["key_algorithm"].fillna("").astype(str).str.upper()
        sized = alg.isin(["RSA", "EC", "DSA"])
        size_ok = ~sized | self._bool(f["key_size"].notna())
        hash_ok = self._bool(f["signature_hash"].notna()) | self._bool(f["is_self_signed"])
        return ~self.key_unknown & size_ok & hash_ok

    def known(self, mask: pd.Series, *, verified: bool) -> pd.Series:
        """`mask`, and read from a certificate body when the rule counts verified evidence only."""
        return mask & self.verified if verified else mask

    @cached_property
    def quantum_vulnerable(self) -> pd.Series:
        """A quantum-vulnerable key (RSA, ECDSA, EdDSA, DSA). Frames built without the merge's derived
        column get it from the key algorithm."""
        f = self.facts
        return self._bool(f["quantum_vulnerable"].fillna(quantum_vulnerable(f["key_algorithm"])))

    @cached_property
    def methods_seen(self) -> set[str]:
        """Every discovery method that saw at least one certificate (split over the distinct combinations)."""
        combos = self.facts["discovered_by"].dropna().astype(str).unique()
        return {m for combo in combos for m in combo.split(";") if m}

    @cached_property
    def policy_error(self) -> pd.Series:
        errors = self.policy.findings.loc[self.policy.findings["severity"] == Severity.ERROR.value, "cert_id"]
        ids = self.facts["cert_id"].astype("string")  # the index holds the same ids, as Python objects
        wanted = errors.astype("string").dropna().drop_duplicates()  # a missing id is no certificate's
        return pd.Series(isin(ids, wanted), index=self.facts.index)

    def ids(self, mask: pd.Series) -> np.ndarray:
        return mask.to_numpy(dtype=bool)

    def share(self, ok: pd.Series, population: pd.Series, unknown: pd.Series | None = None) -> Share:
        lost = 0 if unknown is None else int((unknown & population).sum())
        return Share(int((ok & population).sum()), int(population.sum()), lost)

    def coverage(self, known: pd.Series, population: pd.Series, field: str, of: str) -> Coverage:
        return Coverage(
            field=field, known=int((known & population).sum()), of=int(population.sum()), population=of
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Measures:
    """The headline numbers, each one the count of a MetricContext mask (see the field comments).

    Shares say what they are of; an empty population gives a share whose value is None ("nothing to
    measure"), never 0 %.
    """

    certificates: int
    end_entity: int
    expired: int  # notAfter before observed_at
    expiring_30: int  # unexpired, notAfter within 30 days
    expiring_90: int
    expired_deployed: Share  # expired yet still seen at an endpoint, of all certificates
    expired_deployed_high: int  # … of them on high or critical services
    owner_known: Share  # end-entity certificates with an owner or team
    automated: Share  # unexpired end-entity certificates renewed by an automated method
    expiring_30_manual: int  # unexpired, expiring within 30 days, no automated renewal
    deprecated: Share  # unexpired certificates (CAs included) with deprecated hash or weak key
    deprecated_hash: int
    weak_key: int
    quantum_vulnerable: Share  # unexpired certificates with a quantum-vulnerable key
    key_unknown: Share  # unexpired certificates whose key algorithm is unknown
    quantum_vulnerable_critical: int  # … of them on critical services
    public_manual: Share  # unexpired public end-entity certificates renewed by hand
    auto_discovered: Share  # certificates seen by automated discovery or managed by an automated client


def measure(ctx: MetricContext) -> Measures:
    """The headline measures of the inventory at the context's dates."""
    unexpired = ctx.unexpired
    deprecated = unexpired & ctx.deprecated_crypto
    vulnerable = unexpired & ctx.quantum_vulnerable
    critical = ctx.facts["criticality"].eq(Criticality.CRITICAL.value).fillna(False).astype(bool)
    public_leaf = ctx.active_leaf & ctx.public
    deployed = ctx.expired & ctx.deployed
    return Measures(
        certificates=len(ctx.facts),
        end_entity=int(ctx.leaf.sum()),
        expired=int(ctx.expired.sum()),
        expiring_30=int(ctx.expiring_within(30).sum()),
        expiring_90=int(ctx.expiring_within(90).sum()),
        expired_deployed=ctx.share(deployed, ctx.everything),
        expired_deployed_high=int((deployed & ctx.high_criticality).sum()),
        owner_known=ctx.share(ctx.owner_known, ctx.leaf),
        automated=ctx.share(ctx.automated, ctx.active_leaf, ~ctx.automation_known),
        expiring_30_manual=int((ctx.expiring_within(30) & ~ctx.automated).sum()),
        deprecated=ctx.share(deprecated, unexpired, ~ctx.crypto_known),
        deprecated_hash=int((unexpired & ctx.deprecated_hash).sum()),
        weak_key=int((unexpired & ctx.weak_key).sum()),
        quantum_vulnerable=ctx.share(vulnerable, unexpired, ctx.key_unknown),
        key_unknown=ctx.share(ctx.key_unknown, unexpired),
        quantum_vulnerable_critical=int((vulnerable & critical).sum()),
        public_manual=ctx.share(~ctx.automated, public_leaf),
        auto_discovered=ctx.share(ctx.auto_discovered, ctx.everything),
    )
