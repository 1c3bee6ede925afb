"""What every measured criterion returns, and the two shapes most of them take: a share and a count.

A criterion's population splits three ways: rows judged good, rows judged bad, and rows the data cannot
judge (the field the rule needs is missing, or only declared where the rule counts verified evidence).
The judged value is computed on the judged rows; the coverage says how many they are; `worst` and `best`
bound the value if every unknown row fell against or for the criterion. The assessment (cmmm.maturity.judge)
calls a criterion unknown when the coverage is under its threshold and the bounds disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cmmm.maturity.measures import Coverage, MetricContext


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """A measured criterion: value, evidence sentence, which certificates fail it, and how much is known."""

    value: float | None
    evidence: str
    failing: np.ndarray | None = None  # bool mask over MetricContext.facts rows, True = fails
    # an extra requirement the metric checks beyond the threshold (explained in the evidence)
    condition: bool = True
    coverage: Coverage | None = None  # how much of the population the rule could judge
    worst: float | None = None  # the value if every unjudged row counted against the criterion
    best: float | None = None  # … and if every one counted for it
    # the population is known to be empty (why): the criterion does not apply
    not_applicable: str | None = None


Metric = Callable[[MetricContext, Mapping[str, Any]], Measurement]


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def verified(params: Mapping[str, Any]) -> bool:
    """The rule counts only evidence read from a certificate body (criteria.yaml params.verified)."""
    return bool(params.get("verified", False))


def plain_share(ctx: MetricContext, ok: pd.Series, population: pd.Series, what: str) -> Measurement:
    """A share that is itself a coverage (owner known, expiry known): nothing in it is unknown."""
    n = int(population.sum())
    good = int((ok & population).sum())
    if n == 0:
        return Measurement(value=None, evidence=f"nothing to measure ({what}: none)")
    return Measurement(
        value=good / n,
        evidence=f"{good:,} of {n:,} {what} ({pct(good / n)})",
        failing=ctx.ids(population & ~ok),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Judged:
    """A population split into good, bad and unknown rows, with the words to describe it."""

    population: pd.Series
    good: pd.Series
    bad: pd.Series
    what: str  # "unexpired end-entity certificates renewed automatically"
    field: str  # the field the rule needs: "renewal method"
    of: str  # the population's name: "unexpired end-entity certificates"
    empty: str | None = None  # the population is empty: why the criterion does not apply (None: unknown)


def _ids(ctx: MetricContext | None, mask: pd.Series) -> np.ndarray | None:
    return ctx.ids(mask) if ctx is not None else None


def judged_share(ctx: MetricContext | None, j: Judged, *, of_bad: bool = False) -> Measurement:
    """The share of good rows (or, `of_bad`, of bad rows) among the judged ones, with the coverage and the
    bounds. `ctx` None: the rows are not certificates (endpoints), so there is no failing list."""
    pop = j.population
    bad = j.bad & pop
    good = j.good & pop & ~bad
    n, g, b = int(pop.sum()), int(good.sum()), int(bad.sum())
    unknown = n - g - b
    cov = Coverage(field=j.field, known=g + b, of=n, population=j.of)
    if n == 0:
        if j.empty:
            return Measurement(value=None, evidence=j.empty, not_applicable=j.empty)
        return Measurement(value=None, evidence=f"nothing to measure (no {j.of})")
    worst, best = (b + unknown) / n if of_bad else g / n, b / n if of_bad else (g + unknown) / n
    if g + b == 0:
        return Measurement(
            value=None, evidence=f"no evidence: {cov.text}", coverage=cov, worst=worst, best=best
        )
    k = b if of_bad else g
    text = f"{k:,} of {g + b:,} {j.what} ({pct(k / (g + b))})"
    if unknown:
        text += f"; {unknown:,} unknown ({cov.text})"
    return Measurement(
        value=k / (g + b), evidence=text, failing=_ids(ctx, bad), coverage=cov, worst=worst, best=best
    )


def judged_count(ctx: MetricContext, j: Judged) -> Measurement:
    """The number of bad rows, with the coverage: `good` marks the rows judged fine."""
    pop = j.population
    bad = j.bad & pop
    good = j.good & pop & ~bad
    n, b = int(pop.sum()), int(bad.sum())
    unknown = n - b - int(good.sum())
    cov = Coverage(field=j.field, known=n - unknown, of=n, population=j.of)
    if n == 0:
        if j.empty:
            return Measurement(value=None, evidence=j.empty, not_applicable=j.empty)
        return Measurement(value=None, evidence=f"nothing to measure (no {j.of})")
    text = f"{b:,} {j.what}"
    if unknown:
        text += f"; {unknown:,} could not be judged ({cov.text})"
    return Measurement(
        value=float(b),
        evidence=text,
        failing=ctx.ids(bad),
        coverage=cov,
        worst=float(b + unknown),
        best=float(b),
    )
