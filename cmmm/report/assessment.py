"""Render an Assessment: a JSON document with stable keys, rich text for the terminal, and Markdown."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
from rich.console import Console
from rich.padding import Padding
from rich.table import Table

from cmmm.export import records
from cmmm.maturity import Assessment, CriterionResult, Status
from cmmm.maturity.catalog import Catalog, Criterion, EvidenceKind
from cmmm.maturity.risks import RiskSpec, load_risks
from cmmm.model import LEVEL_NAMES
from cmmm.policy import CATALOG as POLICY_CATALOG
from cmmm.report.terminal import safe
from cmmm.sanitize import md_escape

_STATUS_STYLE = {
    Status.MET: "green",
    Status.ATTESTED: "cyan",
    Status.NOT_APPLICABLE: "dim green",
    Status.NOT_MET: "red",
    Status.CONTRADICTED: "bold red",
    Status.LAPSED: "yellow",
    Status.UNKNOWN: "yellow",
    Status.NO_EVIDENCE: "yellow",
    Status.NOT_EVALUATED: "dim",
}
STATUS_MARK = {
    Status.MET: "✔ met",
    Status.ATTESTED: "✔ attested",
    Status.NOT_APPLICABLE: "– not applicable",
    Status.NOT_MET: "✘ not met",
    Status.CONTRADICTED: "✘ contradicted",
    Status.LAPSED: "✘ lapsed",
    Status.UNKNOWN: "? unknown",
    Status.NO_EVIDENCE: "✘ no evidence",
    Status.NOT_EVALUATED: "– not evaluated",
}


def _value(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)


def _cert_label(row: pd.Series) -> str:
    name = row["common_name"] if pd.notna(row["common_name"]) else row["cert_id"]
    who = row["owner"] if pd.notna(row["owner"]) else (row["team"] if pd.notna(row["team"]) else None)
    return f"{name}" + (f" ({who})" if who else "")


def _labels(frame: pd.DataFrame) -> list[str]:
    return [_cert_label(r) for _, r in frame.iterrows()]  # at most TOP_N rows


def criterion_document(r: CriterionResult) -> dict[str, Any]:
    c = r.criterion
    return {
        "id": c.id,
        "level": c.level,
        "dimension": c.dimension.value,
        "title": c.title,
        "evidence_kind": c.evidence.value,
        "status": r.status.value,
        "met": r.met,
        "value": _value(r.value),
        "threshold": r.threshold,
        "evidence": r.evidence,
        "coverage": None
        if r.coverage is None
        else {"field": r.coverage.field, "known": r.coverage.known, "of": r.coverage.of},
        "failing": records(r.failing),
        "failing_count": r.failing_count,
    }


def assessment_document(a: Assessment) -> dict[str, Any]:
    """The JSON view. Stable keys: level, level_name, score, progress, floor, floor_dimension, dimensions,
    criteria, blockers, roadmap, as_of, organization, certificates, policy."""
    return {
        "as_of": a.as_of.isoformat(),
        "observed_at": a.observed_at.isoformat(),
        "organization": a.organization,
        "certificates": a.certificates,
        "level": a.level,
        "level_name": a.level_name,
        "score": a.score,
        "progress": None
        if a.progress is None
        else {"next_level": a.next_level, "met": a.progress.count, "of": a.progress.of},
        "floor": a.floor,
        "floor_dimension": a.floor_dimension.value,
        "dimensions": {d.value: s for d, s in a.dimensions.items()},
        "criteria": [criterion_document(r) for r in a.criteria],
        "blockers": list(a.blockers),
        "roadmap": [
            {
                "id": item.criterion_id,
                "title": item.title,
                "level": item.level,
                "dimension": item.dimension.value,
                "progress_gain": item.gain,
                "status": item.status.value,
                "action": item.action,
                "evidence": item.evidence,
                "certificates": records(item.certificates),
                "certificates_count": item.certificates_count,
                "teams": [{"team": t, "certificates": n} for t, n in item.teams],
            }
            for item in a.roadmap
        ],
        "policy": {
            "name": a.policy.policy_name,
            "source": a.policy.source,
            "checked": a.policy.checked,
            "compliant": a.policy.compliant,
            "compliance": _value(a.policy.compliance),
            "findings_by_code": a.policy.by_code,
        },
    }


def format_value(r: CriterionResult) -> str:
    """The measured or answered value, formatted for its unit ("87.2 %", "3", "yes", "40 days")."""
    v, unit = r.value, r.criterion.unit
    if v is None:
        return "—"
    if r.criterion.evidence is EvidenceKind.ATTESTED:
        return f"{v:g} days" if unit == "days" else ("yes" if v else "no")
    if unit in ("share", "probability"):
        return f"{100 * v:.1f} %"
    return f"{v:g}"


ROADMAP_SHOWN = 5  # actions in the summary; --verbose shows them all


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def no_profile_note(a: Assessment) -> str:
    """Said once when no profile.yaml was found, instead of "not answered" on every attested criterion."""
    unanswered = sum(
        r.criterion.evidence is EvidenceKind.ATTESTED and r.status is Status.NO_EVIDENCE for r in a.criteria
    )
    return (
        f"no profile.yaml found: {_plural(unanswered, 'attested criterion')} have no evidence "
        "(team capacity and backup CAs take defaults in the drills). `cmmm init FOLDER` writes one; "
        "docs/bundle.md documents every field."
    ).replace("criterions", "criteria")


def _unanswered(r: CriterionResult, profile_found: bool) -> bool:
    return (
        not profile_found and r.criterion.evidence is EvidenceKind.ATTESTED and r.status is Status.NO_EVIDENCE
    )


def render_assessment_summary(console: Console, a: Assessment, *, profile_found: bool = True) -> None:
    """The short answer: level and score, what blocks the next level, the top actions; every criterion is
    behind --verbose. Lines wrap at word boundaries, so the summary reads at 80 columns."""
    say = functools.partial(console.print, soft_wrap=False)
    _headline(console, a)
    if not profile_found:
        say(f"[yellow]note:[/] {no_profile_note(a)}")
    levels = sorted({r.criterion.level for r in a.criteria})
    counts = []
    for level in levels:
        rows = [r for r in a.criteria if r.criterion.level == level]
        counts.append(f"L{level} {sum(r.met for r in rows)}/{len(rows)}")
    say(f"criteria met per level: {'  '.join(counts)}")
    say("dimensions: " + ", ".join(f"{a.dimension_titles[d]} {s:.1f}" for d, s in a.dimensions.items()))
    if a.next_level is None:
        say("[green]Level 5 reached: keep drilling and improving.[/]")
        return
    blocking = [r for r in a.criteria if r.id in set(a.blockers)]
    say(
        f"\n[bold]What blocks level {a.next_level} ({LEVEL_NAMES[a.next_level]}):[/] "
        f"{_plural(len(blocking), 'criterion')}".replace("criterions", "criteria")
    )
    for r in blocking:
        why = "no profile.yaml" if _unanswered(r, profile_found) else safe(r.evidence)
        say(
            Padding(
                f"[{_STATUS_STYLE[r.status]}]{STATUS_MARK[r.status]}[/] [bold]{r.id}[/] "
                f"{safe(r.criterion.title)}",
                (0, 0, 0, 2),
                expand=False,
            )
        )
        say(Padding(f"[dim]{why}[/]", (0, 0, 0, 4), expand=False))
    if a.roadmap:
        say(f"\n[bold]Top actions[/] (of {len(a.roadmap)} on the roadmap)")
        for i, item in enumerate(a.roadmap[:ROADMAP_SHOWN], 1):
            say(f"{i}. [bold]{safe(item.title)}[/] [dim]({item.criterion_id})[/]")
            say(Padding(safe(item.action), (0, 0, 0, 3), expand=False))
    say("\n[dim]--verbose: every criterion with its evidence and the whole roadmap[/]")


def _headline(console: Console, a: Assessment) -> None:
    org = f"{safe(a.organization)} — " if a.organization else ""
    console.print(
        f"[bold]{org}CMMM level {a.level}: {a.level_name}[/]  ({a.progress_toward}; score {a.score:.2f})  "
        f"weakest dimension: {a.dimension_titles[a.floor_dimension]} {a.floor:.2f}",
        soft_wrap=False,
    )
    ahead = f", looking ahead from the inventory of {a.observed_at.date()}" if a.observed_at < a.as_of else ""
    console.print(
        f"[dim]{_plural(a.certificates, 'certificate')}, evaluated as of {a.as_of.date()}{ahead}; "
        f"policy: {safe(a.policy.policy_name)}[/]",
        soft_wrap=False,
    )


def render_assessment(console: Console, a: Assessment, *, profile_found: bool = True) -> None:
    """Level, scores, the criteria table with evidence, and the roadmap."""
    _headline(console, a)
    if not profile_found:
        console.print(f"[yellow]note:[/] {no_profile_note(a)}")
    t = Table(title="dimensions", title_justify="left", show_edge=False)
    t.add_column("dimension")
    t.add_column("score", justify="right")
    for d, s in a.dimensions.items():
        t.add_row(a.dimension_titles[d], f"{s:.2f}")
    console.print(t)
    for level in sorted({r.criterion.level for r in a.criteria}):
        rows = [r for r in a.criteria if r.criterion.level == level]
        met = sum(r.met for r in rows)
        t = Table(
            title=f"level {level} — {LEVEL_NAMES[level]}: {met} of {len(rows)} criteria met",
            title_justify="left",
            show_edge=False,
            show_lines=False,
            expand=True,
        )
        t.add_column("status", no_wrap=True)
        t.add_column("criterion and evidence", ratio=1, overflow="fold")
        t.add_column("value", justify="right", no_wrap=True)
        for r in rows:
            style = _STATUS_STYLE[r.status]
            text = (
                f"[bold]{r.id}[/] {safe(r.criterion.title)} [dim]({r.criterion.evidence.value}, "
                f"{a.dimension_titles[r.criterion.dimension]})[/]\n"
                + (
                    "no profile.yaml (see the note above)"
                    if _unanswered(r, profile_found)
                    else safe(r.evidence)
                )
            )
            if r.failing_count:
                shown = ", ".join(safe(x) for x in _labels(r.failing.head(3)))
                more = r.failing_count - min(3, len(r.failing))
                text += f"\n[dim]e.g. {shown}{f' (+{more} more)' if more > 0 else ''}[/]"
            t.add_row(
                f"[{style}]{STATUS_MARK[r.status]}[/]",
                text,
                f"{format_value(r)}\n[dim]{safe(r.threshold)}[/]",
            )
        console.print(t)
    if a.next_level is None:
        console.print("[green]Level 5 reached: keep drilling and improving.[/]")
        return
    console.print(f"\n[bold]Roadmap to level {a.next_level} ({LEVEL_NAMES[a.next_level]})[/]")
    for i, item in enumerate(a.roadmap, 1):
        console.print(
            f"{i}. [bold]{item.title}[/] [dim]({item.criterion_id}, {item.status.value}, "
            f"{100 * item.gain:.0f} % of level {item.level})[/]"
        )
        console.print(f"   {safe(item.action)}")
        unanswered = (
            not profile_found and item.status is Status.NO_EVIDENCE and "profile.yaml" in item.evidence
        )
        console.print(f"   [dim]evidence: {'no profile.yaml' if unanswered else safe(item.evidence)}[/]")
        if item.certificates_count:
            names = ", ".join(safe(x) for x in _labels(item.certificates))
            more = item.certificates_count - len(item.certificates)
            console.print(f"   certificates: {names}{f' (+{more} more)' if more > 0 else ''}")
        if item.teams:
            console.print("   teams: " + ", ".join(f"{safe(t)} {n}" for t, n in item.teams))


def _md(text: object) -> str:
    return md_escape(text)


def render_markdown(a: Assessment) -> str:
    """The assessment as Markdown (for tickets and wikis)."""
    lines = [
        f"# CMMM assessment{f' — {_md(a.organization)}' if a.organization else ''}",
        "",
        f"**Level {a.level}: {a.level_name}** · {a.progress_toward} · score {a.score:.2f} · weakest dimension "
        f"{a.dimension_titles[a.floor_dimension]} {a.floor:.2f} · {a.certificates} certificates · as of {a.as_of.date()}",
        "",
        "| dimension | score |",
        "|---|---:|",
        *[f"| {a.dimension_titles[d]} | {s:.2f} |" for d, s in a.dimensions.items()],
        "",
        "## Criteria",
        "",
        "| level | id | kind | status | value | threshold | evidence |",
        "|---:|---|---|---|---:|---|---|",
    ]
    for r in a.criteria:
        lines.append(
            f"| {r.criterion.level} | `{r.id}` | {r.criterion.evidence.value} | {r.status.value} | "
            f"{format_value(r)} | {_md(r.threshold)} | {_md(r.evidence)} |"
        )
    if a.next_level is not None:
        lines += ["", f"## Roadmap to level {a.next_level} ({LEVEL_NAMES[a.next_level]})", ""]
        for i, item in enumerate(a.roadmap, 1):
            lines.append(
                f"{i}. **{_md(item.title)}** (`{item.criterion_id}`, {item.status.value}): {_md(item.action)}"
            )
            lines.append(f"   - evidence: {_md(item.evidence)}")
            if item.certificates_count:
                more = item.certificates_count - len(item.certificates)
                names = ", ".join(_md(x) for x in _labels(item.certificates))
                lines.append(f"   - certificates: {names}{f' (+{more} more)' if more > 0 else ''}")
            if item.teams:
                lines.append("   - teams: " + ", ".join(f"{_md(t)} {n}" for t, n in item.teams))
    return "\n".join(lines) + "\n"


def _escalation(r: RiskSpec) -> str:
    e = r.escalate
    if e is None:
        return ""
    when = {
        "on-high-services": "any is on a high or critical service",
        "share-above": f"their share is above {100 * (e.threshold or 0):g} %",
        "unencrypted": "any key is unencrypted",
    }[e.when]
    return f"{e.to.value} when {when}"


def _risk_threshold(r: RiskSpec) -> str:
    return f"share > {100 * r.threshold:g} %" if r.threshold is not None else "any"


def checks_document(catalog: Catalog) -> dict[str, Any]:
    """`cmmm checks --format json`: every criterion, risk finding and policy check with its stable id."""
    return {
        "criteria": [
            {
                "id": c.id,
                "level": c.level,
                "dimension": c.dimension.value,
                "evidence_kind": c.evidence.value,
                "title": c.title,
                "measures": c.measures,
                "threshold": c.threshold_text,
                "min_coverage": c.min_coverage if c.evidence is EvidenceKind.MEASURED else None,
                "verified_only": bool(c.params.get("verified")),
                "source": c.source,
                **({"attested": c.attested} if c.attested else {}),
                **({"supports": c.supports} if c.supports else {}),
                **({"scenario": c.scenario} if c.scenario else {}),
            }
            for c in catalog.criteria
        ],
        "risks": [
            {
                "id": r.id,
                "severity": r.severity.value,
                "escalates": _escalation(r) or None,
                "threshold": _risk_threshold(r),
                "measures": r.measures,
                "rationale": r.rationale,
                "source": r.source,
                "action": r.action,
            }
            for r in load_risks()
        ],
        "policy_checks": [
            {"code": p.code.value, "severity": p.severity.value, "title": p.title, "applies_to": p.applies_to}
            for p in POLICY_CATALOG.values()
        ],
    }


def render_checks(console: Console, catalog: Catalog) -> None:
    """The catalog as three tables that read at 80 columns: the ids one copies are never split, the text
    beside them wraps."""

    def table(title: str, first: str, second: str) -> Table:
        t = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
        t.add_column(first, no_wrap=True, style="bold")
        t.add_column(second, no_wrap=True)
        t.add_column("what · threshold", ratio=1, overflow="fold")
        return t

    t = table("maturity criteria", "id", "level")
    for c in catalog.criteria:
        t.add_row(
            c.id,
            f"L{c.level} {c.evidence.value}",
            f"{safe(c.title)} [dim]({catalog.dimension_titles[c.dimension]}; {safe(c.threshold_text)})[/]",
        )
    console.print(t)
    t = table("risk findings", "id", "severity")
    for r in load_risks():
        more = f"; {_escalation(r)}" if r.escalate else ""
        t.add_row(
            r.id, r.severity.value, f"{safe(r.measures)} [dim](raised when {_risk_threshold(r)}{more})[/]"
        )
    console.print(t)
    t = table("policy checks", "code", "severity")
    for p in POLICY_CATALOG.values():
        t.add_row(p.code.value, p.severity.value, safe(p.title))
    console.print(t)


def _evidence_text(c: Criterion) -> str:
    ev = c.evidence.value
    if c.params.get("verified"):
        ev += ", verified only"
    if c.attested:
        ev += f" (`{c.attested}`)"
    if c.recorded:
        ev = f"recorded (`{c.recorded}`), else {ev}"
    if c.supports:
        ev += f" (supported by `{c.supports}`)"
    if c.scenario:
        ev += f" (drill `{c.scenario}`)"
    return ev


def catalog_markdown(catalog: Catalog) -> str:
    """The criteria and policy-check tables of docs/maturity.md (a test keeps the page equal to this)."""
    lines: list[str] = []
    for lvl in sorted({c.level for c in catalog.criteria}):
        lines += [
            f"### Level {lvl}: {LEVEL_NAMES[lvl]}",
            "",
            "| id | dimension | evidence | threshold | what is measured | source |",
            "|---|---|---|---|---|---|",
        ]
        for c in (c for c in catalog.criteria if c.level == lvl):
            lines.append(
                f"| `{c.id}` | {catalog.dimension_titles[c.dimension]} | {_evidence_text(c)} | {c.threshold_text} | "
                f"{_md(c.measures)} | {_md(c.source or '')} |"
            )
        lines.append("")
    lines += [
        "## Risk findings",
        "",
        "| id | severity | raised when | what is counted | source |",
        "|---|---|---|---|---|",
    ]
    for r in load_risks():
        sev = r.severity.value + (f"; {_escalation(r)}" if r.escalate else "")
        lines.append(f"| `{r.id}` | {sev} | {_risk_threshold(r)} | {_md(r.measures)} | {_md(r.source)} |")
    lines += ["", "## Policy checks", "", "| code | severity | what |", "|---|---|---|"]
    lines += [
        f"| `{p.code.value}` | {p.severity.value} | {_md(p.title)}; applies to {_md(p.applies_to)} |"
        for p in POLICY_CATALOG.values()
    ]
    return "\n".join(lines) + "\n"
