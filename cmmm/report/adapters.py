"""Map the stages' result objects onto the report's plain view sections (no computation beyond grouping)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from cmmm.drill import DrillResult
from cmmm.graph import GraphSummary
from cmmm.maturity import Assessment
from cmmm.report.assessment import format_value
from cmmm.report.view import (
    PROSE_CHARS,
    BurnPoint,
    CaRow,
    CriterionRow,
    DependencySection,
    DrillSection,
    MaturitySection,
    PlanRow,
    RoadmapRow,
    clean_text,
)

FIRST_WAVE_ROWS = 12


def dependency_section(s: GraphSummary, *, top: int = 8) -> DependencySection:
    """The riskiest issuing CAs by transitive blast radius, plus hierarchy counts and single points of failure."""
    rows = tuple(
        CaRow(
            name=clean_text(r["name"]),
            kind=str(r["kind"]),
            certificates=int(r["certificates"]),
            services=int(r["services"]),
            critical_services=int(r["critical_services"]),
            share=float(r["leaf_share"]) if pd.notna(r["leaf_share"]) else 0.0,
        )
        for _, r in s.riskiest.head(top).iterrows()
    )
    spofs = tuple(
        clean_text(f"{r['name']}: {r['reason']}", limit=160) for _, r in s.single_points_of_failure.iterrows()
    )
    notes = []
    if s.orphans:
        notes.append(
            f"{s.orphans} certificates chain to an issuer that is not in the inventory (unknown CA)."
        )
    if s.issuer_expires_first:
        notes.append(f"{s.issuer_expires_first} certificates outlive the CA certificate that issued them.")
    if s.unverified:
        notes.append(f"{s.unverified} issuer links failed signature verification.")
    return DependencySection(
        top_cas=rows,
        roots=int(s.cas.get("root", 0)),
        intermediates=int(s.cas.get("intermediate", 0)),
        unknown_issuers=int(s.cas.get("unknown", 0)),
        single_points_of_failure=spofs,
        notes=tuple(notes),
    )


def _hours(ts: pd.Series, t0: datetime) -> pd.Series:
    return (pd.to_datetime(ts, utc=True) - pd.Timestamp(t0)).dt.total_seconds() / 3600.0


def _known_hours(value: float) -> float | None:
    """Hours from the drill's start; None when the plan has no time for it (work that never finishes within
    the simulated horizon). Timestamps a hair before the start are the start (no "-0 h")."""
    return None if pd.isna(value) else max(0.0, float(value))


def drill_section(r: DrillResult) -> DrillSection:
    """A drill's verdict, burn-down and the plan's first steps — one row per issuance change (a
    ClusterIssuer, an ACME account, a manual team), never one row per certificate at scale."""
    burn = tuple(
        BurnPoint(hours=float(b.hours), p10=float(b.p10), p50=float(b.p50), p90=float(b.p90))
        for b in r.burndown.itertuples()
    )
    first = _first_steps(r) if len(r.steps) else _first_wave(r)
    source = ""
    if r.replays is not None:
        source = f"{r.replays.title} ({r.replays.date.isoformat()}; {r.replays.source})"
    return DrillSection(
        scenario=r.scenario,
        title=r.title,
        kind=str(r.kind),
        verdict=str(r.verdict),
        deadline_hours=float(r.deadline_hours),
        affected_certificates=int(r.affected_certificates),
        completion_p50_hours=r.completion_hours.p50,
        completion_p90_hours=r.completion_hours.p90,
        on_time_probability=float(r.on_time_probability),
        exposed={
            "certificates": float(r.exposed_at_deadline.certificates),
            "critical services": float(r.exposed_at_deadline.critical_services),
            "service-hours": float(r.exposed_at_deadline.service_hours),
        },
        burn_down=burn,
        first_wave=first,
        description=" ".join([r.description, *(f"{x.rstrip('.')}." for x in r.reasons)]).strip(),
        source=source,
    )


def _first_steps(r: DrillResult) -> tuple[PlanRow, ...]:
    """The plan's first steps in order: trust bundles, issuance changes, revocation."""
    steps = r.steps.head(FIRST_WAVE_ROWS)
    start = _hours(steps["planned_start"], r.now)
    finish = _hours(steps["planned_finish"], r.now)
    return tuple(
        PlanRow(
            target=clean_text(f"{s.step}. {s.title}", PROSE_CHARS),
            owner=clean_text(s.team),
            action=clean_text(s.kind),
            method=clean_text(s.mechanism),
            start_hours=_known_hours(a),
            finish_hours=_known_hours(b),
        )
        for s, a, b in zip(steps.itertuples(), start, finish, strict=True)
    )


def _first_wave(r: DrillResult) -> tuple[PlanRow, ...]:
    """A plan without steps (the validity-cap plan): its first wave grouped by team, action and method."""
    plan = r.plan
    if not len(plan):
        return ()
    wave = plan[plan["wave"] == plan["wave"].min()].copy()
    wave["start_h"] = _hours(wave["planned_start"], r.now)
    wave["finish_h"] = _hours(wave["planned_finish"], r.now)
    wave["team"] = wave["team"].fillna("(no team)")
    g = wave.groupby(["team", "action", "method"], dropna=False, sort=False).agg(
        n=("cert_id", "size"),
        name=("common_name", "first"),
        owner=("owner", "first"),
        start=("start_h", "min"),
        finish=("finish_h", "max"),
    )
    g = g.sort_values(["start", "n"], ascending=[True, False]).head(FIRST_WAVE_ROWS).reset_index()
    return tuple(
        PlanRow(
            target=clean_text(
                row["name"] if row["n"] == 1 else f"{row['n']} certificates of team {row['team']}"
            ),
            owner=clean_text(row["owner"] if pd.notna(row["owner"]) else row["team"]),
            action=str(row["action"]),
            method=str(row["method"]),
            start_hours=_known_hours(row["start"]),
            finish_hours=_known_hours(row["finish"]),
        )
        for _, row in g.iterrows()
    )


def _concerned(count: int, names: list[str], teams: tuple[tuple[str, int], ...]) -> str:
    if not count:
        return ""
    shown = ", ".join(clean_text(n) for n in names[:3])
    team_text = ", ".join(f"{clean_text(t)} {n}" for t, n in teams[:3])
    return (
        f"{count} certificates"
        + (f" (e.g. {shown})" if shown else "")
        + (f"; teams {team_text}" if team_text else "")
    )


def maturity_section(a: Assessment) -> MaturitySection:
    """The assessment: level, dimension scores (radar), every criterion with its evidence, the roadmap."""
    by_id = {r.id: r for r in a.criteria}
    return MaturitySection(
        level=a.level,
        score=a.score,
        progress=a.progress_toward,
        floor=a.dimension_titles[a.floor_dimension],
        dimensions={a.dimension_titles[d]: s for d, s in a.dimensions.items()},
        criteria=tuple(
            CriterionRow(
                id=r.id,
                level=r.criterion.level,
                dimension=a.dimension_titles[r.criterion.dimension],
                title=r.criterion.title,
                evidence=r.criterion.evidence.value,
                # None: nothing decided it (unknown, unanswered, a drill not run), which counts as not met
                met=r.met if r.status.judged or r.met else None,
                status=r.status.value,
                value=format_value(r),
                threshold=r.threshold,
                detail=clean_text(r.evidence, PROSE_CHARS)
                + (
                    " — " + _concerned(r.failing_count, list(r.failing["common_name"].dropna()), r.teams)
                    if r.failing_count
                    else ""
                ),
            )
            for r in a.criteria
        ),
        blockers=tuple(
            f"{by_id[b].criterion.title}: {clean_text(by_id[b].evidence, PROSE_CHARS)}" for b in a.blockers
        ),
        roadmap=tuple(
            RoadmapRow(
                title=item.title,
                action=item.action,
                level=item.level,
                dimension=a.dimension_titles[item.dimension],
                criterion_id=item.criterion_id,
                concerned=_concerned(
                    item.certificates_count, list(item.certificates["common_name"].dropna()), item.teams
                ),
                effect=f"{item.status.value}; {100 * item.gain:.0f} % of level {item.level}",
            )
            for item in a.roadmap
        ),
    )
