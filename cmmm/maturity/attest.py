"""Attested answers: dated, referenced, lapsing, and checked against the data.

An attestation is a statement someone made on a date (profile.yaml `attested:`):

    attested:
      hsm_ca_keys: {answer: yes, date: 2026-09-30, evidence: "HSM audit report AR-2026-11"}
      renewal_runbook: yes            # bare answer: undated

Rules (docs/maturity.md):
- An attestation lapses ATTESTATION_VALID_DAYS after its date: lapsed, not met.
- From level DATED_FROM_LEVEL up, an undated answer or one without an evidence reference is no evidence.
  Below it a bare answer counts, and the report says it is undated.
- An attestation the data contradicts is contradicted, not met, with the data that contradicts it
  (CONTRADICTIONS below). Data beats attestation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from cmmm.maturity.catalog import Criterion
from cmmm.maturity.measures import MetricContext
from cmmm.maturity.result import Status
from cmmm.model import Attestation, Discovery, Profile
from cmmm.policy import Severity

# An attestation is valid for a year: the rhythm of an annual review (the BR's yearly test of a public
# CA's mass-revocation plan, ballot SC-089; ISO/IEC 27001 management reviews).
ATTESTATION_VALID_DAYS = 365
DATED_FROM_LEVEL = 4
# pol.enforced-at-issuance is contradicted by error-level findings on certificates issued this recently.
RECENT_ISSUANCE_DAYS = 90


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    status: Status
    value: float | None
    evidence: str


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        low = value.strip().lower()
        if low in ("yes", "true", "y"):
            return True
        if low in ("no", "false", "n"):
            return False
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _when(a: Attestation) -> str:
    parts = [f"on {a.on}" if a.on else "undated"]
    if a.evidence:
        parts.append(f"evidence: {a.evidence}")
    return ", ".join(parts)


def _dated_question(c: Criterion, a: Attestation, now: datetime) -> Judgement:
    """A question whose answer is a date (last_fire_drill): at most max_age_days old."""
    key = c.attested or c.id
    day = _as_date(a.answer)
    if day is None and (_truthy(a.answer) is False or str(a.answer).strip().lower() == "never"):
        return Judgement(status=Status.NOT_MET, value=None, evidence=f"attested: never ({_when(a)})")
    if day is None:
        return Judgement(
            status=Status.NO_EVIDENCE, value=None, evidence=f"attested.{key} is not a date: {a.answer!r:.40}"
        )
    age = (now.date() - day).days
    if age < 0:
        return Judgement(
            status=Status.NO_EVIDENCE, value=float(age), evidence=f"attested.{key} = {day} is in the future"
        )
    ref = f"; evidence: {a.evidence}" if a.evidence else ""
    if age > (c.max_age_days or ATTESTATION_VALID_DAYS):
        return Judgement(
            status=Status.LAPSED, value=float(age), evidence=f"attested: last on {day} ({age} days ago){ref}"
        )
    return Judgement(
        status=Status.ATTESTED, value=float(age), evidence=f"attested: last on {day} ({age} days ago){ref}"
    )


def judge_attestation(c: Criterion, profile: Profile, ctx: MetricContext) -> Judgement:
    """An attested criterion: answered, dated and referenced as its level needs, not lapsed, not contradicted."""
    key = c.attested or c.id
    a = profile.attested.get(key)
    if a is None:
        return Judgement(
            status=Status.NO_EVIDENCE,
            value=None,
            evidence=f"no evidence: profile.yaml attested.{key} not answered",
        )
    if c.max_age_days is not None:
        return _dated_question(c, a, ctx.now)
    yes = _truthy(a.answer)
    if yes is None:
        return Judgement(
            status=Status.NO_EVIDENCE, value=None, evidence=f"attested.{key} is not yes/no: {a.answer!r:.40}"
        )
    said = f"attested {'yes' if yes else 'no'} ({_when(a)})"
    if not yes:
        return Judgement(status=Status.NOT_MET, value=0.0, evidence=said)
    invalid = _invalid(c, a, ctx.now)
    if invalid is not None:
        status, why = invalid
        return Judgement(status=status, value=None, evidence=f"{said}: {why}")
    against = CONTRADICTIONS.get(key)
    found = against(ctx, profile) if against else None
    if found:
        return Judgement(status=Status.CONTRADICTED, value=None, evidence=f"{said} — contradicted: {found}")
    return Judgement(status=Status.ATTESTED, value=1.0, evidence=said)


def _invalid(c: Criterion, a: Attestation, now: datetime) -> tuple[Status, str] | None:
    """Why a "yes" does not count on its own terms: undated where a date is needed, future, or lapsed."""
    if c.level >= DATED_FROM_LEVEL and (a.on is None or not a.evidence):
        return (
            Status.NO_EVIDENCE,
            f"from level {DATED_FROM_LEVEL} an attestation needs a date and an evidence reference",
        )
    if a.on is None:
        return None
    age = (now.date() - a.on).days
    if age < 0:
        return Status.NO_EVIDENCE, "the date is in the future"
    if age > ATTESTATION_VALID_DAYS:
        return (
            Status.LAPSED,
            f"lapsed {age - ATTESTATION_VALID_DAYS} days ago (valid {ATTESTATION_VALID_DAYS} days)",
        )
    return None


def supporting(key: str, profile: Profile) -> Attestation | None:
    """A supporting attestation that says yes, if any (for measured criteria with `supports`)."""
    a = profile.attested.get(key)
    return a if a is not None and _truthy(a.answer) else None


def supporting_text(a: Attestation) -> str:
    return f"attested.{a.key} yes ({_when(a)})"


# ------------------------------------------------------------------------------------------ contradictions
Contradiction = Callable[[MetricContext, Profile], str | None]


def _ca_keys_outside_hsm(ctx: MetricContext, profile: Profile) -> str | None:
    """CA private keys the inputs show in a Kubernetes Secret, a file, a keystore or an export."""
    is_ca = ctx.facts["is_ca"].fillna(False).astype(bool).to_numpy()
    ca_key_ids = set(ctx.facts.loc[is_ca, "key_id"].dropna())
    hits = [k for k in ctx.private_keys if k.ca or (k.key_id is not None and k.key_id in ca_key_ids)]
    if not hits:
        return None
    where = "; ".join(f"{k.path} ({k.locator})" for k in hits[:3])
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    return f"{len(hits)} CA private key(s) kept outside an HSM: {where}{more}"


def _no_pqc_asset(ctx: MetricContext, profile: Profile) -> str | None:
    alg = ctx.facts["key_algorithm"].fillna("").astype(str).str.lower()
    pqc = alg.str.startswith(("ml-dsa", "slh-dsa")) | alg.str.contains("composite|\\+", regex=True)
    proven = int((pqc & ctx.verified).sum())
    kex = ctx.observations["kex_groups"].fillna("").astype(str).str.lower().str.contains("mlkem", regex=False)
    if proven or kex.any():
        return None
    declared = int(pqc.sum())
    extra = f" ({declared} rows only declare one)" if declared else ""
    return f"no PQC certificate read from a certificate body and no endpoint offering hybrid ML-KEM{extra}"


def _no_secrecy_data(ctx: MetricContext, profile: Profile) -> str | None:
    services = ctx.facts["secrecy_years"].notna().any()
    if services and profile.quantum_threat_years is not None:
        return None
    missing = []
    if not services:
        missing.append("no service or certificate has secrecy_years")
    if profile.quantum_threat_years is None:
        missing.append("profile.yaml has no quantum_threat_years")
    return "; ".join(missing)


def _no_automated_discovery(ctx: MetricContext, profile: Profile) -> str | None:
    automated = {
        d.value
        for d in (
            Discovery.NETWORK_SCAN,
            Discovery.CA_API,
            Discovery.CLOUD_API,
            Discovery.KUBERNETES,
            Discovery.CT_LOG,
        )
    }
    if ctx.methods_seen & automated:
        return None
    return "no certificate in the inventory was found by an automated discovery method"


def _recent_violations(ctx: MetricContext, profile: Profile) -> str | None:
    findings = ctx.policy.findings
    errors = set(findings.loc[findings["severity"] == Severity.ERROR.value, "cert_id"].dropna())
    if not errors:
        return None
    since = pd.Timestamp(ctx.observed_at) - pd.Timedelta(days=RECENT_ISSUANCE_DAYS)
    issued = (ctx.facts["not_before"] >= since).fillna(False).astype(bool)
    recent = ctx.facts["cert_id"].isin(errors).astype(bool) & issued
    n = int(recent.sum())
    if not n:
        return None
    return f"{n} certificate(s) issued in the last {RECENT_ISSUANCE_DAYS} days break the policy (error-level findings)"


# attested key → the data that can contradict a "yes"
CONTRADICTIONS: dict[str, Contradiction] = {
    "hsm_ca_keys": _ca_keys_outside_hsm,
    "pqc_pilot": _no_pqc_asset,
    "mosca_assessed": _no_secrecy_data,
    "periodic_discovery": _no_automated_discovery,
    "issuance_policy_enforced": _recent_violations,
}
