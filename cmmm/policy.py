"""Certificate policy checks: policy.yaml (or the built-in baseline) → findings with stable codes.

Each check is one vectorized function over the certificate facts, registered under its code in CHECKS;
the catalog (code, severity, title) is what `cmmm checks` lists. The dated CA/Browser Forum validity caps
(ballot SC-081, BR §6.3.2) are a built-in rule set selected with `max_validity_days: {public: cabf}`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from cmmm.crypto import key_family
from cmmm.errors import InputError
from cmmm.model import Inventory, remap
from cmmm.schedules import PUBLIC_TLS_VALIDITY_CAPS


class Severity(StrEnum):
    ERROR = "error"  # a policy violation: counts against compliance
    WARNING = "warning"  # a weakness the policy asks to fix; does not count against compliance
    INFO = "info"  # the check could not be made (missing data)


class PolicyCode(StrEnum):
    KEY_ALGORITHM_NOT_ALLOWED = "policy.key_algorithm_not_allowed"
    KEY_SIZE_BELOW_MINIMUM = "policy.key_size_below_minimum"
    CURVE_NOT_ALLOWED = "policy.curve_not_allowed"
    KEY_ALGORITHM_UNKNOWN = "policy.key_algorithm_unknown"
    SIGNATURE_HASH_FORBIDDEN = "policy.signature_hash_forbidden"
    ISSUER_NOT_APPROVED = "policy.issuer_not_approved"
    ISSUER_UNKNOWN = "policy.issuer_unknown"
    VALIDITY_EXCEEDS_CABF_CAP = "policy.validity_exceeds_cabf_cap"
    VALIDITY_EXCEEDS_MAXIMUM = "policy.validity_exceeds_maximum"
    WILDCARD_NOT_ALLOWED = "policy.wildcard_not_allowed"
    OWNER_MISSING = "policy.owner_missing"


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyCheck:
    code: PolicyCode
    severity: Severity
    title: str
    applies_to: str  # which certificates the check reads


CATALOG: dict[PolicyCode, PolicyCheck] = {
    c.code: c
    for c in (
        PolicyCheck(
            code=PolicyCode.KEY_ALGORITHM_NOT_ALLOWED,
            severity=Severity.ERROR,
            title="Key algorithm not in allowed_key_algorithms",
            applies_to="all certificates with a known key algorithm",
        ),
        PolicyCheck(
            code=PolicyCode.KEY_SIZE_BELOW_MINIMUM,
            severity=Severity.ERROR,
            title="Key size below the algorithm's min_size",
            applies_to="all certificates",
        ),
        PolicyCheck(
            code=PolicyCode.CURVE_NOT_ALLOWED,
            severity=Severity.ERROR,
            title="Elliptic curve not in the algorithm's curves",
            applies_to="EC certificates with a known curve",
        ),
        PolicyCheck(
            code=PolicyCode.KEY_ALGORITHM_UNKNOWN,
            severity=Severity.INFO,
            title="Key algorithm unknown: key checks not possible",
            applies_to="all certificates",
        ),
        PolicyCheck(
            code=PolicyCode.SIGNATURE_HASH_FORBIDDEN,
            severity=Severity.ERROR,
            title="Signature hash in forbidden_signature_hashes",
            applies_to="all certificates except self-signed roots",
        ),
        PolicyCheck(
            code=PolicyCode.ISSUER_NOT_APPROVED,
            severity=Severity.ERROR,
            title="Issuer not in approved_issuers (name or organization)",
            applies_to="end-entity certificates with a known issuer",
        ),
        PolicyCheck(
            code=PolicyCode.ISSUER_UNKNOWN,
            severity=Severity.WARNING,
            title="Issuer unknown: approval cannot be checked",
            applies_to="end-entity certificates when approved_issuers is set",
        ),
        PolicyCheck(
            code=PolicyCode.VALIDITY_EXCEEDS_CABF_CAP,
            severity=Severity.ERROR,
            title="Public TLS validity above the CA/B Forum cap in force at issuance (SC-081)",
            applies_to="public end-entity certificates when max_validity_days.public is cabf",
        ),
        PolicyCheck(
            code=PolicyCode.VALIDITY_EXCEEDS_MAXIMUM,
            severity=Severity.ERROR,
            title="Validity above max_validity_days",
            applies_to="end-entity certificates with a numeric maximum for their trust",
        ),
        PolicyCheck(
            code=PolicyCode.WILDCARD_NOT_ALLOWED,
            severity=Severity.ERROR,
            title="Wildcard name where wildcards are not allowed",
            applies_to="end-entity certificates outside wildcards.allowed_environments",
        ),
        PolicyCheck(
            code=PolicyCode.OWNER_MISSING,
            severity=Severity.WARNING,
            title="No owner or team recorded (require_owner)",
            applies_to="end-entity certificates when require_owner is true",
        ),
    )
}

# Applied when neither the bundle nor --policy gives a policy: the public-TLS baseline (BR §6.1.5 key
# sizes and curves, SHA-1/MD5 forbidden, the dated validity caps). It approves no issuer list.
BASELINE_POLICY: dict[str, Any] = {
    "name": "built-in baseline (CA/B Forum BR)",
    "allowed_key_algorithms": {
        "RSA": {"min_size": 2048},
        "EC": {"curves": ["secp256r1", "secp384r1", "secp521r1"]},
        "Ed25519": {},
        "Ed448": {},
        "ML-DSA": {},
        "SLH-DSA": {},
        "composite": {},
    },
    "forbidden_signature_hashes": ["md2", "md5", "sha1"],
    "max_validity_days": {"public": "cabf"},
    "require_owner": False,
}

_CURVE_ALIASES = {
    "p256": "secp256r1",
    "prime256v1": "secp256r1",
    "secp256r1": "secp256r1",
    "p384": "secp384r1",
    "secp384r1": "secp384r1",
    "p521": "secp521r1",
    "secp521r1": "secp521r1",
}


def _curve(name: str) -> str:
    k = name.lower().replace("-", "").replace("_", "")
    return _CURVE_ALIASES.get(k, name.lower())


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySpec:
    """policy.yaml, validated."""

    name: str
    allowed_key_algorithms: dict[str, dict[str, Any]] | None
    forbidden_signature_hashes: tuple[str, ...]
    approved_issuers: tuple[str, ...]
    max_validity_public: int | str | None  # days, "cabf", or None (no check)
    max_validity_private: int | None
    wildcards_allowed: bool
    wildcard_environments: tuple[str, ...]
    require_owner: bool
    source: str


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _strings(v: Any, field: str, bad: Callable[[str], InputError]) -> list[str]:
    """A list of names; one bare string is a one-element list. Anything else is an error, never split."""
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    raise bad(f"{field} must be a list of names, got {type(v).__name__}: {str(v)[:40]!r}")


def _flag(v: Any, field: str, bad: Callable[[str], InputError]) -> bool:
    if isinstance(v, bool):
        return v
    raise bad(f"{field} must be true or false, got {str(v)[:40]!r}")


def _allowed_algorithms(algs: Any, bad: Callable[[str], InputError]) -> dict[str, dict[str, Any]] | None:
    """allowed_key_algorithms as {family: {min_size, curves}} (a list of names is allowed too)."""
    if algs is None:
        return None
    if isinstance(algs, list):
        algs = {str(a): {} for a in algs}
    if not isinstance(algs, dict):
        raise bad("allowed_key_algorithms must be a mapping of algorithm → {min_size, curves}")
    allowed: dict[str, dict[str, Any]] = {}
    for k, v in algs.items():
        if not isinstance(v or {}, dict):
            raise bad(f"allowed_key_algorithms.{k} must be a mapping such as {{min_size: 2048}}")
        spec = dict(v or {})
        if "min_size" in spec and (not _is_int(spec["min_size"]) or spec["min_size"] < 1):
            raise bad(f"allowed_key_algorithms.{k}.min_size must be a positive integer")
        if "curves" in spec:
            spec["curves"] = [
                _curve(c) for c in _strings(spec["curves"], f"allowed_key_algorithms.{k}.curves", bad)
            ]
        allowed[str(k).lower()] = spec
    return allowed


def _max_validity(mv: Any, bad: Callable[[str], InputError]) -> tuple[int | str | None, int | None]:
    """max_validity_days as (public: days or 'cabf', private: days); one number sets both."""
    pub: int | str | None
    priv: int | None
    if isinstance(mv, dict):
        pub, priv = mv.get("public"), mv.get("private")
    elif mv is None or _is_int(mv):
        pub, priv = mv, mv
    else:
        raise bad("max_validity_days must be a number or {public: cabf|days, private: days}")
    if pub is not None and pub != "cabf" and not (isinstance(pub, int) and _is_int(pub) and pub > 0):
        raise bad("max_validity_days.public must be 'cabf' or a positive number of days")
    if priv is not None and not (_is_int(priv) and priv > 0):
        raise bad("max_validity_days.private must be a positive number of days")
    return pub, priv


def parse_policy(doc: Mapping[str, Any] | None, *, source: str = "policy.yaml") -> PolicySpec:
    """Validate a policy mapping; an empty or missing one yields the built-in baseline."""
    if not doc:
        doc, source = BASELINE_POLICY, "built-in"

    def bad(reason: str) -> InputError:
        return InputError(source, reason)

    allowed = _allowed_algorithms(doc.get("allowed_key_algorithms"), bad)
    pub, priv = _max_validity(doc.get("max_validity_days"), bad)
    wc = doc.get("wildcards", {})
    if isinstance(wc, bool):
        wc = {"allowed": wc}
    if not isinstance(wc, dict):
        raise bad("wildcards must be a mapping {allowed, allowed_environments}")
    return PolicySpec(
        name=str(doc.get("name") or source),
        allowed_key_algorithms=allowed,
        forbidden_signature_hashes=tuple(
            h.lower()
            for h in _strings(doc.get("forbidden_signature_hashes"), "forbidden_signature_hashes", bad)
        ),
        approved_issuers=tuple(
            i.lower() for i in _strings(doc.get("approved_issuers"), "approved_issuers", bad)
        ),
        max_validity_public=pub,
        max_validity_private=priv,
        wildcards_allowed=_flag(wc.get("allowed", True), "wildcards.allowed", bad),
        wildcard_environments=tuple(
            e.lower() for e in _strings(wc.get("allowed_environments"), "wildcards.allowed_environments", bad)
        ),
        require_owner=_flag(doc.get("require_owner", False), "require_owner", bad),
        source=source,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyResult:
    """Findings (DataFrame: cert_id, code, severity, message) and the compliance rate."""

    policy_name: str
    source: str
    findings: pd.DataFrame
    checked: int
    compliant: int  # certificates without an error-level finding

    @property
    def compliance(self) -> float | None:
        return self.compliant / self.checked if self.checked else None

    @property
    def by_code(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.findings["code"].value_counts().sort_index().items()}


# The message of each failing certificate, built for the failing rows only (given their boolean mask): a
# million messages built and then masked cost more than every check's test (1M certificates: 5.5 s).
Messages = Callable[[np.ndarray], pd.Series]
Hit = tuple[pd.Series, Messages]  # (mask of failing certificates, their messages)
Check = Callable[[pd.DataFrame, PolicySpec, datetime], Hit | None]


def _none(f: pd.DataFrame) -> Hit:
    return pd.Series(False, index=f.index), _same("")


def _same(text: str) -> Messages:
    return lambda m: pd.Series(text, index=range(int(m.sum())), dtype="string")


def _whole(values: pd.Series | np.ndarray) -> pd.Series:
    """Whole numbers as text for a message ("?" where unknown); a Series keeps its index."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return series.astype("Int64").astype("string").fillna("?")


def _leaf(f: pd.DataFrame) -> pd.Series:
    return ~f["is_ca"].fillna(False).astype(bool)


def _alg_lookup(f: pd.DataFrame, spec: PolicySpec) -> pd.Series:
    """Per certificate: the allowed_key_algorithms entry key that admits its algorithm, or NA."""
    assert spec.allowed_key_algorithms is not None
    algs = f["key_algorithm"].dropna().unique()
    lut: dict[str, str | None] = {}
    for a in algs:
        exact, fam = str(a).lower(), key_family(str(a)).value.lower()
        lut[a] = (
            exact
            if exact in spec.allowed_key_algorithms
            else (fam if fam in spec.allowed_key_algorithms else None)
        )
    codes, uniques = pd.factorize(f["key_algorithm"], use_na_sentinel=True)  # in Arrow, per distinct name
    table = np.array([lut.get(u) for u in uniques] + [None], dtype=object)  # code -1 (missing): None
    return pd.Series(table[codes], index=f.index, dtype=object)


def check_key_algorithm(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """Key algorithms outside allowed_key_algorithms (by exact name or family)."""
    if spec.allowed_key_algorithms is None:
        return None
    entry = _alg_lookup(f, spec)
    mask = f["key_algorithm"].notna() & entry.isna()
    allowed = ", ".join(sorted(spec.allowed_key_algorithms))
    return mask.fillna(False).astype(
        bool
    ), lambda m: "key algorithm " + f["key_algorithm"][m].fillna("") + " not allowed (" + allowed + ")"


def check_key_size(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """Key sizes below the matching entry's min_size."""
    if spec.allowed_key_algorithms is None:
        return None
    mins = {k: v["min_size"] for k, v in spec.allowed_key_algorithms.items() if "min_size" in v}
    if not mins:
        return None
    need = remap(_alg_lookup(f, spec), mins).astype("Float64")
    mask = (f["key_size"].astype("Float64") < need).fillna(False).astype(bool)
    return (
        mask,
        lambda m: (
            f["key_algorithm"][m].fillna("")
            + " key of "
            + f["key_size"][m].astype("string").fillna("?")
            + " bits below "
            + _whole(need[m])
        ),
    )


def check_curve(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """EC curves outside the matching entry's curves."""
    if spec.allowed_key_algorithms is None:
        return None
    curves = {k: frozenset(v["curves"]) for k, v in spec.allowed_key_algorithms.items() if v.get("curves")}
    if not curves:
        return None
    entry = _alg_lookup(f, spec)
    have = f["key_curve"].dropna().unique()
    norm = remap(f["key_curve"], {c: _curve(str(c)) for c in have}).astype("string")
    allowed_pairs = {(e, c) for e, cs in curves.items() for c in cs}
    has_rule = entry.isin(list(curves))
    combo = entry.fillna("") + "|" + norm.fillna("")
    ok = combo.isin([f"{e}|{c}" for e, c in allowed_pairs])
    mask = (has_rule & norm.notna() & ~ok).fillna(False).astype(bool)
    return mask, lambda m: "curve " + f["key_curve"][m].fillna("") + " not allowed"


def check_key_unknown(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """Certificates whose key algorithm is unknown (the key checks could not run)."""
    if spec.allowed_key_algorithms is None:
        return None
    mask = f["key_algorithm"].isna()
    return mask, _same("key algorithm unknown")


def check_signature_hash(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """Signature hashes listed in forbidden_signature_hashes (self-signed roots exempt: not verified)."""
    if not spec.forbidden_signature_hashes:
        return None
    root = f["is_self_signed"].fillna(False).astype(bool) & f["is_ca"].fillna(False).astype(bool)
    h = f["signature_hash"].str.lower()
    mask = (h.isin(spec.forbidden_signature_hashes) & ~root).fillna(False).astype(bool)
    return mask, lambda m: "signed with " + h[m].fillna("") + " (forbidden)"


def check_issuer(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """End-entity certificates whose issuer name and organization are both outside approved_issuers."""
    if not spec.approved_issuers:
        return None
    name, org = f["issuer_name"].str.lower(), f["issuer_org"].str.lower()
    known = name.notna() | org.notna()
    ok = name.isin(spec.approved_issuers).fillna(False) | org.isin(spec.approved_issuers).fillna(False)
    mask = (_leaf(f) & known & ~ok).fillna(False).astype(bool)
    return (
        mask,
        lambda m: "issuer " + f["issuer_name"][m].fillna(f["issuer_org"][m]).fillna("") + " not approved",
    )


def check_issuer_unknown(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """End-entity certificates with no issuer when approved_issuers is set."""
    if not spec.approved_issuers:
        return None
    mask = _leaf(f) & f["issuer_name"].isna() & f["issuer_org"].isna()
    return mask.fillna(False).astype(bool), _same("issuer unknown")


def _validity_days(f: pd.DataFrame, *, inclusive: bool) -> np.ndarray:
    """Validity in whole days; any part of a day counts as a day.

    inclusive: count as BR §6.3.2 does for the CA/B caps, notBefore and notAfter both included (one more
    second). Spreadsheet rows carry truncated dates, so that second is added only for certificates parsed
    from a body (has_body): a row saying 200 days means 200 days. An organization's own numeric maximum
    reads validity the usual way, notAfter − notBefore.
    """
    seconds = (f["not_after"] - f["not_before"]).dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    body = f["has_body"].fillna(False).astype(bool).to_numpy()
    extra = np.where(body, 1.0, 0.0) if inclusive else 0.0
    days = np.ceil((seconds + extra) / 86400.0 - 1e-9)
    fallback = np.ceil(f["validity_days"].astype("float64").to_numpy(na_value=np.nan) - 1e-9)
    return np.where(np.isnan(days), fallback, days)


def check_cabf_cap(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """Public end-entity certificates longer than the CA/B cap in force on their notBefore (SC-081)."""
    if spec.max_validity_public != "cabf":
        return None
    effective = np.array([np.datetime64(c.effective.isoformat(), "D") for c in PUBLIC_TLS_VALIDITY_CAPS])
    caps = np.array([c.max_days for c in PUBLIC_TLS_VALIDITY_CAPS], dtype="float64")
    nb = f["not_before"].dt.tz_convert(None).to_numpy(dtype="datetime64[D]")
    idx = np.searchsorted(effective, nb, side="right") - 1
    cap = np.where(idx >= 0, caps[np.clip(idx, 0, None)], caps[0])
    cap = np.where(np.isnat(nb), np.nan, cap)
    days = _validity_days(f, inclusive=True)
    public = (f["trust"] == "public").fillna(False).astype(bool).to_numpy()
    mask = pd.Series(public & _leaf(f).to_numpy() & (days > cap), index=f.index)
    return (
        mask,
        lambda m: (
            _whole(days[m]) + "-day public certificate; the cap at issuance is " + _whole(cap[m]) + " days"
        ),
    )


def check_max_validity(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """End-entity certificates longer than a numeric max_validity_days for their trust."""
    pub = spec.max_validity_public if isinstance(spec.max_validity_public, int) else None
    priv = spec.max_validity_private
    if pub is None and priv is None:
        return None
    limit = np.where(
        (f["trust"] == "public").fillna(False).to_numpy(dtype=bool),
        np.nan if pub is None else float(pub),
        np.nan if priv is None else float(priv),
    )
    days = _validity_days(f, inclusive=False)
    mask = pd.Series(_leaf(f).to_numpy() & (days > limit), index=f.index)
    return (
        mask,
        lambda m: _whole(days[m]) + " days exceeds the maximum of " + _whole(limit[m]),
    )


def check_wildcard(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """Wildcard names (CN or SAN '*.') where wildcards are not allowed for the environment."""
    if spec.wildcards_allowed:
        return None
    sans = f["sans"].fillna("")
    # the regex (\s is not one Arrow runs natively: 20× slower) only on the SANs that hold "*." at all
    maybe = sans.str.contains("*.", regex=False).to_numpy(dtype=bool)
    wild_san: np.ndarray = np.zeros(len(f), dtype=bool)
    if maybe.any():
        wild_san[maybe] = sans[maybe].str.contains(r"(?:^|;)\s*\*\.", regex=True).to_numpy(dtype=bool)
    wild = f["common_name"].fillna("").str.startswith("*.") | pd.Series(wild_san, index=f.index)
    env_ok = f["environment"].str.lower().isin(spec.wildcard_environments).fillna(False)
    mask = (_leaf(f) & wild & ~env_ok).fillna(False).astype(bool)
    return (
        mask,
        lambda m: (
            "wildcard "
            + f["common_name"][m].fillna("")
            + " not allowed in "
            + f["environment"][m].fillna("unknown environment")
        ),
    )


def check_owner(f: pd.DataFrame, spec: PolicySpec, now: datetime) -> Hit | None:
    """End-entity certificates with neither owner nor team when require_owner is true."""
    if not spec.require_owner:
        return None
    mask = _leaf(f) & f["owner"].isna() & f["team"].isna()
    return mask.fillna(False).astype(bool), _same("no owner or team")


CHECKS: dict[PolicyCode, Check] = {
    PolicyCode.KEY_ALGORITHM_NOT_ALLOWED: check_key_algorithm,
    PolicyCode.KEY_SIZE_BELOW_MINIMUM: check_key_size,
    PolicyCode.CURVE_NOT_ALLOWED: check_curve,
    PolicyCode.KEY_ALGORITHM_UNKNOWN: check_key_unknown,
    PolicyCode.SIGNATURE_HASH_FORBIDDEN: check_signature_hash,
    PolicyCode.ISSUER_NOT_APPROVED: check_issuer,
    PolicyCode.ISSUER_UNKNOWN: check_issuer_unknown,
    PolicyCode.VALIDITY_EXCEEDS_CABF_CAP: check_cabf_cap,
    PolicyCode.VALIDITY_EXCEEDS_MAXIMUM: check_max_validity,
    PolicyCode.WILDCARD_NOT_ALLOWED: check_wildcard,
    PolicyCode.OWNER_MISSING: check_owner,
}

FINDING_COLUMNS = ["cert_id", "code", "severity", "message"]


def check(
    inv: Inventory,
    policy: Mapping[str, Any] | PolicySpec | None = None,
    *,
    now: datetime,
    facts: pd.DataFrame | None = None,
) -> PolicyResult:
    """Run every policy check over the inventory. `policy` defaults to the bundle's policy.yaml."""
    spec = (
        policy
        if isinstance(policy, PolicySpec)
        else parse_policy(policy if policy is not None else inv.policy)
    )
    f = (facts if facts is not None else inv.certificate_facts()).reset_index(drop=True)
    parts: list[pd.DataFrame] = []
    for code, fn in CHECKS.items():
        hit = fn(f, spec, now)
        if hit is None:
            continue
        mask, messages = hit
        m = mask.to_numpy(dtype=bool)
        if m.any():
            parts.append(
                pd.DataFrame(
                    {
                        # boolean-mask the Arrow arrays: to_numpy() first would box every row
                        "cert_id": f["cert_id"].array[m],
                        "code": code.value,
                        "severity": CATALOG[code].severity.value,
                        "message": pd.Series(messages(m)).astype("string").array,
                    }
                )
            )
    findings = (
        pd.concat(parts, ignore_index=True).astype("string")
        if parts
        else pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS})
    )
    errors = findings.loc[findings["severity"] == Severity.ERROR.value, "cert_id"].nunique()
    return PolicyResult(
        policy_name=spec.name,
        source=spec.source,
        findings=findings,
        checked=len(f),
        compliant=len(f) - int(errors),
    )
