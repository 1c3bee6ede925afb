"""JSON documents with stable keys for the results the CLI prints with --format json."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cmmm.export import records
from cmmm.graph.blast import BlastRadius
from cmmm.graph.concentration import GraphSummary


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return records(frame)


def summary_document(s: GraphSummary) -> dict[str, Any]:
    """Stable JSON keys for `cmmm graph --format json`."""
    return {
        "certificates": s.certificates,
        "leaves": s.leaves,
        "cas": s.cas,
        "services": s.services,
        "riskiest": _records(s.riskiest),
        "roots": _records(s.roots),
        "single_points_of_failure": _records(s.single_points_of_failure),
        "orphans": s.orphans,
        "issuer_expires_first": s.issuer_expires_first,
        "depth": {str(k): v for k, v in s.depth.items()},
        "signatures": {"verified": s.verified, "failed": s.unverified},
    }


_BLAST_CERT_COLUMNS = [
    "cert_id",
    "common_name",
    "serial",
    "not_after",
    "is_ca",
    "issuer_name",
    "issuing_ca",
    "service",
    "owner",
    "team",
    "criticality",
    "automation",
]


def blast_document(b: BlastRadius) -> dict[str, Any]:
    """Stable JSON keys for `cmmm graph --blast-radius … --format json`."""
    return {
        "cas": _records(b.cas[["ca_id", "name", "org", "kind", "certificates"]]),
        "score": b.score,
        "certificates": _records(b.certificates[_BLAST_CERT_COLUMNS]),
        "endpoints": _records(b.endpoints),
        "services": _records(b.services),
        "owners": _records(b.owners),
    }
