"""Build a tabletop exercise from a finished drill and assessment: every number comes from the result.

The modules follow the incident's clock, and each inject sits at a time of the drill's own milestones
(`DrillResult.milestones`: certificates still to replace at fractions of the deadline, at the deadline and
at the p50/p90 completion), so "T+6 h: 83 certificates still to replace" is the simulation's p50 at 6 h.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from cmmm.drill import DrillResult, Kind
from cmmm.errors import InputError, UsageError
from cmmm.maturity import Assessment
from cmmm.model import AUTOMATED_DISCOVERY, Inventory
from cmmm.sanitize import display
from cmmm.tabletop.model import (
    MODULE_TITLES,
    ROLES,
    Change,
    ChecklistItem,
    Estimate,
    Fact,
    Inject,
    Module,
    ModuleId,
    Package,
    Question,
    Role,
)

QUESTIONS_FILE = "questions.yaml"
# `cmmm demo` writes one exercise package: the level-2 sample organization (manual deployments, unknown
# owners, no backup CA) on the model's own level-5 drill.
DEMO_ORGANIZATION = "level2-aware"
DEMO_SCENARIO = "primary-intermediate-compromise-24h"
# Kinds whose drill is an incident with a clock; the others (validity caps, PQC regimes) are planning
# questions over months and years, rehearsed with `cmmm drill`, not around a table.
INCIDENT_KINDS = frozenset(
    {
        Kind.CA_DISTRUST,
        Kind.MASS_REVOCATION,
        Kind.CA_OUTAGE,
        Kind.ROOT_EXPIRY,
        Kind.ALGORITHM_SUNSET,
        Kind.ALGORITHM_SWAP,
    }
)
# Discussion minutes per module (CISA CTEP: a 3–4 hour exercise, modules of 30–50 minutes).
MODULE_MINUTES: dict[ModuleId, int] = {
    ModuleId.NOTIFICATION: 30,
    ModuleId.TRIAGE: 40,
    ModuleId.REPLACEMENT: 45,
    ModuleId.TRUST_COMMS: 40,
    ModuleId.AFTERMATH: 30,
}
NAMES_SHOWN = 5

# The elements of a public CA's mass-revocation plan: CA/B Forum ballot SC-089, Baseline Requirements
# §5.7.1.2 (from 2025-12-01; Mozilla Root Store Policy 3.1 from 2026-07-01), tested yearly by tabletop.
MASS_REVOCATION_ELEMENTS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        id="activation-criteria",
        element="Activation criteria",
        check="Did the room agree when the plan is activated, and who activates it?",
    ),
    ChecklistItem(
        id="customer-contacts",
        element="Customer (subscriber) contacts",
        check="Could the room reach the owner of every affected certificate and service?",
    ),
    ChecklistItem(
        id="automation-points",
        element="Automation points",
        check="Were the issuance changes that re-issue many certificates at once named (ACME, cert-manager, ARI)?",
    ),
    ChecklistItem(
        id="targets-and-timelines",
        element="Targets and timelines",
        check="Were replacement targets set against the deadline, per wave?",
    ),
    ChecklistItem(
        id="notification-methods",
        element="Notification methods",
        check="Were the channels and templates for notices named and approved?",
    ),
    ChecklistItem(id="roles", element="Roles", check="Was every role of the plan filled by a named person?"),
    ChecklistItem(
        id="training", element="Training", check="Had the people in the room been trained on the plan?"
    ),
    ChecklistItem(
        id="annual-testing",
        element="Annual testing without revoking real certificates",
        check="Is this exercise the yearly test, and was it run without revoking real certificates?",
    ),
    ChecklistItem(
        id="post-test-updates",
        element="Post-test updates",
        check="Are the updates to the plan from this exercise listed with an owner and a date?",
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Spec:
    module: ModuleId
    role: Role
    when: str
    text: str
    data: str
    strong: str
    weak: str
    criterion: str | None


@lru_cache(maxsize=1)
def question_bank() -> tuple[_Spec, ...]:
    """The packaged question bank (questions.yaml), validated."""
    text = resources.files("cmmm.tabletop").joinpath(QUESTIONS_FILE).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    out = []
    for i, raw in enumerate(doc["questions"]):
        try:
            out.append(
                _Spec(
                    module=ModuleId(raw["module"]),
                    role=Role(raw["role"]),
                    when=str(raw["when"]),
                    text=str(raw["text"]),
                    data=str(raw["data"]),
                    strong=str(raw["strong"]),
                    weak=str(raw["weak"]),
                    criterion=raw.get("criterion"),
                )
            )
        except (KeyError, ValueError) as exc:
            raise InputError(QUESTIONS_FILE, f"questions[{i}]: {exc}") from None
    return tuple(out)


def snapshot_id(inv: Inventory) -> str:
    """The inventory's fingerprint: its certificates and the places they were seen. A package and its
    answer sheet carry it, so an answer sheet for another inventory is refused. (With a store, the store's
    snapshot id takes its place.)"""
    h = hashlib.sha256()
    for cid in sorted(inv.certificates["cert_id"].astype(str)):
        h.update(cid.encode())
    h.update(str(len(inv.observations)).encode())
    return "inv-" + h.hexdigest()[:16]


def _hours_text(h: float | None) -> str:
    if h is None:
        return "unknown"
    if h >= 48:
        return f"{h:,.0f} h ({h / 24:,.1f} days)"
    return f"{h:,.1f} h".replace(".0 h", " h")


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _names(values: Sequence[Any], shown: int = NAMES_SHOWN) -> str:
    names = sorted({display(v, 60) for v in values if display(v)})
    if not names:
        return "none"
    more = f" (+{len(names) - shown} more)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _unseen(inv: Inventory, plan: pd.DataFrame) -> int:
    """Affected certificates no automated discovery saw (scan, CA or cloud API, Kubernetes, CT, CBOM): they
    are only in a list, and where they are deployed is what the list says."""
    obs = inv.observations
    seen = obs.loc[obs["discovered_by"].isin([d.value for d in AUTOMATED_DISCOVERY]).fillna(False), "cert_id"]
    return int((~plan["cert_id"].isin(set(seen))).sum())


def _troubled_ca(inv: Inventory, plan: pd.DataFrame) -> str:
    """The CA the affected certificates hang from (the most common issuer), by name."""
    certs = inv.certificates.set_index("cert_id")
    ids = plan["cert_id"][plan["cert_id"].isin(certs.index)]
    issuers = certs.loc[ids, "issuer_name"].astype("string").fillna(certs.loc[ids, "issuer_org"]).dropna()
    if issuers.empty:
        return "the CA in trouble"
    return display(issuers.value_counts().index[0], 80)


def _facts(inv: Inventory, r: DrillResult, a: Assessment) -> dict[str, Any]:
    """The facts the questions and injects are written from: numbers from the drill result only."""
    plan, teams = r.plan, r.team_workload
    deadline = r.deadline_hours
    services = plan["service"].dropna().astype(str)
    svc = inv.services.set_index("service") if len(inv.services) else pd.DataFrame()
    facing = [
        s for s in services.unique() if len(svc) and s in svc.index and _true(svc.loc[s, "customer_facing"])
    ]
    late = plan[~plan["on_time"].astype(bool)]
    late_services = late["service"].dropna().astype(str).unique().tolist()
    exposes = [e for cell in late["exposes"].dropna().astype(str) for e in cell.split(";") if e]
    over = teams[teams["clear_hours"] > deadline + 1e-9]
    busiest = teams.sort_values("clear_hours", ascending=False).iloc[0] if len(teams) else None
    fb = r.fallbacks["fallback"].value_counts() if len(r.fallbacks) else pd.Series(dtype=int)
    ca = r.replacement_ca
    if ca is None:
        replacement = "Replacements come from the certificates' own CA (re-issue)."
    elif ca.name is None:
        replacement = f"No usable CA is pre-approved: {ca.ready_hours / 24:,.0f} days of onboarding first."
    else:
        ready = "at once" if ca.ready_hours == 0 else f"after {ca.ready_hours / 24:,.0f} days of onboarding"
        replacement = f"Replacements come from {display(ca.name, 80)}, which can issue {ready}."
    crit = plan.loc[plan["criticality"].astype("string") == "critical", "service"].dropna()
    blockers = [f"{i.title} ({i.criterion_id})" for i in a.roadmap[:3]]
    return {
        "org": display(a.organization or inv.profile.organization or "the organization", 80),
        "ca": _troubled_ca(inv, plan),
        "affected": r.affected_certificates,
        "services": services.nunique(),
        "critical_services": crit.nunique(),
        "customer_facing": len(facing),
        "customer_facing_names": _names(facing),
        "unknown_owner": int(teams["unknown_owner"].sum()),
        "manual": int(teams["manual"].sum()),
        "automated": r.affected_certificates - int(teams["manual"].sum()),
        "no_location": int((plan["location_count"].fillna(0) == 0).sum()),
        "unseen": _unseen(inv, plan),
        "frozen": _frozen(r.reasons),
        "deadline_h": _hours_text(deadline),
        "p50_h": _hours_text(r.completion_hours.p50),
        "p90_h": _hours_text(r.completion_hours.p90),
        "on_time": f"{r.on_time_probability:.0%}",
        "replacement_text": replacement,
        "wave1": int((plan["wave"] == 1).sum()),
        "busiest_team": display(busiest["team"], 60) if busiest is not None else "none",
        "busiest_hours": _num(float(busiest["hands_on_hours"])) if busiest is not None else "0",
        "busiest_clear_h": _hours_text(float(busiest["clear_hours"])) if busiest is not None else "0 h",
        "over_capacity": len(over),
        "over_capacity_names": _names(over["team"].tolist()),
        "issuer_changes": int((r.steps["kind"].astype(str) == "issuer change").sum()) if len(r.steps) else 0,
        "remaining_deadline_p50": _num(_at(r.milestones, deadline)["p50"]),
        "remaining_deadline_p90": _num(_at(r.milestones, deadline)["p90"]),
        "exposed_critical": _num(r.exposed_at_deadline.critical_services),
        "service_hours": _num(r.exposed_at_deadline.service_hours),
        "fallback_text": ", ".join(f"{n} {k}" for k, n in fb.items()) or "none needed",
        "late_services": len(late_services),
        "late_services_names": _names(late_services),
        "exposes_names": _names(exposes),
        "revocation": r.revocation or "No revocation deadline in this scenario.",
        "next_level": a.next_level or a.level,
        "blockers": "; ".join(blockers) or "nothing blocks the next level",
    }


_FROZEN = re.compile(r"^([\d,]+) certificates fall in a change freeze")


def _frozen(reasons: Sequence[str]) -> int:
    """Affected certificates in a change freeze, as the drill's reasons count them."""
    for line in reasons:
        m = _FROZEN.match(line)
        if m:
            return int(m.group(1).replace(",", ""))
    return 0


def _true(value: Any) -> bool:
    if isinstance(value, pd.Series):
        value = value.iloc[0]
    return bool(pd.notna(value) and value)


def _at(milestones: pd.DataFrame, hours: float) -> dict[str, float]:
    """The milestone row at `hours` (the drill computed it there)."""
    row = milestones.loc[(milestones["hours"] - round(hours, 2)).abs().idxmin()]
    return {k: float(row[k]) for k in ("hours", "p10", "p50", "p90")}


def _remaining_fact(key: str, row: Mapping[str, float]) -> tuple[Fact, ...]:
    src = f"milestones[hours={row['hours']:g}]"
    return (
        Fact(key=f"{key}_p50", value=row["p50"], source=f"{src}.p50"),
        Fact(key=f"{key}_p90", value=row["p90"], source=f"{src}.p90"),
    )


def _injects(r: DrillResult, f: Mapping[str, Any]) -> dict[ModuleId, tuple[Inject, ...]]:
    """Injects per module at the drill's milestone hours, each with the facts it shows."""
    d, n = r.deadline_hours, r.affected_certificates
    ms = r.milestones
    t_triage, t_mid, t_deadline = _at(ms, d * 0.125), _at(ms, d * 0.5), _at(ms, d)
    t_end = _at(ms, r.completion_hours.p90 or d)

    def share(row: Mapping[str, float]) -> str:
        return f"{row['p50'] / n:.0%}" if n else "0%"

    notify = Inject(
        id="1.1",
        at_hours=0.0,
        headline=f"{r.title}",
        text=(
            f"{f['ca']} is in trouble. {n:,} certificates of {f['org']} chain to it, on {f['services']} "
            f"services ({f['critical_services']} critical). The deadline: {f['deadline_h']}."
        ),
        facts=(
            Fact(key="affected", value=n, source="affected_certificates"),
            Fact(key="deadline_hours", value=d, source="deadline_hours"),
        ),
    )
    triage = Inject(
        id="2.1",
        at_hours=t_triage["hours"],
        headline=f"{_num(t_triage['p50'])} certificates still to replace",
        text=(
            f"{share(t_triage)} of the certificates ({_num(t_triage['p50'])} of {n:,}; p90 {_num(t_triage['p90'])}) "
            f"are still on {f['ca']}."
            + (f" {f['unknown_owner']} have no known owner." if f["unknown_owner"] else "")
            + (f" {f['no_location']} have no known deployment location." if f["no_location"] else "")
            + (f" Team {f['busiest_team']} has not reported progress." if f["over_capacity"] else "")
        ),
        facts=(
            *_remaining_fact("remaining", t_triage),
            Fact(key="unknown_owner", value=f["unknown_owner"], source="team_workload.unknown_owner"),
        ),
    )
    replace = Inject(
        id="3.1",
        at_hours=t_mid["hours"],
        headline=f"Half-time: {_num(t_mid['p50'])} certificates to go",
        text=(
            f"{_num(t_mid['p50'])} certificates (p90 {_num(t_mid['p90'])}) are not replaced yet. "
            + (f"{f['manual']} are deployed by hand. " if f["manual"] else "All are renewed by automation. ")
            + (
                f"{f['over_capacity']} teams cannot finish by the deadline at their capacity "
                f"({f['over_capacity_names']}). "
                if f["over_capacity"]
                else ""
            )
            + f"{f['replacement_text']}"
        ),
        facts=(
            *_remaining_fact("remaining", t_mid),
            Fact(key="manual", value=f["manual"], source="team_workload.manual"),
        ),
    )
    deadline = Inject(
        id="4.1",
        at_hours=t_deadline["hours"],
        headline="The deadline",
        text=(
            f"The deadline has come: {_num(t_deadline['p50'])} certificates are still not replaced at p50, "
            f"{_num(t_deadline['p90'])} at p90. {f['exposed_critical']} critical services are exposed "
            f"(median). Late services: {f['late_services_names']}; through their dependencies they expose "
            f"{f['exposes_names']}."
        ),
        facts=(
            *_remaining_fact("remaining", t_deadline),
            Fact(
                key="exposed_critical_services",
                value=r.exposed_at_deadline.critical_services,
                source="exposed_at_deadline.critical_services",
            ),
        ),
    )
    after = Inject(
        id="5.1",
        at_hours=t_end["hours"],
        headline="The last certificate",
        text=(
            f"At p50 the last certificate is replaced after {f['p50_h']}, at p90 after {f['p90_h']}; "
            f"the deadline held in {f['on_time']} of the simulation's runs. Verdict: {r.verdict.value}."
        ),
        facts=(
            Fact(key="completion_p50", value=r.completion_hours.p50, source="completion_hours.p50"),
            Fact(key="completion_p90", value=r.completion_hours.p90, source="completion_hours.p90"),
        ),
    )
    t_quarter, t_late = _at(ms, d * 0.25), _at(ms, d * 0.75)
    ca = r.replacement_ca
    ca_ready = ca.ready_hours if ca is not None else 0.0
    pki = Inject(
        id="2.2",
        at_hours=t_quarter["hours"],
        headline="The PKI team reports",
        text=(
            f"{_num(t_quarter['p50'])} certificates (p90 {_num(t_quarter['p90'])}) still to replace. "
            f"{f['replacement_text']} {f['issuer_changes']} issuance changes (ClusterIssuers, ACME accounts, "
            f"cloud managers) could re-issue the automated ones; the other {f['manual']} need a person each."
        ),
        facts=(
            *_remaining_fact("remaining", t_quarter),
            Fact(key="ca_ready_hours", value=ca_ready, source="replacement_ca.ready_hours"),
        ),
    )
    capacity = Inject(
        id="3.2",
        at_hours=t_late["hours"],
        headline=f"{_num(t_late['p50'])} certificates left, a quarter of the time left",
        text=(
            f"{_num(t_late['p50'])} certificates (p90 {_num(t_late['p90'])}) are not replaced yet. "
            f"Team {f['busiest_team']} needs {f['busiest_hours']} engineer-hours and is done after "
            f"{f['busiest_clear_h']} in the median plan."
        ),
        facts=(
            *_remaining_fact("remaining", t_late),
            Fact(
                key="busiest_clear_hours",
                value=float(r.team_workload["clear_hours"].max()) if len(r.team_workload) else 0.0,
                source="team_workload.clear_hours.max",
            ),
        ),
    )
    fallbacks = Inject(
        id="4.2",
        at_hours=t_deadline["hours"],
        headline="What the plan falls back on",
        text=(
            f"For the certificates the median plan misses, it falls back on: {f['fallback_text']}. "
            f"Revocation: {f['revocation']}"
        ),
        facts=(Fact(key="fallbacks", value=len(r.fallbacks), source="fallbacks.rows"),),
    )
    return {
        ModuleId.NOTIFICATION: (notify,),
        ModuleId.TRIAGE: (triage, pki),
        ModuleId.REPLACEMENT: (replace, capacity),
        ModuleId.TRUST_COMMS: (deadline, fallbacks),
        ModuleId.AFTERMATH: (after,),
    }


def _questions(f: Mapping[str, Any], a: Assessment) -> dict[ModuleId, list[Question]]:
    blocking = {i.criterion_id: i.level for i in a.roadmap}
    titles = {c.criterion.id: c.criterion.title for c in a.criteria}
    out: dict[ModuleId, list[Question]] = {m: [] for m in ModuleId}
    values = {k: (_num(v) if isinstance(v, int | float) else v) for k, v in f.items()}
    for spec in question_bank():
        gate = f.get(spec.when, 0)
        if not gate or gate in ("0", "none"):
            continue
        k = list(ModuleId).index(spec.module) + 1
        qs = out[spec.module]
        qs.append(
            Question(
                id=f"Q{k}.{len(qs) + 1}",
                module=spec.module,
                role=spec.role,
                text=spec.text.format_map(values),
                data_answer=spec.data.format_map(values),
                strong=spec.strong,
                weak=spec.weak,
                criterion=spec.criterion,
                criterion_title=titles.get(spec.criterion or ""),
                blocks_level=blocking.get(spec.criterion or ""),
            )
        )
    return out


# What the team is asked to estimate, and what the simulation says (key, module, question, unit).
ESTIMATES: tuple[tuple[str, ModuleId, str, str], ...] = (
    (
        "all_replaced_hours",
        ModuleId.REPLACEMENT,
        "Hours until every affected certificate is replaced",
        "hours",
    ),
    ("ca_ready_hours", ModuleId.TRIAGE, "Hours until the replacement CA can issue", "hours"),
    (
        "remaining_at_deadline",
        ModuleId.TRUST_COMMS,
        "Certificates still not replaced at the deadline",
        "certificates",
    ),
)


def _because(r: DrillResult, f: Mapping[str, Any]) -> str:
    parts = []
    if f["unknown_owner"]:
        parts.append(f"{f['unknown_owner']} certificates have no owner")
    if f["manual"]:
        parts.append(f"{f['manual']} are deployed by hand")
    if r.replacement_ca is not None and r.replacement_ca.ready_hours > 0:
        parts.append(f"the replacement CA needs {r.replacement_ca.ready_hours / 24:,.0f} days of onboarding")
    if f["over_capacity"]:
        parts.append(f"team {f['busiest_team']} is done only after {f['busiest_clear_h']}")
    return "; ".join(parts)


def estimates(r: DrillResult, f: Mapping[str, Any]) -> tuple[Estimate, ...]:
    because = _because(r, f)
    ca = r.replacement_ca
    sim: dict[str, tuple[float | None, float | None]] = {
        "all_replaced_hours": (r.completion_hours.p50, r.completion_hours.p90),
        "ca_ready_hours": (ca.ready_hours, ca.ready_hours) if ca is not None else (0.0, 0.0),
        "remaining_at_deadline": (
            _at(r.milestones, r.deadline_hours)["p50"],
            _at(r.milestones, r.deadline_hours)["p90"],
        ),
    }
    return tuple(
        Estimate(key=k, module=m, question=q, unit=u, p50=sim[k][0], p90=sim[k][1], because=because)
        for k, m, q, u in ESTIMATES
    )


def build_package(
    inv: Inventory,
    result: DrillResult,
    assessment: Assessment,
    *,
    generated_at: datetime,
    changes: Sequence[Change] = (),
    snapshot: str | None = None,
) -> Package:
    """The exercise package of `result` (a drill on `inv`) for the organization `assessment` describes.
    `snapshot` names the inventory when it was read from a store (its snapshot, e.g. "snapshot-3"); the
    inventory's fingerprint names it otherwise."""
    if result.kind not in INCIDENT_KINDS:
        raise UsageError(
            f"scenario {result.scenario} is a {result.kind.value} drill: a planning question over months, "
            "not an incident clock a room can walk through (use `cmmm drill`)"
        )
    if result.affected_certificates == 0:
        raise UsageError(
            f"scenario {result.scenario} affects no certificate of this inventory ({result.verdict_reason}): "
            "there is nothing to exercise"
        )
    f = _facts(inv, result, assessment)
    injects = _injects(result, f)
    questions = _questions(f, assessment)
    modules = tuple(
        Module(
            id=m,
            title=MODULE_TITLES[m],
            at_hours=injects[m][0].at_hours,
            minutes=MODULE_MINUTES[m],
            injects=injects[m],
            questions=tuple(questions[m]),
        )
        for m in ModuleId
    )
    snap = snapshot or snapshot_id(inv)
    variant = hashlib.sha256(repr([(c.option, c.exercise) for c in changes]).encode()).hexdigest()[:6]
    tag = snap[4:12] if snap.startswith("inv-") else re.sub(r"[^A-Za-z0-9]+", "", snap)[:16]
    pid = f"{result.scenario}-{result.now:%Y%m%d}-{tag}" + (f"-{variant}" if changes else "")
    org = f["org"]
    return Package(
        id=pid,
        organization=org,
        snapshot=snap,
        scenario=result.scenario,
        scenario_title=result.title,
        kind=result.kind.value,
        replays=f"{result.replays.title} ({result.replays.date})" if result.replays else "",
        as_of=result.now,
        generated_at=generated_at,
        deadline_hours=result.deadline_hours,
        verdict=result.verdict.value,
        verdict_reason=result.verdict_reason,
        affected=result.affected_certificates,
        objectives=(
            f"Confirm who declares the incident and owns the clock when {f['ca']} is in trouble.",
            f"Find the owners and locations of {f['affected']} affected certificates, {f['unknown_owner']} of "
            "them without a known owner.",
            f"Test the replacement path ({f['replacement_text'].rstrip('.')}) against a {f['deadline_h']} "
            "deadline.",
            "Decide, with the data, on extensions, accepted exposure and emergency changes for what will be late.",
            "Agree corrective actions with owners and due dates (the improvement plan).",
        ),
        narrative=(
            f"{result.description.strip()}",
            f"This exercise runs it on {org}'s own inventory (snapshot {snap}, as of {result.now:%Y-%m-%d}): "
            f"{f['affected']:,} certificates chain to {f['ca']}, on {f['services']} services. cmmm's simulation "
            f"({result.runs} runs) gives p50 {f['p50_h']} and p90 {f['p90_h']} to replace them against "
            f"{f['deadline_h']}: verdict {result.verdict.value}.",
        ),
        modules=modules,
        estimates=estimates(result, f),
        checklist=MASS_REVOCATION_ELEMENTS if result.kind is Kind.MASS_REVOCATION else (),
        changes=tuple(changes),
        roles=tuple((r.value, ROLES[r]) for r in Role),
        level=assessment.level,
        next_level=assessment.next_level,
        burndown=tuple(
            (float(h), float(a10), float(a50), float(a90))
            for h, a10, a50, a90 in result.burndown[["hours", "p10", "p50", "p90"]].itertuples(index=False)
        ),
    )
