"""The dependency graph drawn as a picture (SVG/PNG, matplotlib's Agg backend), leaves aggregated per CA and service."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cmmm.errors import UsageError
from cmmm.export.atomic import replacing
from cmmm.graph.concentration import concentration
from cmmm.graph.hierarchy import (
    ancestors,
    hierarchy,
)
from cmmm.graph.network import ExportFormat, NodeType, export_graph, leaf_groups
from cmmm.graph.services import _depends_edges, dependents, service_table
from cmmm.model import Inventory
from cmmm.sanitize import svg_label

_COLORS = {
    NodeType.ROOT: "#1f4e79",
    NodeType.INTERMEDIATE: "#2e75b6",
    NodeType.UNKNOWN: "#c00000",
    NodeType.GROUP: "#a9a9a9",
    NodeType.SERVICE: "#548235",
}


def _label(text: str, limit: int = 32) -> str:
    return svg_label(text, limit)


@dataclass(slots=True)
class _Picture:
    """The nodes to draw (column, label, kind, size; in drawing order) and the edges between them."""

    col_of: dict[str, float] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    kind: dict[str, NodeType] = field(default_factory=dict)
    size: dict[str, float] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def add(self, node: str, col: float, label: str, kind: NodeType, size: float) -> None:
        self.col_of[node], self.label[node], self.kind[node], self.size[node] = col, label, kind, size


def draw_graph(inv: Inventory, path: Path, *, max_groups: int = 60, max_cas: int = 40) -> None:
    """Draw the hierarchy left to right: roots, intermediates, leaf groups (per issuing CA and service,
    the `max_groups` largest, the rest folded per CA), then the services they serve and the services
    depending on those. Stays readable for any inventory size: the picture has at most
    ~max_cas + max_groups + services nodes."""
    pic = _Picture()
    keep_ca = _kept_cas(inv, max_cas)
    max_depth = _add_cas(pic, inv, keep_ca)
    group_col, service_col = max_depth + 1.0, max_depth + 2.0
    _add_leaf_groups(pic, inv, keep_ca, max_groups, group_col, service_col)
    _add_dependents(pic, inv, max_groups, service_col)
    _render(pic, _rows(pic), path)


def _kept_cas(inv: Inventory, max_cas: int) -> set[str]:
    """The `max_cas` CAs with the most certificates, and every CA above them up to the roots."""
    conc = concentration(inv)
    keep_ca = set(conc.sort_values("certificates", ascending=False)["ca_id"].head(max_cas))
    anc = ancestors(inv)
    keep_ca |= set(anc.loc[anc["ca_id"].isin(keep_ca), "ancestor"])  # whole chains up to the roots
    return keep_ca


def _add_cas(pic: _Picture, inv: Inventory, keep_ca: set[str]) -> int:
    """The CA nodes in the column of their depth, and their parent edges; returns the deepest depth."""
    nd = concentration(inv).set_index("ca_id")
    max_depth = int(nd["depth"].fillna(0).max()) if len(nd) else 0
    for ca in sorted(keep_ca):
        pic.add(
            ca,
            float(nd.at[ca, "depth"]) if pd.notna(nd.at[ca, "depth"]) else 0.0,
            f"{nd.at[ca, 'name']} ({nd.at[ca, 'certificates']})",
            NodeType(nd.at[ca, "kind"]),
            float(nd.at[ca, "certificates"]),
        )
    h = hierarchy(inv)
    for child, parent in zip(h.parents["child"], h.parents["parent"], strict=True):
        if child in keep_ca and parent in keep_ca:
            pic.edges.append((parent, child))
    return max_depth


def _add_leaf_groups(
    pic: _Picture, inv: Inventory, keep_ca: set[str], max_groups: int, group_col: float, service_col: float
) -> None:
    """The `max_groups` largest leaf groups under the kept CAs with the services they serve, and one
    '(other)' group per CA for the rest."""
    groups = leaf_groups(inv)
    groups = groups[groups["ca_id"].isin(keep_ca)].sort_values("certificates", ascending=False)
    big = groups.head(max_groups)
    rest = groups.iloc[max_groups:].groupby("ca_id")["certificates"].sum()
    for r in big.itertuples(index=False):
        plural = "s" if r.certificates != 1 else ""
        pic.add(
            r.group_id, group_col, f"{r.certificates} cert{plural}", NodeType.GROUP, float(r.certificates)
        )
        pic.edges.append((r.ca_id, r.group_id))
        if r.service != "-":
            s = f"svc:{r.service}"
            pic.add(s, service_col, str(r.service), NodeType.SERVICE, 1.0)
            pic.edges.append((r.group_id, s))
    for ca, n in rest.items():
        gid = f"group:{ca}|(other)"
        pic.add(gid, group_col, f"{n} certs (other)", NodeType.GROUP, float(n))
        pic.edges.append((str(ca), gid))


def _add_dependents(pic: _Picture, inv: Inventory, max_groups: int, service_col: float) -> None:
    """The most critical services depending on the drawn ones, each a column further right than the
    services it needs, and the depends_on edges between drawn services."""
    direct = {n.removeprefix("svc:") for n, c in pic.col_of.items() if c == service_col}
    deps = dependents(inv)
    further_all = deps.loc[deps["service"].isin(direct) & ~deps["dependent"].isin(direct), "dependent"]
    weights = service_table(inv).set_index("service")["weight"]
    ranked = sorted(set(further_all), key=lambda n: (-int(weights.get(n, 1)), n))
    further = set(ranked[:max_groups])  # the most critical dependents; the picture stays bounded
    needs = [(s, n) for s, n in _depends_edges(inv) if s in further and (n in direct or n in further)]
    level = _levels(further, needs)
    for d in sorted(further):
        pic.add(f"svc:{d}", service_col + level[d], d, NodeType.SERVICE, 1.0)
    for s, needed in _depends_edges(inv):
        if f"svc:{s}" in pic.col_of and f"svc:{needed}" in pic.col_of:
            pic.edges.append((f"svc:{needed}", f"svc:{s}"))


def _levels(further: set[str], needs: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the directly affected services to each further one; cycles stop here."""
    level = dict.fromkeys(further, 1)
    for _ in range(len(further)):
        changed = False
        for s, n in needs:
            want = level.get(n, 0) + 1
            if want > level[s]:
                level[s], changed = want, True
        if not changed:
            break
    return level


def _rows(pic: _Picture) -> dict[str, float]:
    """y positions: columns left to right, each node near the mean y of the nodes feeding it."""
    y: dict[str, float] = {}
    incoming: dict[str, list[str]] = {}
    for u, v in pic.edges:
        incoming.setdefault(v, []).append(u)
    for c in sorted(set(pic.col_of.values())):
        members = [n for n, cc in pic.col_of.items() if cc == c]
        key = {
            n: (
                np.mean([y[u] for u in incoming.get(n, []) if u in y])
                if any(u in y for u in incoming.get(n, []))
                else 0.0,
                pic.label[n],
            )
            for n in members
        }
        for i, n in enumerate(sorted(members, key=lambda n: key[n])):
            y[n] = float(i) - (len(members) - 1) / 2.0
    return y


def _render(pic: _Picture, y: dict[str, float], path: Path) -> None:
    """Plot edges, nodes, labels and the legend; save by the file's extension, without a timestamp."""
    col_of = pic.col_of
    tallest = max((sum(1 for cc in col_of.values() if cc == c) for c in set(col_of.values())), default=1)
    cols = len(set(col_of.values()))
    # A Figure with its own Agg canvas, not pyplot: no global backend switch, no figure registry to close.
    fig = Figure(figsize=(max(6.0, 3.2 * cols), max(3.0, 0.32 * tallest + 1)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for u, v in pic.edges:
        if u in y and v in y:
            ax.plot([col_of[u], col_of[v]], [y[u], y[v]], color="#bbbbbb", linewidth=0.6, zorder=1)
    biggest = max([*pic.size.values(), 1.0])
    for n, x in col_of.items():
        kind = pic.kind[n]
        area = 30 + 370 * math.sqrt(pic.size[n] / biggest) if kind is not NodeType.SERVICE else 60
        ax.scatter([x], [y[n]], s=area, color=_COLORS.get(kind, "#7f7f7f"), zorder=2)
        ax.annotate(
            _label(pic.label[n]),
            (x, y[n]),
            xytext=(6, 0),
            textcoords="offset points",
            fontsize=7,
            va="center",
        )
    ax.set_axis_off()
    ax.set_xlim(-0.3, max(col_of.values(), default=0.0) + 1.2)
    names = {NodeType.ROOT: "root", NodeType.INTERMEDIATE: "intermediate", NodeType.UNKNOWN: "unknown CA"}
    for k, name in (*names.items(), (NodeType.GROUP, "certificates"), (NodeType.SERVICE, "service")):
        ax.scatter([], [], color=_COLORS[k], label=name)
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncols=5, bbox_to_anchor=(0, 1.0))
    # SVG text as <text> (XML-escaped by matplotlib), not glyph paths: smaller, searchable, embeddable.
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cmmm"}):
        fmt = path.suffix.lower().lstrip(".")
        meta = {"Date": None} if fmt == "svg" else {}  # deterministic output: no timestamp
        with replacing(path) as tmp:
            fig.savefig(tmp, format=fmt, bbox_inches="tight", dpi=110, metadata=meta)


PICTURE_FORMATS = ("svg", "png")


def write_graph(inv: Inventory, path: Path, *, aggregate: bool | None = None) -> str:
    """Write the dependency graph by file extension: a drawn picture (.svg, .png) or the graph itself
    (.graphml, .json; cmmm.graph.network.export_graph). Returns the format written."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt in PICTURE_FORMATS:
        draw_graph(inv, path)
        return fmt
    if fmt not in {f.value for f in ExportFormat}:
        raise UsageError(f"{path}: unknown graph format; use .graphml, .json, .svg or .png")
    return export_graph(inv, path, aggregate=aggregate).value
