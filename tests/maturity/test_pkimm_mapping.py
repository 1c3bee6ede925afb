"""The PKIMM mapping is a contract: every criterion of criteria.yaml is placed in exactly one PKIMM 1.0.0
category, every placement names a criterion, the model holds 1.0.0's facts, a bad file is refused with the
file named, and docs/maturity.md shows the current mapping."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmmm.errors import InputError
from cmmm.maturity import Status
from cmmm.maturity.catalog import load_catalog, parse_catalog
from cmmm.maturity.pkimm import (
    PKIMM_FILE,
    UNKNOWN_STATUSES,
    load_pkimm,
    mapping_problems,
    parse_pkimm,
)
from cmmm.report.pkimm import mapping_markdown

MATURITY = Path(__file__).resolve().parents[2] / "cmmm" / "maturity"
DOC = Path(__file__).resolve().parents[2] / "docs" / "maturity.md"


def _raw() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((MATURITY / PKIMM_FILE).read_text(encoding="utf-8"))
    return doc


def test_every_criterion_is_placed_exactly_once() -> None:
    catalog = load_catalog()
    problems = mapping_problems(load_pkimm(), catalog)
    assert not problems, "\n".join(problems)
    # Read the file itself too: a YAML mapping would hide a second entry, the list must not.
    placed = [e["criterion"] for e in _raw()["mapping"]]
    for c in catalog.criteria:
        assert placed.count(c.id) == 1, (
            f"criterion {c.id} is not mapped to a PKIMM category in cmmm/maturity/pkimm.yaml"
            if c.id not in placed
            else f"criterion {c.id} is mapped {placed.count(c.id)} times in cmmm/maturity/pkimm.yaml"
        )


def test_problems_name_the_missing_and_the_stray_criterion() -> None:
    catalog = load_catalog()
    extra = copy.deepcopy(yaml.safe_load((MATURITY / "criteria.yaml").read_text(encoding="utf-8")))
    new = {**extra["criteria"][0], "id": "inv.brand-new"}
    extra["criteria"].append(new)
    problems = mapping_problems(load_pkimm(), parse_catalog(extra))
    assert problems == (
        "criterion inv.brand-new is not mapped to a PKIMM category in cmmm/maturity/pkimm.yaml",
    )
    fewer = parse_catalog({**extra, "criteria": extra["criteria"][1:-1]})
    gone = catalog.criteria[0].id
    assert mapping_problems(load_pkimm(), fewer) == (
        f"cmmm/maturity/pkimm.yaml maps {gone}, which is not a criterion in cmmm/maturity/criteria.yaml",
    )


def test_the_model_is_pkimm_1_0_0() -> None:
    m = load_pkimm()
    assert m.version == "1.0.0"
    assert m.levels == ("Initial", "Basic", "Advanced", "Managed", "Optimized")
    assert [x.name for x in m.modules] == ["Governance", "Management", "Operations", "Resources"]
    assert len(m.categories) == 15
    assert [c.id for c in m.categories] == [
        *(f"G.{i}" for i in range(1, 5)),
        *(f"M.{i}" for i in range(5, 9)),
        *(f"O.{i}" for i in range(9, 13)),
        *(f"R.{i}" for i in range(13, 16)),
    ]
    weights = {c.name: c.weight for c in m.categories}
    assert weights["Strategy and Vision"] == 5 and weights["Certificate management"] == 4
    assert weights["Compliance"] == 2 and weights["Awareness"] == 3
    assert sum(weights.values()) == 47
    assert all(p.why and p.also != p.category for p in m.mapping)


def test_every_status_is_classified() -> None:
    # A new Status must be placed: does it mean "the evidence is missing" (unknown) or "the evidence says
    # no" (not met)? Add it to cmmm.maturity.pkimm.UNKNOWN_STATUSES or to the not-met list here.
    not_met = {Status.NOT_MET, Status.CONTRADICTED, Status.LAPSED}
    met = {Status.MET, Status.ATTESTED, Status.NOT_APPLICABLE}
    assert set(Status) == met | not_met | set(UNKNOWN_STATUSES), (
        f"classify {set(Status) - met - not_met - set(UNKNOWN_STATUSES)} in cmmm/maturity/pkimm.py"
    )


def _bad(edit: Any) -> str:
    doc = _raw()
    edit(doc)
    with pytest.raises(InputError) as exc:
        parse_pkimm(doc)
    assert "cmmm/maturity/pkimm.yaml" in str(exc.value)
    return exc.value.reason


def test_a_bad_file_is_refused_with_the_reason() -> None:
    def twice(d: dict[str, Any]) -> None:
        d["mapping"].append(dict(d["mapping"][0]))

    assert "mapped more than once" in _bad(twice)
    assert "not a PKIMM category" in _bad(lambda d: d["mapping"][0].update(category="Z.99"))
    assert "not a PKIMM category" in _bad(lambda d: d["mapping"][0].update(also="G.16"))
    assert "repeats its category" in _bad(lambda d: d["mapping"][0].update(also=d["mapping"][0]["category"]))
    assert "missing 'why'" in _bad(lambda d: d["mapping"][0].pop("why"))
    assert "weight must be a positive number" in _bad(
        lambda d: d["modules"][0]["categories"][0].update(weight=0)
    )
    assert "must start with its module's id" in _bad(
        lambda d: d["modules"][0]["categories"][0].update(id="M.1")
    )
    assert "duplicate category ids" in _bad(lambda d: d["modules"][1]["categories"][0].update(id="M.6"))
    assert "level names" in _bad(lambda d: d["levels"].pop())
    with pytest.raises(InputError):
        parse_pkimm(["not", "a", "mapping"])


def test_docs_show_the_current_mapping() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert mapping_markdown(load_pkimm()) in text, "docs/maturity.md is stale: regenerate its PKIMM tables"
    assert "## One evidence set, two models" in text
    for fact in ("1.0.0", "Foundational", "15 weighted categories", "pkic/pkimm"):
        assert fact in text
