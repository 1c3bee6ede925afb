"""Shared plumbing of the tool-specific ingesters: load JSON/YAML, add bodies, turn source rows into a Batch."""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, parse_json, text_of
from cmmm.ingest._base import seq as _base_seq
from cmmm.ingest.tabular import from_frame
from cmmm.ingest.x509 import certificate_row, load_der
from cmmm.model import CERTIFICATE_COLUMNS, OBSERVATION_COLUMNS, Rejected, conform

_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)
_JSON_KEY = re.compile(r'"([A-Za-z_][\w.-]{0,60})"\s*:')


def json_keys(head: bytes, limit: int = 20_000) -> set[str]:
    """The object keys in the first bytes of a JSON text, without parsing it (for sniffers)."""
    text = text_of(head[:limit])
    if not text.lstrip().startswith(("{", "[")):
        return set()
    return set(_JSON_KEY.findall(text))


def load_json(path: Path) -> Any:
    return parse_json(text_of(path.read_bytes()), str(path))


def load_documents(path: Path) -> list[Any]:
    """JSON, or multi-document YAML with empty documents dropped."""
    text = text_of(path.read_bytes())
    if text.lstrip().startswith(("{", "[")):
        return [parse_json(text, str(path))]
    try:
        return _yaml.load_all(text)
    except _yaml.YamlError as exc:
        raise InputError(str(path), exc.reason, line=exc.line) from None


def parse_der(der: bytes) -> x509.Certificate | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a non-positive serial in an old certificate
            return load_der(der)
    except ValueError:
        return None


def pem_certificates(text: str) -> tuple[list[tuple[x509.Certificate, bytes]], list[str]]:
    """(certificates, problems) of every complete PEM certificate block in `text`; a BEGIN without END is
    a problem (truncated), as is a block that does not decode."""
    certs: list[tuple[x509.Certificate, bytes]] = []
    problems: list[str] = []
    ends = 0
    for m in _PEM_CERT.finditer(text):
        ends = m.end()
        try:
            der = base64.b64decode("".join(m.group(1).split()), validate=True)
        except (binascii.Error, ValueError):
            problems.append("certificate PEM has invalid base64")
            continue
        cert = parse_der(der)
        if cert is None:
            problems.append("certificate PEM does not hold a readable certificate")
        else:
            certs.append((cert, der))
    if "-----BEGIN CERTIFICATE-----" in text[ends:]:
        problems.append("certificate PEM is truncated (BEGIN without END)")
    return certs, problems


def b64_der(value: str) -> bytes | None:
    """Standard or URL-safe base64 (padding optional) to bytes, or None."""
    s = "".join(value.split())
    s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


# Rows of the bodies read last, by DER: a CA certificate repeats in every chain of a cluster's Secrets or
# a cloud's exports (1,800 times in one sample), and its row is the same each time.
_ROW_CACHE: dict[bytes, dict[str, Any]] = {}
_ROW_CACHE_SIZE = 512


def _row_of(cert: x509.Certificate, der: bytes) -> dict[str, Any]:
    cached = _ROW_CACHE.get(der)
    if cached is None:
        with warnings.catch_warnings():
            # e.g. "Parsed a serial number which wasn't positive": old certificates still deserve a row
            warnings.simplefilter("ignore")
            cached = certificate_row(cert, der)
        if len(_ROW_CACHE) >= _ROW_CACHE_SIZE:
            _ROW_CACHE.clear()
        _ROW_CACHE[der] = cached
    return dict(cached)  # the caller's own row: rows are completed in place later


def add_body(
    batch: Batch, cert: x509.Certificate, der: bytes | None, observation: dict[str, Any]
) -> dict[str, Any] | None:
    """Add a parsed certificate and one observation of it; returns the certificate row, or None when
    the body turns out unreadable (recorded as a rejection at the observation's source and ref)."""
    if der is None:
        der = cert.public_bytes(serialization.Encoding.DER)
    try:
        row = _row_of(cert, der)
    except ValueError as exc:
        batch.rejected.append(
            Rejected(
                source=str(observation.get("source") or "-"),
                locator=str(observation.get("source_ref") or "-"),
                reason=str(exc)[:200],
            )
        )
        return None
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    batch.certificates.append(row)
    batch.observations.append({**observation, "cert_id": row["cert_id"]})
    batch.bodies[row["cert_id"]] = der
    return row


def rows_batch(
    rows: list[dict[str, Any]],
    locators: list[str],
    locations: list[str | None],
    path: Path,
    ctx: ReadContext,
    *,
    hex_serials: bool = False,
) -> Batch:
    """A Batch from body-less rows (canonical column names); `locations` become observation locations."""
    if not rows:
        return Batch()
    return frame_batch(
        pd.DataFrame.from_records(rows),
        pd.Series(locators, dtype=object),
        pd.Series(locations, dtype=object),
        path,
        ctx,
        hex_serials=hex_serials,
    )


def frame_batch(
    frame: pd.DataFrame,
    locators: pd.Series,
    locations: pd.Series,
    path: Path,
    ctx: ReadContext,
    *,
    hex_serials: bool = False,
) -> Batch:
    """`rows_batch` for a frame built column-wise (large listings such as crt.sh)."""
    if frame.empty:
        return Batch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = from_frame(frame, locators, path, ctx, hex_serials=hex_serials)
    obs = batch.observations
    if isinstance(obs, pd.DataFrame) and len(obs):
        where = pd.Series(locations.to_numpy(), index=locators.to_numpy())
        where = where[~where.index.duplicated()]
        obs = obs.copy()
        obs["location"] = obs["source_ref"].map(where).astype("string")
        batch.observations = obs
    return batch


def combine(path: Path, parts: list[Batch]) -> Batch:
    """One Batch from several: frames and row lists are concatenated. Row lists stay lists when no part
    brings a frame — the merge builds one frame for every file's rows, far cheaper than one per file."""
    out = Batch()
    for b in parts:
        out.rejected.extend(b.rejected)
        out.private_keys.extend(b.private_keys)
        out.bodies.update(b.bodies)
        out.notes.extend(b.notes)
    out.certificates = _joined([b.certificates for b in parts], CERTIFICATE_COLUMNS)
    out.observations = _joined([b.observations for b in parts], OBSERVATION_COLUMNS)
    return out


def _joined(
    parts: list[pd.DataFrame | list[dict[str, Any]]], columns: dict[str, str]
) -> pd.DataFrame | list[dict[str, Any]]:
    parts = [p for p in parts if len(p)]
    if all(isinstance(p, list) for p in parts):
        return [row for p in parts for row in p]
    # conform first: concatenating frames with different columns fills the gaps with NaN
    frames = [p if isinstance(p, pd.DataFrame) else pd.DataFrame.from_records(p) for p in parts]
    return pd.concat([conform(f, columns) for f in frames], ignore_index=True)


def reject(path: Path, locator: str, reason: str) -> Rejected:
    return Rejected(source=str(path), locator=locator, reason=reason)


seq = _base_seq  # one definition (cmmm.ingest._base), kept under this name for the cloud readers


def mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one (hostile or truncated inputs put lists anywhere)."""
    return value if isinstance(value, dict) else {}


def kv_tags(pairs: dict[str, Any]) -> str | None:
    """'k=v;k2=v2' for non-empty values (';' and '=' inside values are replaced)."""
    items = [f"{k}={str(v).replace(';', ',')}" for k, v in pairs.items() if v is not None and str(v) != ""]
    return ";".join(items) if items else None
