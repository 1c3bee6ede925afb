"""What an ingester is: a content sniffer and a reader that returns a Batch of rows and rejections."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

# re-exported (PEP 484 form) for the ingesters: defined beside the YAML loader, which decodes with it too
from cmmm._yaml import SURROGATE_ESCAPE, without_surrogates
from cmmm._yaml import text_of as text_of  # noqa: PLC0414
from cmmm.errors import InputError
from cmmm.model import PrivateKeyFinding, RecordedExercise, Rejected

SNIFF_BYTES = 65_536
# JSON nesting: Python's json module raises RecursionError near the interpreter's recursion limit (1,000
# by default); a file nested deeper is rejected naming this limit, and no reader walks deeper than it.
MAX_JSON_DEPTH = sys.getrecursionlimit()

MAX_FILE_BYTES = 1 << 30  # 1 GiB: larger inputs are refused, not read into memory
MAX_CELL_CHARS = 65_536  # a single table cell longer than this is rejected as hostile or corrupt


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadContext:
    """What every reader may need: the clock, PKCS#12 passwords (never logged), size limits."""

    now: datetime
    passwords: Sequence[str] = ()
    max_file_bytes: int = MAX_FILE_BYTES


@dataclass(slots=True, kw_only=True)
class Batch:
    """Rows one file yielded. certificates/observations are frames or lists of row dicts."""

    certificates: pd.DataFrame | list[dict[str, Any]] = field(default_factory=list)
    observations: pd.DataFrame | list[dict[str, Any]] = field(default_factory=list)
    services: pd.DataFrame | None = None
    algorithms: list[dict[str, Any]] = field(default_factory=list)
    # CRL entries (cmmm.ingest.crl.revocation_rows): applied to the certificates they name at merge
    revocations: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    private_keys: list[PrivateKeyFinding] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)
    profile: dict[str, Any] | None = None  # a profile.yaml mapping, validated (cmmm.profile)
    profile_source: str | None = None
    policy: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    exercises: list[RecordedExercise] = field(default_factory=list)  # the exercise log (cmmm.exercises)
    # Row accounting of tabular sources: rows read = certificate rows + rejected; `merged` of those
    # certificate rows repeat a certificate of an earlier row of the same file (each named in a note).
    rows: int | None = None
    merged: int = 0
    defects: int = 0  # unexpected exceptions while reading (a bug in cmmm; the file is rejected)

    @property
    def records(self) -> int:
        return len(self.certificates)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ingester:
    """One input format. `sniff(path, head)` returns a confidence 0–100 from the name and first bytes.

    `read_data`, when given, reads a file whose whole content is already in memory (small files are read
    once for sniffing and parsing alike).
    """

    name: str
    description: str
    sniff: Callable[[Path, bytes], int]
    read: Callable[[Path, ReadContext], Batch]
    read_data: Callable[[Path, bytes, ReadContext], Batch] | None = None


def parse_json(text: str, source: str) -> Any:
    """json.loads for untrusted text: syntax errors and nesting beyond MAX_JSON_DEPTH become InputError
    (file, line, reason); lone surrogates ("\\ud800" escapes, which no encoder accepts) become U+FFFD."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(
            source, f"JSON nested deeper than {MAX_JSON_DEPTH} levels (limit: nesting depth)"
        ) from None
    if SURROGATE_ESCAPE.search(text):
        doc = without_surrogates(doc)
    return doc


def obj(value: Any) -> dict[str, Any]:
    """A field that should be an object: itself when it is one, else empty (a hostile export may put a
    number, string or list anywhere; `x.get(...) or {}` would then fail on the next `.get`)."""
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    """A field that should be a list: itself when it is one, else empty."""
    return value if isinstance(value, list) else []
