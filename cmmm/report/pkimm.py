"""Render the PKIMM category view (`cmmm assess --model pkimm`): a JSON document with stable keys, rich text
for the terminal, Markdown; and the mapping table of docs/maturity.md."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from cmmm.maturity import Assessment
from cmmm.maturity.pkimm import CategoryView, PkimmModel, PkimmView
from cmmm.report.terminal import safe
from cmmm.sanitize import md_escape


def _level(v: PkimmView, level: int | None) -> str:
    return "not assessed" if level is None else f"{level} {v.level_name(level)}"


def _up_to(c: CategoryView) -> str:
    return "" if c.ceiling is None else str(c.ceiling)


def _score(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def floor_text(v: PkimmView) -> str:
    """ "Strategy and Vision (G.1): 1 Initial", or "" when no category is assessed."""
    if v.floor_category is None or v.floor is None:
        return ""
    return f"{v.floor_category.name} ({v.floor_category.id}): {_level(v, v.floor)}"


def coverage_text(v: PkimmView) -> str:
    """ "10 of 15 categories assessed (33 of 47 weight)"."""
    return (
        f"{len(v.assessed)} of {len(v.categories)} categories assessed "
        f"({v.assessed_weight:g} of {v.total_weight:g} weight)"
    )


def _category_document(v: PkimmView, c: CategoryView) -> dict[str, Any]:
    cat = c.category
    return {
        "id": cat.id,
        "module": cat.module,
        "name": cat.name,
        "weight": cat.weight,
        "assessed": c.assessed,
        "level": c.level,
        "level_name": None if c.level is None else v.level_name(c.level),
        "ceiling": c.ceiling,
        "evidence_levels": list(c.evidence_levels),
        "met": c.met,
        "not_met": c.not_met,
        "unknown": c.unknown,
        "criteria": [
            {"id": m.id, "level": m.level, "status": m.status.value, "outcome": m.outcome.value}
            for m in c.criteria
        ],
        "related": list(c.related),
    }


def pkimm_document(a: Assessment, v: PkimmView) -> dict[str, Any]:
    """`cmmm assess --model pkimm --format json`. Stable keys: model, pkimm (name, version, source, levels),
    as_of, organization, certificates, cmmm (level, level_name, score), score, score_ceiling, floor,
    floor_category, assessed_weight, total_weight, modules, categories, unmapped (docs/maturity.md)."""
    return {
        "model": "pkimm",
        "pkimm": {"name": v.model, "version": v.version, "source": v.source, "levels": list(v.levels)},
        "as_of": a.as_of.isoformat(),
        "organization": a.organization,
        "certificates": a.certificates,
        "cmmm": {"level": a.level, "level_name": a.level_name, "score": a.score},
        "score": v.score,
        "score_ceiling": v.score_ceiling,
        "floor": v.floor,
        "floor_category": None if v.floor_category is None else v.floor_category.id,
        "assessed_weight": v.assessed_weight,
        "total_weight": v.total_weight,
        "modules": [
            {
                "id": m.module.id,
                "name": m.module.name,
                "score": m.score,
                "assessed_weight": m.assessed_weight,
                "weight": m.weight,
            }
            for m in v.modules
        ],
        "categories": [_category_document(v, c) for c in v.categories],
        "unmapped": list(v.unmapped),
    }


def _headline(a: Assessment, v: PkimmView) -> tuple[str, str]:
    """The overall and floor; then coverage and the CMMM reading of the same evidence."""
    first = (
        f"PKIMM {v.version}: overall {_score(v.score)} / 5 (up to {_score(v.score_ceiling)} on this evidence), "
        f"floor {floor_text(v) or '—'}"
    )
    second = (
        f"{coverage_text(v)}; the same evidence on CMMM: level {a.level} {a.level_name}, score {a.score:.2f}; "
        f"as of {a.as_of.date()}"
    )
    return first, second


RULE = (
    "level: every criterion placed in the category up to that level is met (unknown counts as not met); "
    "up to: the highest level no failed criterion rules out; overall: PKIMM's weighted average of the "
    "assessed categories' levels."
)


def render_pkimm(console: Console, a: Assessment, v: PkimmView) -> None:
    """The category table beside the CMMM level."""
    first, second = _headline(a, v)
    org = f"{safe(a.organization)} — " if a.organization else ""
    console.print(f"[bold]{org}{safe(first)}[/]")
    console.print(f"[dim]{safe(second)}[/]")
    t = Table(show_edge=False)
    t.add_column("category", min_width=22, overflow="fold")
    for col in ("weight", "met", "not met", "unknown", "level", "up to"):
        t.add_column(col, justify="left" if col == "level" else "right", no_wrap=True)
    module = ""
    for c in v.categories:
        cat = c.category
        if cat.module != module:
            module = cat.module
            t.add_row(f"[bold]{cat.module_name}[/]", "", "", "", "", "", "")
        if not c.assessed:
            t.add_row(f"{cat.id} {cat.name}", f"{cat.weight:g}", "", "", "", "[dim]not assessed[/]", "")
            continue
        level = _level(v, c.level)
        if v.floor_category is not None and cat.id == v.floor_category.id:
            level = f"[red]{level}[/]"
        t.add_row(
            f"{cat.id} {cat.name}",
            f"{cat.weight:g}",
            str(c.met),
            str(c.not_met),
            str(c.unknown),
            level,
            _up_to(c),
        )
    console.print(t)
    console.print(f"[dim]{RULE}[/]")
    if v.unmapped:
        console.print(f"[yellow]Not placed in any PKIMM category: {', '.join(v.unmapped)}[/]")


def pkimm_markdown(a: Assessment, v: PkimmView) -> str:
    """`cmmm assess --model pkimm --format markdown`."""
    first, second = _headline(a, v)
    lines = [
        f"# PKIMM {v.version} categories{f' — {md_escape(a.organization)}' if a.organization else ''}",
        "",
        f"**{md_escape(first)}**",
        "",
        md_escape(second),
        "",
        "| module | category | weight | criteria | met | not met | unknown | level | up to |",
        "|---|---|---:|---|---:|---:|---:|---|---:|",
    ]
    for c in v.categories:
        cat = c.category
        lines.append(
            f"| {cat.module_name} | {cat.id} {cat.name} | {cat.weight:g} | "
            + (
                f"{', '.join(f'`{m.id}`' for m in c.criteria)} | {c.met} | {c.not_met} | {c.unknown} | "
                f"{_level(v, c.level)} | {_up_to(c)} |"
                if c.assessed
                else "— | | | | not assessed | |"
            )
        )
    lines += ["", md_escape(RULE)]
    if v.unmapped:
        lines += ["", f"Not placed in any PKIMM category: {', '.join(f'`{i}`' for i in v.unmapped)}."]
    return "\n".join(lines) + "\n"


def mapping_markdown(model: PkimmModel) -> str:
    """The mapping table of docs/maturity.md (a test keeps the page equal to this)."""
    lines = [
        f"| PKIMM {model.version} category | weight | criteria scored here | also informed by |",
        "|---|---:|---|---|",
    ]
    placed = model.mapping
    for cat in model.categories:
        scored = ", ".join(f"`{p.criterion}`" for p in placed if p.category == cat.id) or "— (not assessed)"
        also = ", ".join(f"`{p.criterion}`" for p in placed if p.also == cat.id)
        lines.append(f"| {cat.id} {cat.name} ({cat.module_name}) | {cat.weight:g} | {scored} | {also} |")
    lines += ["", "| criterion | PKIMM category | why |", "|---|---|---|"]
    names = {c.id: c.name for c in model.categories}
    for p in placed:
        where = f"{p.category} {names[p.category]}" + (f" (also {p.also} {names[p.also]})" if p.also else "")
        lines.append(f"| `{p.criterion}` | {where} | {md_escape(p.why)} |")
    return "\n".join(lines) + "\n"
