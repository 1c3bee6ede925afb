"""PQC migration as three tracks with their own verdicts (docs/drills.md, "PQC migration").

(a) key exchange now: the endpoints of the services Mosca's inequality says are exposed must offer a
    hybrid ML-KEM group (RFC 10024) — it protects what they carry today, even with classical certificates;
(b) private PKI signatures: private certificates re-keyed to ML-DSA or composite from a PQC-capable
    private CA, by the regime's deadline or their service's Mosca deadline (the simulated replacement);
(c) public WebPKI certificates: an external dependency on the root programs (no ML-DSA in public TLS
    today, BR §6.1.5), reported with the regime's dates and never planned as an ML-DSA re-key.

The drill's verdict is the worst of the three: overdue and fail (both misses) before unknown, before
pass, before not-affected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np
import pandas as pd

from cmmm import mosca
from cmmm.crypto import PQC_HYBRID_GROUPS, SSH_PQC_KEX
from cmmm.drill.result import Verdict
from cmmm.model import Inventory

HOURS_PER_YEAR = 24 * mosca.DAYS_PER_YEAR
NAMES_SHOWN = 5


class Track(StrEnum):
    """The three tracks of a PQC migration, in the order a report lists them."""

    KEY_EXCHANGE = "key-exchange"
    PRIVATE_SIGNATURES = "private-signatures"
    PUBLIC_WEBPKI = "public-webpki"


TRACK_TITLES = {
    Track.KEY_EXCHANGE: "key exchange now (hybrid ML-KEM)",
    Track.PRIVATE_SIGNATURES: "private PKI signatures (ML-DSA or composite)",
    Track.PUBLIC_WEBPKI: "public WebPKI certificates (root programs)",
}
TRACK_COLUMNS = ("track", "title", "verdict", "scope", "reason", "assumption")

# Worst first. Overdue and fail are both misses; overdue (a deadline already past) leads when both occur.
VERDICT_ORDER = (Verdict.OVERDUE, Verdict.FAIL, Verdict.UNKNOWN, Verdict.PASS, Verdict.NOT_AFFECTED)

# Why public certificates are not planned (DOMAIN §3, §5).
WEBPKI_DEPENDENCY = (
    "public TLS allows no ML-DSA today (Baseline Requirements §6.1.5) and Chrome is exploring Merkle Tree "
    "Certificates rather than admitting ML-DSA roots: their move waits on the root programs"
)

# Hybrid ML-KEM groups exist only in TLS 1.3 (RFC 10024): an endpoint a scan saw without TLS 1.3 cannot
# offer one. zgrab2 records only the version and group its own client negotiated, and that client offers
# neither TLS 1.3 nor an ML-KEM group: a classical result in its export says nothing about the server.
TLS13 = "TLSv1.3"
NEGOTIATED_ONLY_TAGS = ("zgrab2-module:",)


def worst(verdicts: Iterable[Verdict | str]) -> Verdict:
    """The worst verdict by VERDICT_ORDER (not-affected when there is none)."""
    got = {Verdict(v) for v in verdicts}
    return next((v for v in VERDICT_ORDER if v in got), Verdict.NOT_AFFECTED)


def _names(values: Iterable[object]) -> str:
    items = sorted({str(v) for v in values})
    more = f" and {len(items) - NAMES_SHOWN} more" if len(items) > NAMES_SHOWN else ""
    return ", ".join(items[:NAMES_SHOWN]) + more


# ---------------------------------------------------------------- Mosca per service
MOSCA_COLUMNS = (
    "service",
    "criticality",
    "secrecy_years",
    "quantum_vulnerable_certificates",
    "exposed_certificates",
    "quantum_threat_years",
    "migration_years",
    "migration_assumed",
    "margin_years",
    "deadline",
    "exposed",
)


def mosca_table(inv: Inventory, live: np.ndarray, h: mosca.Horizon, now: datetime) -> pd.DataFrame:
    """Per service (the service catalog and the services of live certificates): its secrecy_years (the
    longest of its certificates', else the catalog's), margin = threat − secrecy − migration, the deadline
    now + margin (in the past: exposed already), and its live quantum-vulnerable and exposed certificates
    (counted per certificate exactly as the assessment counts them)."""
    facts = inv.certificate_facts()
    qv = facts["quantum_vulnerable"].fillna(False).astype(bool).to_numpy() & live
    per_cert = pd.DataFrame(
        {
            "service": facts["service"],
            "criticality": facts["criticality"],
            "secrecy": facts["secrecy_years"].astype("Float64"),
            "qv": qv,
            "exp": qv & mosca.exposed(facts["secrecy_years"], h),
        }
    )[live & facts["service"].notna().to_numpy(dtype=bool)]
    g = per_cert.groupby("service", sort=True).agg(
        criticality=("criticality", "first"), secrecy=("secrecy", "max"), qv=("qv", "sum"), exp=("exp", "sum")
    )
    svc = inv.services.drop_duplicates("service").set_index("service") if len(inv.services) else None
    index = g.index.union(svc.index) if svc is not None else g.index
    g = g.reindex(index)
    if svc is not None:
        g["criticality"] = g["criticality"].fillna(svc["criticality"].reindex(index))
        g["secrecy"] = g["secrecy"].fillna(svc["secrecy_years"].astype("Float64").reindex(index))
    margin = mosca.margin_years(g["secrecy"], h)
    table = pd.DataFrame(
        {
            "service": index.astype(str),
            "criticality": g["criticality"].to_numpy(),
            "secrecy_years": g["secrecy"].astype("Float64").to_numpy(),
            "quantum_vulnerable_certificates": g["qv"].fillna(0).astype(int).to_numpy(),
            "exposed_certificates": g["exp"].fillna(0).astype(int).to_numpy(),
            "quantum_threat_years": h.quantum_threat_years,
            "migration_years": h.migration_years,
            "migration_assumed": h.migration_assumed,
            "margin_years": pd.array(margin, dtype="Float64"),
            "deadline": _deadlines(margin, now),
            "exposed": pd.array(np.where(np.isnan(margin), None, margin < 0), dtype="boolean"),
        },
        columns=list(MOSCA_COLUMNS),
    )
    return table.sort_values(
        ["exposed", "margin_years", "service"], ascending=[False, True, True]
    ).reset_index(drop=True)


def _deadlines(margin: np.ndarray, now: datetime) -> pd.Series:
    t0 = pd.Timestamp(now)
    days = pd.to_timedelta(np.round(margin * mosca.DAYS_PER_YEAR, 3), unit="D")
    return pd.Series(t0 + days).dt.floor("D")


# ---------------------------------------------------------------- (a) key exchange now
KEX_COLUMNS = (
    "service",
    "criticality",
    "secrecy_years",
    "margin_years",
    "exposed",
    "endpoints",
    "hybrid",
    "classical",
    "unseen",
    "status",
)


def endpoints(inv: Inventory, live: np.ndarray) -> pd.DataFrame:
    """Per service and endpoint: TLS endpoints (an observation's host:port of a live certificate) and SSH
    servers a scan read (`ssh` observations, no certificate; they belong to their own service or else to the
    services whose TLS endpoints share their host). Status `hybrid` (a hybrid ML-KEM group, or a
    post-quantum SSH key exchange offered), `classical` (a scan saw its key exchange or versions, and no
    hybrid is possible or offered) or `unseen`."""
    facts = inv.certificate_facts()
    obs = inv.observations
    service = obs["cert_id"].map(pd.Series(facts["service"].to_numpy(), index=facts["cert_id"].to_numpy()))
    live_ids = set(facts.loc[live, "cert_id"])
    keep = (obs["port"].notna() & obs["location"].notna() & obs["cert_id"].isin(live_ids)).to_numpy(
        dtype=bool
    )
    service = service.astype("string").fillna(obs["service"].astype("string"))
    keep = keep & service.notna().to_numpy(dtype=bool)
    o = obs[keep]
    kex = o["kex_groups"].astype("string").fillna("").str.lower()
    versions = o["tls_versions"].astype("string").fillna("")
    tags = o["tags"].astype("string").fillna("").str.lower()
    hybrid = kex.str.contains("|".join(g.lower() for g in PQC_HYBRID_GROUPS), regex=True)
    negotiated_only = tags.str.contains("|".join(NEGOTIATED_ONLY_TAGS), regex=False)
    no_tls13 = (versions != "") & ~versions.str.contains(TLS13, regex=False)
    classical = ~hybrid & ~negotiated_only & ((kex != "") | no_tls13)
    frame = pd.DataFrame(
        {
            "service": service[keep].to_numpy(),
            "location": o["location"].to_numpy(),
            "h": hybrid.to_numpy(dtype=bool),
            "c": classical.to_numpy(dtype=bool),
        }
    )
    frame = pd.concat([frame, _ssh_endpoints(obs, o["host"], service[keep])], ignore_index=True)
    g = frame.groupby(["service", "location"], sort=True).agg(h=("h", "any"), c=("c", "any")).reset_index()
    g["status"] = np.where(g["h"], "hybrid", np.where(g["c"], "classical", "unseen"))
    return g[["service", "location", "status"]]


def _ssh_endpoints(obs: pd.DataFrame, tls_hosts: pd.Series, tls_services: pd.Series) -> pd.DataFrame:
    """SSH servers as key-exchange endpoints: hybrid when their KEXINIT offers a post-quantum key exchange."""
    tags = obs["tags"].astype("string").fillna("").str.lower()
    is_ssh = tags.str.contains(r"(?:^|;)ssh(?:;|$)", regex=True).fillna(False).to_numpy(dtype=bool) & obs[
        "location"
    ].notna().to_numpy(dtype=bool)
    ssh = obs[is_ssh]
    if not len(ssh):
        return pd.DataFrame(columns=["service", "location", "h", "c"])
    norm = tls_hosts.astype("string").str.strip("[]").str.lower().to_numpy()
    by_host = pd.DataFrame({"host": norm, "service": tls_services.to_numpy()}).dropna().drop_duplicates()
    kex = ssh["kex_groups"].astype("string").fillna("").str.lower()
    pqc_kex = "|".join(re.escape(k) for k in sorted(SSH_PQC_KEX))
    hybrid = kex.str.contains(rf"(?:^|;)(?:{pqc_kex})(?:;|$)", regex=True).fillna(False).to_numpy(dtype=bool)
    offered = kex.str.contains(r"[^;]", regex=True).fillna(False).to_numpy(dtype=bool)  # a non-empty name
    rows = pd.DataFrame(
        {
            "host": ssh["host"].astype("string").str.strip("[]").str.lower().to_numpy(),
            "own": ssh["service"].astype("string").to_numpy(),
            "location": ssh["location"].to_numpy(),
            "h": hybrid,
            "c": offered & ~hybrid,
        }
    )
    joined = rows.merge(by_host, on="host", how="left")
    joined["service"] = joined["own"].fillna(joined["service"])
    return joined.dropna(subset=["service"])[["service", "location", "h", "c"]]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackOutcome:
    """One track: its table, verdict, one-sentence reason, scope and the assumption it rests on."""

    table: pd.DataFrame
    verdict: Verdict
    reason: str
    scope: str
    assumption: str = ""


def key_exchange(
    services: pd.DataFrame, eps: pd.DataFrame, h: mosca.Horizon, live_certs: int
) -> TrackOutcome:
    """Track (a): every endpoint of a Mosca-exposed service must offer a hybrid ML-KEM group. Exposure that
    rests on the assumed migration default cannot fail a service (it is unknown); only what holds for any
    migration time does."""
    counts = pd.crosstab(eps["service"], eps["status"]) if len(eps) else pd.DataFrame()
    table = services[["service", "criticality", "secrecy_years", "margin_years", "exposed"]].copy()
    for col in ("hybrid", "classical", "unseen"):
        per = counts[col] if col in counts else pd.Series(dtype=int)
        table[col] = table["service"].map(per).fillna(0).astype(int).to_numpy()
    table["endpoints"] = table["hybrid"] + table["classical"] + table["unseen"]
    certain = mosca.exposed(table["secrecy_years"], h.lower())
    table["status"] = _kex_status(table, certain)
    table = table[list(KEX_COLUMNS)]
    exposed = table["exposed"].fillna(False).to_numpy(dtype=bool)
    scope = f"{int(exposed.sum())} of {len(table)} services exposed, {int(table.loc[exposed, 'endpoints'].sum())} endpoints"
    verdict, reason = _kex_verdict(table, h, live_certs)
    assumption = (h.assumption or "") if table["secrecy_years"].notna().any() else ""
    return TrackOutcome(table=table, verdict=verdict, reason=reason, scope=scope, assumption=assumption)


def _kex_status(table: pd.DataFrame, certain: np.ndarray) -> np.ndarray:
    exposed = table["exposed"].fillna(False).to_numpy(dtype=bool)
    unknown = table["exposed"].isna().to_numpy(dtype=bool)
    classical = table["classical"].to_numpy() > 0
    blind = (table["unseen"].to_numpy() > 0) | (table["endpoints"].to_numpy() == 0)
    return np.select(
        [unknown, ~exposed, classical & certain, classical | blind],
        ["unknown", "not exposed", "fail", "unknown"],
        default="pass",
    )


def _kex_verdict(table: pd.DataFrame, h: mosca.Horizon, live_certs: int) -> tuple[Verdict, str]:
    if h.threat_missing:
        return Verdict.UNKNOWN, h.threat_missing
    if not len(table):
        if live_certs:
            return (
                Verdict.UNKNOWN,
                "no service with secrecy_years is known: which endpoints carry data worth harvesting is unknown",
            )
        return Verdict.NOT_AFFECTED, "no live certificate and no service in this inventory"
    failed = table[table["status"] == "fail"]
    if len(failed):
        return Verdict.FAIL, (
            f"{len(failed)} services whose data Mosca's inequality says is exposed ({_names(failed['service'])}) "
            f"have {int(failed['classical'].sum())} endpoints a scan saw without a hybrid ML-KEM group: what they "
            "carry today can be recorded now and decrypted later"
        )
    parts = _kex_unknowns(table, h)
    if parts:
        return Verdict.UNKNOWN, "; ".join(parts)
    exposed = table[table["exposed"].fillna(False).astype(bool)]
    if not len(exposed):
        return (
            Verdict.NOT_AFFECTED,
            "no service is exposed: secrecy + migration years stay within the threat horizon",
        )
    return Verdict.PASS, (
        f"every one of the {int(exposed['endpoints'].sum())} endpoints of the {len(exposed)} exposed services "
        "offers a hybrid ML-KEM group"
    )


def _kex_unknowns(table: pd.DataFrame, h: mosca.Horizon) -> list[str]:
    parts: list[str] = []
    no_secrecy = table[table["secrecy_years"].isna()]
    if len(no_secrecy):
        parts.append(f"{len(no_secrecy)} services have no secrecy_years ({_names(no_secrecy['service'])})")
    exposed = table[table["exposed"].fillna(False).astype(bool)]
    blind = exposed[(exposed["unseen"] > 0) | (exposed["endpoints"] == 0)]
    if len(blind):
        parts.append(
            f"no scan recorded the key exchange of {int(blind['unseen'].sum())} endpoints of {len(blind)} exposed "
            f"services ({_names(blind['service'])})" + _no_endpoint(blind)
        )
    if h.assumption and table["secrecy_years"].notna().any():
        would = exposed[exposed["classical"] > 0]
        parts.append(
            h.assumption
            + (
                f" (with it, {len(would)} services would fail: {_names(would['service'])})"
                if len(would)
                else ""
            )
        )
    return parts


def _no_endpoint(blind: pd.DataFrame) -> str:
    none = blind[blind["endpoints"] == 0]
    if not len(none):
        return ""
    return f"; no endpoint is known for {len(none)} of them ({_names(none['service'])})"


# ---------------------------------------------------------------- (b) private PKI signatures
@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureDeadlines:
    """Per private certificate: hours until its deadline; `overdue` when past for any migration time (a
    regime date passed, or secrecy > threat); `assumed_overdue` when only the assumed migration default
    puts it in the past."""

    hours: np.ndarray
    overdue: np.ndarray
    assumed_overdue: np.ndarray


def signature_deadlines(
    regime_h: np.ndarray, secrecy: pd.Series, h: mosca.Horizon, window_h: float
) -> SignatureDeadlines:
    """The earliest of the regime's deadline and the Mosca deadline (now + margin years). A deadline
    already past gives the remediation window `window_h` (the scenario's deadline_hours) and is overdue."""
    margin = mosca.margin_years(secrecy, h)
    certain = mosca.margin_years(secrecy, h.lower())
    hours = np.where(np.isinf(regime_h), window_h, regime_h)
    mosca_h = margin * HOURS_PER_YEAR
    hours = np.where(margin >= 0, np.minimum(hours, mosca_h), hours)  # NaN compares False: regime only
    overdue = (certain < 0) | (regime_h <= 0)
    assumed = (margin < 0) & ~overdue
    window = np.minimum(window_h, np.where(regime_h > 0, regime_h, np.inf))
    hours = np.where(overdue | assumed, window, hours)
    return SignatureDeadlines(hours=hours, overdue=overdue, assumed_overdue=assumed)


def signature_unknowns(
    h: mosca.Horizon, secrecy: pd.Series, services: pd.Series, unknown_keys: int
) -> tuple[str, ...]:
    """The missing inputs of track (b): the threat horizon, a certificate's secrecy_years, key algorithms."""
    out: list[str] = []
    if len(secrecy) and h.threat_missing:
        out.append(h.threat_missing)
    elif len(secrecy):
        miss = secrecy.isna().to_numpy(dtype=bool)
        if miss.any():
            named = services[miss].dropna()
            where = f" (services {_names(named)})" if len(named) else ""
            loose = int(services[miss].isna().sum())
            extra = f"; {loose} belong to no service" if loose and len(named) else ""
            out.append(
                f"{int(miss.sum())} private certificates have no secrecy_years{where}{extra}: their Mosca "
                "deadline is unknown"
            )
    if unknown_keys:
        out.append(
            f"{unknown_keys} live private certificates have no known key algorithm: whether they are "
            "quantum-vulnerable is unknown"
        )
    return tuple(out)


def signature_assumption(h: mosca.Horizon, secrecy: pd.Series, deadlines: SignatureDeadlines) -> str:
    """The assumption track (b) rests on: the migration default, when some certificate's Mosca deadline
    depends on it."""
    if not h.assumption or h.quantum_threat_years is None or not secrecy.notna().any():
        return ""
    more = int(deadlines.assumed_overdue.sum())
    return h.assumption + (f" (with it, {more} more private certificates would be overdue)" if more else "")


# ---------------------------------------------------------------- (c) public WebPKI
PUBLIC_COLUMNS = ("issuing_ca", "certificates", "services", "exposed_certificates", "deadline", "regime")


def public_webpki(frame: pd.DataFrame, now: datetime) -> TrackOutcome:
    """Track (c), informational: the public certificates per issuing CA with the regime's earliest date.
    `frame`: one row per live quantum-vulnerable public leaf — issuing_ca, service, exposed, regime_h,
    regime (the rule's label)."""
    n = len(frame)
    if not n:
        return TrackOutcome(
            table=pd.DataFrame(columns=list(PUBLIC_COLUMNS)),
            verdict=Verdict.NOT_AFFECTED,
            reason="no live public certificate uses a quantum-vulnerable key",
            scope="0 public certificates",
        )
    f = frame.sort_values("regime_h", kind="stable")
    g = f.groupby("issuing_ca", sort=True)
    table = pd.DataFrame(
        {
            "certificates": g.size(),
            "services": g["service"].nunique(),
            "exposed_certificates": g["exposed"].sum().astype(int),
            "deadline": g["regime_h"].first().map(lambda x: _when(now, x)),
            "regime": g["regime"].first(),
        }
    ).reset_index()[list(PUBLIC_COLUMNS)]
    dates = f.groupby("regime", sort=False).size()
    when = ", ".join(f"{label}: {k:,}" for label, k in dates.items() if label)
    reason = (
        f"{n:,} public certificates ({len(table)} issuing CAs) are not planned as an ML-DSA re-key: "
        f"{WEBPKI_DEPENDENCY}; the scenario's dates for them — {when or 'none'}; hybrid ML-KEM key exchange "
        "(track key-exchange) protects what they carry meanwhile"
    )
    return TrackOutcome(
        table=table, verdict=Verdict.NOT_AFFECTED, reason=reason, scope=f"{n:,} public certificates"
    )


def _when(now: datetime, hours: float) -> pd.Timestamp | None:
    if not np.isfinite(hours):
        return None
    return pd.Timestamp(now + timedelta(hours=float(hours))).floor("s")


# ---------------------------------------------------------------- the three tracks together
@dataclass(frozen=True, slots=True, kw_only=True)
class Pending:
    """Track (b) before its simulation: its scope, what an overdue verdict rests on, its assumption."""

    scope: str
    overdue_detail: str = ""
    assumption: str = ""


def track_table(kex: TrackOutcome, private: Pending, public: TrackOutcome) -> pd.DataFrame:
    """The track summary; track (b)'s verdict stays empty until `settle` puts the simulation's in."""
    rows = [
        (Track.KEY_EXCHANGE, kex.verdict.value, kex.scope, kex.reason, kex.assumption),
        (Track.PRIVATE_SIGNATURES, "", private.scope, private.overdue_detail, private.assumption),
        (Track.PUBLIC_WEBPKI, public.verdict.value, public.scope, public.reason, public.assumption),
    ]
    return pd.DataFrame(
        [(t.value, TRACK_TITLES[t], *rest) for t, *rest in rows],
        columns=["track", "title", "verdict", "scope", "reason", "assumption"],
    )[list(TRACK_COLUMNS)]


def overdue_detail(services: pd.Series, overdue: np.ndarray, regime_passed: np.ndarray) -> str:
    """What the overdue private certificates have in common: a regime date already past, or data of their
    service exposed already."""
    parts = []
    exposed = services[overdue & ~regime_passed]
    if len(exposed):
        verb = "belongs" if len(exposed) == 1 else "belong"
        parts.append(
            f"{len(exposed)} of them {verb} to services whose data is exposed already (secrecy + migration "
            f"years > threat years: {_names(exposed.fillna('(no service)'))})"
        )
    if regime_passed.any():
        parts.append(f"{int(regime_passed.sum())} of them are past a regime date")
    return "; ".join(parts)


def settle(tracks: pd.DataFrame, verdict: Verdict, why: str) -> tuple[Verdict, str, pd.DataFrame]:
    """Put the simulated verdict of track (b) into the track summary and return the drill's verdict: the
    worst track. A pass or fail of (b) that rests on the assumed migration default is unknown (the true
    migration time may be shorter or longer); an overdue it reports holds for any migration time."""
    t = tracks.copy()
    row = (t["track"] == Track.PRIVATE_SIGNATURES.value).to_numpy()
    assumption = str(t.loc[row, "assumption"].iloc[0])
    detail = str(t.loc[row, "reason"].iloc[0])
    if detail and verdict is Verdict.OVERDUE:
        why = f"{why}: {detail}"
    if assumption and verdict in (Verdict.PASS, Verdict.FAIL):
        verdict, why = Verdict.UNKNOWN, f"{assumption}; with it this track would {verdict.value}: {why}"
    elif assumption and verdict is Verdict.UNKNOWN:
        why = f"{why}; {assumption}"
    t.loc[row, "verdict"] = verdict.value
    t.loc[row, "reason"] = why
    overall = worst(t["verdict"])
    lead = t[t["verdict"] == overall.value].iloc[0]
    summary = ", ".join(f"{r.track} {r.verdict}" for r in t.itertuples())
    return overall, f"{lead['title']}: {lead['reason']} (tracks: {summary})", t


def track_lines(tracks: pd.DataFrame) -> tuple[str, ...]:
    """One reason line per track, for the drill's reasons."""
    return tuple(f"track {r.track} — {r.verdict}: {r.reason}" for r in tracks.itertuples())
