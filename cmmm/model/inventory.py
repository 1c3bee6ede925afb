"""The Inventory every stage reads, and the records that travel with it (rejections, private-key findings, sources)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

import pandas as pd

from cmmm.model._facts import certificate_facts
from cmmm.model.columns import (
    ALGORITHM_COLUMNS,
    CERTIFICATE_COLUMNS,
    LAB_COLUMNS,
    OBSERVATION_COLUMNS,
    SERVICE_COLUMNS,
    empty_frame,
)
from cmmm.model.exercise import RecordedExercise
from cmmm.model.profile import Profile


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """A record that could not be used: where it was and why. It travels into every report."""

    source: str
    locator: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateKeyFinding:
    """Private key material found among the inputs (a finding; the key itself is never copied)."""

    path: str
    locator: str
    key_type: str
    encrypted: bool
    key_id: str | None = None  # SHA-256 of the matching public key (SPKI), when the key could be read
    store: str = "file"  # file | keystore | export (a saved API response) | kubernetes-secret
    ca: bool = False  # the key belongs to a CA certificate (its Secret holds a CA, or an issuer says so)
    referenced: bool = False  # named by configuration (a cert-manager CA issuer's Secret), not read itself


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRecord:
    """One input that was read: which ingester, how many records came out of it."""

    path: str
    ingester: str
    records: int
    rejected: int
    read_at: datetime
    # Tabular sources account for every row: rows == records + rejected, where `merged` of the records
    # repeat a certificate of an earlier row of the same file. None: not a table.
    rows: int | None = None
    merged: int = 0
    defects: int = 0  # unexpected exceptions while reading this file (bugs in cmmm, logged with traceback)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, weakref_slot=True)
class Inventory:
    """Certificates, where they were seen, the service catalog, and what could not be used.

    `certificates` has CERTIFICATE_COLUMNS, one row per unique certificate; `observations` has
    OBSERVATION_COLUMNS, one row per place a certificate was seen; `services` has SERVICE_COLUMNS;
    `algorithms` has ALGORITHM_COLUMNS (algorithm assets of imported CBOMs).
    `lab` has LAB_COLUMNS: measured PQC lab handshakes of its private hierarchies (cmmm.lab), empty until a
    lab run is attached.
    `bodies` maps cert_id to DER for certificates parsed from real files (signature checks in the graph).
    `profile` is the bundle's profile.yaml, parsed (cmmm.profile); `policy` its policy.yaml as loaded
    (safe_load; cmmm.policy parses it). `exercises` is the bundle's exercise log (exercises.yaml, parsed by
    cmmm.exercises): the tabletop exercises recorded for this organization, oldest first.

    An Inventory is immutable once built: nothing changes its frames after ingest (make a new one with
    dataclasses.replace). Derived views (certificate_facts, the CA hierarchy, the service table) are
    computed once per inventory by functions decorated with `derived`; equality is identity.
    """

    certificates: pd.DataFrame = field(default_factory=lambda: empty_frame(CERTIFICATE_COLUMNS))
    observations: pd.DataFrame = field(default_factory=lambda: empty_frame(OBSERVATION_COLUMNS))
    services: pd.DataFrame = field(default_factory=lambda: empty_frame(SERVICE_COLUMNS))
    algorithms: pd.DataFrame = field(default_factory=lambda: empty_frame(ALGORITHM_COLUMNS))
    lab: pd.DataFrame = field(default_factory=lambda: empty_frame(LAB_COLUMNS))
    rejected: tuple[Rejected, ...] = ()
    private_keys: tuple[PrivateKeyFinding, ...] = ()
    sources: tuple[SourceRecord, ...] = ()
    bodies: Mapping[str, bytes] = field(default_factory=dict)
    profile: Profile = field(default_factory=Profile)
    policy: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    exercises: tuple[RecordedExercise, ...] = ()

    def __len__(self) -> int:
        return len(self.certificates)

    @property
    def rejected_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"source": r.source, "locator": r.locator, "reason": r.reason} for r in self.rejected],
            columns=["source", "locator", "reason"],
        )

    def certificate_facts(self) -> pd.DataFrame:
        """Certificates with the per-certificate view of their observations and services (FACT_COLUMNS).

        Owner, team, service, environment: the first non-empty value over the certificate's observations
        (then the service catalog's owner/team). Criticality: the highest. Automation: an automated method
        wins over manual. discovered_by: every method that saw it, ';'-joined and sorted.
        Computed once per inventory, vectorized.
        """
        return _facts_of(self)


T = TypeVar("T")
P = ParamSpec("P")


def derived(fn: Callable[Concatenate[Inventory, P], T]) -> Callable[Concatenate[Inventory, P], T]:
    """Compute `fn(inv, *args)` once per inventory and arguments: a derived view of an immutable
    Inventory, kept as long as the inventory lives (a weak reference), typed like `fn`."""
    memo: WeakKeyDictionary[Inventory, dict[Hashable, T]] = WeakKeyDictionary()
    lock = threading.Lock()

    def wrapper(inv: Inventory, /, *args: P.args, **kwargs: P.kwargs) -> T:
        key: Hashable = (args, tuple(sorted(kwargs.items())))
        with lock:
            seen = memo.setdefault(inv, {})
            if key in seen:
                return seen[key]
        value = fn(inv, *args, **kwargs)
        with lock:
            return seen.setdefault(key, value)

    functools.update_wrapper(wrapper, fn)
    return wrapper


@derived
def _facts_of(inv: Inventory) -> pd.DataFrame:
    return certificate_facts(inv.certificates, inv.observations, inv.services)
