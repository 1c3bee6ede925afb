"""Untrusted text for plain outputs: control characters neutralized, Markdown made inert."""

from __future__ import annotations

import re

# C0/C1 controls and the bidirectional overrides/isolates (an attacker's "\x1b]8;;" hyperlink or RLO).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def plain(value: object) -> str:
    """The text with control and direction-override characters replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", str(value))


def md_escape(value: object) -> str:
    """Escape untrusted text for Markdown: no HTML (< > & as entities), no links or emphasis, no pipes,
    no terminal control sequences, one line."""
    text = plain(str(value).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)
