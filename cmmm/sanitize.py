"""Untrusted text made safe for each place it is shown — one module, one named variant per output.

Certificate fields, file names and scanner output are attacker-controlled: a scanned server chooses its own
subject. Every renderer passes such text through the variant for its medium:

- `display`      the base for every other variant: control and format characters (incl. the bidirectional
                 overrides such as U+202E), line/paragraph separators, noncharacters (U+FFFE, U+FFFF …) and
                 lone surrogates become U+FFFD; optionally cut to a length with "…".
- `terminal`     `display` plus rich markup escaped: no colour, link or escape sequence reaches a terminal.
- `markdown`     one line, no HTML (& < > as entities), no links, emphasis, code or table pipes.
- `xml`          characters XML 1.0 forbids (GraphML, SVG) replaced; the XML writer escapes the rest.
- `svg_label`    a chart label: `display`, cut, and matplotlib's mathtext `$` escaped so a name is drawn
                 literally (matplotlib escapes the XML itself).
- `text`         for machine outputs (JSON): only lone surrogates and noncharacters replaced.
- `html_class`   a value turned into a CSS class token ([a-z0-9-] only) for an attribute.
- `spreadsheet`  a CSV cell that no spreadsheet runs as a formula: an apostrophe before = + - @ (and tab, CR)
                 at the start of the cell and after every line break inside it (LibreOffice starts a new
                 row at a bare CR or LF in an unquoted cell; the writer quotes such cells as well).
- `echo`         a short quotation (repr, control characters escaped) of an input cell for a message,
                 withheld when it looks like key material.

HTML text and attribute values are escaped by Jinja2's autoescape in the report templates; this module
never produces HTML.
"""

from __future__ import annotations

import math
import re
import unicodedata

from rich.markup import escape

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_MISSING_TYPES = frozenset({"NAType", "NaTType"})
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Every character some spreadsheet or text reader treats as a line or row break: CR and LF (LibreOffice
# opens a new row at either inside an unquoted cell), VT, FF, the ASCII separators, NEL, LS and PS.
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# OWASP "CSV injection": a cell is run when it starts with = + - @ (tab and CR too, which Excel skips),
# also after spaces; the same holds for every line of a cell.
FORMULA_RISK = re.compile(f"(?:^|[{LINE_BREAKS}]) *[=+\\-@\t\r]")
_FORMULA_AT = re.compile(f"(^|[{LINE_BREAKS}])(?= *[=+\\-@\t\r])")
_KEY_MARKERS = re.compile(r"-----BEGIN|PRIVATE KEY|MI[IG][A-Za-z0-9+/]{16}")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{40,}")


def _safe_char(ch: str) -> str:
    if ch.isascii():
        return ch if " " <= ch <= "~" else REPLACEMENT
    cat = unicodedata.category(ch)
    # Unassigned code points (Cn) include the noncharacters; private use (Co) is shown as is.
    if cat in _UNSAFE_CATEGORIES and cat != "Co":
        return REPLACEMENT
    return ch


def display(value: object, limit: int | None = None) -> str:
    """Untrusted text made inert for display: unsafe characters become U+FFFD; cut to `limit` with "…".
    None and missing values (NaN, pandas NA) become the empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if type(value).__name__ in _MISSING_TYPES:  # pandas' NA and NaT, without importing pandas here
        return ""
    text = str(value)
    if limit is not None:
        text = text[: limit + 1]
    if not text.isascii() or not text.isprintable():
        text = "".join(_safe_char(ch) for ch in text)
    if limit is not None and len(text) > limit:
        cut = text[: limit - 1]
        # end on a word, not mid-word ("(62.…"), when a space is near the end; names without one are cut
        space = cut.rfind(" ", max(0, len(cut) - 24))
        return (cut[:space] if space > 0 else cut).rstrip(" ,;:(") + "…"
    return text


def terminal(value: object, limit: int | None = None) -> str:
    """For rich console output: `display`, then rich markup escaped (a subject cannot colour or link)."""
    return escape(display(value, limit))


def markdown(value: object) -> str:
    """For a Markdown table cell or line: one line, no HTML (& < > as entities), no links, emphasis or
    pipes."""
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    text = display(text)
    # A bare "&" stays (Markdown shows "Bramble & Sons" as written); only one that would start a character
    # reference ("&lt;", "&#60;") is escaped, so no input text turns into markup.
    text = _ENTITY_START.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def xml(value: object) -> str:
    """For XML text (GraphML, SVG): the characters XML 1.0 forbids become U+FFFD."""
    return _XML_ILLEGAL.sub(REPLACEMENT, str(value))


def svg_label(value: object, limit: int) -> str:
    """A chart label: `display`, cut to `limit`, with matplotlib's mathtext `$` escaped."""
    return display(value, limit).replace("$", r"\$")


def html_class(value: object) -> str:
    """A CSS class token made from a value: lower-case letters, digits and single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")


def spreadsheet(value: str) -> str:
    """A CSV cell no spreadsheet runs: an apostrophe before every line that starts like a formula."""
    return _FORMULA_AT.sub(r"\1'", value)


def echo(value: object, limit: int = 60) -> str:
    """An input cell quoted in a rejection or note: `display`, cut to `limit`, as a repr — or a placeholder
    when it looks like key material (a PEM header, base64 of a key), which must never reach a report."""
    text = str(value)
    if looks_like_key_material(text):
        return f"<{len(text)} characters withheld: looks like key material>"
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def looks_like_key_material(text: str) -> bool:
    """A PEM armour, the DER prefix of a key or certificate in base64 (MII…, MIG…), or a base64 run of 40
    or more characters mixing upper case, lower case and digits (hex fingerprints and words do not)."""
    if _KEY_MARKERS.search(text):
        return True
    for m in _BASE64_RUN.finditer(text):
        run = m.group(0)
        if any(c.islower() for c in run) and any(c.isupper() for c in run) and any(c.isdigit() for c in run):
            return True
    return False


_NONCHARACTERS = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def text(value: str) -> str:
    """Stored text for machine outputs (JSON): lone surrogates and noncharacters (U+FFFE, U+FFFF,
    U+FDD0–U+FDEF) become U+FFFD — no encoder or strict parser stumbles on them; the rest is kept."""
    return value if value.isascii() else _NONCHARACTERS.sub(REPLACEMENT, value)


# Names kept for the callers that predate the variants.
plain = display
md_escape = markdown
