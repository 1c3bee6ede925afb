"""cryptography's warnings about certificates cmmm keeps on purpose, ignored where they are read."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator

# Message prefixes of the warnings that would only be noise on a user's terminal:
TOLERATED_WARNINGS = (
    # A zero or negative serial (RFC 5280 forbids them; old appliances issue them) is evidence like any
    # other: cmmm keeps the certificate, with the serial as it is ("-1a").
    "Parsed a serial number which wasn't positive",
    # A country name that is not two letters, a CN over 64 characters: kept as written (it is evidence).
    "Attribute's length must be",
    # openpyxl on workbooks other programs wrote: styles and extensions it drops, never the cells cmmm reads
    "Workbook contains no default style",
    "Data Validation extension is not supported",
    "Conditional Formatting extension is not supported",
    "Unknown extension is not supported",
)


@contextlib.contextmanager
def tolerated_warnings() -> Iterator[None]:
    """Ignore TOLERATED_WARNINGS inside the block, and only there (no global filter at import).

    Python's warning filters are one list per process while the block runs, so the block belongs around
    a whole read in the thread that starts it, reader threads included, not around each certificate in
    those threads: blocks entered and left in several threads at once restore each other's filters out of
    order (the warnings module is not thread-safe before Python 3.14).
    """
    with warnings.catch_warnings():
        for message in TOLERATED_WARNINGS:
            warnings.filterwarnings("ignore", message=re.escape(message))
        yield
