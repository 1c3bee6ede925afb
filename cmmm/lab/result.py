"""What a lab run found: measured handshakes, client compatibility and a verdict per hierarchy and profile."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from cmmm.errors import InputError
from cmmm.export import records
from cmmm.export.atomic import write_text_atomic
from cmmm.model import LAB_COLUMNS, Inventory, conform


class LabVerdict(StrEnum):
    """One hierarchy in one profile (closed vocabulary; stable in JSON)."""

    WORKS = "works"  # verified handshakes in as many round trips as today's chain
    EXTRA_ROUND_TRIP = "extra-round-trip"  # verified, but the server flight needs more round trips
    FAILS = "fails"  # no verified handshake with the bundled library
    CANNOT_BUILD = "cannot-build"  # the bundled library cannot sign this profile


# One row per hierarchy, profile, representative leaf and key-exchange group.
MEASUREMENT_COLUMNS = (
    "hierarchy",
    "profile",
    "leaf",
    "san_shape",
    "leaf_key",
    "certificates_sent",
    "chain_der_bytes",
    "kem",
    "negotiated",
    "hello_retry",
    "client_hello_bytes",
    "certificate_bytes",
    "certificate_verify_bytes",
    "server_flight_bytes",
    "round_trips",
    "handshake_ms_median",
    "handshake_ms_p90",
    "client_cpu_ms_median",
    "client_cpu_ms_p90",
    "server_cpu_ms_median",
    "server_cpu_ms_p90",
    "verify_ms_median",
    "runs",
    "error",
)

VERDICT_COLUMNS = (
    "hierarchy",
    "profile",
    "verdict",
    "certificate_bytes",
    "server_flight_bytes",
    "round_trips",
    "baseline_round_trips",
    "handshake_ms_median",
    "accepted_by",
    "rejected_by",
    "reason",
)

COMPAT_COLUMNS = ("hierarchy", "profile", "client", "library", "accepted", "reason")

HIERARCHY_COLUMNS = (
    "hierarchy",
    "trust",  # private, or public (measured for information only)
    "depth",
    "intermediates",
    "cas",
    "leaves_mirrored",
    "certificates",
    "san_shapes",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LabResult:
    """The lab's answer for one inventory. `measurements`, `verdicts`, `compatibility`, `hierarchies` have
    the *_COLUMNS above; `cannot_build` names each profile the library cannot sign, with the reason;
    `skipped` one line per hierarchy or input that could not be used; `environment` the libraries and
    parameters of the run."""

    generated_at: datetime
    output: str
    measurements: pd.DataFrame
    verdicts: pd.DataFrame
    compatibility: pd.DataFrame
    hierarchies: pd.DataFrame
    cannot_build: dict[str, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    environment: dict[str, Any] = field(default_factory=dict)

    def measured_sizes(self) -> pd.DataFrame:
        """Per hierarchy, profile and leaf key, the bytes a server sends for its chain (Certificate +
        CertificateVerify messages and the whole flight, medians over leaves, x25519 rows) — what the PQC
        drill's handshake track uses."""
        m = self.measurements
        ok = m[(m["error"].isna() | (m["error"] == "")) & (m["kem"] == "x25519")]
        if not len(ok):
            return pd.DataFrame(
                columns=["hierarchy", "profile", "leaf_key", "bytes", "server_flight_bytes", "round_trips"]
            )
        ok = ok.assign(bytes=ok["certificate_bytes"] + ok["certificate_verify_bytes"])
        g = ok.groupby(["hierarchy", "profile", "leaf_key"], sort=True)
        return pd.DataFrame(
            {
                "bytes": g["bytes"].median().round().astype(int),
                "server_flight_bytes": g["server_flight_bytes"].median().round().astype(int),
                "round_trips": g["round_trips"].max(),
            }
        ).reset_index()

    def lab_frame(self) -> pd.DataFrame:
        """Inventory.lab rows (LAB_COLUMNS): every CA of each measured hierarchy, per built profile."""
        sizes = self.measured_sizes()
        if not len(sizes):
            return conform(pd.DataFrame(), LAB_COLUMNS)
        v = self.verdicts.set_index(["hierarchy", "profile"])
        h = self.hierarchies
        cas = dict(zip(h["hierarchy"], h["cas"], strict=True))
        public = set(h.loc[h["trust"] == "public", "hierarchy"])
        rows = []
        for r in sizes.itertuples():
            if r.hierarchy in public:  # for information only: public chains are never planned onto ML-DSA
                continue
            verdict = v.loc[(r.hierarchy, r.profile)] if (r.hierarchy, r.profile) in v.index else None
            accepted = (
                str(verdict["accepted_by"])
                if verdict is not None and pd.notna(verdict["accepted_by"])
                else ""
            )
            rejected = (
                str(verdict["rejected_by"])
                if verdict is not None and pd.notna(verdict["rejected_by"])
                else ""
            )
            for ca in str(cas.get(r.hierarchy, r.hierarchy)).split("; "):
                rows.append(
                    {
                        "ca_name": ca,
                        "hierarchy": r.hierarchy,
                        "profile": r.profile,
                        "leaf_key": r.leaf_key,
                        "bytes": r.bytes,
                        "server_flight_bytes": r.server_flight_bytes,
                        "round_trips": r.round_trips,
                        "accepted_by": accepted.replace(", ", ";"),
                        "rejected_by": rejected,
                    }
                )
        return conform(pd.DataFrame(rows), LAB_COLUMNS)

    def to_document(self) -> dict[str, Any]:
        """The results file: stable keys, no keys or certificates (those stay in the output folder)."""
        return {
            "cmmm_pqc_lab": 1,
            "generated_at": self.generated_at.isoformat(),
            "output": self.output,
            "environment": self.environment,
            "hierarchies": records(self.hierarchies),
            "cannot_build": dict(sorted(self.cannot_build.items())),
            "skipped": list(self.skipped),
            "verdicts": records(self.verdicts),
            "compatibility": records(self.compatibility),
            "measurements": records(self.measurements),
        }


def make_output(folder: Path) -> Path:
    """Create the lab's output folder (a port that cannot be bound or a folder that cannot be written is one
    clear line, not a traceback)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            str(folder), f"cannot create the lab's output folder: {exc.strerror or exc}"
        ) from None
    return folder


def write_result(result: LabResult, path: Path, *, markdown: str | None = None) -> None:
    """Write the results document as JSON (atomically), and `markdown` beside it (same name, .md)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(result.to_document(), indent=1, default=str) + "\n")
        if markdown is not None:
            write_text_atomic(path.with_suffix(".md"), markdown + "\n")
    except OSError as exc:
        raise InputError(str(path), f"cannot write the lab results: {exc.strerror or exc}") from None


def read_result(path: Path) -> LabResult:
    """Read a results document written by `write_result` back (for the drill and the report)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not a readable PQC lab result: {exc}") from None
    if not isinstance(doc, dict) or doc.get("cmmm_pqc_lab") != 1:
        raise InputError(str(path), 'not a cmmm PQC lab result (no {"cmmm_pqc_lab": 1, ...})')
    try:
        return LabResult(
            generated_at=datetime.fromisoformat(doc["generated_at"]),
            output=str(doc.get("output", "")),
            measurements=pd.DataFrame(doc.get("measurements") or [], columns=list(MEASUREMENT_COLUMNS)),
            verdicts=pd.DataFrame(doc.get("verdicts") or [], columns=list(VERDICT_COLUMNS)),
            compatibility=pd.DataFrame(doc.get("compatibility") or [], columns=list(COMPAT_COLUMNS)),
            hierarchies=pd.DataFrame(doc.get("hierarchies") or [], columns=list(HIERARCHY_COLUMNS)),
            cannot_build=dict(doc.get("cannot_build") or {}),
            skipped=tuple(doc.get("skipped") or ()),
            environment=dict(doc.get("environment") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(str(path), f"malformed PQC lab result: {exc}") from None


def with_lab(inv: Inventory, result: LabResult) -> Inventory:
    """`inv` with the lab's measurements attached (Inventory.lab), for the PQC drill and the report."""
    return replace(inv, lab=result.lab_frame())
