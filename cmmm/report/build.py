"""Build the report's view from the stages' result objects: the inventory summary, the assessment (its
measures, risks and PQC readiness), the graph summary and the drill results. Nothing is computed from the
inventory here: numbers are taken, grouped and formatted, so each appears once with one value."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cmmm import crypto, schedules
from cmmm.drill import DrillResult
from cmmm.graph import GraphSummary
from cmmm.ingest.summary import Count as SummaryCount
from cmmm.ingest.summary import InventorySummary
from cmmm.lab import LabResult
from cmmm.maturity import Assessment, RiskFinding, Share
from cmmm.maturity.pkimm import PkimmView, categorize
from cmmm.maturity.pqc import PqcReadiness
from cmmm.maturity.risks import load_risks
from cmmm.model import LEVEL_NAMES
from cmmm.report.adapters import dependency_section, drill_section, maturity_section
from cmmm.report.format import hours, share
from cmmm.report.lab import lab_section
from cmmm.report.pkimm import floor_text
from cmmm.report.view import (
    LABEL_CHARS,
    SCHEMA,
    TEXT_CHARS,
    Action,
    CapRow,
    Count,
    CriticalityRow,
    Finding,
    HandshakeRow,
    Headline,
    InventorySection,
    LadderStep,
    MaturitySection,
    MoscaRow,
    PkimmRow,
    PkimmSection,
    PqcSection,
    RejectedRow,
    ReportView,
    RoadmapRow,
    Summary,
    Tile,
    ValidityBin,
    WeekBucket,
    clean_text,
    neutralized,
)

RISKS_SHOWN = 3
ACTIONS_SHOWN = 5
# Which criterion judges each headline number: the tile is good when it is met, bad when not.
TILE_CRITERIA = {
    "expired_deployed": "inv.expired-deployed",
    "automated": "auto.renewal-majority",
    "owner": "own.responsible-recorded",
    "deprecated": "agi.no-deprecated-crypto",
}


def _count(c: SummaryCount) -> Count:
    return Count(label=clean_text(c.label, LABEL_CHARS), count=c.count, share=c.share)


def _tone(a: Assessment, key: str) -> str:
    by_id = {r.id: r for r in a.criteria}
    r = by_id.get(TILE_CRITERIA[key])
    if r is None:
        return ""
    return "good" if r.met else "bad"


def _tiles(a: Assessment) -> tuple[Tile, ...]:
    m = a.measures
    return (
        Tile(label="certificates in the inventory", value=m.certificates, kind="count"),
        Tile(
            label="expired yet still deployed",
            value=m.expired_deployed.count,
            kind="count",
            tone=_tone(a, "expired_deployed"),
        ),
        Tile(
            label="expire within 30 days",
            value=m.expiring_30,
            kind="count",
            tone="warn" if m.expiring_30 else "",
        ),
        Tile(
            label="unexpired end-entity certificates renew automatically",
            value=m.automated.value,
            kind="share",
            tone=_tone(a, "automated"),
        ),
        Tile(
            label="end-entity certificates have a known owner",
            value=m.owner_known.value,
            kind="share",
            tone=_tone(a, "owner"),
        ),
        Tile(
            label="unexpired certificates use quantum-vulnerable keys",
            value=m.quantum_vulnerable.value,
            kind="share",
            note=_unknown_note(m.key_unknown),
        ),
    )


def _unknown_note(unknown: Share) -> str:
    if not unknown.count or unknown.value is None:
        return ""
    return f"key algorithm unknown for {unknown.value:.0%}"


def _finding(r: RiskFinding) -> Finding:
    return Finding(
        code=r.code,
        severity=r.severity.value,
        title=r.title,
        detail=r.detail,
        count=r.count,
        examples=r.examples,
        action=r.action,
        rationale=r.rationale,
        source=r.source,
    )


def _inventory(s: InventorySummary, a: Assessment) -> InventorySection:
    m = a.measures
    caps = tuple(
        CapRow(
            effective=c.effective,
            max_days=c.max_days,
            over_cap=c.over_cap,
            share=c.over_cap / c.of if c.of else None,
            in_force=c.in_force,
        )
        for c in s.caps
    )
    steps = [
        c
        for c in schedules.PUBLIC_TLS_VALIDITY_CAPS
        if c.effective > schedules.PUBLIC_TLS_VALIDITY_CAPS[0].effective
    ]
    caption = (
        "Public TLS certificates may be valid at most "
        + ", ".join(f"{c.max_days} days from {c.effective.isoformat()}" for c in steps)
        + " (CA/Browser Forum ballot SC-081)."
    )
    return InventorySection(
        certificates=s.certificates,
        leaves=s.end_entity,
        cas=s.cas,
        observations=s.observations,
        services=s.services,
        sources=s.files,
        public=s.public,
        private=s.private,
        expired=m.expired,
        expiring_30=m.expiring_30,
        expiring_90=m.expiring_90,
        expiry_weeks=tuple(
            WeekBucket(start=w.start, automated=w.automated, manual=w.manual) for w in s.expiry_weeks
        ),
        issuers=tuple(_count(c) for c in s.issuers),
        distinct_issuers=s.distinct_issuers,
        top_issuer_share=s.issuers[0].share if s.issuers else None,
        key_algorithms=tuple(_count(c) for c in s.key_labels),
        signature_algorithms=tuple(_count(c) for c in s.signature_algorithms),
        validity_bins=tuple(
            ValidityBin(label=b.label, low_days=b.low_days, high_days=b.high_days, count=b.count)
            for b in s.validity_bins
        ),
        caps=caps,
        caps_caption=caption,
        over_current_cap=s.over_cap_at_issuance,
        automation=tuple(_count(c) for c in s.automation),
        automated_share=m.automated.value,
        discovery=tuple(_count(c) for c in s.discovery),
        automated_discovery_share=m.auto_discovered.value,
        discovery_methods=len(s.discovery),
        seen_by_multiple=s.seen_by_multiple,
        owner_share=m.owner_known.value,
        rejected=s.rejected,
        rejected_reasons=tuple(
            Count(label=k, count=v, share=v / s.rejected if s.rejected else None)
            for k, v in s.rejected_reasons
        ),
        rejected_rows=tuple(
            RejectedRow(
                source=r.source.replace("\\", "/").rsplit("/", 1)[-1],
                locator=r.locator,
                reason=clean_text(r.reason, TEXT_CHARS),
            )
            for r in s.rejected_rows
        ),
        private_keys=s.private_keys,
    )


def _pqc(p: PqcReadiness) -> PqcSection:
    mosca = p.mosca
    return PqcSection(
        vulnerable=p.vulnerable.count,
        vulnerable_share=p.vulnerable.value,
        unknown_share=p.key_unknown.value,
        by_criticality=tuple(
            CriticalityRow(
                criticality=r.criticality,
                certificates=r.certificates,
                vulnerable=r.vulnerable,
                unknown=r.unknown,
                share=r.vulnerable / r.certificates if r.certificates else None,
            )
            for r in p.by_criticality
        ),
        migration_years=mosca.migration_years,
        quantum_threat_years=mosca.quantum_threat_years,
        mosca_exposed_certificates=mosca.exposed,
        mosca_known=mosca.secrecy_known,
        mosca_unknown_reason=mosca.unknown_reason or "",
        mosca_services=tuple(
            MoscaRow(
                service=s.service,
                secrecy_years=s.secrecy_years,
                certificates=s.certificates,
                margin_years=s.margin_years,
            )
            for s in mosca.services
        ),
        pqc_certificates=tuple(
            Count(label=k, count=v, share=v / p.vulnerable.of if p.vulnerable.of else None)
            for k, v in p.pqc_certificates
        ),
        hybrid_kex_endpoints=p.hybrid_endpoints,
        kex_observed_endpoints=p.kex_observed_endpoints,
        pqc_capable_services=p.pqc_capable_services,
        handshake=tuple(
            HandshakeRow(
                algorithm=h.algorithm,
                bytes=h.bytes,
                fits_initial_window=h.fits_initial_window,
                current=h.current,
            )
            for h in p.handshake
        ),
        initial_window_bytes=p.initial_window_bytes,
        deadlines=p.deadlines,
    )


def _pkimm(v: PkimmView) -> PkimmSection:
    return PkimmSection(
        version=v.version,
        source=v.source,
        score=v.score,
        score_ceiling=v.score_ceiling,
        floor=floor_text(v),
        assessed_weight=v.assessed_weight,
        total_weight=v.total_weight,
        categories=tuple(
            PkimmRow(
                id=c.category.id,
                module=c.category.module_name,
                name=c.category.name,
                weight=c.category.weight,
                criteria=tuple(m.id for m in c.criteria),
                met=c.met,
                not_met=c.not_met,
                unknown=c.unknown,
                level=c.level,
                level_name="" if c.level is None else v.level_name(c.level),
                ceiling=c.ceiling,
            )
            for c in v.categories
        ),
        unmapped=v.unmapped,
    )


def _ladder(m: MaturitySection) -> tuple[LadderStep, ...]:
    steps = []
    for lvl, name in LEVEL_NAMES.items():
        rows = [c for c in m.criteria if c.level == lvl]
        met = sum(1 for c in rows if c.met)
        status = "achieved" if lvl <= m.level else "blocking" if lvl == m.level + 1 else "ahead"
        steps.append(LadderStep(level=lvl, name=name, met=met, total=len(rows), status=status))
    return tuple(steps)


def method_notes() -> tuple[str, ...]:
    """How the numbers were made, from the same tables the analysis reads."""
    caps = schedules.PUBLIC_TLS_VALIDITY_CAPS
    hashes = "/".join(sorted(h.upper() for h in crypto.DEPRECATED_HASHES))
    return (
        "Every number is computed from the inventory read for this report; nothing is sampled.",
        "Expired / expiring: notAfter against the report date; the timeline counts certificates by the week "
        "they expire in, split by whether an automated renewal method (ACME, cert-manager, cloud, EST, SCEP, "
        "Vault) was recorded.",
        "Validity caps: CA/Browser Forum ballot SC-081 (BR §6.3.2): "
        + ", ".join(f"{c.max_days} days from {c.effective.isoformat()}" for c in caps[1:])
        + "; applied to public end-entity certificates at their issuance date.",
        f"Deprecated cryptography: {hashes} signatures (self-signed anchors excepted), RSA below "
        f"{crypto.MIN_RSA_BITS} bits, ECDSA below {crypto.MIN_EC_BITS} bits, DSA. An unknown key is counted as "
        "unknown, never as compliant.",
        "Quantum-vulnerable: RSA, ECDSA, EdDSA and DSA keys (NIST IR 8547 ipd). Mosca exposure: secrecy_years "
        "+ migration_years > quantum_threat_years, from profile.yaml; unknown when profile.yaml does not give "
        "them.",
        f"Handshake size: {crypto.HANDSHAKE_PUBLIC_KEYS} public keys and {crypto.HANDSHAKE_SIGNATURES} "
        f"signatures per TLS handshake ({crypto.HANDSHAKE_SCTS} of them SCTs, which only public chains carry), "
        f"against the ≈ {crypto.INITIAL_WINDOW_BYTES:,} bytes an initial congestion window of ten segments "
        "carries (RFC 6928).",
        "Risk findings and criteria count the same certificates: codes and thresholds are listed by "
        "`cmmm checks`.",
        "Attested answers (profile.yaml) are reported as attested, never as measured; a missing, lapsed or "
        "contradicted answer counts as not met, and level 5 rests on measured and simulated evidence only.",
        "A measured criterion whose needed field is known for less than its coverage threshold (90 % unless the "
        "catalog says otherwise) is unknown, which counts as not met; the score is the level plus the share of "
        "the next level's criteria met, so it never reads as a level not reached.",
        "Strings taken from certificates and input files are shown as text only; control and direction-override "
        "characters are replaced by U+FFFD and long values are shortened.",
    )


def _risks_note(raised: int) -> str:
    if raised >= RISKS_SHOWN:
        return ""
    checks = len(load_risks())
    shown = "no risk finding" if not raised else f"only {raised} risk finding{'s' if raised > 1 else ''}"
    return (
        f"The inventory raised {shown}: the other {checks - raised} of the {checks} risk checks "
        "(`cmmm checks`) found nothing above their thresholds."
    )


_ANSWERS = {
    "pass": "yes",
    "fail": "no",
    "overdue": "no",
    "unknown": "unknown",
    "not-affected": "not affected",
}


def headline(r: DrillResult) -> Headline:
    """The drill's answer in one sentence: the verdict, the p90 completion against the deadline."""
    verdict = str(r.verdict)
    answer = _ANSWERS.get(verdict, verdict)
    p90 = r.completion_hours.p90
    deadline = hours(float(r.deadline_hours))
    if p90 is not None:
        how = f"p90 {hours(p90)} against a {deadline} deadline; on time in {share(r.on_time_probability)} of runs"
    else:
        how = f"deadline {deadline}; {r.affected_certificates:,} certificates affected"
    return Headline(
        scenario=r.scenario,
        title=r.title,
        answer=answer,
        verdict=verdict,
        p90_hours=p90,
        deadline_hours=float(r.deadline_hours),
        on_time_probability=float(r.on_time_probability),
        sentence=f"{answer.capitalize()}: {how}.",
    )


def build_view(
    *,
    summary: InventorySummary,
    assessment: Assessment,
    generated_at: datetime,
    graph: GraphSummary | None = None,
    drills: Sequence[DrillResult] = (),
    lab: LabResult | None = None,
) -> ReportView:
    """The report's view of one analysis: the summary, the assessment, and whatever graph, drills and PQC
    lab ran."""
    a = assessment
    maturity = maturity_section(a)
    findings = tuple(_finding(r) for r in a.risks)
    actions = [Action(title=r.action, detail=r.title, source="assessment") for r in maturity.roadmap]
    actions += [Action(title=x.action, detail=x.title, source="risk") for x in findings]
    if maturity.roadmap:
        roadmap, roadmap_source = maturity.roadmap, "assessment"
    else:
        roadmap = tuple(
            RoadmapRow(title=x.title, action=x.action, concerned=", ".join(x.examples), criterion_id=x.code)
            for x in findings
        )
        roadmap_source = "risks"
    m = a.measures
    head = Summary(
        organization=a.organization,
        level=a.level,
        level_name=LEVEL_NAMES[a.level],
        score=a.score,
        progress=a.progress_toward,
        floor=maturity.floor,
        certificates=m.certificates,
        expired=m.expired,
        expiring_30=m.expiring_30,
        expired_deployed=m.expired_deployed.count,
        automated_share=m.automated.value,
        owner_share=m.owner_known.value,
        quantum_vulnerable_share=m.quantum_vulnerable.value,
        key_unknown_share=m.key_unknown.value,
        tiles=_tiles(a),
        risks=findings[:RISKS_SHOWN],
        actions=tuple(actions[:ACTIONS_SHOWN]),
        headline=headline(drills[0]) if drills else None,
        risks_note=_risks_note(len(findings)),
    )
    return ReportView(
        schema=SCHEMA,
        generated_at=generated_at,
        as_of=a.as_of,
        organization=a.organization,
        summary=neutralized(head),
        inventory=neutralized(_inventory(summary, a)),
        pqc=neutralized(_pqc(a.pqc)),
        findings=neutralized(findings),
        maturity=neutralized(maturity),
        ladder=_ladder(maturity),
        pkimm=_pkimm(categorize(a)),
        dependency=neutralized(dependency_section(graph)) if graph is not None else None,
        drills=tuple(neutralized(drill_section(d)) for d in drills),
        roadmap=neutralized(tuple(roadmap)),
        roadmap_source=roadmap_source,
        method_notes=method_notes(),
        sources=tuple(_count(c) for c in summary.sources),
        lab=lab_section(lab) if lab is not None else None,
    )
