"""Numbers as spreadsheets in other locales write them: `2.048`, `2,048`, `2 048` and `2'048` are 2048.

Rule (documented in the README): in a whole number such as a key size, `.` `,` `'` and spaces (also the
no-break and narrow no-break spaces French and Swiss locales use) followed by groups of exactly three
digits separate thousands; a single separator followed by zeros only is a decimal fraction (`2048,0`,
`2.048,00`); anything else (`2,5`, `20.48`, `1.2.3`) is ambiguous and is left empty with a note — never
read as a different number.
"""

from __future__ import annotations

import re

import pandas as pd

_SEPARATORS = ".,' \u00a0\u202f"
_GROUPED = re.compile(r"^\d{1,3}(?:([.,' \u00a0\u202f])\d{3})(?:\1\d{3})*$")
_FRACTION = re.compile(r"^(?P<int>\d[\d.,' \u00a0\u202f]*?)(?P<sep>[.,])(?P<frac>\d+)$")
_NUMBER_IN_TEXT = re.compile(r"\d[\d.,'\u00a0\u202f]*(?: \d{3}(?!\d))*")


def whole_number(text: str) -> tuple[int | None, bool]:
    """(value, ambiguous) of a cell meant to hold a whole number; (None, False) when it holds none.

    `whole_number("2.048") == (2048, False)`, `whole_number("2,5") == (None, True)`.
    """
    v = text.strip()
    if not v:
        return None, False
    if v.isdigit():
        return int(v), False
    if _GROUPED.match(v):
        return int(re.sub(r"\D", "", v)), False
    m = _FRACTION.match(v)
    if m and m.group("sep") not in m.group("int"):
        whole, frac = m.group("int"), m.group("frac")
        if set(frac) == {"0"} and (whole.isdigit() or _GROUPED.match(whole)):
            return int(re.sub(r"\D", "", whole)), False
        return None, True
    if any(c in v for c in _SEPARATORS) and re.fullmatch(r"[\d.,' \u00a0\u202f]+", v):
        return None, True
    return None, False


def number_in_text(text: str) -> tuple[int | None, bool]:
    """whole_number of the cell, else of the first number inside it ("2.048 bits", "RSA 4096")."""
    value, ambiguous = whole_number(text)
    if value is not None or ambiguous:
        return value, ambiguous
    m = _NUMBER_IN_TEXT.search(text)
    if m is None:
        return None, False
    return whole_number(m.group(0).rstrip(".,' \u00a0\u202f"))


def ambiguous_numbers(col: pd.Series, name: str) -> str | None:
    """A note naming the cells of a whole-number column that are ambiguous numbers (left empty), or None."""
    values = [str(v) for v in col.dropna().unique() if number_in_text(str(v))[1]]
    if not values:
        return None
    shown = ", ".join(repr(v[:20]) for v in values[:5])
    more = f" and {len(values) - 5} more" if len(values) > 5 else ""
    return (
        f"{name}: {len(values)} ambiguous number(s) ({shown}{more}) left empty: a whole number takes "
        "'.', ',', ' ' or \"'\" only between groups of three digits"
    )
