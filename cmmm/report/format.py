"""Numbers as the report writes them: counts, shares, hours; "–" where a value is unknown."""

from __future__ import annotations


def count(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value) == int(value) or abs(value) >= 100 else f"{value:,.1f}"


def share(value: float | None) -> str:
    """A share 0–1 as a percentage; "–" when there was nothing to measure."""
    if value is None:
        return "–"
    if 0 < value < 0.01:
        return "< 1 %"
    if 0.99 < value < 1:
        return "> 99 %"
    return f"{value:.0%}".replace("%", " %")


def hours(value: float | None) -> str:
    if value is None:
        return "not within the horizon"
    value = round(value, 1) or 0.0  # -0.04 h is the start, not "-0 h"
    if value < 48:
        return f"{value:,.1f} h".replace(".0 h", " h")
    return f"{value / 24:,.1f} days".replace(".0 days", " days")
