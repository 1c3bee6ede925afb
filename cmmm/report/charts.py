"""The report's charts: matplotlib (Agg, no pyplot state) drawn to inline SVG strings, deterministic.

Labels that come from input data are already neutralized by view.clean_text; matplotlib's SVG writer
escapes text, mathtext parsing is off (a `$` in an issuer name stays a dollar sign), and `_check_inert`
parses every SVG and refuses script, event handlers and external references, as a last line of defence.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cmmm.report.format import share
from cmmm.report.view import (
    BurnPoint,
    CapRow,
    Count,
    CriticalityRow,
    LabRow,
    TrendPoint,
    ValidityBin,
    WeekBucket,
)
from cmmm.sanitize import svg_label

INK = "#1f2a37"
MUTED = "#6b7684"
GRID = "#e3e7ec"
NAVY = "#1f3a5f"
TEAL = "#2a7f8e"
AMBER = "#c98a1b"
RED = "#b23a48"
GREEN = "#3c8d5a"
SOFT = "#a9c6cf"

_RC = {
    "svg.fonttype": "none",  # text stays text: small files, selectable, fonts from the page's stack
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 10,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.image_inline": True,
}
_ACTIVE_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "object", "embed", "a", "animate", "set"})


class UnsafeChartError(RuntimeError):
    """An SVG carried markup it must not (a bug: labels are escaped by matplotlib)."""


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=96)
    FigureCanvasSVG(fig)
    ax = fig.add_subplot()
    return fig, ax


def _inline(fig: Figure, name: str, title: str, wide: bool = False) -> str:
    buf = io.StringIO()
    with mpl.rc_context({**_RC, "svg.hashsalt": f"cmmm-{name}", "svg.id": f"chart-{name}"}):
        fig.savefig(
            buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight", pad_inches=0.05
        )
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    # Accessible name; the title comes from the code, not from data.
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{title}" class="chart{" wide" if wide else ""}" ', 1
    )
    _check_inert(svg, name)
    return svg


def _check_inert(svg: str, name: str) -> None:
    """Parse the SVG and refuse scriptable elements, event-handler attributes and external references."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as exc:
        raise UnsafeChartError(f"chart {name} is not well-formed SVG: {exc}") from None
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in _ACTIVE_ELEMENTS:
            raise UnsafeChartError(f"chart {name} contains a <{tag}> element")
        for attr, value in el.attrib.items():
            local = attr.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")):
                raise UnsafeChartError(f"chart {name} has an active attribute {local}")


# Sizes in inches at 72 pt/in: a full-width chart is about 1,050 CSS px, a half-width one about 500 px,
# so that text renders at its nominal size on a laptop screen.
FULL = 10.6
HALF = 5.1


CHART_LABEL_CHARS = 28  # longer labels would shrink the plot; tables carry the longer form


def _short(label: str) -> str:
    return svg_label(label, CHART_LABEL_CHARS)


def _style(ax: Axes) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)


def expiry_timeline(weeks: Sequence[WeekBucket]) -> str:
    """Certificates expiring per week over the next 52 weeks, automated renewals vs manual."""
    with mpl.rc_context(_RC):
        fig, ax = _figure(FULL, 2.6)
        x = list(range(len(weeks)))
        auto = [w.automated for w in weeks]
        manual = [w.manual for w in weeks]
        ax.bar(x, auto, color=TEAL, width=0.8, label="automated renewal")
        ax.bar(x, manual, bottom=auto, color=AMBER, width=0.8, label="manual or unknown")
        ticks = [i for i in x if i % 4 == 0]
        labels = []
        for k, i in enumerate(ticks):
            d = weeks[i].start
            new_year = k == 0 or d.year != weeks[ticks[k - 1]].start.year
            labels.append(d.strftime("%b %d\n%Y") if new_year else d.strftime("%b %d"))
        ax.set_xticks(ticks, labels, rotation=0)
        ax.set_ylabel("certificates")
        _style(ax)
        ax.legend(frameon=False, loc="upper right", ncols=2)
        return _inline(fig, "expiry", "Certificates expiring per week, next 12 months", wide=True)


def hbar(counts: Sequence[Count], name: str, title: str, color: str = NAVY) -> str:
    """Horizontal bars for a ranked count (issuers, algorithms, automation methods)."""
    with mpl.rc_context(_RC):
        rows = list(reversed(counts))
        fig, ax = _figure(HALF, 0.28 * max(len(rows), 2) + 0.4)
        ax.barh(range(len(rows)), [r.count for r in rows], color=color, height=0.65)
        ax.set_yticks(range(len(rows)), [_short(r.label) for r in rows])
        top = max((r.count for r in rows), default=1) or 1
        for i, r in enumerate(rows):
            ax.text(
                r.count + top * 0.01,
                i,
                f"{r.count:,}  ({share(r.share)})",
                va="center",
                fontsize=8,
                color=MUTED,
            )
        ax.set_xlim(0, top * 1.35)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(length=0)
        return _inline(fig, name, title)


def validity_histogram(bins: Sequence[ValidityBin], caps: Sequence[CapRow]) -> str:
    """End-entity validity periods in bands, with the dated public caps marked."""
    with mpl.rc_context(_RC):
        fig, ax = _figure(FULL, 2.6)
        x = list(range(len(bins)))
        highs = [b.high_days if b.high_days is not None else float("inf") for b in bins]
        colors = [GREEN if h <= 47 else TEAL if h <= 100 else NAVY if h <= 200 else RED for h in highs]
        ax.bar(x, [b.count for b in bins], color=colors, width=0.7)
        ax.set_xticks(x, [b.label for b in bins])
        for i, b in enumerate(bins):
            ax.text(i, b.count, f"{b.count:,}", ha="center", va="bottom", fontsize=8, color=MUTED)
        top = max((b.count for b in bins), default=1) or 1
        ax.set_ylim(0, top * 1.45)
        for k, c in enumerate(caps):
            pos = next((i + 0.5 for i, h in enumerate(highs) if h >= c.max_days), None)
            if pos is None:
                continue
            ax.axvline(pos, color=RED if c.in_force else MUTED, linestyle="--", linewidth=1)
            ax.text(
                pos,
                top * (1.4 - 0.13 * k),
                f" {c.max_days}-day cap from {c.effective:%Y-%m-%d}",
                color=RED if c.in_force else MUTED,
                fontsize=7.5,
                va="top",
                zorder=5,
                # an opaque label: no dashed cap line strikes through it
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
            )
        ax.set_ylabel("certificates")
        _style(ax)
        return _inline(
            fig, "validity", "Validity periods of end-entity certificates against the dated caps", wide=True
        )


def radar(dimensions: dict[str, float]) -> str:
    """The six maturity dimensions on a 1–5 radar."""
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(HALF, 4.2), dpi=96)
        FigureCanvasSVG(fig)
        ax: Any = fig.add_subplot(projection="polar")  # PolarAxes; its stubs are not typed
        names = list(dimensions)
        values = [dimensions[n] for n in names]
        angles = [2 * math.pi * i / len(names) for i in range(len(names))]
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        ax.plot([*angles, angles[0]], [*values, values[0]], color=NAVY, linewidth=1.8)
        ax.fill([*angles, angles[0]], [*values, values[0]], color=NAVY, alpha=0.18)
        ax.set_xticks(angles, [n.replace(" & ", " &\n") for n in names], fontsize=8, color=INK)
        ax.set_ylim(0, 5)
        ax.set_yticks([1, 2, 3, 4, 5], ["1", "2", "3", "4", "5"], fontsize=7, color=MUTED)
        ax.grid(color=GRID)
        ax.spines["polar"].set_color(GRID)
        return _inline(fig, "radar", "Maturity by dimension, 1 to 5")


def quantum_by_criticality(rows: Sequence[CriticalityRow]) -> str:
    """Quantum-vulnerable vs not, per service criticality."""
    with mpl.rc_context(_RC):
        data = list(reversed(rows))
        fig, ax = _figure(HALF, 0.3 * max(len(data), 2) + 0.7)
        y = range(len(data))
        ax.barh(y, [r.vulnerable for r in data], color=RED, height=0.6, label="quantum-vulnerable")
        ax.barh(
            y,
            [r.certificates - r.vulnerable - r.unknown for r in data],
            left=[r.vulnerable for r in data],
            color=GREEN,
            height=0.6,
            label="post-quantum",
        )
        ax.barh(
            y,
            [r.unknown for r in data],
            left=[r.certificates - r.unknown for r in data],
            color=GRID,
            height=0.6,
            label="algorithm unknown",
        )
        ax.set_yticks(list(y), [r.criticality for r in data])
        top = max((r.certificates for r in data), default=1) or 1
        for i, r in enumerate(data):
            ax.text(r.certificates + top * 0.01, i, share(r.share), va="center", fontsize=8, color=MUTED)
        ax.set_xlim(0, top * 1.15)
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=3, fontsize=8)
        ax.tick_params(length=0)
        return _inline(fig, "quantum", "Quantum-vulnerable certificates by service criticality")


def burn_down(points: Sequence[BurnPoint], deadline_hours: float, name: str) -> str:
    """Certificates still to replace over time: p50 line, p10–p90 band, the deadline."""
    with mpl.rc_context(_RC):
        fig, ax = _figure(FULL, 2.8)
        h = [p.hours for p in points]
        ax.fill_between(
            h, [p.p10 for p in points], [p.p90 for p in points], color=SOFT, alpha=0.7, label="p10–p90"
        )
        ax.plot(h, [p.p50 for p in points], color=NAVY, linewidth=1.8, label="p50")
        ax.axvline(deadline_hours, color=RED, linestyle="--", linewidth=1.2)
        ax.set_xlabel("hours from the start of the drill")
        ax.set_ylabel("certificates left")
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        right = (
            deadline_hours > 0.7 * ax.get_xlim()[1]
        )  # near the right edge: the label goes left of the line
        ax.text(
            deadline_hours,
            ax.get_ylim()[1] * 0.97,
            "deadline " if right else " deadline",
            color=RED,
            fontsize=8,
            va="top",
            ha="right" if right else "left",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
        )
        _style(ax)
        # the legend sits above the plot, where neither the deadline label nor the curves can reach it
        ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, borderaxespad=0.2)
        return _inline(fig, name, "Burn-down of certificates still to replace", wide=True)


def _gaps(values: Sequence[float | None]) -> list[float]:
    """None (a snapshot stored without its assessment) as NaN: matplotlib leaves a gap, never a zero."""
    return [math.nan if v is None else float(v) for v in values]


def trend(points: Sequence[TrendPoint]) -> str:
    """The store's snapshots over time: level and score (1–5) beside the automated-renewal and
    quantum-vulnerable shares (%)."""
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(FULL, 2.8), dpi=96)
        FigureCanvasSVG(fig)
        left, right = fig.subplots(1, 2)
        x = list(range(len(points)))
        labels = [f"{p.taken_at:%Y-%m-%d}" for p in points]
        left.step(x, _gaps([p.level for p in points]), where="mid", color=SOFT, linewidth=3, label="level")
        left.plot(x, _gaps([p.score for p in points]), color=NAVY, marker="o", linewidth=1.8, label="score")
        left.set_ylim(1, 5.2)
        left.set_ylabel("level · score")
        right.plot(
            x,
            _gaps([_pct(p.automated_share) for p in points]),
            color=TEAL,
            marker="o",
            label="automated renewal",
        )
        right.plot(
            x,
            _gaps([_pct(p.quantum_vulnerable_share) for p in points]),
            color=RED,
            marker="o",
            label="quantum-vulnerable",
        )
        right.set_ylim(0, 100)
        right.set_ylabel("% of certificates")
        for ax in (left, right):
            ax.set_xticks(x, labels)
            ax.grid(axis="y", color=GRID, linewidth=0.8)
            ax.set_axisbelow(True)
            ax.tick_params(length=0)
            ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=2, fontsize=8)
        return _inline(fig, "trend", "Level, score and key shares over the stored snapshots", wide=True)


def _pct(v: float | None) -> float | None:
    return None if v is None else 100 * v


def lab_handshakes(rows: Sequence[LabRow], window: int) -> str:
    """PQC lab: bytes the server sends per hierarchy and profile, classical (x25519) beside hybrid
    (X25519MLKEM768) key exchange, against the initial congestion window; round trips above each bar."""
    kems = [k for k in ("x25519", "X25519MLKEM768") if any(r.kem == k for r in rows)]
    hierarchies = list(dict.fromkeys(r.hierarchy for r in rows if r.kem in kems))
    by = {(r.hierarchy, r.profile, r.kem): r for r in rows}
    xs: list[float] = []
    labels: list[str] = []
    groups: list[tuple[str, str]] = []
    x = 0.0
    centers: list[tuple[float, str]] = []
    for h in hierarchies:
        profiles = list(dict.fromkeys(r.profile for r in rows if r.hierarchy == h and r.kem in kems))
        first = x
        for p in profiles:
            xs.append(x)
            labels.append(p)
            groups.append((h, p))
            x += 1
        centers.append(((first + x - 1) / 2, h))
        x += 0.6  # a gap between hierarchies
    with mpl.rc_context(_RC):
        fig, ax = _figure(FULL, 3.3)
        width = 0.8 / max(len(kems), 1)
        for k, (kem, color) in enumerate(zip(kems, (NAVY, TEAL), strict=False)):
            offset = (k - (len(kems) - 1) / 2) * width
            vals = [by[(h, p, kem)].server_flight_bytes if (h, p, kem) in by else 0 for h, p in groups]
            ax.bar(
                [v + offset for v in xs], vals, width=width * 0.95, color=color, label=f"server flight, {kem}"
            )
            for gx, (h, p) in zip(xs, groups, strict=True):
                r = by.get((h, p, kem))
                if r is not None:
                    ax.text(gx + offset, r.server_flight_bytes, f"{r.round_trips}", ha="center", va="bottom",
                            fontsize=7, color=MUTED)  # fmt: skip
        ax.axhline(window, color=RED, linestyle="--", linewidth=1.0, label=f"initial window ({window:,} B)")
        ax.set_xticks(xs, labels, fontsize=7)
        for cx, h in centers:
            ax.annotate(_short(h), (cx, 0), xycoords=("data", "axes fraction"), xytext=(0, -22),
                        textcoords="offset points", ha="center", va="top", fontsize=8, color=INK)  # fmt: skip
        ax.set_ylabel("bytes (round trips above the bars)")
        _style(ax)
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=3, fontsize=8)
        return _inline(fig, "pqclab", "PQC lab: server flight bytes and round trips per profile", wide=True)
