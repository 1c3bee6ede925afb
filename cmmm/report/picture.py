"""The dependency graph drawn as a picture (SVG/PNG, matplotlib's Agg backend), leaves aggregated per CA and service."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cmmm.errors import UsageError
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


def draw_graph(inv: Inventory, path: Path, *, max_groups: int = 60, max_cas: int = 40) -> None:
    """Draw the hierarchy left to right: roots, intermediates, leaf groups (per issuing CA and service,
    the `max_groups` largest, the rest folded per CA), then the services they serve and the services
    depending on those. Stays readable for any inventory size: the picture has at most
    ~max_cas + max_groups + services nodes."""
    conc = concentration(inv)
    nd = conc.set_index("ca_id")
    keep_ca = set(conc.sort_values("certificates", ascending=False)["ca_id"].head(max_cas))
    h = hierarchy(inv)
    anc = ancestors(inv)
    keep_ca |= set(anc.loc[anc["ca_id"].isin(keep_ca), "ancestor"])  # whole chains up to the roots
    groups = leaf_groups(inv)
    groups = groups[groups["ca_id"].isin(keep_ca)].sort_values("certificates", ascending=False)
    big = groups.head(max_groups)
    rest = groups.iloc[max_groups:].groupby("ca_id")["certificates"].sum()
    col_of: dict[str, float] = {}
    label: dict[str, str] = {}
    kind: dict[str, NodeType] = {}
    size: dict[str, float] = {}
    edges: list[tuple[str, str]] = []
    max_depth = int(nd["depth"].fillna(0).max()) if len(nd) else 0
    for ca in keep_ca:
        col_of[ca] = float(nd.at[ca, "depth"]) if pd.notna(nd.at[ca, "depth"]) else 0.0
        label[ca] = f"{nd.at[ca, 'name']} ({nd.at[ca, 'certificates']})"
        kind[ca] = NodeType(nd.at[ca, "kind"])
        size[ca] = float(nd.at[ca, "certificates"])
    for child, parent in zip(h.parents["child"], h.parents["parent"], strict=True):
        if child in keep_ca and parent in keep_ca:
            edges.append((parent, child))
    gcol, scol = max_depth + 1.0, max_depth + 2.0
    for r in big.itertuples(index=False):
        col_of[r.group_id] = gcol
        label[r.group_id] = f"{r.certificates} cert{'s' if r.certificates != 1 else ''}"
        kind[r.group_id] = NodeType.GROUP
        size[r.group_id] = float(r.certificates)
        edges.append((r.ca_id, r.group_id))
        if r.service != "-":
            s = f"svc:{r.service}"
            col_of[s], label[s], kind[s], size[s] = scol, str(r.service), NodeType.SERVICE, 1.0
            edges.append((r.group_id, s))
    for ca, n in rest.items():
        gid = f"group:{ca}|(other)"
        col_of[gid], label[gid], kind[gid], size[gid] = gcol, f"{n} certs (other)", NodeType.GROUP, float(n)
        edges.append((str(ca), gid))
    direct = {n.removeprefix("svc:") for n, c in col_of.items() if c == scol}
    deps = dependents(inv)
    further_all = deps.loc[deps["service"].isin(direct) & ~deps["dependent"].isin(direct), "dependent"]
    weights = service_table(inv).set_index("service")["weight"]
    ranked = sorted(set(further_all), key=lambda n: (-int(weights.get(n, 1)), n))
    further = set(ranked[:max_groups])  # the most critical dependents; the picture stays bounded
    needs = [(s, n) for s, n in _depends_edges(inv) if s in further and (n in direct or n in further)]
    level = dict.fromkeys(further, 1)
    for _ in range(len(further)):  # longest path from the directly affected services; cycles stop here
        changed = False
        for s, n in needs:
            want = level.get(n, 0) + 1
            if want > level[s]:
                level[s], changed = want, True
        if not changed:
            break
    for d in sorted(further):
        n = f"svc:{d}"
        col_of[n], label[n], kind[n], size[n] = scol + level[d], d, NodeType.SERVICE, 1.0
    for s, needed in _depends_edges(inv):
        if f"svc:{s}" in col_of and f"svc:{needed}" in col_of:
            edges.append((f"svc:{needed}", f"svc:{s}"))
    # y positions: columns left to right, each node near the mean y of the nodes feeding it.
    y: dict[str, float] = {}
    incoming: dict[str, list[str]] = {}
    for u, v in edges:
        incoming.setdefault(v, []).append(u)
    for c in sorted(set(col_of.values())):
        members = [n for n, cc in col_of.items() if cc == c]
        key = {
            n: (
                np.mean([y[u] for u in incoming.get(n, []) if u in y])
                if any(u in y for u in incoming.get(n, []))
                else 0.0,
                label[n],
            )
            for n in members
        }
        for i, n in enumerate(sorted(members, key=lambda n: key[n])):
            y[n] = float(i) - (len(members) - 1) / 2.0
    tallest = max((sum(1 for cc in col_of.values() if cc == c) for c in set(col_of.values())), default=1)
    cols = len(set(col_of.values()))
    # A Figure with its own Agg canvas, not pyplot: no global backend switch, no figure registry to close.
    fig = Figure(figsize=(max(6.0, 3.2 * cols), max(3.0, 0.32 * tallest + 1)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for u, v in edges:
        if u in y and v in y:
            ax.plot([col_of[u], col_of[v]], [y[u], y[v]], color="#bbbbbb", linewidth=0.6, zorder=1)
    biggest = max([*size.values(), 1.0])
    for n, x in col_of.items():
        area = 30 + 370 * math.sqrt(size[n] / biggest) if kind[n] is not NodeType.SERVICE else 60
        ax.scatter([x], [y[n]], s=area, color=_COLORS.get(kind[n], "#7f7f7f"), zorder=2)
        ax.annotate(
            _label(label[n]),
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
        fig.savefig(path, format=fmt, bbox_inches="tight", dpi=110, metadata=meta)


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
