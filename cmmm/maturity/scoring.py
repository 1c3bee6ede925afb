"""Scoring: the staged level, its progress toward the next, dimension scores and the floor.

Staged level (CMMI-style): the highest level L such that every criterion of level ≤ L is met; level 1 is
the floor and needs nothing.

Score: the level plus the share of level L+1's criteria met, rounded down to the hundredth — so a score
never reads as a level that was not reached. Level 2 with 6 of 10 level-3 criteria met scores 2.60; level 5
scores 5.00. The dimension scores below show where the organization is strong; they can be higher than
the level (a strong dimension does not lift a weak one), never lower than 1.

Dimension score (1.0–5.0): for each level L = 2..5, f(d, L) is the weighted share of the dimension's
level-L criteria that are met. A level without criteria in that dimension takes the share of the nearest
lower level that has criteria (or, if none, the nearest higher one). Credit is gated like the staged level:
g(d, L) = min(f(d, L), g(d, L − 1)) with g(d, 1) = 1, so a dimension cannot score more for level 4 than it
earned for level 3. score(d) = 1 + Σ_{L=2..5} g(d, L).

Overall score: the weighted average of the dimension scores (dimension weights from criteria.yaml), as
PKIMM averages its categories. Floor: the lowest dimension score (PKIMM's optional "weakest category").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from cmmm.maturity.catalog import MAX_LEVEL, MIN_LEVEL, Catalog, Criterion, Dimension
from cmmm.maturity.measures import Share


def staged_level(criteria: Sequence[Criterion], met: Mapping[str, bool]) -> int:
    """The highest level whose criteria, and all lower levels' criteria, are met."""
    level = MIN_LEVEL
    for lvl in range(MIN_LEVEL + 1, MAX_LEVEL + 1):
        if all(met[c.id] for c in criteria if c.level == lvl):
            level = lvl
        else:
            break
    return level


def dimension_scores(catalog: Catalog, met: Mapping[str, bool]) -> dict[Dimension, float]:
    """score(d) = 1 + Σ_L g(d, L); see the module docstring."""
    out: dict[Dimension, float] = {}
    levels = range(MIN_LEVEL + 1, MAX_LEVEL + 1)
    for dim in Dimension:
        share: dict[int, float] = {}
        for lvl in levels:
            cs = [c for c in catalog.criteria if c.dimension is dim and c.level == lvl]
            weight = sum(c.weight for c in cs)
            if weight:
                share[lvl] = sum(c.weight for c in cs if met[c.id]) / weight
        if not share:
            out[dim] = float(MIN_LEVEL)
            continue
        total, gate = 1.0, 1.0
        for lvl in levels:
            lower = [v for k, v in share.items() if k <= lvl]
            f = share[lvl] if lvl in share else (lower[-1] if lower else share[min(share)])
            gate = min(f, gate)
            total += gate
        out[dim] = round(total, 3)
    return out


def progress(criteria: Sequence[Criterion], met: Mapping[str, bool], level: int) -> Share | None:
    """The next level's criteria met (None at the top level)."""
    if level >= MAX_LEVEL:
        return None
    nxt = [c for c in criteria if c.level == level + 1]
    return Share(sum(1 for c in nxt if met[c.id]), len(nxt))


def bounded_score(level: int, done: Share | None) -> float:
    """level + the next level's share met, rounded down to 0.01 (so always below level + 1)."""
    if done is None or not done.of:
        return float(level)
    return level + min(math.floor(100 * done.count / done.of) / 100, 0.99)


def overall_score(catalog: Catalog, dims: Mapping[Dimension, float]) -> float:
    """Weighted average of the dimension scores."""
    w = catalog.dimension_weights
    total = sum(w[d] for d in dims)
    return round(sum(w[d] * s for d, s in dims.items()) / total, 3) if total else float(MIN_LEVEL)


def floor(dims: Mapping[Dimension, float]) -> tuple[Dimension, float]:
    """The weakest dimension and its score (first in catalog order on ties)."""
    d = min(dims, key=lambda k: dims[k])
    return d, dims[d]


def score_gain(catalog: Catalog, met: Mapping[str, bool], criterion_id: str) -> float:
    """How much the average dimension score rises if this one criterion became met (the roadmap's order
    among criteria of the same level)."""
    base = overall_score(catalog, dimension_scores(catalog, met))
    flipped = {**met, criterion_id: True}
    return round(overall_score(catalog, dimension_scores(catalog, flipped)) - base, 3)
