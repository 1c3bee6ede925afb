"""Text from bytes of unknown encoding: UTF-8 when it is, else the legacy code page charset-normalizer
finds; a file whose encoding changes part-way (one Latin-1 line pasted into UTF-8) is decoded line by line
and said so. Readers of text formats (CSV now, spreadsheets from Windows next) call `decode`."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

# The legacy encodings spreadsheets and exports come in: Windows code pages first (Excel's "CSV" on a
# Western, Central European, Cyrillic, Greek, Turkish or Baltic Windows), ISO 8859, then the East Asian
# multibyte ones. Guessing among every codec Python has turns short Western text into Mac or DOS pages.
LEGACY_ENCODINGS = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
    "latin_1",
    "iso8859_15",
    "shift_jis",
    "euc_jp",
    "gb18030",
    "big5",
    "euc_kr",
    "koi8_r",
)
DETECT_SAMPLE_BYTES = 256 * 1024  # charset-normalizer looks at the lines with non-ASCII bytes, this many
MAX_LINES_NAMED = 5
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decoded:
    """The text, the encoding it was read in ("utf-8", "cp1252", or "utf-8 + cp1252" when mixed), and
    the notes a reader passes on (nothing when the file was plain UTF-8)."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def decode(data: bytes, source: str) -> Decoded:
    """Decode `data`: a BOM decides; else UTF-8; else, when UTF-8 lines with non-ASCII characters sit beside
    lines that are not UTF-8, each of those is decoded in the legacy encoding guessed from them (a note
    names the lines); else the whole file in the guessed legacy encoding (a note names it). Never fails:
    bytes no guess can decode become U+FFFD, and a note says how many."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data.decode(name, errors="replace")
            return Decoded(text=text, encoding=name, notes=_replaced(text, source, name))
    try:
        return Decoded(text=data.decode("utf-8"), encoding="utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    foreign: list[int] = []
    damaged: set[int] = set()  # UTF-8 lines with a few invalid bytes: those become U+FFFD
    utf8_non_ascii = False
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            if _mostly_utf8(line):
                damaged.add(i)
            else:
                foreign.append(i)
        else:
            utf8_non_ascii = utf8_non_ascii or not line.isascii()
    utf8_non_ascii = utf8_non_ascii or bool(damaged)
    legacy = guess_legacy(b"\n".join(lines[i] for i in foreign))
    if not utf8_non_ascii:
        text = data.decode(legacy, errors="replace")
        note = f"{source}: not UTF-8; decoded as {legacy} (guessed by charset-normalizer)"
        return Decoded(text=text, encoding=legacy, notes=(note, *_replaced(text, source, legacy)))
    if not foreign:
        text = data.decode("utf-8", errors="replace")
        return Decoded(text=text, encoding="utf-8", notes=_replaced(text, source, "UTF-8"))
    bad = set(foreign)
    parts = [
        line.decode(legacy, errors="replace") if i in bad else line.decode("utf-8", errors="replace")
        for i, line in enumerate(lines)
    ]
    named = ", ".join(str(i + 1) for i in foreign[:MAX_LINES_NAMED])
    more = f" and {len(foreign) - MAX_LINES_NAMED} more" if len(foreign) > MAX_LINES_NAMED else ""
    note = (
        f"{source}: mixed encodings: {len(foreign)} line(s) are not UTF-8 (line {named}{more}); "
        f"those decoded as {legacy}, the rest as UTF-8 — check the names on those lines"
    )
    text = "\n".join(parts)
    return Decoded(text=text, encoding=f"utf-8 + {legacy}", notes=(note, *_replaced(text, source, legacy)))


def _mostly_utf8(line: bytes) -> bool:
    """A line that is UTF-8 but for some invalid bytes: it holds valid multibyte sequences
    (a Latin-1 line has none: its accented letters are single bytes that UTF-8 rejects)."""
    text = line.decode("utf-8", errors="replace")
    valid = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\N{REPLACEMENT CHARACTER}")
    return valid > 0


def guess_legacy(sample: bytes) -> str:
    """The legacy encoding charset-normalizer finds most plausible for `sample` (cp1252 when it cannot
    tell: the code page of Excel on Western Windows)."""
    best = charset_normalizer.from_bytes(
        sample[:DETECT_SAMPLE_BYTES], cp_isolation=list(LEGACY_ENCODINGS)
    ).best()
    return best.encoding if best is not None else "cp1252"


def _replaced(text: str, source: str, encoding: str) -> tuple[str, ...]:
    n = text.count("\N{REPLACEMENT CHARACTER}")
    return (f"{source}: {n} byte sequence(s) not valid {encoding} shown as U+FFFD",) if n else ()
