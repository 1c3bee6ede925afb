"""`cmmm init` on the terminal: what the folder holds, and the profile questions asked one by one."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from cmmm.export.bundle import NEVER, Answer, CaChoice, Detected, Question, Starter, TeamCapacity
from cmmm.report.terminal import safe

CA_TYPES = ("acme", "public", "private", "cloud")


def render_detected(console: Console, folder: Path, d: Detected) -> None:
    if not d.certificates:
        console.print(
            f"{safe(folder)}: no certificate found yet; the spreadsheet template shows the columns cmmm reads"
        )
        return
    formats = ", ".join(f"{safe(k)} {n}" for k, n in d.formats)
    console.print(
        f"{safe(folder)}: {d.certificates:,} certificate{'s' if d.certificates != 1 else ''} "
        f"in {d.files:,} file{'s' if d.files != 1 else ''} ({formats})",
        soft_wrap=False,
    )
    if d.teams:
        console.print(f"teams: {', '.join(safe(t) for t in d.teams)}", soft_wrap=False)
    if d.issuers:
        console.print(
            f"issuing CAs: {', '.join(f'{safe(c.name)} ({c.type})' for c in d.issuers)}", soft_wrap=False
        )


def _cas(text: str) -> tuple[CaChoice, ...]:
    """ "Name:type, Name:type" → CA choices (type defaults to public)."""
    out = []
    for part in text.split(","):
        name, _, kind = part.strip().rpartition(":") if ":" in part else (part.strip(), "", "public")
        kind = kind.strip().lower()
        if name.strip():
            out.append(CaChoice(name=name.strip(), type=kind if kind in CA_TYPES else "public"))
    return tuple(out)


def _ca_text(cas: Sequence[CaChoice]) -> str:
    return ", ".join(f"{c.name}:{c.type}" for c in cas)


def _day(text: str) -> date:
    """A prompt's date: asked again (typer re-prompts on BadParameter) until it is YYYY-MM-DD."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _when(text: str) -> str:
    """The last drill's date, or never."""
    value = str(text).strip()
    return value if value.lower() == NEVER else _day(value).isoformat()


def _answer(console: Console, q: Question, today: date) -> Answer:
    console.print(f"\n[bold]{safe(q.title)}[/] [dim](attested.{q.key}, level {q.level})[/]", soft_wrap=False)
    console.print(f"[dim]{safe(q.meaning)} Evidence: {safe(q.evidence_hint)}.[/]", soft_wrap=False)
    if q.dated:
        when = typer.prompt("date of the last drill (YYYY-MM-DD) or never", default=NEVER, value_proc=_when)
        if when.lower() == NEVER:
            return Answer(answer=NEVER)
        ref = typer.prompt("evidence reference (report, ticket)", default="", show_default=False)
        return Answer(answer=when, on=date.fromisoformat(when), evidence=ref or None)
    if not typer.confirm("yes?", default=False):
        return Answer(answer=False)
    on = typer.prompt("since (YYYY-MM-DD)", default=today.isoformat(), value_proc=_day)
    ref = typer.prompt(f"evidence reference ({q.evidence_hint})", default="", show_default=False)
    return Answer(answer=True, on=on, evidence=ref or None)


def ask_profile(console: Console, s: Starter, questions: Sequence[Question], *, today: date) -> Starter:
    """The profile questions, each with its default (what --defaults writes)."""
    org = typer.prompt("organization", default=s.organization)
    teams = []
    for t in s.teams:
        name = typer.prompt("team", default=t.name)
        engineers = typer.prompt(f"  engineers in {name}", default=t.engineers, type=int)
        hours = typer.prompt(
            "  hours per engineer per day for certificate work", default=t.hours_per_day, type=float
        )
        teams.append(TeamCapacity(name=name, engineers=engineers, hours_per_day=hours))
    approved = _cas(
        typer.prompt(
            "approved CAs (name:acme|public|private|cloud, comma-separated)", default=_ca_text(s.approved_cas)
        )
    )
    backup = _cas(typer.prompt("backup CAs (same form; empty for none)", default="", show_default=False))
    if backup and typer.confirm(
        "are the backup CAs pre-approved (contract, ACME account, CAA in place)?", default=False
    ):
        backup = tuple(dataclasses.replace(c, pre_approved=True) for c in backup)
    days = typer.prompt(
        "days to onboard a CA that is not pre-approved", default=s.ca_onboarding_days, type=int
    )
    console.print(
        '\n[bold]Attested answers[/]: what only people can say. "no" claims nothing; a yes needs evidence.'
    )
    answers = {q.key: _answer(console, q, today) for q in questions}
    return Starter(
        organization=org,
        teams=tuple(teams),
        approved_cas=approved,
        backup_cas=backup,
        ca_onboarding_days=days,
        attested=answers,
    )
