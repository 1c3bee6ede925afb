"""The bundle's own files: services.csv (service catalog), profile.yaml, policy.yaml and exercises.yaml."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.exercises import parse_log
from cmmm.ingest._base import Batch, ReadContext, text_of
from cmmm.ingest._columns import CRITICALITY_VALUES, squash
from cmmm.model import SERVICE_COLUMNS, Rejected, conform
from cmmm.profile import check_profile

BUNDLE_FILES = {
    "services.csv": "services",
    "profile.yaml": "profile",
    "profile.yml": "profile",
    "policy.yaml": "policy",
    "policy.yml": "policy",
    "exercises.yaml": "exercises",  # the tabletop exercise log (cmmm.exercises)
}

_SERVICE_ALIASES = {
    "service": ("service", "name", "servicename", "application"),
    "owner": ("owner", "contact"),
    "team": ("team", "ownerteam", "group"),
    "criticality": ("criticality", "tier", "priority"),
    "depends_on": ("dependson", "dependencies", "depends", "upstream"),
    "customer_facing": ("customerfacing", "external", "public"),
    "secrecy_years": ("secrecyyears", "secrecy"),
    "pqc_capable": ("pqccapable", "pqc", "pqcready"),
}


def sniff_bundle_file(path: Path, head: bytes) -> int:
    return 100 if path.name.lower() in BUNDLE_FILES else 0


def read_bundle_file(path: Path, ctx: ReadContext) -> Batch:
    kind = BUNDLE_FILES.get(path.name.lower())
    if kind is None:
        raise InputError(str(path), f"not a bundle file (expected one of {', '.join(sorted(BUNDLE_FILES))})")
    if kind == "services":
        return read_services(path)
    doc = _yaml.load_mapping(path)
    if kind == "profile":
        return Batch(profile=dict(check_profile(doc, source=str(path))), profile_source=str(path))
    if kind == "exercises":
        return Batch(exercises=list(parse_log(doc, source=str(path))))
    return Batch(policy=doc)


def read_services(path: Path) -> Batch:
    text = text_of(path.read_bytes())
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(str(path), f"unreadable service catalog: {str(exc).splitlines()[0]}") from None
    index = {squash(a): canon for canon, names in _SERVICE_ALIASES.items() for a in names}
    mapping: dict[str, str] = {}
    for col in raw.columns:
        canon = index.get(squash(str(col)))
        if canon and canon not in mapping.values():
            mapping[col] = canon
    if "service" not in mapping.values():
        raise InputError(str(path), "service catalog needs a 'service' column", line=1)
    df = raw[list(mapping)].rename(columns=mapping).apply(lambda c: c.str.strip()).replace("", pd.NA)
    rejected = [
        Rejected(source=str(path), locator=f"line {i + 2}", reason="service name is empty")
        for i in df.index[df["service"].isna()]
    ]
    df = df[df["service"].notna()]
    if "criticality" in df:
        df["criticality"] = df["criticality"].map(
            lambda v: CRITICALITY_VALUES.get(squash(v), v.lower()), na_action="ignore"
        )
    if "depends_on" in df:
        df["depends_on"] = df["depends_on"].str.replace(r"\s*[;,|]\s*", ";", regex=True)
    for col in ("customer_facing", "pqc_capable"):
        if col in df:
            df[col] = (
                df[col]
                .str.lower()
                .map({"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False})
                .astype("boolean")
            )
    if "secrecy_years" in df:
        df["secrecy_years"] = pd.to_numeric(df["secrecy_years"], errors="coerce")
    dup = df["service"].duplicated()
    rejected += [
        Rejected(source=str(path), locator=f"line {i + 2}", reason="duplicate service; first kept")
        for i in df.index[dup]
    ]
    return Batch(services=conform(df[~dup], SERVICE_COLUMNS), rejected=rejected)
