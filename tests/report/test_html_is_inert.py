"""Certificate subjects are attacker-chosen: a hostile inventory renders as inert, escaped text in the HTML,
its SVG charts, the JSON and the Markdown (the assessment's too), and the HTML loads nothing from anywhere."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

import cmmm
from cmmm import report
from cmmm.cli import app
from cmmm.lab.pki import issue
from cmmm.maturity import assess
from cmmm.report.assessment import render_markdown
from cmmm.report.view import (
    PROSE_CHARS,
    CaRow,
    DependencySection,
    DrillSection,
    PlanRow,
    clean_text,
    neutralized,
)
from tests.conftest import NOW, write
from tests.maturity_org import frames, inventory, rows
from tests.report.report_bundle import view_of

runner = CliRunner()

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(document.cookie)"
RLO = "\u202egnp.exe"
LONG = "A" * 10_000
HOSTILE = (SCRIPT, IMG, JS, RLO, LONG, "{{ 7*7 }}", "$\\alpha$", "=cmd|' /C calc'!A0")

# cryptography warns about a 10,000-character CN (over the X.509 upper bound of 64): that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:Attribute's length:UserWarning")


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org, _validate=False))
    return x509.Name(attrs)


def write_hostile_bundle(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    t0 = NOW - timedelta(days=100)
    ca = issue(cn="x", subject=_name(SCRIPT, IMG), not_before=t0, days=3650, ca=True)
    pem = [ca.pem]
    for i, cn in enumerate(HOSTILE):
        leaf = issue(
            cn="x",
            subject=_name(cn),
            not_before=t0 + timedelta(days=i),
            days=90 + 30 * i,
            issuer=ca,
            sans=("evil.example", f"a{i}.example"),
        )
        pem.append(leaf.pem)
    (root / "certs.pem").write_bytes(b"".join(pem))
    rows = [
        "Common Name,SANs,Issuer,Expiration Date,Owner,Team,Service,Automation,Discovered By,Endpoints,Criticality"
    ]
    for i, h in enumerate(HOSTILE):
        cell = '"' + h.replace('"', '""') + '"'
        rows.append(
            f"{cell},{cell};b{i}.example,{cell},2026-12-0{1 + i % 9},{cell},{cell},{cell},{cell},{cell},{cell}:443,critical"
        )
    rows.append(f'host.example,,R11,"{IMG.replace(chr(34), chr(34) * 2)}",,,,,,,')
    (root / "inventory.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "services.csv").write_text(
        "service,owner,team,criticality,secrecy_years\n"
        + "".join(f'"{h.replace(chr(34), chr(34) * 2)}",x,y,critical,30\n' for h in HOSTILE),
        encoding="utf-8",
    )
    (root / "profile.yaml").write_text(
        f"organization: {json.dumps(SCRIPT + IMG)}\nmigration_years: 10\n", encoding="utf-8"
    )
    return root


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = write_hostile_bundle(tmp_path_factory.mktemp("hostile") / "bundle")
    inv = cmmm.load([root], now=NOW)
    assert any(SCRIPT in str(v) for v in inv.certificates["common_name"]), (
        "the hostile subject must reach the inventory"
    )
    return report.render_html(view_of(inv, NOW))


def test_html_is_self_contained(inv: cmmm.Inventory) -> None:
    html = report.render_html(view_of(inv, NOW))
    p = _Collect()
    p.feed(html)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags and "iframe" not in p.tags
    assert not [a for a, _ in p.attrs if a.startswith("on")]
    refs = [val for a, val in p.attrs if a in ("href", "src", "xlink:href") and val]
    assert all(r.startswith("#") for r in refs), refs
    assert "default-src 'none'" in html
    assert p.tags.count("svg") >= 7
    assert "@media print" in html


def test_hostile_strings_are_escaped(hostile_html: str) -> None:
    p = _Collect()
    p.feed(hostile_html)
    assert "script" not in p.tags and "img" not in p.tags
    assert not [a for a, _ in p.attrs if a.startswith("on")], "no event handler attribute may exist"
    assert not [v for _, v in p.attrs if v and "javascript:" in v.lower()]
    assert "<script" not in hostile_html.lower()
    assert "&lt;script&gt;" in hostile_html  # shown, as text
    assert "onerror=alert(1)&gt;" in hostile_html
    assert "\u202e" not in hostile_html  # direction override neutralized
    assert "A" * 100 not in hostile_html  # 10,000-character names are cut
    assert (
        "{{" in hostile_html and "49" not in hostile_html.split("{{")[1][:10]
    )  # never evaluated as template


def test_hostile_strings_in_svg_charts_are_text(hostile_html: str) -> None:
    svgs = ["<svg" + part.split("</svg>")[0] + "</svg>" for part in hostile_html.split("<svg")[1:]]
    assert len(svgs) >= 5
    texts = []
    for svg in svgs:
        root = ElementTree.fromstring(svg)
        for el in root.iter():
            assert el.tag.rsplit("}", 1)[-1] not in ("script", "foreignObject", "a")
            assert not [a for a in el.attrib if a.rsplit("}", 1)[-1].startswith("on")]
            texts.append(el.text or "")
    assert any("<script>" in t for t in texts)  # the hostile issuer name is there, as text


def test_hostile_strings_in_json_and_markdown(tmp_path: Path) -> None:
    inv = cmmm.load([write_hostile_bundle(tmp_path / "b")], now=NOW)
    v = view_of(inv, NOW)
    text = json.dumps(report.render_json(v), ensure_ascii=False)
    assert "\u202e" not in text and "A" * 100 not in text
    md = report.render_markdown(v)
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    issuers = md.split("### Issuers")[1].split("###")[0].strip().splitlines()
    assert issuers[0] == "| issuer | certificates | share |"
    for row in issuers[2:]:
        assert re.sub(r"\\\|", "", row).count("|") == 4, row  # a pipe in the data cannot add a column


def test_adapter_strings_are_neutralized_too(tmp_path: Path) -> None:
    inv = cmmm.load([write_hostile_bundle(tmp_path / "b")], now=NOW)
    drill = DrillSection(
        scenario=SCRIPT,
        title=RLO + IMG,
        kind="ca_distrust",
        verdict=JS,
        deadline_hours=24,
        affected_certificates=1,
        completion_p50_hours=None,
        completion_p90_hours=None,
        on_time_probability=0.0,
        exposed={SCRIPT: 1},
        first_wave=(PlanRow(target=LONG, owner=RLO, action=IMG, method=JS, start_hours=0, finish_hours=1),),
    )
    deps = DependencySection(
        top_cas=(
            CaRow(name=RLO + SCRIPT, kind="root", certificates=1, services=1, critical_services=0, share=1.0),
        )
    )
    v = dataclasses.replace(view_of(inv, NOW), drills=(neutralized(drill),), dependency=neutralized(deps))
    assert "\u202e" not in json.dumps(report.render_json(v), ensure_ascii=False)
    html = report.render_html(v)
    p = _Collect()
    p.feed(html)
    assert "script" not in p.tags and "img" not in p.tags
    assert not [a for a, _ in p.attrs if a.startswith("on")]
    assert "\u202e" not in html and "A" * (PROSE_CHARS + 1) not in html


def test_clean_text_neutralizes_and_truncates() -> None:
    assert clean_text("a\u202eb\x00c\n") == "a\ufffdb\ufffdc\ufffd"
    assert clean_text("x" * 10_000) == "x" * 59 + "…"
    assert clean_text(None) == "" and clean_text(pd.NA) == ""


def test_markdown_escapes_table_cells() -> None:
    c, o = frames()
    o.loc[rows(10, 40), "owner"] = pd.NA
    c.loc[40, "common_name"] = "evil|<script>"
    md = render_markdown(assess(inventory(c, o), now=NOW))
    assert "<script>" not in md and "evil\\|&lt;script&gt;" in md


def test_assess_markdown_carries_no_terminal_escapes_or_links(tmp_path: Path) -> None:
    write(
        tmp_path / "inv.csv",
        "cn,not_after,issuer,team\n"
        "a.example,2027-01-01,\x1b]8;;http://evil\x1b\\CA\x1b[31m,[click](http://evil) <b>\n",
    )
    res = runner.invoke(
        app, ["assess", str(tmp_path), "--no-drills", "--format", "markdown", "--as-of", "2026-11-28"]
    )
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.stdout and "<b>" not in res.stdout and "[click](" not in res.stdout
