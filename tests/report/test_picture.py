"""The dependency graph drawn and written (cmmm.report.picture): GraphML, node-link JSON, SVG and PNG that
round-trip, names drawn literally, small groups folded, an SVG a browser renders."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

import cmmm
from cmmm.graph import build_graph
from cmmm.model import Inventory
from cmmm.report.picture import draw_graph
from cmmm.report.picture import write_graph as export_graph
from tests.conftest import NOW, write
from tests.graph.acme import build_acme


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    """The graph tests' organization (tests/graph/acme.py): services with dependencies, a cross-sign."""
    return cmmm.load([build_acme(tmp_path_factory.mktemp("acme")).path], now=NOW)


def test_exports_round_trip(acme: Inventory, tmp_path: Path) -> None:
    export_graph(acme, tmp_path / "g.graphml", aggregate=False)
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() == build_graph(acme, aggregate=False).number_of_nodes()
    assert g.nodes["svc:checkout"]["criticality"] == "critical"
    assert any(d.get("verified") is True for _, _, d in g.edges(data=True))
    export_graph(acme, tmp_path / "g.json", aggregate=False)
    data = json.loads((tmp_path / "g.json").read_text())
    back = nx.node_link_graph(data, edges="edges")
    assert set(back.nodes) == set(g.nodes)
    export_graph(acme, tmp_path / "g.svg")
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert root.tag.endswith("svg")
    export_graph(acme, tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_picture_draws_hostile_names_literally(tmp_path: Path) -> None:
    write(
        tmp_path / "i.csv",
        "common_name,not_after,issuer,service\nx.test,2027-01-01,$\\frac{1}{0}$ <script>CA,$pay\n",
    )
    inv = cmmm.load([tmp_path], now=NOW)
    export_graph(inv, tmp_path / "p.svg")
    svg = (tmp_path / "p.svg").read_text()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert r"$\frac{1}{0}$" in svg  # drawn literally, not as mathtext
    ET.fromstring(svg)


def test_picture_folds_small_groups(acme: Inventory, tmp_path: Path) -> None:
    draw_graph(acme, tmp_path / "p.svg", max_groups=2)
    svg = (tmp_path / "p.svg").read_text()
    assert "(other)" in svg and "Acme Root R1" in svg


@pytest.mark.browser
@pytest.mark.slow
def test_svg_renders_in_a_browser(acme: Inventory, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no headless Chromium (make browser-deps)")
    export_graph(acme, tmp_path / "g.svg")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1200,400",
            (tmp_path / "g.svg").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
